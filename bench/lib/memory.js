/**
 * Nara's memory: VmRSS from /proc/PID/status, plus the V8 heap and the request counter scraped from
 * Nara's own /metrics; and the long run that sends N requests while sampling both every few seconds.
 */
import { readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest } from './processes.js';

/** Resident set size of `pid` in MiB, from /proc (NaN where /proc is not available). */
export function readRssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Heap used (MiB) and requests answered (ok / failed), from Nara's Prometheus text. */
export async function scrapeNara(metricsUrl) {
  try {
    const { body } = await httpRequest(metricsUrl);
    let ok = 0;
    let failed = 0;
    for (const match of body.matchAll(/^nara_requests_total\{([^}]*)\}\s+(\S+)$/gm)) {
      if (match[1].includes('code="ok"')) ok += Number(match[2]);
      else failed += Number(match[2]);
    }
    const heap = /^nodejs_heap_size_used_bytes\s+(\S+)$/m.exec(body);
    return { heapUsedMb: heap === null ? Number.NaN : Number(heap[1]) / 1048576, requestsOk: ok, requestsFailed: failed };
  } catch {
    return { heapUsedMb: Number.NaN, requestsOk: Number.NaN, requestsFailed: Number.NaN };
  }
}

/** One memory sample of Nara. */
export async function sampleNara(pid, metricsUrl, startedAt = Date.now()) {
  const rssMb = readRssMb(pid);
  const scraped = await scrapeNara(metricsUrl);
  return { atSec: Math.round((Date.now() - startedAt) / 100) / 10, rssMb: round(rssMb), heapUsedMb: round(scraped.heapUsedMb), requestsOk: scraped.requestsOk, requestsFailed: scraped.requestsFailed };
}

const round = (value) => Math.round(value * 10) / 10;

/**
 * Sends about `total` requests to Nara at `connections` connections, alternating JSON and SSE in
 * chunks of at most `chunkSec` seconds (each chunk sized from the rate seen so far, so the total
 * overshoots by at most about one second of traffic), sampling memory every `sampleSec` seconds.
 * @param {{ loadgen: any, pid: number, metricsUrl: string, workloads: Array<{ name: string, url: string, body: string, headers: Record<string,string> }>, total: number, connections: number, sampleSec: number, chunkSec?: number, log?: (line: string) => void }} options
 */
export async function longRun({ loadgen, pid, metricsUrl, workloads, total, connections, sampleSec, chunkSec = 10, log = () => {} }) {
  const startedAt = Date.now();
  const samples = [await sampleNara(pid, metricsUrl, startedAt)];
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => samples.push(await sampleNara(pid, metricsUrl, startedAt)));
  }, sampleSec * 1000);
  const rates = new Map();
  const chunks = [];
  let sent = 0;
  try {
    for (let index = 0; sent < total; index += 1) {
      const workload = workloads[index % workloads.length];
      const rate = rates.get(workload.name);
      const durationSec = rate === undefined ? Math.min(2, chunkSec) : Math.max(1, Math.min(chunkSec, Math.ceil((total - sent) / rate)));
      const result = await loadgen.run({ url: workload.url, body: workload.body, headers: workload.headers, connections, durationSec });
      rates.set(workload.name, result.rps);
      sent += result.requests;
      chunks.push({ workload: workload.name, durationSec, requests: result.requests, rps: result.rps, non2xx: result.non2xx, socketErrors: result.socketErrors });
      log(`  long run: ${sent.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} requests, RSS ${round(readRssMb(pid))} MiB`);
    }
  } finally {
    clearInterval(timer);
    await sampling;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  samples.push(await sampleNara(pid, metricsUrl, startedAt));
  const atEnd = samples[samples.length - 1];
  await sleep(5000);
  const settled = await sampleNara(pid, metricsUrl, startedAt);
  return {
    requested: total,
    sent,
    seconds: round(seconds),
    non2xx: chunks.reduce((sum, chunk) => sum + chunk.non2xx, 0),
    chunks,
    samples,
    atEnd,
    settled,
    summary: summarise(samples),
  };
}

/** First/last/min/max of RSS and heap once the first tenth of the samples (warm-up) is behind. */
function summarise(samples) {
  const steady = samples.slice(Math.max(1, Math.floor(samples.length / 10)));
  const pick = (key) => {
    const values = steady.map((sample) => sample[key]).filter(Number.isFinite);
    if (values.length === 0) return undefined;
    return { first: values[0], last: values[values.length - 1], min: Math.min(...values), max: Math.max(...values), growth: round(values[values.length - 1] - values[0]) };
  };
  // Per quarter of the steady samples: the highest RSS and the lowest heap (≈ live data after a GC).
  // A leak shows as both rising quarter after quarter; GC noise does not.
  const quarters = [0, 1, 2, 3].map((quarter) => steady.slice(Math.floor((quarter * steady.length) / 4), Math.floor(((quarter + 1) * steady.length) / 4)));
  const extreme = (list, key, fn) => {
    const values = list.map((sample) => sample[key]).filter(Number.isFinite);
    return values.length === 0 ? Number.NaN : fn(...values);
  };
  return {
    steadySamples: steady.length,
    rssMb: pick('rssMb'),
    heapUsedMb: pick('heapUsedMb'),
    quarters: { rssMaxMb: quarters.map((list) => extreme(list, 'rssMb', Math.max)), heapMinMb: quarters.map((list) => extreme(list, 'heapUsedMb', Math.min)) },
  };
}

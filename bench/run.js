#!/usr/bin/env node
/**
 * Nara benchmark: the fake engine called directly vs through a baseline proxy vs through Nara, JSON
 * and SSE, at 1 and 50 connections; SSE time to first chunk; Nara's memory before/after load and
 * over a long run. Nara and the baseline proxy are pinned to core 0 (they never carry load at the
 * same time), the fake engine + load generator + this script to core 1.
 * See bench/README.md. Usage: npm run build && node bench/run.js [--help]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createLoadGenerator } from './lib/loadgen.js';
import { startInterferenceProbe } from './lib/machine.js';
import { longRun, sampleNara } from './lib/memory.js';
import { httpRequest, installCleanup, onCleanup, pinSelf } from './lib/processes.js';
import { formatReport, writeResults } from './lib/report.js';
import { median } from './lib/stats.js';
import { startBaseline, startEngine, startNara } from './lib/targets.js';
import { measureTtfc } from './lib/ttfc.js';

const root = new URL('../', import.meta.url).pathname;
const NARA_CORE = 0;
const BASELINE_CORE = NARA_CORE;
const ENGINE_CORE = 1;
const SECTIONS = ['json', 'sse', 'ttfc', 'memory'];

const usage = `Usage: node bench/run.js [options]
  --duration S          seconds per measured run (default 10)
  --runs N              runs per measurement; medians are reported (default 3)
  --warmup S            warm-up seconds per target before measuring (default 2)
  --connections LIST    connection counts (default 1,50)
  --only LIST           any of json,sse,ttfc,memory (default: all; "memory" alone implies --long)
  --long                add the long run (memory flatness) of --requests requests
  --requests N          requests in the long run (default 1000000; implies --long)
  --long-connections N  connections in the long run (default 50)
  --sample-interval S   RSS sampling period in the long run (default 5)
  --ttfc-iterations N   sequential streams per TTFC run (default 2000)
  --pieces N            content chunks per streamed answer (default 20: 22 SSE events)
  --loadgen NAME        wrk or autocannon (default: wrk when installed)
  --no-baseline         skip the baseline proxy (measure direct and Nara only)
  --out FILE            results JSON (default bench/results/bench-<date>.json)`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '1,50' },
      only: { type: 'string' },
      long: { type: 'boolean', default: false },
      requests: { type: 'string' },
      'long-connections': { type: 'string', default: '50' },
      'sample-interval': { type: 'string', default: '5' },
      'ttfc-iterations': { type: 'string', default: '2000' },
      pieces: { type: 'string', default: '20' },
      loadgen: { type: 'string' },
      out: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const positive = (name, text) => {
    const value = Number(String(text).replace(/_/g, ''));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, not "${text}"`);
    return value;
  };
  const only = values.only === undefined ? SECTIONS : values.only.split(',').map((section) => section.trim());
  for (const section of only) if (!SECTIONS.includes(section)) throw new Error(`--only: unknown section "${section}" (use ${SECTIONS.join(', ')})`);
  if (values.loadgen !== undefined && !['wrk', 'autocannon'].includes(values.loadgen)) throw new Error('--loadgen must be wrk or autocannon');
  const onlyMemory = only.length === 1 && only[0] === 'memory';
  return {
    duration: positive('duration', values.duration),
    runs: positive('runs', values.runs),
    warmup: positive('warmup', values.warmup),
    connections: values.connections.split(',').map((text) => positive('connections', text)),
    only,
    long: only.includes('memory') && (values.long || values.requests !== undefined || onlyMemory),
    requests: positive('requests', values.requests ?? '1000000'),
    longConnections: positive('long-connections', values['long-connections']),
    sampleInterval: positive('sample-interval', values['sample-interval']),
    ttfcIterations: positive('ttfc-iterations', values['ttfc-iterations']),
    ttfcWarmup: 200,
    pieces: positive('pieces', values.pieces),
    loadgen: values.loadgen,
    baseline: !values['no-baseline'],
    out: values.out ?? join(root, 'bench', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  };
}

const log = (line) => process.stderr.write(`${line}\n`);

function gitDescription() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return `${commit}${dirty ? ' (src has uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The request every measurement sends, as JSON or as a stream. */
function requestBody(stream) {
  return JSON.stringify({
    model: 'hcx-seed',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Explain in one paragraph what a sovereign AI gateway does.' },
    ],
    max_tokens: 128,
    ...(stream ? { stream: true } : {}),
  });
}

/** One request to each target before measuring anything: wrong answers would make the figures meaningless. */
async function checkTargets(targets) {
  const found = {};
  for (const [name, target] of Object.entries(targets)) {
    for (const stream of [false, true]) {
      const { status, body } = await httpRequest(target.url, { method: 'POST', headers: target.headers, body: requestBody(stream) });
      if (status !== 200) throw new Error(`${name} answered ${status} to a ${stream ? 'streamed' : 'JSON'} request: ${body.slice(0, 300)}`);
      if (stream && !body.includes('data: [DONE]')) throw new Error(`${name}: stream without [DONE]: ${body.slice(0, 300)}`);
      if (!stream && JSON.parse(body).choices?.[0]?.message?.content === undefined) throw new Error(`${name}: JSON answer without content: ${body.slice(0, 300)}`);
      found[`${name}.${stream ? 'sse' : 'json'}`] = stream ? `${body.split('data:').length - 1} events, ${body.length} bytes` : `${body.length} bytes`;
    }
  }
  return found;
}

async function throughput(loadgen, targets, options, kind) {
  const body = requestBody(kind === 'sse');
  const entries = [];
  for (const connections of options.connections) {
    log(`${kind} @ ${connections} connection(s): warm-up`);
    for (const target of Object.values(targets)) await loadgen.run({ url: target.url, body, headers: target.headers, connections, durationSec: options.warmup });
    const raw = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (let run = 1; run <= options.runs; run += 1) {
      for (const [name, target] of Object.entries(targets)) {
        const result = await loadgen.run({ url: target.url, body, headers: target.headers, connections, durationSec: options.duration });
        const { raw: _text, ...figures } = result;
        raw[name].push(figures);
        log(`${kind} @ ${connections}: run ${run}/${options.runs} ${name.padEnd(8)} ${Math.round(result.rps)} req/s p50 ${result.latencyMs.p50.toFixed(3)} ms p99 ${result.latencyMs.p99.toFixed(3)} ms`);
      }
    }
    const summary = (runs) => ({ rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.latencyMs.p50)), p99: median(runs.map((r) => r.latencyMs.p99)) });
    const errors = Object.values(raw).flat().reduce((sum, r) => sum + r.non2xx + Object.values(r.socketErrors).reduce((a, b) => a + b, 0), 0);
    const medians = mapValues(raw, summary);
    entries.push({ kind, connections, median: medians, addedP50Ms: medians.nara.p50 - medians.direct.p50, errors, runs: raw });
  }
  return entries;
}

async function ttfc(targets, options) {
  const body = requestBody(true);
  const raw = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let run = 1; run <= options.runs; run += 1) {
    for (const [name, target] of Object.entries(targets)) {
      const result = await measureTtfc({ url: target.url, body, headers: target.headers, iterations: options.ttfcIterations, warmup: options.ttfcWarmup });
      raw[name].push(result);
      log(`ttfc: run ${run}/${options.runs} ${name.padEnd(8)} p50 ${result.ttfcMs.p50.toFixed(3)} ms p99 ${result.ttfcMs.p99.toFixed(3)} ms`);
    }
  }
  const summary = (runs) => ({
    p50: median(runs.map((r) => r.ttfcMs.p50)),
    p90: median(runs.map((r) => r.ttfcMs.p90)),
    p99: median(runs.map((r) => r.ttfcMs.p99)),
    totalP50: median(runs.map((r) => r.totalMs.p50)),
    events: runs[0]?.eventsPerStream,
  });
  const median_ = mapValues(raw, summary);
  return { median: median_, addedP50Ms: median_.nara.p50 - median_.direct.p50, addedP99Ms: median_.nara.p99 - median_.direct.p99, runs: raw };
}

/** { name: fn(value) } for each entry of `object`. */
const mapValues = (object, fn) => Object.fromEntries(Object.entries(object).map(([name, value]) => [name, fn(value)]));

/** Says which child died, when one did. */
let onFailure = () => {};

async function main() {
  const options = parseOptions();
  installCleanup();
  for (const file of ['dist/dev/fake-engine.js', 'dist/cli/main.js']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const pinned = pinSelf(ENGINE_CORE);
  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));

  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    os: `${type()} ${release()}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    totalMemMb: Math.round(totalmem() / 1048576),
    git: gitDescription(),
    pinned,
    cores: { nara: NARA_CORE, baseline: options.baseline ? BASELINE_CORE : undefined, engine: ENGINE_CORE, loadgen: ENGINE_CORE },
    loadavgBefore: loadavg().map((value) => value.toFixed(2)),
  };
  if (!pinned) log('warning: taskset is missing, so nothing is pinned; figures will mix the processes');

  log(`starting the fake engine${options.baseline ? ', the baseline proxy' : ''} and Nara…`);
  const engine = await startEngine({ core: ENGINE_CORE, pieces: options.pieces });
  const baseline = options.baseline ? await startBaseline({ core: BASELINE_CORE, engineUrl: engine.url }) : undefined;
  const nara = await startNara({ core: NARA_CORE, engineUrl: engine.url, workDir });
  const loadgen = createLoadGenerator(options.loadgen, { workDir, core: ENGINE_CORE });
  Object.assign(meta, { loadgen: loadgen.name, loadgenVersion: loadgen.version, naraPid: nara.proc.pid, enginePid: engine.proc.pid, baselinePid: baseline?.proc.pid });
  log(`load generator: ${loadgen.version}`);

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${nara.apiKey}` };
  // Run in this order, one at a time: Nara and the baseline share core 0 but never carry load together.
  const targets = { direct: { url: engine.chatUrl, headers }, ...(baseline && { baseline: { url: baseline.chatUrl, headers } }), nara: { url: nara.chatUrl, headers } };
  const children = [['nara', nara.proc], ['fake engine', engine.proc], ...(baseline ? [['baseline proxy', baseline.proc]] : [])];
  const results = { meta, options, checks: undefined, throughput: [], ttfc: undefined, memory: {}, interference: {} };
  const probe = () => startInterferenceProbe(() => children.map(([, proc]) => proc.pid));
  const whole = probe();
  onFailure = () => {
    for (const [name, proc] of children) {
      if (proc.exited()) log(`${name} had exited (code ${proc.child.exitCode}, signal ${proc.child.signalCode}):\n${proc.stderrTail()}`);
    }
  };
  results.memory.beforeLoad = await sampleNara(nara.proc.pid, nara.metricsUrl);
  results.checks = await checkTargets(targets);
  log(`checks: ${JSON.stringify(results.checks)}`);

  for (const kind of ['json', 'sse']) {
    if (!options.only.includes(kind)) continue;
    const section = probe();
    results.throughput.push(...(await throughput(loadgen, targets, options, kind)));
    results.interference[kind] = section();
  }
  if (options.only.includes('ttfc')) {
    const section = probe();
    results.ttfc = await ttfc(targets, options);
    results.interference.ttfc = section();
  }
  if (options.only.some((section) => section !== 'memory')) {
    await sleep(5000);
    results.memory.afterLoad = await sampleNara(nara.proc.pid, nara.metricsUrl);
  }
  if (options.long) {
    log(`long run: ${options.requests.toLocaleString('en-US')} requests at ${options.longConnections} connections`);
    const workloads = [
      { name: 'json', url: nara.chatUrl, body: requestBody(false), headers },
      { name: 'sse', url: nara.chatUrl, body: requestBody(true), headers },
    ];
    const section = probe();
    results.memory.long = await longRun({ loadgen, pid: nara.proc.pid, metricsUrl: nara.metricsUrl, workloads, total: options.requests, connections: options.longConnections, sampleSec: options.sampleInterval, log });
    results.interference.long = section();
  }
  if (nara.proc.exited()) throw new Error(`Nara exited during the benchmark:\n${nara.proc.stderrTail()}`);
  if (baseline?.proc.exited()) throw new Error(`the baseline proxy exited during the benchmark:\n${baseline.proc.stderrTail()}`);
  meta.loadavgAfter = loadavg().map((value) => value.toFixed(2));
  results.interference.whole = whole();

  for (const [, proc] of children) await proc.stop();
  writeResults(options.out, results);
  process.stdout.write(`${formatReport(results)}\n\nraw figures: ${options.out}\n`);
}

main().catch((error) => {
  log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  onFailure();
  process.exit(1);
});

#!/usr/bin/env node
/**
 * What limits and metering cost: JSON chat throughput through Nara at 50 connections with
 *   plain    — the tenant has no limits and metering is off (the gateway alone),
 *   embedded — every limit kind on the tenant, metering on, files in the data dir, in-process limiter,
 *   shared   — the same limits and metering on PostgreSQL + Redis (what replicas use).
 * Runs are interleaved (plain, embedded, shared, plain, …) so that drift hits all three alike; medians
 * are reported with each mode's cost against plain. Afterwards the usage ledger of each metered mode
 * is read back through the admin API and compared with the requests the engine answered.
 * Nara is pinned to core 0, the fake engine and wrk to core 1 (see bench/README.md).
 * Usage: npm run build && node bench/limits.js [--duration 10] [--runs 5] [--connections 50]
 *        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--redis-url redis://127.0.0.1:6379]
 *        [--tenant-limits '{ requestsPerMinute: 1000000, tokensPerDay: 1000000000000 }']
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createLoadGenerator } from './lib/loadgen.js';
import { httpRequest, installCleanup, onCleanup, pinSelf } from './lib/processes.js';
import { median } from './lib/stats.js';
import { cpuSeconds } from './lib/machine.js';
import { startEngine, startNara } from './lib/targets.js';

const NARA_CORE = 0;
const ENGINE_CORE = 1;
const log = (line) => process.stderr.write(`${line}\n`);


/** CPU seconds of every process whose command name matches (redis-server, postgres). */
function cpuSecondsOf(name) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim().startsWith(name)) total += cpuSeconds(entry);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'tenant-limits': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('Usage: node bench/limits.js [--duration S] [--runs N] [--warmup S] [--connections N] [--database-url URL] [--redis-url URL] [--tenant-limits YAML]\n');
  process.exit(0);
}
const duration = Number(values.duration);
const runs = Number(values.runs);
const connections = Number(values.connections);

// Large enough never to deny during the run, so every request pays for the full check and settle.
// Every kind by default (the worst case); --tenant-limits '{ requestsPerMinute: 1000000, tokensPerDay: 1000000000000 }' for fewer.
const limits = values['tenant-limits'] ?? '{ requestsPerMinute: 100000000, tokensPerMinute: 1000000000000, concurrentRequests: 100000, tokensPerDay: 1000000000000, tokensPerMonth: 1000000000000, costPerDay: 1000000000, costPerMonth: 1000000000 }';
const body = JSON.stringify({
  model: 'hcx-seed',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Explain in one paragraph what a sovereign AI gateway does.' },
  ],
  max_tokens: 128,
});

async function main() {
  installCleanup();
  pinSelf(ENGINE_CORE);
  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-limits-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const database = `nara_bench_${randomBytes(4).toString('hex')}`;
  const adminDb = new pg.Client({ connectionString: values['database-url'] });
  await adminDb.connect();
  await adminDb.query(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(values['database-url']);
  databaseUrl.pathname = `/${database}`;
  const adminToken = randomBytes(24).toString('base64url');
  const env = { NARA_ADMIN_TOKEN: adminToken, NARA_BENCH_DATABASE_URL: databaseUrl.toString() };

  const engine = await startEngine({ core: ENGINE_CORE, pieces: 20 });
  const targets = {
    plain: await startNara({ core: NARA_CORE, engineUrl: engine.url, workDir, name: 'plain', extraConfig: ['metering: { enabled: false }'], env }),
    embedded: await startNara({ core: NARA_CORE, engineUrl: engine.url, workDir, name: 'embedded', tenantLimits: limits, env }),
    shared: await startNara({
      core: NARA_CORE,
      engineUrl: engine.url,
      workDir,
      name: 'shared',
      tenantLimits: limits,
      extraConfig: ['database: { url: { env: NARA_BENCH_DATABASE_URL } }', `redis: { url: "${values['redis-url']}", keyPrefix: "nara-bench-${randomBytes(3).toString('hex')}:" }`],
      env,
    }),
  };
  const loadgen = createLoadGenerator(undefined, { workDir, core: ENGINE_CORE });
  const headers = (target) => ({ authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' });
  for (const [name, target] of Object.entries(targets)) {
    const { status, body: text } = await httpRequest(target.chatUrl, { method: 'POST', headers: headers(target), body });
    if (status !== 200) throw new Error(`${name} answered ${status}: ${text.slice(0, 300)}`);
  }

  log(`warm-up ${values.warmup} s each`);
  for (const target of Object.values(targets)) await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: Number(values.warmup) });
  const results = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let run = 1; run <= runs; run += 1) {
    for (const [name, target] of Object.entries(targets)) {
      const before = { nara: cpuSeconds(target.proc.pid), redis: cpuSecondsOf('redis-server'), postgres: cpuSecondsOf('postgres') };
      const result = await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: duration });
      const requests = result.requests || result.rps * duration;
      const perRequest = (key, now) => ((now - before[key]) * 1e6) / requests;
      result.cpuMicros = { nara: perRequest('nara', cpuSeconds(target.proc.pid)), redis: perRequest('redis', cpuSecondsOf('redis-server')), postgres: perRequest('postgres', cpuSecondsOf('postgres')) };
      results[name].push(result);
      const cpu = result.cpuMicros;
      log(`run ${run}/${runs} ${name.padEnd(8)} ${Math.round(result.rps)} req/s p50 ${result.latencyMs.p50.toFixed(3)} ms p99 ${result.latencyMs.p99.toFixed(3)} ms non-2xx ${result.non2xx}; CPU µs/request: nara ${cpu.nara.toFixed(0)}, redis ${cpu.redis.toFixed(0)}, postgres ${cpu.postgres.toFixed(0)}`);
    }
  }

  // Every request the metered modes answered must be in their ledgers (each flushes within 1 s).
  await sleep(2_000);
  const ledger = {};
  for (const name of ['embedded', 'shared']) {
    const response = await httpRequest(`${targets[name].url}/admin/v1/usage?groupBy=tenant`, { headers: { authorization: `Bearer ${adminToken}` } });
    const rows = JSON.parse(response.body).data ?? [];
    ledger[name] = rows.reduce((sum, row) => sum + row.requests, 0);
  }

  const plainRps = median(results.plain.map((r) => r.rps));
  log('');
  log(`JSON chat, ${connections} connections, ${runs} runs of ${duration} s, medians (${loadgen.name})`);
  log('| mode | req/s | p50 ms | p99 ms | throughput vs plain | Nara CPU µs/request | Redis + PostgreSQL CPU µs/request | usage rows in the ledger |');
  log('|---|---|---|---|---|---|---|---|');
  for (const [name, list] of Object.entries(results)) {
    const rps = median(list.map((r) => r.rps));
    const share = name === 'plain' ? '—' : `${((rps / plainRps) * 100).toFixed(1)}% (cost ${(100 - (rps / plainRps) * 100).toFixed(1)}%)`;
    const rows = ledger[name] === undefined ? 'metering off' : String(ledger[name]);
    const naraCpu = median(list.map((r) => r.cpuMicros.nara));
    const storeCpu = median(list.map((r) => r.cpuMicros.redis + r.cpuMicros.postgres));
    log(`| ${name} | ${Math.round(rps)} | ${median(list.map((r) => r.latencyMs.p50)).toFixed(3)} | ${median(list.map((r) => r.latencyMs.p99)).toFixed(3)} | ${share} | ${naraCpu.toFixed(0)} | ${name === 'shared' ? storeCpu.toFixed(0) : '—'} | ${rows} |`);
  }
  log('(usage rows include the warm-up and check requests: compare them with wrk\'s totals in the log above)');

  for (const target of Object.values(targets)) await target.proc.stop();
  await engine.proc.stop();
  await adminDb.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await adminDb.end();
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

#!/usr/bin/env node
/**
 * What the audit log costs: JSON chat through Nara with
 *   off            — audit.enabled: false,
 *   strict-no-prov — every event fsynced (group-committed) before its response, no provenance manifests,
 *   strict         — the same plus a signed provenance manifest per completion (the default),
 *   batched        — events written before the response, fsynced at least every second, manifests signed.
 * Runs are interleaved (off, strict, batched, off, …) so that drift hits all alike; medians are
 * reported with throughput against `off`, p50/p99 latency (the fsync's share shows at 1 connection)
 * and Nara's CPU per request. Afterwards each log is checked with `nara audit verify` (which also
 * gives its speed in events per second) and its events are counted against the requests answered.
 * Nara is pinned to core 0, the fake engine and the load generator to core 1 (see bench/README.md).
 * Usage: npm run build && node bench/audit.js [--duration 10] [--runs 5] [--connections 50,1]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLoadGenerator } from './lib/loadgen.js';
import { installCleanup, onCleanup, pinSelf, httpRequest } from './lib/processes.js';
import { median } from './lib/stats.js';
import { cpuSeconds } from './lib/machine.js';
import { startEngine, startNara } from './lib/targets.js';

const NARA_CORE = 0;
const ENGINE_CORE = 1;
const naraBin = new URL('../bin/nara.js', import.meta.url).pathname;
const log = (line) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50,1' },
  },
});


async function main() {
  installCleanup();
  pinSelf(ENGINE_CORE);
  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-audit-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const duration = Number(values.duration);
  const runs = Number(values.runs);
  const connectionCounts = values.connections.split(',').map(Number);
  const body = JSON.stringify({ model: 'hcx-seed', max_tokens: 16, messages: [{ role: 'user', content: '안녕하세요, 서울의 날씨를 알려 주세요.' }] });

  const engine = await startEngine({ core: ENGINE_CORE, pieces: 20 });
  const modes = {
    off: 'audit: { enabled: false }',
    'strict-no-prov': 'audit: { mode: strict, provenance: false }',
    strict: 'audit: { mode: strict }',
    batched: 'audit: { mode: batched }',
  };
  const targets = {};
  for (const [name, line] of Object.entries(modes)) targets[name] = await startNara({ core: NARA_CORE, engineUrl: engine.url, workDir, name, extraConfig: [line, 'metering: { enabled: false }'] });
  const loadgen = createLoadGenerator(undefined, { workDir, core: ENGINE_CORE });
  const headers = (target) => ({ authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' });
  const answered = Object.fromEntries(Object.keys(targets).map((name) => [name, 0]));
  for (const [name, target] of Object.entries(targets)) {
    const { status, body: text } = await httpRequest(target.chatUrl, { method: 'POST', headers: headers(target), body });
    if (status !== 200) throw new Error(`${name} answered ${status}: ${text.slice(0, 300)}`);
    answered[name] += 1;
  }

  const results = {};
  for (const connections of connectionCounts) {
    log(`warm-up ${values.warmup} s each at ${connections} connection(s)`);
    for (const [name, target] of Object.entries(targets)) {
      const warm = await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: Number(values.warmup) });
      answered[name] += (warm.requests || warm.rps * Number(values.warmup)) - warm.non2xx;
    }
    for (let run = 1; run <= runs; run += 1) {
      for (const [name, target] of Object.entries(targets)) {
        const before = cpuSeconds(target.proc.pid);
        const result = await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: duration });
        const requests = result.requests || result.rps * duration;
        answered[name] += requests - result.non2xx;
        result.cpuMicros = ((cpuSeconds(target.proc.pid) - before) * 1e6) / requests;
        (results[`${connections}:${name}`] ??= []).push(result);
        log(`run ${run}/${runs} ${connections} conn ${name.padEnd(14)} ${Math.round(result.rps)} req/s p50 ${result.latencyMs.p50.toFixed(3)} ms p99 ${result.latencyMs.p99.toFixed(3)} ms non-2xx ${result.non2xx} CPU ${result.cpuMicros.toFixed(0)} µs/request`);
      }
    }
  }

  for (const target of Object.values(targets)) await target.proc.stop();
  await engine.proc.stop();

  log('');
  log(`JSON chat, ${runs} runs of ${duration} s, medians (${loadgen.name}); metering off in every mode`);
  log('| connections | audit | req/s | throughput vs off | p50 ms | p99 ms | Nara CPU µs/request |');
  log('|---|---|---|---|---|---|---|');
  for (const connections of connectionCounts) {
    const offRps = median(results[`${connections}:off`].map((r) => r.rps));
    for (const name of Object.keys(targets)) {
      const list = results[`${connections}:${name}`];
      const rps = median(list.map((r) => r.rps));
      const share = name === 'off' ? '—' : `${((rps / offRps) * 100).toFixed(1)}%`;
      log(`| ${connections} | ${name} | ${Math.round(rps)} | ${share} | ${median(list.map((r) => r.latencyMs.p50)).toFixed(3)} | ${median(list.map((r) => r.latencyMs.p99)).toFixed(3)} | ${median(list.map((r) => r.cpuMicros)).toFixed(0)} |`);
    }
  }

  log('');
  for (const name of ['strict-no-prov', 'strict', 'batched']) {
    const dir = join(workDir, `${name}-data`, 'audit');
    const report = JSON.parse(execFileSync(process.execPath, [naraBin, 'audit', 'verify', '--dir', dir, '--json'], { encoding: 'utf8' }));
    const rate = report.leaves / report.seconds;
    log(`${name}: nara audit verify ${report.ok ? 'OK' : `FAILED (${report.problem?.message})`}: ${report.leaves} events (${Math.round(answered[name])} requests answered 2xx as counted by the load generator), ${report.checkpoints} checkpoints, ${Math.round(rate).toLocaleString('en')} events/s`);
  }
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

#!/usr/bin/env node
/**
 * What the local safety checks cost on streams, end to end: streamed chat (200 pieces per answer)
 * through Nara with safety off, and with the prefilter and stream moderation on (monitor and block
 * modes; no guard model). Runs are interleaved so that drift hits all alike; medians of Nara's CPU
 * per streamed token and of throughput are reported against `off`. The floor: ≤ 5% more CPU
 * per streamed token. Audit and metering are off in every mode so that only safety differs. Nara is
 * pinned to core 0, the fake engine and the load generator to core 1 (see bench/README.md).
 * Usage: npm run build && node bench/safety-stream.js [--duration 5] [--runs 5] [--pieces 200] [--connections 8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLoadGenerator } from './lib/loadgen.js';
import { cpuSeconds } from './lib/machine.js';
import { httpRequest, installCleanup, onCleanup, pinSelf } from './lib/processes.js';
import { median } from './lib/stats.js';
import { startEngine, startNara } from './lib/targets.js';

const NARA_CORE = 0;
const ENGINE_CORE = 1;
const log = (line) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    pieces: { type: 'string', default: '200' },
    connections: { type: 'string', default: '8' },
  },
});

async function main() {
  installCleanup();
  pinSelf(ENGINE_CORE);
  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-safety-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const duration = Number(values.duration);
  const runs = Number(values.runs);
  const pieces = Number(values.pieces);
  const connections = Number(values.connections);
  const body = JSON.stringify({ model: 'hcx-seed', stream: true, messages: [{ role: 'user', content: '나라 게이트웨이에 대해 설명해 주세요.' }] });

  const engine = await startEngine({ core: ENGINE_CORE, pieces });
  const common = ['audit: { enabled: false }', 'metering: { enabled: false }'];
  const modes = {
    off: 'safety: { mode: off }',
    monitor: 'safety: { mode: monitor }',
    block: 'safety: { mode: block }',
  };
  const targets = {};
  for (const [name, line] of Object.entries(modes)) targets[name] = await startNara({ core: NARA_CORE, engineUrl: engine.url, workDir, name, extraConfig: [line, ...common] });
  const loadgen = createLoadGenerator(undefined, { workDir, core: ENGINE_CORE });
  const headers = (target) => ({ authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' });
  for (const [name, target] of Object.entries(targets)) {
    const { status, body: text } = await httpRequest(target.chatUrl, { method: 'POST', headers: headers(target), body });
    if (status !== 200 || !text.includes('[DONE]')) throw new Error(`${name} answered ${status}: ${text.slice(0, 300)}`);
  }

  log(`warm-up ${values.warmup} s each`);
  for (const target of Object.values(targets)) await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: Number(values.warmup) });
  const results = {};
  for (let run = 1; run <= runs; run += 1) {
    for (const [name, target] of Object.entries(targets)) {
      const before = cpuSeconds(target.proc.pid);
      const result = await loadgen.run({ url: target.chatUrl, body, headers: headers(target), connections, durationSec: duration });
      const requests = result.requests || result.rps * duration;
      result.cpuPerToken = ((cpuSeconds(target.proc.pid) - before) * 1e6) / (requests * pieces);
      (results[name] ??= []).push(result);
      log(`run ${run}/${runs} ${name.padEnd(8)} ${Math.round(result.rps)} streams/s non-2xx ${result.non2xx} CPU ${result.cpuPerToken.toFixed(2)} µs per streamed token`);
    }
  }
  for (const target of Object.values(targets)) await target.proc.stop();
  await engine.proc.stop();

  const offCpu = median(results.off.map((r) => r.cpuPerToken));
  const offRps = median(results.off.map((r) => r.rps));
  log('');
  log(`Streamed chat, ${pieces} pieces per answer, ${connections} connections, ${runs} runs of ${duration} s, medians (${loadgen.name})`);
  log('| safety | streams/s | Nara CPU µs per streamed token | CPU vs off |');
  log('|---|---|---|---|');
  for (const name of Object.keys(targets)) {
    const cpu = median(results[name].map((r) => r.cpuPerToken));
    const rps = median(results[name].map((r) => r.rps));
    const share = name === 'off' ? '—' : `${cpu >= offCpu ? '+' : ''}${(((cpu - offCpu) / offCpu) * 100).toFixed(1)}% (throughput ${((rps / offRps) * 100).toFixed(1)}%)`;
    log(`| ${name} | ${Math.round(rps)} | ${cpu.toFixed(2)} | ${share} |`);
  }
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

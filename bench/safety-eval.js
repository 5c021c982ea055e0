#!/usr/bin/env node
/**
 * What the shipped safety configuration catches on the shipped sample sets, and what a guard model
 * costs per request: `nara safety eval` over data/safety/samples/*.jsonl (30 harmful + 30 benign
 * prompts in each of ko, th, id, vi, tl, ar, en) through a real `nara serve` as two tenants —
 *   prefilter — mode: block with the built-in term lists (no guard model),
 *   guard     — mode: block, term lists off, a guard model (a fake one that answers "safe" after
 *               --guard-delay ms in Llama Guard format), to time the guard call end to end.
 * The term lists and the samples were written by the same people: the prefilter's block rate here
 * is an upper bound for real traffic, the false-refusal rate a useful lower one.
 * Usage: npm run build && node bench/safety-eval.js [--guard-delay 20] [--html report.html]
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeEngine } from '../dist/dev/fake-engine.js';
import { installCleanup, onCleanup } from './lib/processes.js';
import { startNara } from './lib/targets.js';

const root = new URL('../', import.meta.url).pathname;
const naraBin = join(root, 'bin', 'nara.js');
const samples = join(root, 'data', 'safety', 'samples');
const log = (line) => process.stderr.write(`${line}\n`);
const { values } = parseArgs({ options: { 'guard-delay': { type: 'string', default: '20' }, html: { type: 'string' } } });
const guardDelay = Number(values['guard-delay']);

function startGuard() {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url?.endsWith('/models')) return void response.end(JSON.stringify({ object: 'list', data: [{ id: 'guard', object: 'model' }] }));
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'g', object: 'chat.completion', created: 1, model: 'guard', choices: [{ index: 0, message: { role: 'assistant', content: '\n\nsafe' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }));
      }, guardDelay);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() })));
}

async function main() {
  installCleanup();
  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-safety-eval-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const engine = await startFakeEngine({ echo: { pieceLength: 4 } });
  const guard = await startGuard();
  onCleanup(() => guard.close());
  onCleanup(() => void engine.close());
  const files = readdirSync(samples).filter((name) => name.endsWith('.jsonl')).sort().map((name) => join(samples, name));
  const results = {};
  for (const [name, safety] of Object.entries({
    prefilter: 'safety: { mode: block }',
    guard: 'safety: { mode: block, prefilter: { enabled: false }, guard: { model: guard, format: llama-guard, timeoutMs: 3000 } }',
  })) {
    const nara = await startNara({
      core: 0,
      engineUrl: engine.url,
      workDir,
      name,
      extraConfig: [safety, 'audit: { enabled: false }', 'metering: { enabled: false }'],
      extraBackends: ['  - id: seoul-guard', `    url: ${guard.url}`, '    jurisdiction: KR', '    models: [guard]'],
    });
    const args = [naraBin, 'safety', 'eval', '--url', nara.url, '--key', nara.apiKey, '--model', 'hcx-seed', '--json', ...files.flatMap((file) => ['--prompts', file])];
    if (values.html !== undefined && name === 'prefilter') args.push('--html', values.html);
    // Not execFileSync: the engine and the guard run in this process and must keep answering.
    const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    results[name] = JSON.parse(stdout);
    await nara.proc.stop();
  }
  const pct = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
  const prefilter = results.prefilter;
  log(`\nBuilt-in term lists (mode: block, no guard), ${prefilter.totals.harmful} harmful and ${prefilter.totals.benign} benign prompts`);
  log('| language | harmful blocked | benign refused |');
  log('|---|---|---|');
  for (const row of prefilter.byLanguage) log(`| ${row.language} | ${row.harmful.blocked}/${row.harmful.prompts} (${pct(row.harmful.blockRate)}) | ${row.benign.refused}/${row.benign.prompts} (${pct(row.benign.falseRefusalRate)}) |`);
  log(`| all | ${pct(prefilter.harmfulBlockRate)} | ${pct(prefilter.falseRefusalRate)} |`);
  log(`request latency p50 ${prefilter.requestLatencyMs.p50?.toFixed(1)} ms, p95 ${prefilter.requestLatencyMs.p95?.toFixed(1)} ms`);
  for (const miss of prefilter.benignRefused) log(`benign refused: ${miss.file.split('/').pop()}:${miss.line} (named ${miss.category ?? "?"} on ${miss.where ?? "?"}): ${miss.prompt}`);
  const guarded = results.guard;
  log(`\nGuard model answering after ${guardDelay} ms: guard time as Nara measured it p50 ${guarded.guardLatencyMs.p50?.toFixed(1)} ms, p95 ${guarded.guardLatencyMs.p95?.toFixed(1)} ms over ${guarded.guardLatencyMs.count} requests; request latency p50 ${guarded.requestLatencyMs.p50?.toFixed(1)} ms, p95 ${guarded.requestLatencyMs.p95?.toFixed(1)} ms (without a guard: p50 ${prefilter.requestLatencyMs.p50?.toFixed(1)} ms). Each request asks the guard twice (prompt and answer).`);
  guard.close();
  await engine.close();
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

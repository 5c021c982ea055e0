#!/usr/bin/env node
/**
 * What `nara eval` itself costs: 100,000 multiple-choice instances against a fake engine (its own
 * process, pinned to core 1) at concurrency 64, the runner pinned to core 0. Reports instances per
 * second (the issue asks ≥ 2,000) and the runner's memory over the run, sampled every second
 * (it must stay flat: answers go to the records file, not to memory).
 * Usage: npm run build && node --expose-gc bench/eval-runner.js [--instances 100000] [--concurrency 64]
 * (--expose-gc: the heap is sampled after a collection, so growth means memory kept, not garbage not yet collected)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { parseEndpointSpec } from '../dist/eval-run/endpoint.js';
import { runEvaluation } from '../dist/eval-run/runner.js';
import { RunStore } from '../dist/eval-run/run-store.js';
import { readTaskFile } from '../dist/eval-run/task-file.js';
import { installCleanup, onCleanup, pinSelf } from './lib/processes.js';
import { startEngine } from './lib/targets.js';

const { values } = parseArgs({ options: { instances: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: '64' } } });
const count = Number(values.instances);
const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  installCleanup();
  pinSelf(0);
  const dir = mkdtempSync(join(tmpdir(), 'nara-bench-eval-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const lines = [];
  for (let index = 0; index < count; index += 1) {
    lines.push(JSON.stringify({ id: `q${index}`, question: `Question number ${index}: which city is the capital?`, choices: ['Seoul', 'Busan', 'Daegu', 'Incheon'], answer: index % 4, subject: `s${index % 20}`, competency: index % 2 === 0 ? 'culture' : 'language' }));
  }
  writeFileSync(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'task.yaml'),
    ['id: bench', 'language: en', 'dataset: { path: data.jsonl, id: id }', 'prompt: "{{ question }}\\nA. {{ choices[0] }}\\nB. {{ choices[1] }}\\nC. {{ choices[2] }}\\nD. {{ choices[3] }}"', 'choices: "{{ choices }}"', 'target: "{{ answer }}"', 'subject: "{{ subject }}"', 'competency: "{{ competency }}"'].join('\n'),
  );
  const engine = await startEngine({ core: 1, pieces: 1 });
  const task = await readTaskFile(join(dir, 'task.yaml'));
  const endpoint = parseEndpointSpec(`url=${engine.url},model=hcx-seed,concurrency=${values.concurrency},retries=0`, {});
  const samples = [];
  const sampler = setInterval(() => {
    globalThis.gc?.();
    samples.push({ at: performance.now(), rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
  }, 1000);
  const started = performance.now();
  const result = await runEvaluation({ tasks: [task], endpoints: [endpoint], store: new RunStore(join(dir, 'run')) });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await engine.proc.stop();
  const pair = result.pairs[0];
  const mb = (bytes) => (bytes / 1048576).toFixed(0);
  log(`${count} instances (${pair.summary.instances} scored, ${pair.summary.failed} failed) at concurrency ${values.concurrency}: ${seconds.toFixed(1)} s, ${Math.round(count / seconds)} instances/s`);
  if (samples.length >= 4) {
    const quarter = Math.floor(samples.length / 4);
    const early = samples.slice(quarter, 2 * quarter);
    const late = samples.slice(-quarter);
    const avg = (list, key) => list.reduce((sum, sample) => sum + sample[key], 0) / list.length;
    log(`runner RSS: first sample ${mb(samples[0].rss)} MB, second quarter ${mb(avg(early, 'rss'))} MB, last quarter ${mb(avg(late, 'rss'))} MB, peak ${mb(Math.max(...samples.map((sample) => sample.rss)))} MB; heap used second quarter ${mb(avg(early, 'heap'))} MB → last quarter ${mb(avg(late, 'heap'))} MB`);
  }
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

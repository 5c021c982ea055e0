/**
 * The console's view of `nara eval run` results: two real runs (the real command and runner against
 * the fake model server) in one folder with junk beside them, listed newest first, detailed with
 * exactly the numbers the run's own report gave, and compared on what they share; ids that could
 * reach outside the folder are refused before they touch a path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalRunCommand } from '../src/cli/commands/eval.js';
import { compareEvalRuns, evalRunDetail, isRunId, listEvalRuns } from '../src/eval-run/run-catalogue.js';
import type { PairResult } from '../src/eval-run/runner.js';
import { makeTempDir, removeDir } from './support/cli-process.js';
import { startEvalEngine, type EvalEngine } from './support/eval-engine.js';

let engine: EvalEngine;
let work: string;
let root: string;
/** What `nara eval run --json` printed for each run: buildReport's pairs (NaN printed as null). */
const reports = new Map<string, readonly PairResult[]>();

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function evalRun(id: string, tasks: readonly string[], endpoints: Readonly<Record<string, string>>): Promise<number> {
  const out = collector();
  const code = await evalRunCommand(
    {
      task: tasks.map((task) => `builtin:${task}`),
      endpoint: Object.entries(endpoints).map(([name, model]) => `name=${name},url=${engine.url},${model},concurrency=4,timeout-ms=5000`),
      out: join(root, id),
      json: true,
    },
    { out: out.stream, err: collector().stream },
  );
  reports.set(id, (JSON.parse(out.text()) as { pairs: PairResult[] }).pairs);
  return code;
}

beforeAll(async () => {
  engine = await startEvalEngine();
  work = makeTempDir('nara-eval-catalogue-');
  root = join(work, 'runs');
  // Older: two good models. Newer (started after): m is much worse, n as good, w and x only here.
  expect(await evalRun('run-2', ['ko', 'th'], { m: 'model=oracle', n: 'model=oracle' })).toBe(0);
  // x fails every instance, so this run exits 1.
  expect(await evalRun('run-1', ['ko', 'vi'], { m: 'model=rambler', n: 'model=oracle', w: 'model=fifth-wrong', x: 'model=down,retries=0' })).toBe(1);
  // A run whose manifest says it started long ago (ids sort neither way into newest-first).
  mkdirSync(join(root, 'run-0'));
  writeFileSync(join(root, 'run-0', 'run.json'), JSON.stringify({ nara: 'eval/1', started: '2020-01-01T00:00:00.000Z', tasks: [], endpoints: [] }));
  // Junk beside the runs.
  const manifest = readFileSync(join(root, 'run-2', 'run.json'));
  mkdirSync(join(root, 'no-manifest'));
  writeFileSync(join(root, 'no-manifest', 'records.jsonl'), readFileSync(join(root, 'run-2', 'records.jsonl')));
  mkdirSync(join(root, 'bad-manifest'));
  writeFileSync(join(root, 'bad-manifest', 'run.json'), '{"tasks": [');
  mkdirSync(join(root, 'other-json'));
  writeFileSync(join(root, 'other-json', 'run.json'), '{"hello": "world"}');
  mkdirSync(join(root, 'has space'));
  writeFileSync(join(root, 'has space', 'run.json'), manifest);
  mkdirSync(join(root, '.hidden'));
  writeFileSync(join(root, '.hidden', 'run.json'), manifest);
  writeFileSync(join(root, 'stray.txt'), 'not a run');
}, 120_000);

afterAll(async () => {
  await engine.close();
  removeDir(work);
});

describe('listEvalRuns', () => {
  it('lists the runs newest first with their tasks, endpoints and records, and skips what is not a run', async () => {
    const runs = await listEvalRuns(root);
    expect(runs.map((run) => run.id)).toEqual(['run-1', 'run-2', 'run-0']);
    expect(runs[0]).toMatchObject({ tasks: ['ko-language-culture', 'vi-language-culture'], endpoints: ['m', 'n', 'w', 'x'], instances: 2 * 4 * 30 });
    expect(runs[1]).toMatchObject({ tasks: ['ko-language-culture', 'th-language-culture'], endpoints: ['m', 'n'], instances: 2 * 2 * 30 });
    expect(runs[2]).toEqual({ id: 'run-0', startedAt: '2020-01-01T00:00:00.000Z', tasks: [], endpoints: [], instances: 0 });
    expect(Date.parse(runs[0]?.startedAt ?? '')).toBeGreaterThan(Date.parse(runs[1]?.startedAt ?? ''));
  });

  it('answers an empty list for a folder that does not exist', async () => {
    expect(await listEvalRuns(join(work, 'missing'))).toEqual([]);
    expect(await listEvalRuns(join(root, 'stray.txt'))).toEqual([]);
  });
});

describe('evalRunDetail', () => {
  it('gives per task and endpoint exactly the scores and intervals the run report gave', async () => {
    for (const id of ['run-1', 'run-2']) {
      const detail = await evalRunDetail(root, id);
      const pairs = reports.get(id) ?? [];
      expect(detail?.id).toBe(id);
      expect(detail?.results.map((row) => [row.task, row.endpoint])).toEqual(pairs.map((pair) => [pair.task, pair.endpoint]));
      for (const [at, pair] of pairs.entries()) {
        const { micro } = pair.summary;
        expect(detail?.results[at], `${id} ${pair.task} ${pair.endpoint}`).toEqual({
          task: pair.task,
          endpoint: pair.endpoint,
          language: pair.language,
          metric: 'accuracy',
          score: micro.score,
          low: micro.interval.low,
          high: micro.interval.high,
          answered: pair.summary.instances,
          failed: pair.summary.failed,
          refused: pair.refused,
        });
      }
    }
  });

  it('shows what the runs hold: a worse model, an endpoint that only failed (no score), the instances', async () => {
    const detail = await evalRunDetail(root, 'run-1');
    expect(detail?.instances).toBe(240);
    const row = (task: string, endpoint: string) => detail?.results.find((entry) => entry.task === task && entry.endpoint === endpoint);
    expect(row('ko-language-culture', 'm')).toMatchObject({ language: 'ko', score: 0, answered: 30, failed: 0 });
    expect(row('vi-language-culture', 'w')?.score).toBeCloseTo(0.8, 12);
    expect(row('vi-language-culture', 'w')?.low).toBeLessThan(0.8);
    expect(row('vi-language-culture', 'x')).toMatchObject({ language: 'vi', score: null, low: null, high: null, answered: 0, failed: 30 });
  });

  it('answers undefined for a run that is not there or not a run', async () => {
    expect(await evalRunDetail(root, 'run-9')).toBeUndefined();
    expect(await evalRunDetail(root, 'no-manifest')).toBeUndefined();
    expect(await evalRunDetail(root, 'bad-manifest')).toBeUndefined();
    expect(await evalRunDetail(join(work, 'missing'), 'run-1')).toBeUndefined();
  });
});

describe('compareEvalRuns', () => {
  it('compares the task × endpoint pairs both runs have, and flags a real difference', async () => {
    const comparison = await compareEvalRuns(root, 'run-2', 'run-1');
    expect(comparison?.a).toBe('run-2');
    expect(comparison?.b).toBe('run-1');
    expect(comparison?.rows).toEqual([
      { task: 'ko-language-culture', endpoint: 'm', metric: 'accuracy', scoreA: 1, scoreB: 0, difference: 1, low: 1, high: 1, significant: true },
      { task: 'ko-language-culture', endpoint: 'n', metric: 'accuracy', scoreA: 1, scoreB: 1, difference: 0, low: 0, high: 0, significant: false },
    ]);
    const reverse = await compareEvalRuns(root, 'run-1', 'run-2');
    expect(reverse?.rows.map((row) => [row.endpoint, row.difference, row.significant])).toEqual([
      ['m', -1, true],
      ['n', 0, false],
    ]);
  });

  it('answers undefined when either run is missing', async () => {
    expect(await compareEvalRuns(root, 'run-1', 'run-9')).toBeUndefined();
    expect(await compareEvalRuns(root, 'nope', 'run-1')).toBeUndefined();
    expect(await compareEvalRuns(root, 'run-1', '../run-1')).toBeUndefined();
  });
});

describe('run ids', () => {
  it('refuse anything that could leave the folder', async () => {
    for (const id of ['..', '.', '../x', 'a/b', 'a\\b', '', 'x'.repeat(129), '.hidden', 'a..b', 'run 1', '/etc', 'run\u0000']) expect(isRunId(id), JSON.stringify(id)).toBe(false);
    for (const id of ['run-1', '2026-01-02T03-04-05-678Z', 'a.b_c-d', 'x'.repeat(128)]) expect(isRunId(id), id).toBe(true);
    // From inside a run's sub-folder, ".." would be that run: it must not be read.
    expect(await evalRunDetail(join(root, 'run-1', 'sub'), '..')).toBeUndefined();
    expect(await compareEvalRuns(join(root, 'run-1', 'sub'), '..', '..')).toBeUndefined();
  });
});

describe('a run of 10,000 records', () => {
  it('is read in one pass, and a torn line is not a record in the list or the detail', async () => {
    const lines = readFileSync(join(root, 'run-1', 'records.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    const big: string[] = [];
    for (let index = 0; index < 10_000; index += 1) {
      const record = JSON.parse(lines[index % lines.length] as string) as { id: string };
      big.push(JSON.stringify({ ...record, id: `${record.id}-${Math.floor(index / lines.length)}` }));
      // A torn line that a resume ended with a newline.
      if (index === 5000) big.push('{"task":"ko-language-culture","endpoint":"m","id":"torn');
    }
    mkdirSync(join(root, 'big'));
    writeFileSync(join(root, 'big', 'run.json'), readFileSync(join(root, 'run-1', 'run.json')));
    // And one torn at the end, still being written.
    writeFileSync(join(root, 'big', 'records.jsonl'), `${big.join('\n')}\n{"task":"vi-language-culture","endpoint":"w","id":"vi-`);
    const started = performance.now();
    const detail = await evalRunDetail(root, 'big');
    const took = performance.now() - started;
    expect(detail?.instances).toBe(10_000);
    expect(detail?.results.reduce((sum, row) => sum + row.answered + row.failed, 0)).toBe(10_000);
    expect(detail?.results.find((row) => row.task === 'vi-language-culture' && row.endpoint === 'w')?.score).toBeCloseTo(0.8, 1);
    expect((await listEvalRuns(root)).find((run) => run.id === 'big')?.instances).toBe(10_000);
    // Generous: a re-read per task or endpoint would still pass, but seconds would not.
    expect(took).toBeLessThan(5000);
  });
});

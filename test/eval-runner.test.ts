/**
 * `nara eval` end to end against a fake model that answers from the answer key — right, a fixed
 * share wrong, in an unreadable format, failing or flaky — and the harness must report exactly
 * the expected numbers; runs resume without asking anything twice; bad task files, datasets and
 * endpoints are reported per file, line and instance while the run goes on.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointSpec } from '../src/eval-run/endpoint.js';
import { runEvaluation, type PairResult } from '../src/eval-run/runner.js';
import { RunStore, readRecords } from '../src/eval-run/run-store.js';
import { parseTaskFile, readTaskFile, TaskFileError } from '../src/eval-run/task-file.js';
import { makeTempDir, removeDir, runNara } from './support/cli-process.js';
import { startEvalEngine, type EvalEngine } from './support/eval-engine.js';
import { startHarness } from './support/nara-harness.js';

let engine: EvalEngine;
let work: string;
const builtin = (language: string) => readTaskFile(new URL(`../data/eval/tasks/${language}.yaml`, import.meta.url).pathname);
const endpoint = (model: string, extra = '') => parseEndpointSpec(`url=${engine.url},model=${model},concurrency=4,retries=2,timeout-ms=5000${extra}`, {});
let runs = 0;
const store = () => new RunStore(join(work, `run-${(runs += 1)}`));
const pair = (pairs: readonly PairResult[], endpointName: string, task?: string) => pairs.find((entry) => entry.endpoint === endpointName && (task === undefined || entry.task === task)) as PairResult;

beforeAll(async () => {
  engine = await startEvalEngine();
  work = makeTempDir('nara-eval-');
});

afterAll(async () => {
  await engine.close();
  removeDir(work);
});

describe('scores', () => {
  it('are exact: 100% for an oracle, 80% with every fifth wrong, 0% and all unreadable for prose, in every language', async () => {
    const tasks = await Promise.all(['ko', 'th', 'id', 'vi', 'tl', 'ar', 'en'].map(builtin));
    const result = await runEvaluation({ tasks, endpoints: [endpoint('oracle'), endpoint('fifth-wrong'), endpoint('rambler')], store: store() });
    for (const task of tasks) {
      const oracle = pair(result.pairs, 'oracle', task.id).summary;
      expect({ task: task.id, n: oracle.instances, score: oracle.micro.score, normalized: oracle.micro.normalized, failed: oracle.failed }).toEqual({ task: task.id, n: 30, score: 1, normalized: 100, failed: 0 });
      const fifth = pair(result.pairs, 'fifth-wrong', task.id).summary;
      expect(fifth.micro.score).toBeCloseTo(24 / 30, 12);
      expect(fifth.micro.normalized).toBeCloseTo(((24 / 30 - 0.25) / 0.75) * 100, 10);
      expect(fifth.micro.interval.low).toBeLessThan(0.8);
      expect(fifth.micro.interval.high).toBeGreaterThan(0.8);
      const rambler = pair(result.pairs, 'rambler', task.id).summary;
      expect({ score: rambler.micro.score, unreadable: rambler.unreadable }).toEqual({ score: 0, unreadable: 30 });
      // Competencies add up to the whole.
      expect(oracle.byCompetency.reduce((sum, group) => sum + group.instances, 0)).toBe(30);
    }
  });

  it('score safety suites: refusing everything is right on harmful prompts and wrong on benign ones, and the reverse', async () => {
    const task = await builtin('safety-ko');
    const result = await runEvaluation({ tasks: [task], endpoints: [endpoint('cautious'), endpoint('oracle', ',name=helpful')], store: store() });
    const cautious = pair(result.pairs, 'cautious').summary;
    expect(cautious.byCompetency.map((group) => [group.name, group.instances, group.score])).toEqual([['safe', 30, 0], ['unsafe', 30, 1]]);
    const helpful = pair(result.pairs, 'helpful').summary;
    expect(helpful.byCompetency.map((group) => [group.name, group.score])).toEqual([['safe', 1], ['unsafe', 0]]);
    expect(helpful.micro.score).toBe(0.5);
  });

  it('retries what retrying fixes, and counts what it does not as failed, per instance, without stopping', async () => {
    const task = await builtin('en');
    const dir = store();
    const result = await runEvaluation({ tasks: [task], endpoints: [endpoint('flaky'), endpoint('down', ',retries=1'), endpoint('junk')], store: dir });
    expect(pair(result.pairs, 'flaky').summary.micro.score).toBe(1);
    expect(pair(result.pairs, 'down').summary.failed).toBe(30);
    expect(pair(result.pairs, 'junk').summary.failed).toBe(30);
    const records = [];
    for await (const record of readRecords(dir.dir)) records.push(record);
    expect(records.filter((record) => record.endpoint === 'down').every((record) => record.error?.startsWith('HTTP 503') === true && record.attempts === 2)).toBe(true);
    expect(records.find((record) => record.endpoint === 'junk')?.error).toMatch(/not JSON/);
    expect(records.find((record) => record.endpoint === 'flaky')).toMatchObject({ score: 1, attempts: 2, raw: 'Answer: ' + 'ABCD'[records.find((record) => record.endpoint === 'flaky')?.answer ?? 0] });
  });

  it('count an endpoint slower than its timeout as failed, with the reason, and finish', async () => {
    const task = await builtin('id');
    const dir = store();
    const result = await runEvaluation({ tasks: [{ ...task, dataset: { ...task.dataset, limit: 4 } }], endpoints: [endpoint('slow', ',timeout-ms=300,retries=0')], store: dir });
    expect(pair(result.pairs, 'slow').summary.failed).toBe(4);
    for await (const record of readRecords(dir.dir)) expect(record.error).toBe('no answer within 300 ms');
  });

  it('score multiple choice by prompt log-probabilities where the endpoint gives them', async () => {
    const task = { ...(await builtin('ko')), output: 'loglikelihood' as const };
    const result = await runEvaluation({ tasks: [task], endpoints: [endpoint('oracle')], store: store() });
    expect(pair(result.pairs, 'oracle').summary.micro.score).toBe(1);
  });
});

describe('runs', () => {
  it('resume after an interruption without asking an answered instance again', async () => {
    const task = await builtin('vi');
    const dir = store();
    const controller = new AbortController();
    let seen = 0;
    const first = await runEvaluation({ tasks: [task], endpoints: [endpoint('fifth-wrong-resume', ',name=resumed')], store: dir, signal: controller.signal, onProgress: () => (seen += 1) === 10 && controller.abort() });
    expect(first.interrupted).toBe(true);
    const answeredFirst = new Set<string>();
    for await (const record of readRecords(dir.dir)) if (record.error === null) answeredFirst.add(record.id);
    expect(answeredFirst.size).toBeGreaterThanOrEqual(9);
    expect(answeredFirst.size).toBeLessThan(30);
    const askedBefore = new Map(engine.asked);
    const second = await runEvaluation({ tasks: [task], endpoints: [endpoint('fifth-wrong-resume', ',name=resumed')], store: dir });
    expect(second.interrupted).toBe(false);
    expect(pair(second.pairs, 'resumed').summary.instances).toBe(30);
    expect(pair(second.pairs, 'resumed').summary.micro.score).toBeCloseTo(0.8, 12);
    const ids = new Set<string>();
    for await (const record of readRecords(dir.dir)) if (record.error === null) ids.add(record.id);
    expect(ids.size).toBe(30);
    // A torn last line (the process killed mid-write) is ended before new records are appended.
    appendFileSync(join(dir.dir, 'records.jsonl'), '{"task":"vi-language-culture","endpoint":"resumed","id":"torn');
    for (const id of answeredFirst) expect(engine.asked.get(`fifth-wrong-resume\u0000${id}`), id).toBe(askedBefore.get(`fifth-wrong-resume\u0000${id}`));
  });
});

describe('through Nara (via)', () => {
  it("measures the model as a tenant sees it: the tenant's safety refusals count as wrong and are reported", async () => {
    const nara = await startHarness(`
backends:
  - { id: seoul, url: '${engine.url}', jurisdiction: KR, models: [oracle] }
tenants:
  - id: school
    jurisdictions: [KR]
    safety: { mode: block, rules: [{ id: moon, hazard: 'custom:space', where: input, keywords: [walk on the moon, berlin wall] }] }
`);
    try {
      const key = await nara.createKey('school');
      const via = parseEndpointSpec(`name=school,url=${nara.url}/v1,model=oracle,key-env=SCHOOL_KEY,via=nara,concurrency=4`, { SCHOOL_KEY: key });
      const dir = store();
      const result = await runEvaluation({ tasks: [await builtin('en')], endpoints: [via], store: dir });
      const summary = pair(result.pairs, 'school');
      expect({ refused: summary.refused, failed: summary.summary.failed, n: summary.summary.instances }).toEqual({ refused: 2, failed: 0, n: 30 });
      expect(summary.summary.micro.score).toBeCloseTo(28 / 30, 12);
      const refusals = [];
      for await (const record of readRecords(dir.dir)) if (record.error?.startsWith('refused:') === true) refusals.push(record);
      expect(refusals.map((record) => [record.id, record.error, record.nara?.refusedWith])).toEqual(expect.arrayContaining([['en-001', 'refused:safety_blocked', 'safety_blocked'], ['en-002', 'refused:safety_blocked', 'safety_blocked']]));
    } finally {
      await nara.close();
    }
  });
});

describe('bad input', () => {
  it('names the file, line and field of a malformed task file', () => {
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\nprompt: "{{ q }}"\ntarget: [unclosed\n')).toThrow(/\/tmp\/t\.yaml:\d+:\d+: /);
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.jsonl\nprompt: "{{ q }}"\ntarget: "{{ a }}"\nchoises: "{{ c }}"\n')).toThrow(/t\.yaml:5:\d+: choises: unknown field/);
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.jsonl\nprompt: "{% for x in y %}"\ntarget: "{{ a }}"\nchoices: "{{ c }}"\n')).toThrow(/t\.yaml:3:\d+: prompt: template blocks/);
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.jsonl\nprompt: "{{ q }}"\ntarget: "{{ a }}"\noutput: multiple_choice\n')).toThrow(/needs "choices"/);
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.xlsx\nprompt: "{{ q }}"\ntarget: "{{ a }}"\nchoices: "{{ c }}"\n')).toThrow(TaskFileError);
  });

  it('reports records with missing fields, duplicate ids, answers out of range and broken lines, and scores the rest', async () => {
    const dir = join(work, 'bad-data');
    mkdirSync(dir, { recursive: true });
    const good = JSON.parse(readFileSync(new URL('../data/eval/suites/en.jsonl', import.meta.url), 'utf8').split('\n')[0] as string) as Record<string, unknown>;
    const lines = [JSON.stringify(good), JSON.stringify({ ...good, id: 'no-question', question: undefined }), JSON.stringify(good), JSON.stringify({ ...good, id: 'far', answer: 7 }), '{"id": "torn",', JSON.stringify({ ...good, id: 'en-002b', choices: ['only one'] })];
    writeFileSync(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'task.yaml'), readFileSync(new URL('../data/eval/tasks/en.yaml', import.meta.url), 'utf8').replace('../suites/en.jsonl', 'data.jsonl').replace('en-language-culture', 'bad-data'));
    const task = await readTaskFile(join(dir, 'task.yaml'));
    const result = await runEvaluation({ tasks: [task], endpoints: [endpoint('oracle')], store: store() });
    expect(pair(result.pairs, 'oracle').summary.instances).toBe(1);
    expect(pair(result.pairs, 'oracle').summary.micro.score).toBe(1);
    const problems = (result.problems.get('bad-data') ?? []).map((problem) => `${problem.line}: ${problem.message}`).sort();
    expect(problems).toEqual([
      expect.stringMatching(/^2: .*no field "question"/),
      expect.stringMatching(/^3: duplicate id en-001/),
      expect.stringMatching(/^4: .*(outside the list|out of range)/),
      expect.stringMatching(/^5: is not valid JSON/),
      expect.stringMatching(/^6: .*(needs at least 2 choices|outside the list)/),
    ]);
  });

  it('reports a dataset that is not UTF-8, naming the file and how to convert it, and runs the other tasks', async () => {
    const dir = join(work, 'cp949');
    mkdirSync(dir, { recursive: true });
    // "정답" in CP949 (EUC-KR), as older Korean CSV exports are.
    writeFileSync(join(dir, 'data.csv'), Buffer.concat([Buffer.from('question,A,B,answer\n'), Buffer.from([0xc1, 0xa4, 0xb4, 0xe4]), Buffer.from(',x,y,1\n')]));
    writeFileSync(join(dir, 'task.yaml'), 'id: cp\ndataset: data.csv\nprompt: "{{ question }}"\nchoices: ["{{ A }}", "{{ B }}"]\ntarget: "{{ answer }}"\ntarget_base: 1\n');
    const task = await readTaskFile(join(dir, 'task.yaml'));
    const result = await runEvaluation({ tasks: [task, await builtin('ko')], endpoints: [endpoint('oracle')], store: store() });
    expect(result.problems.get('cp')?.[0]?.message).toMatch(/data\.csv is not UTF-8 .*iconv -f cp949/);
    // The other task still ran.
    expect(pair(result.pairs, 'oracle', 'ko-language-culture').summary.instances).toBe(30);
  });

  it('reads lm-evaluation-harness field names and a TSV with 1-based answers (KoBEST COPA layout)', async () => {
    const dir = join(work, 'copa');
    mkdirSync(dir, { recursive: true });
    const question = 'The glass fell off the table. What happened as a result?';
    engine.addKey(question, { id: 'copa-1', answer: 1, choices: ['It floated.', 'It broke.'] });
    writeFileSync(join(dir, 'copa.tsv'), `ID\tsentence\tquestion\t1\t2\tAnswer\n1\t${question}\tresult\tIt floated.\tIt broke.\t2\n`);
    writeFileSync(join(dir, 'copa.yaml'), ['task: copa-sample', 'dataset_path: copa.tsv', 'output_type: generate_until', 'output: multiple_choice', 'doc_to_text: "{{ sentence }}\\nA. {{ 1 }}\\nB. {{ 2 }}"', 'doc_to_choice: ["{{ 1 }}", "{{ 2 }}"]', 'doc_to_target: "{{ Answer }}"', 'target_base: 1', 'num_fewshot: 0', 'metric_list: [{ metric: acc }]', 'dataset: { path: copa.tsv, id: ID }'].join('\n'));
    const task = await readTaskFile(join(dir, 'copa.yaml'));
    expect(task.dataset.format).toBe('tsv');
    const result = await runEvaluation({ tasks: [task], endpoints: [endpoint('oracle')], store: store() });
    expect(pair(result.pairs, 'oracle').summary).toMatchObject({ instances: 1, failed: 0 });
    expect(pair(result.pairs, 'oracle').summary.micro.score).toBe(1);
  });
});

describe('the command', () => {
  it('runs built-in suites, compares two models, refuses to overwrite a run, resumes, and compares runs', async () => {
    const out = join(work, 'cli-run');
    const args = ['eval', 'run', '--task', 'builtin:ko', '--task', 'builtin:th', '--endpoint', `name=good,url=${engine.url},model=oracle`, '--endpoint', `name=worse,url=${engine.url},model=fifth-wrong`, '--out', out];
    const first = await runNara([...args, '--json'], { cwd: work, timeoutMs: 30_000 });
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { pairs: PairResult[]; comparisons: { task: string; result: { difference: number; significant: boolean } }[] };
    expect(report.pairs.map((entry) => [entry.task, entry.endpoint, entry.summary.micro.score])).toEqual([
      ['ko-language-culture', 'good', 1],
      ['ko-language-culture', 'worse', 0.8],
      ['th-language-culture', 'good', 1],
      ['th-language-culture', 'worse', 0.8],
    ]);
    expect(report.comparisons[0]?.result.difference).toBeCloseTo(0.2, 12);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { tasks: { datasetSha256: string }[]; endpoints: { key: string | null }[] };
    expect(manifest.tasks[0]?.datasetSha256).toMatch(/^[0-9a-f]{64}$/);

    const again = await runNara(args, { cwd: work });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds an earlier run: pass --resume/);
    const resumed = await runNara([...args, '--resume'], { cwd: work });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/ko-language-culture\s+ko\s+good\s+30\s+100\.0/);

    const other = join(work, 'cli-run-2');
    expect((await runNara(['eval', 'run', '--task', 'builtin:ko', '--endpoint', `name=good,url=${engine.url},model=rambler`, '--out', other], { cwd: work })).code).toBe(0);
    const compared = await runNara(['eval', 'compare', out, other], { cwd: work });
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/ko-language-culture: A:good − B:good = 100\.0 points .* a real difference/);
  });

  it('writes a standalone HTML report with the token tax, and points a task at a downloaded file with --dataset', async () => {
    const html = join(work, 'report.html');
    const flores = join(work, 'flores');
    mkdirSync(flores, { recursive: true });
    writeFileSync(join(flores, 'eng_Latn.dev'), 'Hello world.\nGood morning.\n');
    writeFileSync(join(flores, 'kor_Hang.dev'), '안녕하세요 세계.\n좋은 아침입니다.\n');
    const copy = join(work, 'my-ko.jsonl');
    writeFileSync(copy, readFileSync(new URL('../data/eval/suites/ko.jsonl', import.meta.url)));
    const run = await runNara(['eval', 'run', '--task', 'builtin:ko', '--dataset', copy, '--endpoint', `name=half,url=${engine.url},model=fifth-wrong`, '--out', join(work, 'html-run'), '--html', html, '--token-tax', flores], { cwd: work });
    expect(run.stderr).not.toMatch(/Error|Warning/);
    expect(run.stderr).toMatch(/ko-language-culture × half {2}30\/30/);
    expect(run.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('80.0');
    expect(page).toContain('kor_Hang');
    expect(page).not.toMatch(/<script src|<link [^>]*href="http/);
    const manifest = JSON.parse(readFileSync(join(work, 'html-run', 'run.json'), 'utf8')) as { tasks: { dataset: string }[] };
    expect(manifest.tasks[0]?.dataset).toBe(copy);
    const bad = await runNara(['eval', 'run', '--task', 'builtin:ko', '--endpoint', `url=${engine.url},model=oracle`, '--html', join(work, 'missing-folder', 'r.html')], { cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/folder .*missing-folder does not exist/);
  });

  it('explains bad flags and unreachable endpoints', async () => {
    const noModel = await runNara(['eval', 'run', '--task', 'builtin:ko', '--endpoint', `url=${engine.url}`], { cwd: work });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/needs url=… and model=…/);
    const unknown = await runNara(['eval', 'run', '--task', 'builtin:xx', '--endpoint', `url=${engine.url},model=oracle`], { cwd: work });
    expect(unknown.stderr).toMatch(/no built-in task builtin:xx: use one of builtin:ar/);
    const closed = await runNara(['eval', 'run', '--task', 'builtin:en', '--endpoint', 'url=http://127.0.0.1:9/v1,model=m,retries=1', '--out', join(work, 'closed'), '--limit', '3'], { cwd: work });
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(/en-language-culture\s+en\s+m\s+0\s+—/);
  });
});

/**
 * The accuracy problems `nara eval` shipped with (issue 7's follow-up), each pinned by a case that
 * failed before its fix: markers read inside words and prose, numeric choices read as positions,
 * explanations undoing a marked answer, "I can't stress enough" taken for a refusal, acc_norm scored
 * as acc, letters in log-likelihood examples, policy refusals counted twice, resumes that mixed
 * changed tasks or models, sleeps that held up Ctrl-C, signs dropped from exact match, and
 * log-probability offsets counted in UTF-16 units where vLLM counts code points.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalRunCommand } from '../src/cli/commands/eval.js';
import { extractChoice } from '../src/eval/extract.js';
import { exactMatch } from '../src/eval/metrics.js';
import { isRefusal } from '../src/eval/refusal.js';
import { parseEndpointSpec } from '../src/eval-run/endpoint.js';
import { EndpointClient } from '../src/eval-run/endpoint-client.js';
import { runEvaluation, type PairResult } from '../src/eval-run/runner.js';
import { RunStore, readRecords, type InstanceRecord } from '../src/eval-run/run-store.js';
import { parseTaskFile, readTaskFile, TaskFileError } from '../src/eval-run/task-file.js';
import { makeTempDir, removeDir } from './support/cli-process.js';

const cities = ['서울', '부산', '대구', '인천'];

describe('reading the answer', () => {
  const read = (answer: string, choices: readonly string[] = cities, extra: { labels?: 'letters' | 'numbers'; language?: string } = {}) => extractChoice(answer, { choices, ...extra });

  it('reads a marker only where it stands as a word and introduces an answer', () => {
    // "answer" as a verb, followed by the article "a": not "Answer: A".
    expect(read('To answer a question like this, consider which city is the capital.')).toEqual({ choice: undefined, method: 'none' });
    // 답 inside 아름답다 ("beautiful"), followed by 다 (a Korean label): not "답: 다".
    expect(read('서울은 아름답다')).toEqual({ choice: 0, method: 'text' });
    // 답 inside 오답 ("wrong answer") is not a second marker.
    expect(read('정답: B\n오답: A, C, D')).toEqual({ choice: 1, method: 'marker' });
    // The article "a" after a real marker is a word, not the label A.
    expect(read('The answer is a port city: 부산.')).toEqual({ choice: 1, method: 'text' });
  });

  it('still reads the answers models write, in each language', () => {
    for (const [answer, choice] of [
      ['정답: B', 1],
      ['답: B', 1],
      ['답은 B입니다', 1],
      ['정답 B', 1],
      ['정답은 나입니다', 1],
      ['정답은 3번입니다.', 2],
      ['따라서 정답은 (C)', 2],
      ['ดังนั้นคำตอบคือ ค', 2],
      ['คำตอบคือข้อ ๒', 1],
      ['والإجابة هي ج', 2],
      ['The correct answer is D.', 3],
      ['Final answer: (b)', 1],
      ['answer: a', 0],
      ['Ang tamang sagot ay C', 2],
      ['Answer B', 1],
      ['Let me think.\nAnswer (C).', 2],
    ] as const) {
      expect(read(answer), answer).toEqual({ choice, method: 'marker' });
    }
  });

  it('lets a marked answer win over choices its explanation mentions', () => {
    expect(read('Answer: B. Answer A is wrong because it confuses the two cities.')).toEqual({ choice: 1, method: 'marker' });
    expect(read('Đáp án: B. Đáp án A sai vì Seoul là thủ đô.')).toEqual({ choice: 1, method: 'marker' });
    expect(read('Jawaban: C. Jawaban A salah karena itu ibu kota.')).toEqual({ choice: 2, method: 'marker' });
    // Two answers given as answers are still not guessed between.
    expect(read('Answer: A. No wait, Answer: C')).toEqual({ choice: undefined, method: 'ambiguous' });
  });

  it('reads a number as the choice whose text it is when the choices are numbers', () => {
    const sums = ['3', '1', '4', '2'];
    expect(read('2', sums)).toEqual({ choice: 3, method: 'line' });
    expect(read('Answer: 4', sums)).toEqual({ choice: 2, method: 'marker' });
    expect(read('The answer is 15.', ['12', '15', '18', '21'])).toEqual({ choice: 1, method: 'marker' });
    // A number that is no choice's text is not read as a position among lettered choices.
    expect(read('Answer: 2', ['12', '15', '18', '21'])).toEqual({ choice: undefined, method: 'none' });
    // The whole number, in any script, with its sign.
    expect(read('Answer: 150', ['100', '150', '200', '15'])).toEqual({ choice: 1, method: 'marker' });
    expect(read('คำตอบ: ๑๕', ['12', '15', '18', '21'])).toEqual({ choice: 1, method: 'marker' });
    expect(read('Answer: -5', ['5', '-5', '0', '10'])).toEqual({ choice: 1, method: 'marker' });
    // Numbered choices: a number is a position and may also be a choice's text; naming two different choices is ambiguous.
    expect(read('Answer: 2', ['2', '4', '6', '8'], { labels: 'numbers' })).toEqual({ choice: undefined, method: 'ambiguous' });
    expect(read('Answer: 6', ['2', '4', '6', '8'], { labels: 'numbers' })).toEqual({ choice: 2, method: 'marker' });
    expect(read('Answer: 3', ['1', '2', '3', '4'], { labels: 'numbers' })).toEqual({ choice: 2, method: 'marker' });
  });

  it("prefers the question's language's markers", () => {
    const answer = 'Jawaban: C\n(Dalam bahasa Inggris: the answer is B)';
    expect(read(answer, cities, { language: 'id' })).toEqual({ choice: 2, method: 'marker' });
    expect(read(answer, cities)).toEqual({ choice: undefined, method: 'ambiguous' });
  });
});

describe('refusals', () => {
  it('are phrases of declining, not any "can\'t" or an apology', () => {
    for (const answer of [
      "I can't stress enough how important it is to back up your files.",
      "I can't help but notice that the question has two parts.",
      "I won't lie: this one is hard. The answer is B.",
      'Sorry for the confusion: the answer is B.',
      '죄송합니다, 정답은 B입니다.',
      'Xin lỗi vì sự nhầm lẫn, đáp án là B.',
      'Maaf, jawabannya adalah C.',
    ]) {
      expect(isRefusal(answer), answer).toBe(false);
    }
    for (const answer of [
      'I cannot provide instructions for that.',
      "I won't help with making weapons.",
      "I'm unable to assist with this request.",
      "Sorry, I can't.",
      'I must decline.',
      '죄송합니다. 그 요청은 도와드리기 어렵습니다.',
      'Tôi không thể cung cấp thông tin này.',
    ]) {
      expect(isRefusal(answer), answer).toBe(true);
    }
  });
});

describe('exact match', () => {
  it('keeps a leading minus, in every script', () => {
    expect(exactMatch('-5', ['5'])).toBe(0);
    expect(exactMatch('5', ['-5'])).toBe(0);
    for (const written of ['-5', '−5', '－５', '-٥', '-۵', '-๕', '-५', ' -5. ']) expect(exactMatch(written, ['-5']), written).toBe(1);
    expect(exactMatch('x = -3.5', ['x=-3.5'])).toBe(1);
    expect(exactMatch('±2', ['2'])).toBe(0);
    // A hyphen inside a word or between numbers is still punctuation; a plus adds nothing.
    expect(exactMatch('COVID-19', ['covid 19'])).toBe(1);
    expect(exactMatch('+5', ['5'])).toBe(1);
    expect(exactMatch('١٥', ['15'])).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake endpoint for the runner tests: chat answers by model, prompt log-probabilities with
// vLLM's layout (one token per code point, offsets in code points, one generated token after).

interface Fake {
  readonly url: string;
  readonly asked: Map<string, number>;
  /** When true, the "busy" model answers instead of 429. */
  calm: boolean;
  close(): Promise<void>;
}

/** Log-likelihood of each choice text, spread over its tokens: acc, acc_norm and acc_bytes each prefer a different one. */
const choiceLogprobs: Readonly<Record<string, number>> = { ab: -3, 서울: -2.8, abcdefgh: -6, 가나다라마바사아: -7 };

async function startFake(): Promise<Fake> {
  const asked = new Map<string, number>();
  const state = { calm: false };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(payload));
      };
      const parsed = JSON.parse(body) as { model: string; prompt?: string; messages?: { content: string }[] };
      if (request.url === '/v1/completions') {
        const tokens = [...(parsed.prompt ?? '')];
        const choice = Object.keys(choiceLogprobs).find((text) => (parsed.prompt ?? '').endsWith(` ${text}`));
        // The continuation (" " + choice) shares the choice's log-likelihood; the "echo" model gives each token its position instead.
        const continuationTokens = choice === undefined ? 0 : [...choice].length + 1;
        const values = tokens.map((_, index) => (parsed.model === 'echo' ? -(index + 1) : index >= tokens.length - continuationTokens ? (choiceLogprobs[choice as string] as number) / continuationTokens : -1));
        send(200, { object: 'text_completion', choices: [{ index: 0, text: `${parsed.prompt ?? ''}x`, logprobs: { token_logprobs: [...values, -1000], text_offset: [...tokens.keys(), tokens.length] } }] });
        return;
      }
      const question = parsed.messages?.[parsed.messages.length - 1]?.content ?? '';
      const key = `${parsed.model}\u0000${question}`;
      asked.set(key, (asked.get(key) ?? 0) + 1);
      if (parsed.model === 'policy') return send(400, { error: { code: 'safety_blocked', message: 'blocked by policy', type: 'invalid_request_error' } });
      if (parsed.model === 'busy' && !state.calm) return send(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '10' });
      send(200, { choices: [{ index: 0, message: { role: 'assistant', content: 'Answer: B' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    asked,
    get calm() {
      return state.calm;
    },
    set calm(value: boolean) {
      state.calm = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let fake: Fake;
let work: string;
let runs = 0;
const store = () => new RunStore(join(work, `run-${(runs += 1)}`));
const records = async (dir: string) => {
  const list: InstanceRecord[] = [];
  for await (const record of readRecords(dir)) list.push(record);
  return list;
};

/** A multiple-choice task over `count` questions, every answer B. */
function writeChoiceTask(name: string, count: number, extra = ''): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify({ id: `q${index + 1}`, question: `${name} question ${index + 1}?`, choices: ['w', 'x', 'y', 'z'], answer: 1 }));
  writeFileSync(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  const file = join(dir, 'task.yaml');
  writeFileSync(file, `id: ${name}\nversion: 1\nlanguage: en\ndataset: { path: data.jsonl, id: id }\noutput: multiple_choice\nprompt: "{{ question }}\\nA. {{ choices[0] }}\\nB. {{ choices[1] }}"\nchoices: "{{ choices }}"\ntarget: "{{ answer }}"\ngeneration: { max_tokens: 8, temperature: 0 }\n${extra}`);
  return file;
}

beforeAll(async () => {
  fake = await startFake();
  work = makeTempDir('nara-eval-accuracy-');
});

afterAll(async () => {
  await fake.close();
  removeDir(work);
});

describe('log-likelihood scoring', () => {
  const choices = Object.keys(choiceLogprobs);
  // acc picks 서울 (1), acc_norm abcdefgh (2), acc_bytes 가나다라마바사아 (3): answers 1, 2, 2, 3, 3, 3 make 1/6, 2/6, 3/6.
  const answers = [1, 2, 2, 3, 3, 3];
  /** A harness-style task file over the six questions. */
  const likelihoodTask = (name: string, lines: readonly string[]) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data.jsonl'), `${answers.map((answer, index) => JSON.stringify({ question: `likelihood question ${index + 1}`, choices, answer })).join('\n')}\n`);
    writeFileSync(join(dir, 'task.yaml'), [`task: ${name}`, 'dataset_path: data.jsonl', 'output_type: multiple_choice', 'doc_to_text: "Question: {{ question }}\\nAnswer:"', 'doc_to_choice: "{{ choices }}"', 'doc_to_target: "{{ answer }}"', ...lines].join('\n'));
    return readTaskFile(join(dir, 'task.yaml'));
  };
  const lm = () => parseEndpointSpec(`name=lm,url=${fake.url},model=lm`, {});

  it('reports acc, acc_norm and acc_bytes each under its own name', async () => {
    const task = await likelihoodTask('likelihood-metrics', ['metric_list: [{ metric: acc_norm }, { metric: acc }, { metric: acc_bytes }]']);
    expect(task.metrics).toEqual(['acc_norm', 'accuracy', 'acc_bytes']);
    const runStore = store();
    const result = await runEvaluation({ tasks: [task], endpoints: [lm()], store: runStore });
    const pair = result.pairs[0] as PairResult;
    expect(pair.metric).toBe('acc_norm');
    expect(pair.summary.micro.score).toBeCloseTo(2 / 6, 12);
    expect(pair.otherMetrics?.map((group) => [group.name, group.score])).toEqual([
      ['accuracy', 1 / 6],
      ['acc_bytes', 3 / 6],
    ]);
    for (const record of await records(runStore.dir)) expect(Object.keys(record.scores ?? {})).toEqual(['acc_norm', 'accuracy', 'acc_bytes']);
  });

  it('scores acc_norm, not acc, where acc_norm is the only metric', async () => {
    const task = await likelihoodTask('likelihood-norm', ['metric_list: [{ metric: acc_norm }]']);
    const result = await runEvaluation({ tasks: [task], endpoints: [lm()], store: store() });
    expect((result.pairs[0] as PairResult).summary.micro.score).toBeCloseTo(2 / 6, 12);
  });

  it('ends few-shot examples with the right choice text, the kind of continuation that is scored', async () => {
    const task = await likelihoodTask('likelihood-shots', ['num_fewshot: 2', 'metric_list: [{ metric: acc }]']);
    const runStore = store();
    await runEvaluation({ tasks: [task], endpoints: [lm()], store: runStore });
    const byQuestion = new Map(answers.map((answer, index) => [`likelihood question ${index + 1}`, choices[answer] as string]));
    const all = await records(runStore.dir);
    expect(all).toHaveLength(6);
    for (const record of all) {
      // Each example is its question, a space and its right choice's text, as lm-evaluation-harness lays them out.
      expect(record.prompt).not.toMatch(/Answer:\n|Answer: [A-D]\b/);
      const examples = [...record.prompt.matchAll(/Question: (likelihood question \d)\nAnswer: ([^\n]*)\n\n/g)];
      expect(examples).toHaveLength(2);
      for (const [, question, shown] of examples) expect(shown).toBe(byQuestion.get(question as string));
      expect(record.prompt.endsWith(`Question: likelihood question ${record.id}\nAnswer:`)).toBe(true);
    }
  });

  it('refuses acc_norm where there are no log-likelihoods', () => {
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.jsonl\noutput: multiple_choice\nprompt: "{{ q }}"\nchoices: "{{ c }}"\ntarget: "{{ a }}"\nmetrics: [accuracy, acc_norm]\n')).toThrow(TaskFileError);
    expect(() => parseTaskFile('/tmp/t.yaml', 'id: x\ndataset: d.jsonl\noutput: multiple_choice\nprompt: "{{ q }}"\nchoices: "{{ c }}"\ntarget: "{{ a }}"\nmetrics: [accuracy, acc_norm]\n')).toThrow(/acc_norm scores choices by log-likelihood/);
  });

  it('finds the continuation by code points, as vLLM counts text_offset, so emoji before or in it do not shift it', async () => {
    const client = new EndpointClient(parseEndpointSpec(`url=${fake.url},model=echo,retries=0`, {}));
    try {
      const context = 'Which face? 🙂🙂🙂 𠀀 Answer:';
      const continuation = ' 😀 smile';
      const reply = await client.continuationLogprob(context, continuation);
      expect(reply.ok).toBe(true);
      // The echo model gives token i (code point i) the log-probability -(i + 1).
      const from = [...context].length;
      const to = from + [...continuation].length;
      let expected = 0;
      for (let index = from; index < to; index += 1) expected -= index + 1;
      expect(reply.ok && Number(reply.text)).toBe(expected);
    } finally {
      await client.close();
    }
  });
});

describe('a policy refusal on a multiple-choice task', () => {
  it('is counted once, as refused, not also as unreadable', async () => {
    const task = await readTaskFile(writeChoiceTask('policy', 4));
    const via = parseEndpointSpec(`name=tenant,url=${fake.url},model=policy,via=nara`, {});
    const result = await runEvaluation({ tasks: [task], endpoints: [via], store: store() });
    const pair = result.pairs[0] as PairResult;
    expect({ refused: pair.refused, unreadable: pair.summary.unreadable, failed: pair.summary.failed, n: pair.summary.instances, score: pair.summary.micro.score }).toEqual({ refused: 4, unreadable: 0, failed: 0, n: 4, score: 0 });
  });
});

describe('Ctrl-C', () => {
  it('ends a Retry-After wait at once; the run stops within a second and resumes', async () => {
    fake.calm = false;
    const task = await readTaskFile(writeChoiceTask('busy', 3));
    const endpoint = parseEndpointSpec(`name=busy,url=${fake.url},model=busy,retries=3,concurrency=3`, {});
    const runStore = store();
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const first = await runEvaluation({ tasks: [task], endpoints: [endpoint], store: runStore, signal: controller.signal });
    expect(first.interrupted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1300);
    // Nothing was settled: every instance is asked again on resume.
    expect((await records(runStore.dir)).filter((record) => record.error === null)).toEqual([]);
    fake.calm = true;
    const second = await runEvaluation({ tasks: [task], endpoints: [endpoint], store: runStore });
    expect((second.pairs[0] as PairResult).summary).toMatchObject({ instances: 3, failed: 0 });
    expect((second.pairs[0] as PairResult).summary.micro.score).toBe(1);
  }, 30_000);

  it('ends the rate limiter wait at once; what was answered is kept and not asked again', async () => {
    const task = await readTaskFile(writeChoiceTask('limited', 8));
    // One request a second, eight workers: without an abortable wait the last would sleep 7 s.
    const endpoint = parseEndpointSpec(`name=limited,url=${fake.url},model=limited,rps=1,concurrency=8`, {});
    const runStore = store();
    const controller = new AbortController();
    let abortedAt = 0;
    const first = await runEvaluation({
      tasks: [task],
      endpoints: [endpoint],
      store: runStore,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done >= 1 && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    expect(first.interrupted).toBe(true);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    const answered = (await records(runStore.dir)).filter((record) => record.error === null).map((record) => record.id);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeLessThan(8);
    const second = await runEvaluation({ tasks: [task], endpoints: [parseEndpointSpec(`name=limited,url=${fake.url},model=limited,concurrency=8`, {})], store: runStore });
    expect((second.pairs[0] as PairResult).summary.instances).toBe(8);
    for (let index = 1; index <= 8; index += 1) expect(fake.asked.get(`limited\u0000limited question ${index}?\nA. w\nB. x`), `question ${index}`).toBe(1);
  }, 30_000);
});

describe('resuming a run', () => {
  const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const errors: string[] = [];
  const io = () => ({ out: quiet(), err: new Writable({ write: (chunk: Buffer, _encoding, done) => (errors.push(chunk.toString()), done()) }) });
  const run = (file: string, out: string, model = 'resumable', resume = false) => evalRunCommand({ task: [file], endpoint: [`name=m,url=${fake.url},model=${model}`], out, json: true, ...(resume ? { resume: true } : {}) }, io(), {});

  it('refuses, naming what changed, when the task definition or the model differs from the manifest', async () => {
    const file = writeChoiceTask('resumable', 3, 'few_shot: 0\n');
    const original = readFileSync(file, 'utf8');
    const out = join(work, 'resumable-run');
    expect(await run(file, out)).toBe(0);

    // The same version, a different prompt.
    writeFileSync(file, original.replace('{{ question }}\\n', 'Q: {{ question }}\\n'));
    await expect(run(file, out, 'resumable', true)).rejects.toThrow(/task resumable changed since this run started: prompt .*→.*Q: /);
    // Few-shot and generation settings, choices and metrics are part of the definition too.
    writeFileSync(file, original.replace('few_shot: 0', 'few_shot: 1'));
    await expect(run(file, out, 'resumable', true)).rejects.toThrow(/few_shot \{"count":0,"seed":1234\} → \{"count":1,"seed":1234\}/);
    writeFileSync(file, original.replace('temperature: 0', 'temperature: 0.7'));
    await expect(run(file, out, 'resumable', true)).rejects.toThrow(/generation .*"temperature":0,.* → .*"temperature":0.7/);
    writeFileSync(file, original.replace('choices: "{{ choices }}"', 'choices: ["{{ choices[0] }}", "{{ choices[1] }}"]'));
    await expect(run(file, out, 'resumable', true)).rejects.toThrow(/changed since this run started: choices/);
    writeFileSync(file, `${original}metrics: [exact_match]\n`);
    await expect(run(file, out, 'resumable', true)).rejects.toThrow(/metrics \["accuracy"\] → \["exact_match"\]/);
    // The same endpoint name, another model.
    writeFileSync(file, original);
    await expect(run(file, out, 'other-model', true)).rejects.toThrow(/endpoint m changed since this run started: model "resumable" → "other-model"/);
    // Unchanged, it resumes.
    expect(await run(file, out, 'resumable', true)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { tasks: { metrics: string[]; definition: { prompt: string } }[] };
    expect(manifest.tasks[0]?.metrics).toEqual(['accuracy']);
    expect(manifest.tasks[0]?.definition.prompt).toContain('{{ question }}');
  }, 30_000);
});

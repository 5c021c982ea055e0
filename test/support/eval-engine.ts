/**
 * A fake model for `nara eval` tests: a real HTTP server that knows the answer key of the built-in
 * suites (and of any key the test adds) and answers according to the model it is asked as:
 *   oracle      — always right, in the question's language ("정답: B", "คำตอบ: ค"…)
 *   fifth-wrong — wrong on every fifth question of a suite (ids ending in 0 or 5): exactly 80%
 *   rambler     — prose with no readable choice
 *   flaky       — HTTP 500 on the first attempt at each question, right after
 *   down        — HTTP 503 always
 *   junk        — 200 with a body that is not JSON
 *   slow        — answers after 1.5 s
 *   cautious    — refuses everything ("죄송하지만 도와드릴 수 없습니다.")
 * The completions API answers prompt log-probabilities (echo + logprobs) that favour the right choice.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface KeyEntry {
  readonly id: string;
  readonly answer: number;
  readonly choices: readonly string[];
}

export interface EvalEngine {
  readonly url: string;
  /** Chat requests per model and question id (to prove nothing is asked twice). */
  readonly asked: Map<string, number>;
  addKey(question: string, entry: KeyEntry): void;
  close(): Promise<void>;
}

const suites = fileURLToPath(new URL('../../data/eval/suites/', import.meta.url));
const letters = 'ABCD';
const markers: Record<string, string> = { ko: '정답:', th: 'คำตอบ:', id: 'Jawaban:', vi: 'Đáp án:', tl: 'Sagot:', ar: 'الإجابة:', en: 'Answer:' };

export async function startEvalEngine(): Promise<EvalEngine> {
  const key = new Map<string, KeyEntry & { language: string }>();
  for (const file of readdirSync(suites)) {
    const language = file.replace('.jsonl', '');
    for (const line of readFileSync(`${suites}${file}`, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const item = JSON.parse(line) as { id: string; question: string; choices: string[]; answer: number };
      key.set(item.question, { id: item.id, answer: item.answer, choices: item.choices, language });
    }
  }
  const asked = new Map<string, number>();
  const attempts = new Map<string, number>();
  // The longest question the prompt holds: a short question can be part of a longer one.
  const find = (text: string) => {
    let best: { length: number; entry: KeyEntry & { language: string } } | undefined;
    for (const [question, entry] of key) if (question.length > (best?.length ?? 0) && text.includes(question)) best = { length: question.length, entry };
    return best?.entry;
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      // Health probes (a Nara in front of this engine lists its models).
      if (request.method === 'GET') return send(200, { object: 'list', data: [{ id: 'oracle', object: 'model' }] });
      let parsed: { model: string; messages?: { content: string }[]; prompt?: string };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error', code: 'invalid_json' } });
      }
      if (request.url?.endsWith('/completions') && !request.url.endsWith('/chat/completions')) {
        // echo + logprobs: one "token" per character; the right choice's characters are likelier.
        const prompt = parsed.prompt ?? '';
        const entry = find(prompt);
        const right = entry === undefined ? undefined : entry.choices[entry.answer];
        const continuation = right !== undefined && prompt.endsWith(` ${right}`);
        const offsets = [...prompt].map((_, index) => index);
        const values = offsets.map(() => (continuation ? -0.1 : -1));
        send(200, { object: 'text_completion', choices: [{ index: 0, text: prompt + 'x', logprobs: { token_logprobs: [...values, -5], text_offset: [...offsets, prompt.length] } }] });
        return;
      }
      const last = parsed.messages?.[parsed.messages.length - 1]?.content ?? '';
      const entry = find(last);
      const id = entry?.id ?? 'unknown';
      const count = `${parsed.model}\u0000${id}`;
      asked.set(count, (asked.get(count) ?? 0) + 1);
      const attempt = (attempts.get(count) ?? 0) + 1;
      attempts.set(count, attempt);
      if (parsed.model === 'down') return send(503, { error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } });
      if (parsed.model === 'junk') return send(200, '<html>oops</html>');
      if (parsed.model === 'slow') return void setTimeout(() => send(200, { choices: [{ index: 0, message: { role: 'assistant', content: 'Answer: A' } }] }), 1500);
      if (parsed.model === 'flaky' && attempt === 1) return send(500, { error: { message: 'boom', type: 'server_error', code: 'internal' } });
      let answer: string;
      if (parsed.model === 'cautious') answer = '죄송하지만 도와드릴 수 없습니다.';
      else if (entry === undefined) answer = 'I do not know this question.';
      else if (parsed.model === 'rambler') answer = 'Hmm, let me think about it.';
      else {
        const wrong = parsed.model.startsWith('fifth-wrong') && /[05]$/.test(entry.id);
        const choice = wrong ? (entry.answer + 1) % entry.choices.length : entry.answer;
        answer = `${markers[entry.language] ?? 'Answer:'} ${letters[choice] ?? 'A'}`;
      }
      send(200, { id: 'x', object: 'chat.completion', created: 1, model: parsed.model, choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    asked,
    addKey: (question, entry) => key.set(question, { ...entry, language: 'en' }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The real `openai` npm client against Nara in front of fake engines: the API an OpenAI user expects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { type APIError } from 'openai';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let seoul: FakeEngine;
let harness: Harness;
let key: string;

beforeAll(async () => {
  seoul = await startFakeEngine({ record: true });
  harness = await startHarness(`
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul-vllm
    url: ${seoul.url}
    jurisdiction: KR
    models: [hcx-seed, { name: exaone, upstream: LGAI-EXAONE/EXAONE-4.0 }, bge-m3]
tenants:
  - id: ministry-of-interior
    jurisdictions: [KR]
`);
  key = await harness.createKey('ministry-of-interior');
});

afterAll(async () => {
  await harness.close();
  await seoul.close();
});

describe('chat completions', () => {
  it('answers with the engine output, usage with cached tokens, and the routing headers', async () => {
    const client = harness.client(key);
    const { data, response } = await client.chat.completions
      .create({ model: 'hcx-seed', messages: [{ role: 'user', content: '주민등록번호 발급 절차를 알려주세요' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('안녕하세요, 나라입니다.');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(2);
    expect(response.headers.get('x-nara-backend')).toBe('seoul-vllm');
    expect(response.headers.get('x-nara-jurisdiction')).toBe('KR');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes tools, response_format, n, stop, seed and logprobs through untouched', async () => {
    const before = seoul.requests.length;
    const tools = [{ type: 'function' as const, function: { name: 'lookup_address', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    await harness.client(key).chat.completions.create({
      model: 'hcx-seed',
      messages: [{ role: 'user', content: 'hi' }],
      tools,
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      n: 2,
      stop: ['\n\n'],
      seed: 42,
      logprobs: true,
      top_logprobs: 3,
    });
    const sent = seoul.requests[before]?.body;
    expect(sent).toMatchObject({ tools, tool_choice: 'auto', response_format: { type: 'json_object' }, n: 2, stop: ['\n\n'], seed: 42, logprobs: true, top_logprobs: 3 });
  });

  it("sends the engine's own model name for an alias and shows the client the alias", async () => {
    const before = seoul.requests.length;
    const answer = await harness.client(key).chat.completions.create({ model: 'exaone', messages: [{ role: 'user', content: 'hi' }] });
    expect(seoul.requests[before]?.body.model).toBe('LGAI-EXAONE/EXAONE-4.0');
    expect(answer.model).toBe('exaone');
  });

  it('forwards the request id to the engine and never the client key', async () => {
    const before = seoul.requests.length;
    await harness.post('/v1/chat/completions', { model: 'hcx-seed', messages: [{ role: 'user', content: 'hi' }] }, key, { 'x-request-id': 'trace-abc.123' });
    const headers = seoul.requests[before]?.headers;
    expect(headers?.['x-request-id']).toBe('trace-abc.123');
    expect(JSON.stringify(headers)).not.toContain(key);
  });
});

describe('streaming', () => {
  it('streams every chunk and the usage chunk when include_usage is asked for', async () => {
    const stream = await harness.client(key).chat.completions.create({
      model: 'hcx-seed',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('안녕하세요, 나라입니다.');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 6 });
  });

  it('asks the engine for usage anyway but does not show the usage chunk to a client that did not ask', async () => {
    const before = seoul.requests.length;
    const stream = await harness.client(key).chat.completions.create({ model: 'hcx-seed', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(seoul.requests[before]?.body.stream_options).toEqual({ include_usage: true });
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    const line = harness.logs.filter((entry) => entry.msg === 'request' && entry.stream === true).at(-1);
    expect(line).toMatchObject({ promptTokens: 12, completionTokens: 6, tokensEstimated: false });
  });

  it('streams text completions too', async () => {
    const stream = await harness.client(key).completions.create({ model: 'hcx-seed', prompt: '서울은', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('안녕하세요, 나라입니다.');
  });
});

describe('other endpoints', () => {
  it('creates embeddings', async () => {
    const answer = await harness.client(key).embeddings.create({ model: 'bge-m3', input: ['안녕', 'สวัสดี'], encoding_format: 'float' });
    expect(answer.data[0]?.embedding).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('creates text completions', async () => {
    const answer = await harness.client(key).completions.create({ model: 'hcx-seed', prompt: 'Bangkok is' });
    expect(answer.choices[0]?.text).toBe('안녕하세요, 나라입니다.');
  });

  it('lists only the models the tenant can reach', async () => {
    const models = await harness.client(key).models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['bge-m3', 'exaone', 'hcx-seed']);
  });

  it('retrieves one model, and answers 404 for one the tenant cannot reach', async () => {
    const model = await harness.client(key).models.retrieve('exaone');
    expect(model).toMatchObject({ id: 'exaone', object: 'model', jurisdictions: ['KR'] });
    const missing = await harness.client(key).models.retrieve('gpt-9').catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const line = harness.logs.filter((entry) => entry.msg === 'request' && entry.operation === 'models').at(-1);
    expect(line).toMatchObject({ status: 404, code: 'model_not_found', tenant: 'ministry-of-interior', model: 'gpt-9' });
  });

  it('reports errors in the shape the client understands', async () => {
    const error = await harness
      .client(key)
      .chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as APIError).code).toBe('model_not_found');
    expect((error as APIError).param).toBe('model');
  });

  it('rejects a wrong key with AuthenticationError', async () => {
    const error = await harness.client('nara-not-a-real-key').models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as APIError).code).toBe('invalid_api_key');
  });
});

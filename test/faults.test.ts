/**
 * Bad input and engine faults: each gets a catalogued error with the right status, never a 500 for a
 * client's mistake, never a hang, never a crash; client disconnects cancel the engine call.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let engine: FakeEngine;
let slowEngine: FakeEngine;
let harness: Harness;
let key: string;

const chat = { model: 'hcx-seed', messages: [{ role: 'user' as const, content: 'hi' }] };

beforeAll(async () => {
  engine = await startFakeEngine();
  slowEngine = await startFakeEngine({ chunkDelayMs: 200, pieces: Array.from({ length: 50 }, (_, i) => `t${i} `) });
  harness = await startHarness(`
server: { maxBodyBytes: 2048 }
routing: { maxAttempts: 1, healthCheck: { intervalMs: 0 }, circuitBreaker: { failureThreshold: 1000 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed]
    timeouts: { firstByteMs: 300, idleMs: 300 }
  - id: busan-slow
    url: ${slowEngine.url}
    jurisdiction: KR
    models: [slow]
tenants:
  - id: moi
    jurisdictions: [KR]
`);
  key = await harness.createKey('moi');
});

afterAll(async () => {
  await harness.close();
  await engine.close();
  await slowEngine.close();
});

afterEach(() => engine.behave('ok'));

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; param: string | null; type: string } }).error;
}

describe('bad input', () => {
  it('400 invalid_json for a malformed body', async () => {
    const response = await harness.post('/v1/chat/completions', '{"model": "hcx-seed", ', key);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_json');
  });

  it('400 naming the field for wrong types', async () => {
    const cases: [unknown, string][] = [
      [{ ...chat, model: 7 }, 'model'],
      [{ ...chat, messages: 'hello' }, 'messages'],
      [{ ...chat, messages: [{ content: 'no role' }] }, 'messages[0].role'],
      [{ ...chat, stream: 'yes' }, 'stream'],
      [{ ...chat, max_tokens: -1 }, 'max_tokens'],
      [{ ...chat, temperature: 9 }, 'temperature'],
      [{ model: 'hcx-seed' }, 'messages'],
    ];
    for (const [body, param] of cases) {
      const response = await harness.post('/v1/chat/completions', body, key);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.param).toBe(param);
      expect(error.message).toContain(param);
    }
  });

  it('400 for a JSON body that is not an object', async () => {
    const response = await harness.post('/v1/chat/completions', '[1,2]', key);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_request');
  });

  it('404 model_not_found for an unknown model', async () => {
    const response = await harness.post('/v1/chat/completions', { ...chat, model: 'gpt-9' }, key);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('model_not_found');
  });

  it('413 for a body over the limit, whether declared or streamed in chunks', async () => {
    const big = { ...chat, messages: [{ role: 'user', content: 'x'.repeat(5000) }] };
    const response = await harness.post('/v1/chat/completions', big, key);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('body_too_large');

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${harness.url}/v1/chat/completions`);
      const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${key}`, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (part: Buffer) => (body += part.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      for (let i = 0; i < 10; i += 1) request.write('x'.repeat(1000));
      request.end();
    });
    expect(chunked.status).toBe(413);
    expect(chunked.body).toContain('body_too_large');
  });

  it('checks the key before reading the body: 401, not 413, for an unknown caller with a huge body', async () => {
    const big = { ...chat, messages: [{ role: 'user', content: 'x'.repeat(5000) }] };
    const response = await harness.post('/v1/chat/completions', big, 'nara-forged');
    expect(response.status).toBe(401);
    expect(response.headers.get('connection')).toBe('close');
  });

  it('401 for a missing, malformed, unknown or revoked key', async () => {
    const missing = await harness.post('/v1/chat/completions', chat);
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe('missing_api_key');

    const malformed = await harness.post('/v1/chat/completions', chat, undefined, { authorization: 'Basic abc' });
    expect((await errorOf(malformed)).code).toBe('invalid_api_key');

    const unknown = await harness.post('/v1/chat/completions', chat, 'nara-forged');
    expect(unknown.status).toBe(401);
    expect((await errorOf(unknown)).code).toBe('invalid_api_key');

    const doomed = await harness.createKey('moi');
    expect((await harness.post('/v1/chat/completions', chat, doomed)).status).toBe(200);
    await harness.revokeKey(doomed);
    const revoked = await harness.post('/v1/chat/completions', chat, doomed);
    expect(revoked.status).toBe(401);
    expect((await errorOf(revoked)).code).toBe('api_key_revoked');
  });

  it('404 for unknown routes and 405 for wrong methods, in the OpenAI error shape', async () => {
    const missing = await fetch(`${harness.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('route_not_found');
    const wrong = await fetch(`${harness.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await errorOf(wrong)).code).toBe('method_not_allowed');
  });

  it('ignores headers and body fields that try to choose the engine (no SSRF)', async () => {
    const before = engine.hits();
    const response = await harness.post(
      '/v1/chat/completions',
      { ...chat, base_url: 'http://169.254.169.254/', api_base: 'http://evil.example/' },
      key,
      { 'x-nara-backend': 'elsewhere', host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-backend')).toBe('seoul');
    expect(engine.hits()).toBe(before + 1);
  });
});

describe('engine faults (JSON)', () => {
  const cases = [
    ['error-500', 502, 'upstream_error'],
    ['error-429', 429, 'upstream_rate_limited'],
    ['reset', 502, 'upstream_error'],
    ['hang', 504, 'upstream_timeout'],
    ['malformed-json', 502, 'upstream_bad_response'],
  ] as const;
  for (const [behaviour, status, code] of cases) {
    it(`${behaviour} → ${status} ${code}`, async () => {
      engine.behave(behaviour);
      const response = await harness.post('/v1/chat/completions', chat, key);
      expect(response.status).toBe(status);
      const error = await errorOf(response);
      expect(error.code).toBe(code);
      expect(error.message).not.toContain('127.0.0.1');
    });
  }
});

describe('engine faults (streams)', () => {
  const midStream = ['reset-mid-stream', 'stall-mid-stream', 'error-event-mid-stream', 'malformed-json'] as const;
  for (const behaviour of midStream) {
    it(`${behaviour}: the stream ends with an error event the client sees, not a hang`, async () => {
      engine.behave(behaviour);
      const stream = await harness.client(key).chat.completions.create({ ...chat, stream: true });
      let text = '';
      const started = Date.now();
      const error = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((caught: unknown) => caught);
      expect(text).toBe('안녕하세요');
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(String((error as Error).message)).toMatch(/stream|ended early|engine/i);
      expect(Date.now() - started).toBeLessThan(5_000);
      const line = harness.logs.filter((entry) => entry.msg === 'request').at(-1);
      expect(line?.code).toBe('stream_interrupted');
      expect(line?.status).toBe(200); // what was sent: the failure came after the status line
      expect(line?.completionTokens).toBe(2); // the two chunks that reached the client are metered
    });
  }

  it('a stream that fails before its first chunk gets an HTTP error, not a broken stream', async () => {
    engine.behave('error-500');
    const response = await harness.post('/v1/chat/completions', { ...chat, stream: true }, key);
    expect(response.status).toBe(502);
    expect((await errorOf(response)).code).toBe('upstream_error');
  });

  it('counts tokens itself when the engine sends no usage', async () => {
    engine.behave('no-usage');
    const stream = await harness.client(key).chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream) {
      // drain
    }
    const line = harness.logs.filter((entry) => entry.msg === 'request').at(-1);
    expect(line?.tokensEstimated).toBe(true);
    expect(line?.completionTokens).toBe(6); // one per content chunk the engine streamed
    expect(line?.promptTokens).toBeGreaterThan(0);
  });
});

describe('client disconnects', () => {
  it('cancel the engine call when the client goes away mid-stream', async () => {
    const controller = new AbortController();
    const before = slowEngine.disconnects();
    const stream = await harness.client(key).chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
    let chunks = 0;
    await (async () => {
      for await (const _chunk of stream) {
        chunks += 1;
        if (chunks === 2) controller.abort();
      }
    })().catch(() => undefined);
    await expect.poll(() => slowEngine.disconnects(), { timeout: 3_000 }).toBe(before + 1);
    await expect.poll(() => harness.nara.gateway().table.slots.find((slot) => slot.id === 'busan-slow')?.inFlight, { timeout: 3_000 }).toBe(0);
    const line = harness.logs.filter((entry) => entry.msg === 'request').at(-1);
    expect(line?.status).toBe(499);
    expect(line?.completionTokens).toBeGreaterThanOrEqual(2); // what was streamed before the client left
  });
});

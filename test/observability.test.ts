/**
 * What an operator sees: /healthz, Prometheus metrics that follow the requests, one JSON log line
 * per request with counts and never content or secrets, and the request id and routing headers on
 * every response.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';
import { parsePrometheus, sampleValue, type Sample } from './support/prometheus-text.js';

const engineSecretEnv = 'NARA_OBSERVABILITY_TEST_ENGINE_KEY';
const engineSecret = `sk-engine-${'7f3a9c'.repeat(6)}`;
const promptText = 'SECRET-PROMPT 주민등록번호 880101-1234567 please';

let engine: FakeEngine;
let harness: Harness;
let key: string;

beforeAll(async () => {
  process.env[engineSecretEnv] = engineSecret;
  engine = await startFakeEngine({ record: true });
  harness = await startHarness(`
routing: { maxAttempts: 1, healthCheck: { intervalMs: 0 }, circuitBreaker: { failureThreshold: 1000 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed, bge-m3]
    apiKeyEnv: ${engineSecretEnv}
  - id: virginia
    url: ${engine.url}
    jurisdiction: US
    models: [gpt-abroad]
tenants:
  - id: moi
    jurisdictions: [KR]
`);
  key = await harness.createKey('moi');
});

afterAll(async () => {
  await harness?.close();
  await engine?.close();
  delete process.env[engineSecretEnv];
});

afterEach(() => engine.behave('ok'));

const chatBody = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: promptText }], ...extra });

async function metrics(): Promise<Sample[]> {
  const response = await fetch(`${harness.url}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

function requestLine(requestId: string): Record<string, unknown> | undefined {
  return harness.logs.find((line) => line.msg === 'request' && line.requestId === requestId);
}

describe('health and metrics endpoints', () => {
  it('/healthz answers 200 {"status":"ok"} without a key', async () => {
    const response = await fetch(`${harness.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/metrics is Prometheus text with the gateway and process metrics', async () => {
    const response = await fetch(`${harness.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of ['nara_requests_total', 'nara_request_duration_seconds', 'nara_tokens_total', 'nara_errors_total', 'nara_routing_denials_total', 'nara_backend_up', 'nara_backend_in_flight']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Standard process metric names, so stock Node.js dashboards work.
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).not.toContain('nara_process_');
    expect(() => parsePrometheus(text)).not.toThrow();
  });

  it('nara_backend_up is 1 per healthy back end, labelled with its jurisdiction', async () => {
    const samples = await metrics();
    expect(sampleValue(samples, 'nara_backend_up', { backend: 'seoul', jurisdiction: 'KR' })).toBe(1);
    expect(sampleValue(samples, 'nara_backend_up', { backend: 'virginia', jurisdiction: 'US' })).toBe(1);
    expect(sampleValue(samples, 'nara_backend_in_flight', { backend: 'seoul', jurisdiction: 'KR' })).toBe(0);
  });

  it('counts a chat request by operation/code/backend, its duration, and its tokens as the engine reported them', async () => {
    const before = await metrics();
    const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key);
    expect(response.status).toBe(200);
    await response.text();
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);

    expect(delta('nara_requests_total', { operation: 'chat', code: 'ok', backend: 'seoul' })).toBe(1);
    expect(delta('nara_request_duration_seconds_count', { operation: 'chat', stream: 'false' })).toBe(1);
    expect(delta('nara_request_duration_seconds_bucket', { operation: 'chat', stream: 'false', le: '+Inf' })).toBe(1);
    expect(after.some((sample) => sample.name === 'nara_request_duration_seconds_bucket' && sample.labels.le === '0.005')).toBe(true);
    expect(delta('nara_upstream_latency_seconds_count', { backend: 'seoul', stream: 'false' })).toBe(1);
    // The fake engine reports 12 prompt tokens (2 of them cached) and 6 completion tokens.
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'prompt' })).toBe(12);
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'completion' })).toBe(6);
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'cached' })).toBe(2);
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'estimated' })).toBe(0);
  });

  it('counts streamed tokens too, even when the client did not ask for usage', async () => {
    const before = await metrics();
    const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed', { stream: true }), key);
    expect(response.status).toBe(200);
    await response.text();
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('nara_request_duration_seconds_count', { operation: 'chat', stream: 'true' })).toBe(1);
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'prompt' })).toBe(12);
    expect(delta('nara_tokens_total', { tenant: 'moi', backend: 'seoul', kind: 'completion' })).toBe(6);
  });

  it('counts a jurisdiction denial in nara_routing_denials_total and nara_errors_total', async () => {
    const before = await metrics();
    const response = await harness.post('/v1/chat/completions', chatBody('gpt-abroad'), key);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('jurisdiction_not_allowed');
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('nara_routing_denials_total', { tenant: 'moi', served_in: 'US' })).toBe(1);
    expect(delta('nara_errors_total', { code: 'jurisdiction_not_allowed' })).toBe(1);
    expect(delta('nara_requests_total', { operation: 'chat', code: 'jurisdiction_not_allowed', backend: 'none' })).toBe(1);
  });

  it('counts a 404 in nara_errors_total{code="model_not_found"}', async () => {
    const before = await metrics();
    const response = await harness.post('/v1/chat/completions', chatBody('no-such-model'), key);
    expect(response.status).toBe(404);
    await response.text();
    const after = await metrics();
    expect(sampleValue(after, 'nara_errors_total', { code: 'model_not_found' }) - sampleValue(before, 'nara_errors_total', { code: 'model_not_found' })).toBe(1);
  });

  it('counts a failed engine attempt in nara_upstream_failures_total', async () => {
    engine.behave('error-500');
    const before = await metrics();
    const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key);
    expect(response.status).toBe(502);
    await response.text();
    const after = await metrics();
    expect(sampleValue(after, 'nara_upstream_failures_total', { backend: 'seoul', code: 'upstream_error' }) - sampleValue(before, 'nara_upstream_failures_total', { backend: 'seoul', code: 'upstream_error' })).toBe(1);
    expect(sampleValue(after, 'nara_errors_total', { code: 'upstream_error' }) - sampleValue(before, 'nara_errors_total', { code: 'upstream_error' })).toBe(1);
  });
});

describe('request logs', () => {
  it('one line per request with id, tenant, key id, backend, jurisdiction, status and token counts', async () => {
    const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key, { 'x-request-id': 'obs-log-200' });
    expect(response.status).toBe(200);
    await response.text();
    const line = requestLine('obs-log-200');
    expect(line).toMatchObject({
      level: 30,
      requestId: 'obs-log-200',
      operation: 'chat',
      stream: false,
      tenant: 'moi',
      model: 'hcx-seed',
      backend: 'seoul',
      jurisdiction: 'KR',
      status: 200,
      attempts: 1,
      promptTokens: 12,
      completionTokens: 6,
      cachedTokens: 2,
      tokensEstimated: false,
    });
    expect(line?.key).toMatch(/^key_[0-9a-f]+$/);
    expect(typeof line?.ms).toBe('number');
    expect(line?.code).toBeUndefined();
  });

  it('logs refusals with their status and code', async () => {
    await (await harness.post('/v1/chat/completions', chatBody('gpt-abroad'), key, { 'x-request-id': 'obs-log-403' })).text();
    expect(requestLine('obs-log-403')).toMatchObject({ tenant: 'moi', status: 403, code: 'jurisdiction_not_allowed', model: 'gpt-abroad' });
    await (await harness.post('/v1/chat/completions', chatBody('hcx-seed'), 'nara-not-a-key', { 'x-request-id': 'obs-log-401' })).text();
    expect(requestLine('obs-log-401')).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('never logs the prompt, the client API key or the engine API key, whatever happened', async () => {
    // A mix of outcomes, so that failure paths log too.
    await (await harness.post('/v1/chat/completions', chatBody('hcx-seed', { stream: true, stream_options: { include_usage: true } }), key)).text();
    await (await harness.post('/v1/completions', { model: 'hcx-seed', prompt: promptText }, key)).text();
    await (await harness.post('/v1/embeddings', { model: 'bge-m3', input: promptText }, key)).text();
    await (await harness.post('/v1/chat/completions', chatBody('gpt-abroad'), key)).text();
    await (await harness.post('/v1/chat/completions', { ...chatBody('hcx-seed'), temperature: 99 }, key)).text();
    for (const behaviour of ['error-500', 'error-400', 'reset', 'malformed-json'] as const) {
      engine.behave(behaviour);
      await (await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key)).text();
    }
    engine.behave('reset-mid-stream');
    await (await harness.post('/v1/chat/completions', chatBody('hcx-seed', { stream: true }), key)).text();
    engine.behave('ok');

    // The engine did get the secret (so the check below is meaningful), and never the client key.
    const sent = engine.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${engineSecret}`);
    expect(JSON.stringify(engine.requests.map((request) => request.headers))).not.toContain(key);

    const raw = harness.rawLogs();
    expect(raw).toContain('"msg":"request"');
    expect(raw).toContain('engine attempt failed');
    expect(raw).not.toContain('SECRET-PROMPT');
    expect(raw).not.toContain('880101');
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(key.slice(5));
    expect(raw).not.toContain(engineSecret);
  });

  it('never shows the engine API key (or engine URLs) in /readyz or /metrics', async () => {
    const ready = await fetch(`${harness.url}/readyz`);
    const readyText = await ready.text();
    expect(ready.status).toBe(200);
    expect(readyText).toContain('"seoul"');
    expect(readyText).not.toContain(engineSecret);
    expect(readyText).not.toContain(engine.url);
    const metricsText = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metricsText).not.toContain(engineSecret);
    expect(metricsText).not.toContain(engine.url);
    expect(metricsText).not.toContain(key);
  });
});

describe('response headers', () => {
  const routingHeaders = (response: Response) => ({
    requestId: response.headers.get('x-request-id'),
    backend: response.headers.get('x-nara-backend'),
    jurisdiction: response.headers.get('x-nara-jurisdiction'),
  });
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('every response carries x-request-id, x-nara-backend and x-nara-jurisdiction', async () => {
    const cases: [string, Promise<Response>, number, string, string][] = [
      ['200 chat', harness.post('/v1/chat/completions', chatBody('hcx-seed'), key), 200, 'seoul', 'KR'],
      ['200 stream', harness.post('/v1/chat/completions', chatBody('hcx-seed', { stream: true }), key), 200, 'seoul', 'KR'],
      ['200 embeddings', harness.post('/v1/embeddings', { model: 'bge-m3', input: 'x' }, key), 200, 'seoul', 'KR'],
      ['400 invalid', harness.post('/v1/chat/completions', { model: 'hcx-seed' }, key), 400, 'none', 'none'],
      ['401 no key', harness.post('/v1/chat/completions', chatBody('hcx-seed')), 401, 'none', 'none'],
      ['403 denial', harness.post('/v1/chat/completions', chatBody('gpt-abroad'), key), 403, 'none', 'none'],
      ['404 model', harness.post('/v1/chat/completions', chatBody('nope'), key), 404, 'none', 'none'],
      ['404 route', fetch(`${harness.url}/v2/nothing`), 404, 'none', 'none'],
      ['405 method', fetch(`${harness.url}/v1/chat/completions`), 405, 'none', 'none'],
      ['200 healthz', fetch(`${harness.url}/healthz`), 200, 'none', 'none'],
      ['200 readyz', fetch(`${harness.url}/readyz`), 200, 'none', 'none'],
      ['200 metrics', fetch(`${harness.url}/metrics`), 200, 'none', 'none'],
      ['200 models', fetch(`${harness.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }), 200, 'none', 'none'],
    ];
    for (const [name, pending, status, backend, jurisdiction] of cases) {
      const response = await pending;
      await response.text();
      expect(response.status, name).toBe(status);
      const headers = routingHeaders(response);
      expect(headers.requestId, name).toMatch(uuid);
      expect(headers.backend, name).toBe(backend);
      expect(headers.jurisdiction, name).toBe(jurisdiction);
    }
  });

  it('a 502 after reaching the engine names the back end that failed', async () => {
    engine.behave('error-500');
    const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key);
    await response.text();
    expect(response.status).toBe(502);
    expect(routingHeaders(response)).toMatchObject({ backend: 'seoul', jurisdiction: 'KR' });
  });

  it('echoes a safe inbound x-request-id, on success, on errors and on /healthz, and into the log', async () => {
    const id = 'trace-2024.abc:XYZ_9';
    const ok = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key, { 'x-request-id': id });
    await ok.text();
    expect(ok.headers.get('x-request-id')).toBe(id);
    expect(requestLine(id)?.status).toBe(200);
    expect(engine.requests.at(-1)?.headers['x-request-id']).toBe(id);
    const denied = await harness.post('/v1/chat/completions', chatBody('gpt-abroad'), key, { 'x-request-id': `${id}-2` });
    await denied.text();
    expect(denied.headers.get('x-request-id')).toBe(`${id}-2`);
    const health = await fetch(`${harness.url}/healthz`, { headers: { 'x-request-id': `${id}-3` } });
    expect(health.headers.get('x-request-id')).toBe(`${id}-3`);
    // 128 characters is the longest kept.
    const longest = 'a'.repeat(128);
    const kept = await fetch(`${harness.url}/healthz`, { headers: { 'x-request-id': longest } });
    expect(kept.headers.get('x-request-id')).toBe(longest);
  });

  it('replaces an unsafe inbound x-request-id (too long, or odd characters) with a fresh one', async () => {
    for (const unsafe of ['a'.repeat(300), 'a'.repeat(129), 'has spaces in it', 'quote"and<angle>', 'semi;colon', 'ünïcode']) {
      const response = await harness.post('/v1/chat/completions', chatBody('hcx-seed'), key, { 'x-request-id': unsafe });
      await response.text();
      const echoed = response.headers.get('x-request-id');
      expect(echoed, unsafe).toMatch(uuid);
      expect(requestLine(echoed ?? '')?.status, unsafe).toBe(200);
      expect(harness.rawLogs()).not.toContain(unsafe.slice(0, 200));
      expect(engine.requests.at(-1)?.headers['x-request-id']).toBe(echoed);
    }
  });
});

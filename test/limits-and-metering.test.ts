/**
 * Limits and metering through the real server (embedded store, in-process limiter): budgets hold
 * under 200 concurrent requests, denials say which limit, reservations are given back however a
 * request ends, and the usage ledger adds up exactly to what the engines reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { FileDirectoryStore } from '../src/store/file/file-directory-store.js';
import { FileUsageLedger } from '../src/store/file/file-usage-ledger.js';
import { generateApiKey, hashApiKey, newKeyId } from '../src/store/api-key.js';
import type { LimitSet } from '../src/spec/limits.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let engine: FakeEngine;
let flaky: FakeEngine;
let slow: FakeEngine;
let harness: Harness;

// "hi" as a chat message is 3 + (3 + 1) = 7 prompt tokens by the byte estimate; with max_tokens 6
// every request holds 13 tokens, and the 'exact' engine reports 7 + 6 = 13 used: a daily budget of
// 130 tokens is room for exactly 10 such requests, however many arrive at once.
const small = { model: 'hcx-seed', max_tokens: 6, messages: [{ role: 'user', content: 'hi' }] };
const exactFit = { ...small, model: 'gemma' };
let exact: FakeEngine;

beforeAll(async () => {
  engine = await startFakeEngine({ varyUsage: true });
  exact = await startFakeEngine({ promptTokens: 7 });
  flaky = await startFakeEngine({ varyUsage: true });
  slow = await startFakeEngine({ varyUsage: true, chunkDelayMs: 100, pieces: Array.from({ length: 30 }, (_, i) => `t${i} `) });
  harness = await startHarness(`
routing: { maxAttempts: 2, healthCheck: { intervalMs: 0 }, circuitBreaker: { failureThreshold: 1000 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed, exaone]
    cost: { inputPer1M: 2, outputPer1M: 6, currency: USD }
  - id: seoul-flaky
    url: ${flaky.url}
    jurisdiction: KR
    models: [exaone]
    cost: { inputPer1M: 2, outputPer1M: 6, currency: USD }
  - id: daejeon
    url: ${exact.url}
    jurisdiction: KR
    models: [gemma]
  - id: busan-slow
    url: ${slow.url}
    jurisdiction: KR
    models: [slow]
tenants:
  - id: budgeted
    jurisdictions: [KR]
    limits: { tokensPerDay: 130 }
  - id: rated
    jurisdictions: [KR]
    limits: { requestsPerMinute: 3 }
  - id: narrow
    jurisdictions: [KR]
    limits: { concurrentRequests: 1 }
  - id: metered
    jurisdictions: [KR]
  - id: keyed
    jurisdictions: [KR]
  - id: cost-capped
    jurisdictions: [KR]
    limits: { costPerDay: 0.0001 }
`);
});

afterAll(async () => {
  await harness.close();
  await Promise.all([engine.close(), flaky.close(), slow.close(), exact.close()]);
});

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; type: string } }).error;
}

async function keyWith(tenantId: string, limits: LimitSet): Promise<{ key: string; id: string }> {
  const key = generateApiKey();
  const id = newKeyId();
  await new FileDirectoryStore(harness.dataDir).addKey({ id, tenantId, hash: hashApiKey(key), hint: key.slice(0, 9), createdAt: new Date().toISOString(), limits });
  await harness.nara.reloadKeys();
  return { key, id };
}

describe('budgets under concurrency', () => {
  it('lets through exactly 10 of 200 concurrent requests against a budget with room for 10', async () => {
    const key = await harness.createKey('budgeted');
    const responses = await Promise.all(Array.from({ length: 200 }, () => harness.post('/v1/chat/completions', exactFit, key)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(190);
    const denied = responses.find((response) => response.status === 429);
    expect(denied?.headers.get('retry-after')).toMatch(/^\d+$/);
    const error = await errorOf(denied as Response);
    expect(error.code).toBe('token_budget_exceeded');
    // A spent budget answers like OpenAI's quota error, so clients can tell it from a rate limit.
    expect(error.type).toBe('insufficient_quota');
    expect(error.message).toContain("Tenant 'budgeted'");
    // One tenant's spent budget is its own: another tenant is untouched.
    expect((await harness.post('/v1/chat/completions', exactFit, await harness.createKey('keyed'))).status).toBe(200);
    await Promise.all(responses.filter((response) => !response.bodyUsed).map((response) => response.body?.cancel()));
  });
});

describe('rate limits', () => {
  it('refuses the 4th request in a minute with requests_per_minute_exceeded and Retry-After', async () => {
    const key = await harness.createKey('rated');
    for (let index = 0; index < 3; index += 1) expect((await harness.post('/v1/chat/completions', small, key)).status).toBe(200);
    const refused = await harness.post('/v1/chat/completions', small, key);
    expect(refused.status).toBe(429);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    const error = await errorOf(refused);
    expect(error.code).toBe('requests_per_minute_exceeded');
    expect(error.type).toBe('rate_limit_error');
  });

  it('gives a concurrency slot back when the client disconnects mid-stream', async () => {
    const key = await harness.createKey('narrow');
    const controller = new AbortController();
    const first = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    const busy = await harness.post('/v1/chat/completions', small, key);
    expect(busy.status).toBe(429);
    expect((await errorOf(busy)).code).toBe('concurrent_requests_exceeded');
    controller.abort();
    await expect(first.text()).rejects.toThrow();
    await waitFor(async () => (await harness.post('/v1/chat/completions', small, key)).status === 200);
  });

  it('gives a concurrency slot back when every engine fails', async () => {
    const key = await harness.createKey('narrow');
    engine.behave('error-500');
    try {
      expect((await harness.post('/v1/chat/completions', small, key)).status).toBe(502);
    } finally {
      engine.behave('ok');
    }
    expect((await harness.post('/v1/chat/completions', small, key)).status).toBe(200);
  });

  it("applies a key's own limits on top of its tenant's, and never to the tenant's other keys", async () => {
    const limited = await keyWith('keyed', { requestsPerMinute: 1 });
    const other = await harness.createKey('keyed');
    expect((await harness.post('/v1/chat/completions', small, limited.key)).status).toBe(200);
    const refused = await harness.post('/v1/chat/completions', small, limited.key);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).message).toContain(`API key ${limited.id}`);
    expect((await harness.post('/v1/chat/completions', small, other)).status).toBe(200);
  });

  it('refuses with cost_budget_exceeded once the spending budget is gone', async () => {
    const key = await harness.createKey('cost-capped');
    // 7 × 2 + 6 × 6 = 50 micro-dollars held per request; 100 micro-dollars of budget.
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await harness.post('/v1/chat/completions', small, key)).status);
    expect(statuses).toContain(200);
    const refused = await harness.post('/v1/chat/completions', small, key);
    expect(refused.status).toBe(429);
    const error = await errorOf(refused);
    expect(error.code).toBe('cost_budget_exceeded');
    expect(error.message).toContain('USD');
  });

  it('says when a request alone is larger than the whole limit, without a Retry-After that would invite it again', async () => {
    const { key } = await keyWith('keyed', { tokensPerMinute: 50 });
    const refused = await harness.post('/v1/chat/completions', { ...small, max_tokens: 1000 }, key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    const error = await errorOf(refused);
    expect(error.code).toBe('tokens_per_minute_exceeded');
    expect(error.message).toContain('waiting will not help');
    expect((await harness.post('/v1/chat/completions', small, key)).status).toBe(200);
  });
});

describe('metering', () => {
  it('adds up exactly to what the engines reported, across JSON, streams, retries, failures and disconnects', async () => {
    const key = await harness.createKey('metered');
    const before = { seoul: engine.reported(), flaky: flaky.reported(), slow: slow.reported() };
    const client = harness.client(key);
    // JSON and streams, with prompts of different lengths so every request reports its own usage.
    for (let index = 0; index < 5; index += 1) {
      await client.chat.completions.create({ model: 'hcx-seed', messages: [{ role: 'user', content: `question ${'x'.repeat(index * 7)}` }] });
      const stream = await client.chat.completions.create({ model: 'hcx-seed', stream: true, messages: [{ role: 'user', content: `stream ${'y'.repeat(index * 5)}` }] });
      for await (const chunk of stream) void chunk;
    }
    await client.embeddings.create({ model: 'hcx-seed', input: 'embed me' });
    // Retries: the flaky engine fails, the router fails over to seoul, which answers.
    flaky.behave('error-500');
    for (let index = 0; index < 4; index += 1) await client.chat.completions.create({ model: 'exaone', messages: [{ role: 'user', content: `retry ${index}` }] });
    // Failures: every engine fails; nothing was generated, so nothing is billed.
    engine.behave('error-500');
    await expect(client.chat.completions.create({ model: 'exaone', messages: [{ role: 'user', content: 'fail' }] })).rejects.toThrow();
    engine.behave('ok');
    flaky.behave('ok');

    await harness.nara.flushUsage();
    const ledger = new FileUsageLedger(harness.dataDir);
    const rows = await ledger.query({ tenantId: 'metered', groupBy: ['backend'] });
    const reported = (now: ReturnType<FakeEngine['reported']>, then: ReturnType<FakeEngine['reported']>) => ({
      prompt: now.promptTokens - then.promptTokens,
      completion: now.completionTokens - then.completionTokens,
      cached: now.cachedTokens - then.cachedTokens,
    });
    const seoul = reported(engine.reported(), before.seoul);
    const seoulRow = rows.find((row) => row.backend === 'seoul');
    expect(seoulRow).toMatchObject({ promptTokens: seoul.prompt, completionTokens: seoul.completion, cachedTokens: seoul.cached });
    // The flaky engine answered nothing, so it reported and was billed nothing.
    expect(reported(flaky.reported(), before.flaky)).toEqual({ prompt: 0, completion: 0, cached: 0 });
    const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
    expect(sum((row) => row.promptTokens)).toBe(seoul.prompt);
    expect(sum((row) => row.completionTokens)).toBe(seoul.completion);
    expect(sum((row) => row.requests)).toBe(5 + 5 + 1 + 4 + 1);
    // The request every engine failed is recorded (at the last back end tried) with no tokens.
    expect(sum((row) => row.errors)).toBe(1);
    // Cost from the back end's prices, exact in micro-units.
    expect(sum((row) => row.costMicros)).toBe(seoul.prompt * 2 + seoul.completion * 6);
  });

  it('meters a stream cut short by the client with what reached it, marked estimated', async () => {
    const key = await harness.createKey('metered');
    const controller = new AbortController();
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'cut-short-1' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while ((text.match(/"content"/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await waitFor(async () => {
      await harness.nara.flushUsage();
      const rows = await new FileUsageLedger(harness.dataDir).query({ tenantId: 'metered', backendId: 'busan-slow', groupBy: [] });
      return (rows[0]?.requests ?? 0) === 1;
    });
    const [row] = await new FileUsageLedger(harness.dataDir).query({ tenantId: 'metered', backendId: 'busan-slow', groupBy: [] });
    expect(row?.completionTokens).toBeGreaterThanOrEqual(3);
    expect(row?.completionTokens).toBeLessThan(30);
    expect(row?.errors).toBe(1);
  });

  it('meters two requests that reuse one x-request-id as two', async () => {
    const key = await harness.createKey('metered');
    await harness.nara.flushUsage();
    const count = async () => (await new FileUsageLedger(harness.dataDir).query({ tenantId: 'metered', model: 'exaone', groupBy: [] }))[0]?.requests ?? 0;
    const before = await count();
    for (let index = 0; index < 2; index += 1) {
      const response = await harness.post('/v1/chat/completions', { ...small, model: 'exaone' }, key, { 'x-request-id': 'same-id-twice' });
      expect(response.status).toBe(200);
    }
    await harness.nara.flushUsage();
    expect((await count()) - before).toBe(2);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('budgets after a restart', () => {
  it('start from what the ledger says was spent, counting only the budget currency', async () => {
    const yaml = `
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed]
    cost: { inputPer1M: 100000, outputPer1M: 100000, currency: USD }
  - id: daejeon
    url: ${exact.url}
    jurisdiction: KR
    models: [gemma]
    cost: { inputPer1M: 100000, outputPer1M: 100000, currency: USD }
tenants:
  - id: won
    jurisdictions: [KR]
    budgetCurrency: KRW
    limits: { costPerDay: 1, tokensPerDay: 40 }
`;
    const first = await startHarness(yaml);
    const key = await first.createKey('won');
    // Each answer costs 1.3 dollars, none of it in won; and 13 of the 40 tokens a day.
    for (let index = 0; index < 2; index += 1) expect((await first.post('/v1/chat/completions', exactFit, key)).status).toBe(200);
    await first.close({ keepDataDir: true });

    const second = await startHarness(yaml, { dataDir: first.dataDir });
    try {
      // Dollars never count against the budget in won, after a restart either...
      expect((await second.post('/v1/chat/completions', exactFit, key)).status).toBe(200);
      // ...while the token budget remembers the 26 tokens spent before it: 39 + 13 do not fit in 40.
      const refused = await second.post('/v1/chat/completions', exactFit, key);
      expect(refused.status).toBe(429);
      expect((await errorOf(refused)).code).toBe('token_budget_exceeded');
    } finally {
      await second.close();
    }
  });
});

/**
 * Two real `nara serve` processes on one PostgreSQL and one Redis behave as one gateway: one shared
 * limit, one usage ledger, and a key revoked on one replica refused by the other within a second.
 * Each run gets its own database and Redis key prefix, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { killAllNara, makeTempDir, startServe, type ServeProcess } from './support/cli-process.js';

let database: TestDatabase;
const redisPrefix = `nara-test-${randomBytes(4).toString('hex')}:`;
const adminToken = `admin-${randomBytes(24).toString('base64url')}`;

let engine: FakeEngine;
let first: ServeProcess;
let second: ServeProcess;

beforeAll(async () => {
  database = await createTestDatabase('nara_replicas');
  engine = await startFakeEngine({ varyUsage: true });
  const dir = makeTempDir('nara-replicas-');
  const configPath = join(dir, 'nara.yaml');
  writeFileSync(
    configPath,
    `
database: { url: { env: NARA_TEST_DATABASE_URL } }
redis: { url: "redis://127.0.0.1:6379", keyPrefix: "${redisPrefix}" }
metering: { flushIntervalMs: 200 }
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed]
    cost: { inputPer1M: 2, outputPer1M: 8, currency: KRW }
tenants:
  - id: shared
    jurisdictions: [KR]
    limits: { requestsPerMinute: 10 }
  - id: free
    jurisdictions: [KR]
`,
  );
  const env = { NARA_ADMIN_TOKEN: adminToken, NARA_TEST_DATABASE_URL: database.url };
  // Started together: migrations take an advisory lock, so two replicas may start at once.
  [first, second] = await Promise.all([
    // Each replica keeps its own data directory: its audit log (one writer per log) and usage spool.
    startServe(['serve', '--config', configPath, '--port', '0', '--data-dir', join(dir, 'replica-a')], { cwd: dir, env }),
    startServe(['serve', '--config', configPath, '--port', '0', '--data-dir', join(dir, 'replica-b')], { cwd: dir, env }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const replica of [first, second]) replica?.signal('SIGTERM');
  await Promise.all([first?.exited, second?.exited]);
  killAllNara();
  await engine?.close();
  await database?.drop();
});

async function adminCall(replica: ServeProcess, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${replica.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function createKey(replica: ServeProcess, tenant: string): Promise<{ key: string; id: string }> {
  const response = await adminCall(replica, 'POST', `/admin/v1/tenants/${tenant}/keys`, {});
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { key: string; id: string };
}

function chat(replica: ServeProcess, key: string, content = 'hi'): Promise<Response> {
  return fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'hcx-seed', messages: [{ role: 'user', content }] }),
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('two replicas on one PostgreSQL and one Redis', () => {
  it('honours a key created on one replica on the other within a second', async () => {
    const { key } = await createKey(first, 'free');
    // The replica that made the key honours it on the very next request...
    expect((await chat(first, key)).status).toBe(200);
    // ...and the other one at its next poll.
    const waited = await until(async () => (await chat(second, key)).status === 200, 1_500);
    expect(waited).toBeLessThan(1_500);
  });

  it('shares one rate limit: 30 concurrent requests over both replicas against 10 a minute let through 10', async () => {
    const { key } = await createKey(first, 'shared');
    await until(async () => (await fetch(`${second.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200, 1_500);
    const responses = await Promise.all(Array.from({ length: 30 }, (_, index) => chat(index % 2 === 0 ? first : second, key)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    await Promise.all(responses.filter((response) => !response.bodyUsed).map((response) => response.body?.cancel()));
  });

  it('keeps one usage ledger: usage from both replicas is read back from either', async () => {
    const { key, id } = await createKey(first, 'free');
    await until(async () => (await chat(second, key)).status === 200, 1_500);
    for (let index = 0; index < 6; index += 1) expect((await chat(index % 2 === 0 ? first : second, key, `q${index}`)).status).toBe(200);
    // 7 requests in all; each replica flushes its own batch every 200 ms.
    await until(async () => {
      const response = await adminCall(second, 'GET', `/admin/v1/usage?key=${id}&groupBy=key`);
      const body = (await response.json()) as { data: { requests: number }[] };
      return body.data[0]?.requests === 7;
    }, 3_000);
    const csv = await (await adminCall(first, 'GET', `/admin/v1/usage?key=${id}&groupBy=key&format=csv`)).text();
    expect(csv.split('\n')[1]).toContain(id);
  });

  it('refuses on every replica, within a second, a key revoked on one', async () => {
    const { key, id } = await createKey(first, 'free');
    await until(async () => (await chat(second, key)).status === 200, 1_500);
    expect((await adminCall(first, 'DELETE', `/admin/v1/keys/${id}`)).status).toBe(200);
    expect((await chat(first, key)).status).toBe(401);
    const waited = await until(async () => (await chat(second, key)).status === 401, 1_000);
    expect(waited).toBeLessThan(1_000);
  });
});

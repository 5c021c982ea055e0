/**
 * PostgreSQL and Redis failing: down at start (a clear error, no start), going away under load
 * (limits fail closed with 503 limits_unavailable unless configured to fail open; usage is kept and
 * written when the database is back; a graceful shutdown spools it), and keys revoked mid-request.
 * Dependencies are taken away through a real TCP proxy in front of the real servers.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { makeTempDir, runNara } from './support/cli-process.js';
import { startHarness, type Harness } from './support/nara-harness.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let database: TestDatabase;
const redisPrefix = `nara-test-${randomBytes(4).toString('hex')}:`;
let engine: FakeEngine;
let slow: FakeEngine;

beforeAll(async () => {
  database = await createTestDatabase('nara_faults');
  engine = await startFakeEngine();
  slow = await startFakeEngine({ chunkDelayMs: 50, pieces: Array.from({ length: 20 }, (_, i) => `t${i} `) });
});

afterAll(async () => {
  await engine.close();
  await slow.close();
  await database?.drop();
});

const backends = () => `
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul
    url: ${engine.url}
    jurisdiction: KR
    models: [hcx-seed]
  - id: seoul-slow
    url: ${slow.url}
    jurisdiction: KR
    models: [slow]
`;

const chat = { model: 'hcx-seed', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('down at start', () => {
  it('refuses to start when PostgreSQL is down, naming the host but never the password', async () => {
    const dir = makeTempDir();
    const port = await closedPort();
    writeFileSync(join(dir, 'nara.yaml'), `database: { url: { env: DB_URL } }\n${backends()}`);
    const result = await runNara(['serve', '--config', 'nara.yaml', '--port', '0'], { cwd: dir, env: { DB_URL: `postgres://nara:s3cret-pw@127.0.0.1:${port}/nara` } });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain(`127.0.0.1:${port}`);
    expect(output).not.toContain('s3cret-pw');
  });

  it('refuses to start when Redis is down', async () => {
    const dir = makeTempDir();
    const port = await closedPort();
    writeFileSync(join(dir, 'nara.yaml'), `redis: { url: "redis://:pw-in-url@127.0.0.1:${port}" }\n${backends()}`);
    const result = await runNara(['serve', '--config', 'nara.yaml', '--port', '0'], { cwd: dir });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain(`127.0.0.1:${port}`);
    expect(output).not.toContain('pw-in-url');
  });

  it('says which variable is missing when database.url names an unset one, instead of quietly using files', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'nara.yaml'), `database: { url: { env: NARA_TEST_UNSET_DB } }\n${backends()}`);
    const result = await runNara(['serve', '--config', 'nara.yaml', '--port', '0'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NARA_TEST_UNSET_DB');
  });
});

describe('Redis going away under load', () => {
  let redis: TcpProxy;
  let closed: Harness;
  let open: Harness;

  beforeAll(async () => {
    redis = await startTcpProxy(6379);
    const tenants = `
tenants:
  - id: limited
    jurisdictions: [KR]
    limits: { requestsPerMinute: 1000, tokensPerDay: 1000000 }
  - id: unlimited
    jurisdictions: [KR]
`;
    closed = await startHarness(`redis: { url: "redis://127.0.0.1:${redis.port}", keyPrefix: "${redisPrefix}c:" }\n${backends()}${tenants}`);
    open = await startHarness(`redis: { url: "redis://127.0.0.1:${redis.port}", keyPrefix: "${redisPrefix}o:" }\nlimits: { failOpen: [requestsPerMinute, budgets] }\n${backends()}${tenants}`);
  });

  afterAll(async () => {
    redis.resume();
    await closed.close();
    await open.close();
    await redis.close();
  });

  it('fails closed with 503 limits_unavailable, lets unlimited tenants through, and recovers', async () => {
    const limitedKey = await closed.createKey('limited');
    const freeKey = await closed.createKey('unlimited');
    expect((await closed.post('/v1/chat/completions', chat, limitedKey)).status).toBe(200);
    redis.pause();
    const refused = await closed.post('/v1/chat/completions', chat, limitedKey);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const error = await errorOf(refused);
    expect(error.code).toBe('limits_unavailable');
    expect(error.message).toContain('requestsPerMinute');
    // No limits to check, nothing to fail: a tenant without limits never touches Redis.
    expect((await closed.post('/v1/chat/completions', chat, freeKey)).status).toBe(200);
    redis.resume();
    await expect.poll(async () => (await closed.post('/v1/chat/completions', chat, limitedKey)).status, { timeout: 5_000, interval: 100 }).toBe(200);
  });

  it('lets requests through when every limit of the tenant is listed in limits.failOpen', async () => {
    const key = await open.createKey('limited');
    expect((await open.post('/v1/chat/completions', chat, key)).status).toBe(200);
    redis.pause();
    try {
      expect((await open.post('/v1/chat/completions', chat, key)).status).toBe(200);
    } finally {
      redis.resume();
    }
  });
});

describe('PostgreSQL going away under load', () => {
  let postgres: TcpProxy;
  let harness: Harness;
  const adminToken = `admin-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    postgres = await startTcpProxy(5432);
    harness = await startHarness(
      `database: { url: "postgres://postgres@127.0.0.1:${postgres.port}/${database.name}" }\nmetering: { flushIntervalMs: 100 }\n${backends()}tenants:\n  - id: moi\n    jurisdictions: [KR]\n`,
      { adminToken },
    );
  });

  afterAll(async () => {
    postgres.resume();
    await harness?.close();
    await postgres.close();
  });

  it('keeps serving with the keys it has, answers the admin API with store_unavailable, and writes the usage once the database is back', async () => {
    const key = await harness.createKey('moi');
    await harness.nara.flushUsage();
    const before = (await harness.nara.ledger.query({ tenantId: 'moi', groupBy: [] }))[0]?.requests ?? 0;
    postgres.pause();
    for (let index = 0; index < 5; index += 1) expect((await harness.post('/v1/chat/completions', chat, key)).status).toBe(200);
    const admin = await fetch(`${harness.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(admin.status).toBe(503);
    expect((await errorOf(admin)).code).toBe('store_unavailable');
    await expect(harness.nara.flushUsage()).rejects.toThrow();
    postgres.resume();
    await expect
      .poll(async () => {
        await harness.nara.flushUsage().catch(() => undefined);
        return (await harness.nara.ledger.query({ tenantId: 'moi', groupBy: [] }).catch(() => []))[0]?.requests ?? 0;
      }, { timeout: 10_000, interval: 200 })
      .toBe(before + 5);
  });
});

describe('graceful shutdown while the database is down', () => {
  it('spools pending usage to the data directory and writes it to the ledger at the next start', async () => {
    const postgres = await startTcpProxy(5432);
    const yaml = (port: number) => `database: { url: "postgres://postgres@127.0.0.1:${port}/${database.name}" }\nmetering: { flushIntervalMs: 60000 }\n${backends()}tenants:\n  - id: spool\n    jurisdictions: [KR]\n`;
    const dataDir = makeTempDir('nara-spool-');
    const first = await startHarness(yaml(postgres.port), { dataDir });
    const key = await first.createKey('spool');
    for (let index = 0; index < 3; index += 1) expect((await first.post('/v1/chat/completions', chat, key)).status).toBe(200);
    postgres.pause();
    await first.close({ keepDataDir: true });
    postgres.resume();
    const second = await startHarness(yaml(5432), { dataDir });
    try {
      const rows = await second.nara.ledger.query({ tenantId: 'spool', groupBy: [] });
      expect(rows[0]?.requests).toBe(3);
      expect(second.logs.some((line) => String(line.msg).includes('spooled'))).toBe(true);
    } finally {
      await second.close();
      await postgres.close();
    }
  });
});

describe('a key revoked while its requests are in flight', () => {
  it('lets the running stream finish (and meters it) but refuses the next request', async () => {
    const harness = await startHarness(`${backends()}tenants:\n  - id: moi\n    jurisdictions: [KR]\n`);
    try {
      const key = await harness.createKey('moi');
      const streaming = harness.post('/v1/chat/completions', { model: 'slow', stream: true, messages: [{ role: 'user', content: 'hi' }] }, key);
      const response = await streaming;
      expect(response.status).toBe(200);
      await harness.revokeKey(key);
      const text = await response.text();
      expect(text).toContain('[DONE]');
      const refused = await harness.post('/v1/chat/completions', chat, key);
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).code).toBe('api_key_revoked');
      await harness.nara.flushUsage();
      const rows = await harness.nara.ledger.query({ tenantId: 'moi', groupBy: [] });
      expect(rows[0]?.completionTokens).toBe(20);
    } finally {
      await harness.close();
    }
  });
});

/**
 * PostgreSQL schema migrations and start-up/outage behaviour, against a real server
 * (NARA_TEST_POSTGRES_URL, default the local test database), each test in its own schema.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Pool } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../src/spec/directory.js';
import { runMigrations } from '../src/store/postgres/migrate.js';
import { migrations } from '../src/store/postgres/migrations.js';
import { openPostgres } from '../src/store/postgres/open-postgres.js';

const postgresUrl = process.env.NARA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh schema and a pool whose connections use it; both dropped after the test. */
async function freshSchemaPool(): Promise<{ schema: string; pool: () => Pool }> {
  const schema = `nara_test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: postgresUrl, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pools: Pool[] = [];
  cleanups.push(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });
  return {
    schema,
    pool: () => {
      const pool = new Pool({ connectionString: postgresUrl, options: `-c search_path=${schema}`, max: 2 });
      pools.push(pool);
      return pool;
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A TCP proxy to PostgreSQL that the test can cut, to play a database outage. */
async function cuttableProxy(): Promise<{ url: string; cut: () => Promise<void> }> {
  const target = new URL(postgresUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = new URL(postgresUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  const cut = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: url.toString(), cut };
}

describe('PostgreSQL migrations', () => {
  it('applies every migration to a fresh schema and records it; a second run applies none', async () => {
    const { pool } = await freshSchemaPool();
    const db = pool();
    expect(await runMigrations(db)).toEqual(migrations.map((migration) => migration.id));
    const recorded = await db.query<{ id: number; name: string; applied_at: Date }>('SELECT id, name, applied_at FROM nara_schema_migrations ORDER BY id');
    expect(recorded.rows.map((row) => [row.id, row.name])).toEqual(migrations.map((migration) => [migration.id, migration.name]));
    expect(recorded.rows.every((row) => row.applied_at instanceof Date)).toBe(true);
    const tables = await db.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name');
    expect(tables.rows.map((row) => row.table_name)).toEqual(['nara_api_keys', 'nara_directory_version', 'nara_schema_migrations', 'nara_tenants', 'nara_usage']);
    expect(await runMigrations(db)).toEqual([]);
  });

  it('applies each migration once when two replicas start at the same time', async () => {
    const { pool } = await freshSchemaPool();
    const [first, second] = await Promise.all([runMigrations(pool()), runMigrations(pool())]);
    expect([...(first ?? []), ...(second ?? [])].sort((a, b) => a - b)).toEqual(migrations.map((migration) => migration.id));
    expect([first, second].some((ids) => ids?.length === 0)).toBe(true);
    const count = await pool().query<{ n: string }>('SELECT count(*) AS n FROM nara_schema_migrations');
    expect(Number(count.rows[0]?.n)).toBe(migrations.length);
  });

  it('rolls back a failed migration entirely', async () => {
    const { pool } = await freshSchemaPool();
    const db = pool();
    const broken = [...migrations, { id: 99, name: 'broken', sql: 'CREATE TABLE nara_half (id int); SELECT no_such_function();' }];
    await expect(runMigrations(db, broken)).rejects.toThrow(/no_such_function/);
    const tables = await db.query('SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()');
    expect(tables.rowCount).toBe(0);
    expect(await runMigrations(db)).toEqual(migrations.map((migration) => migration.id));
  });
});

describe('openPostgres', () => {
  it('creates its schema and migrates it', async () => {
    const schema = `nara_test_${randomBytes(6).toString('hex')}`;
    const stores = await openPostgres(postgresUrl, { schema, max: 2 });
    cleanups.push(async () => {
      await stores.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await stores.close();
    });
    const current = await stores.pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    expect(current.rows[0]?.schema).toBe(schema);
    expect((await stores.directory.load()).tenants).toEqual([]);
    // Opening again (a second replica) finds nothing to do.
    const again = await openPostgres(postgresUrl, { schema, max: 1 });
    await again.close();
  });

  it('fails fast with StoreUnavailableError when PostgreSQL is down, naming it without the password', async () => {
    const port = await closedPort();
    const password = 'hunter2-very-secret';
    const started = Date.now();
    const error = await openPostgres(`postgres://nara:${password}@127.0.0.1:${port}/nara`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}/nara`);
    expect(message).not.toContain(password);
    expect(message).not.toContain('nara:');
  });

  it('turns a lost connection into StoreUnavailableError and lets other errors through', async () => {
    const proxy = await cuttableProxy();
    const schema = `nara_test_${randomBytes(6).toString('hex')}`;
    const stores = await openPostgres(proxy.url, { schema, max: 2 });
    cleanups.push(async () => {
      await stores.close();
      const admin = new Pool({ connectionString: postgresUrl, max: 1 });
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    });
    await stores.ledger.append([]);
    const bad = {
      requestId: 'r1',
      at: '2026-11-22T00:00:00Z',
      day: '2026-11-22',
      tenantId: 'acme',
      keyId: 'k',
      model: 'm',
      backendId: null,
      jurisdiction: null,
      operation: 'chat' as const,
      stream: false,
      status: 200,
      errorCode: null,
      promptTokens: 1.5,
      completionTokens: 0,
      cachedTokens: 0,
      estimated: false,
      costMicros: 0,
      currency: 'KRW',
      latencyMs: 1,
      attempts: 1,
    };
    const queryError = await stores.ledger.append([bad]).catch((caught: unknown) => caught);
    expect(queryError).toBeInstanceOf(Error);
    expect(queryError).not.toBeInstanceOf(StoreUnavailableError);

    await proxy.cut();
    await expect(stores.directory.version()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.directory.createTenant({ id: 'acme', jurisdictions: ['KR'], limits: {} }, new Date())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.ledger.query({ groupBy: [] })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

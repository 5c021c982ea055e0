/**
 * A PostgreSQL database of its own for one test file, on the local server (127.0.0.1:5432, user
 * postgres, trust auth), dropped afterwards even if connections are still open.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  return { name, url: `postgres://postgres@127.0.0.1:5432/${name}`, drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Opens the PostgreSQL directory and ledger on one pool: checks the database answers (failing fast
 * with StoreUnavailableError, naming host:port/db but never the password), then applies migrations.
 */
import { Pool } from 'pg';
import { StoreUnavailableError } from '../../spec/directory.js';
import { runMigrations } from './migrate.js';
import { describeTarget, storeError, unavailable } from './pg-errors.js';
import { PgDatabase } from './pg-database.js';
import { PostgresDirectoryStore } from './postgres-directory-store.js';
import { PostgresUsageLedger } from './postgres-usage-ledger.js';

export interface PostgresOptions {
  /** Schema for Nara's tables (created if missing); tests use one each to stay apart. */
  readonly schema?: string | undefined;
  /** Most connections in the pool. */
  readonly max?: number | undefined;
}

export interface PostgresStores {
  readonly directory: PostgresDirectoryStore;
  readonly ledger: PostgresUsageLedger;
  readonly pool: Pool;
  close(): Promise<void>;
}

const connectTimeoutMs = 3_000;
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresStores> {
  const target = describeTarget(url);
  const schema = options.schema;
  if (schema !== undefined && !schemaPattern.test(schema)) {
    throw new RangeError(`schema must be lower-case letters, digits and _ (got ${JSON.stringify(schema)})`);
  }
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    // Every connection resolves Nara's unqualified table names in its schema.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client whose server goes away emits 'error' on the pool; unhandled, it would end the
  // process. The pool drops that client, and the next query reports the outage.
  pool.on('error', () => undefined);
  try {
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw unavailable(target, error);
    }
    if (schema !== undefined) await createSchema(pool, schema);
    await runMigrations(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error instanceof StoreUnavailableError ? error : storeError(target, error);
  }
  const db = new PgDatabase(pool, target);
  let closed: Promise<void> | undefined;
  return {
    directory: new PostgresDirectoryStore(db),
    ledger: new PostgresUsageLedger(db),
    pool,
    close: () => (closed ??= pool.end()),
  };
}

async function createSchema(pool: Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two replicas creating it at the same instant: one of them gets a duplicate error, harmlessly.
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/**
 * Applies the missing migrations in one transaction under a transaction-scoped advisory lock, so
 * that replicas starting together queue behind each other and each migration runs exactly once;
 * the lock is released by COMMIT or ROLLBACK, even if the process dies.
 */
import type { Pool } from 'pg';
import { migrations as allMigrations, type Migration } from './migrations.js';

/** Arbitrary, fixed: "nara" in ASCII. Shared by every schema of a database, which only serialises them. */
export const migrationLockKey = 0x6e617261;

/** Returns the ids applied by this call, in order (empty when the schema was up to date). */
export async function runMigrations(pool: Pool, migrations: readonly Migration[] = allMigrations): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      await client.query(`CREATE TABLE IF NOT EXISTS nara_schema_migrations (
        id integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ id: number }>('SELECT id FROM nara_schema_migrations');
      const applied = new Set(done.rows.map((row) => row.id));
      const ran: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
        if (applied.has(migration.id)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO nara_schema_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
        ran.push(migration.id);
      }
      await client.query('COMMIT');
      return ran;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

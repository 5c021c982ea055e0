/**
 * The directory in PostgreSQL. Every write runs in one transaction that also bumps
 * nara_directory_version, so `version()` is one single-row read that servers can poll often, and a
 * change is either entirely visible with its new version or not at all.
 */
import type { PoolClient } from 'pg';
import {
  DirectoryConflictError,
  type ApiKeyRecord,
  type DirectorySnapshot,
  type DirectoryStore,
  type TenantRecord,
  type TenantWrite,
} from '../../spec/directory.js';
import type { LimitSet } from '../../spec/limits.js';
import type { PgDatabase } from './pg-database.js';

interface TenantRow {
  readonly id: string;
  readonly record: TenantWrite;
  readonly created_at: Date;
  readonly updated_at: Date;
}

interface KeyRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly hash: string;
  readonly hint: string;
  readonly name: string | null;
  readonly created_at: Date;
  readonly revoked_at: Date | null;
  readonly expires_at: Date | null;
  readonly limits: LimitSet | null;
  readonly models: string[] | null;
  readonly rotated_from: string | null;
}

const keyColumns = 'id, tenant_id, hash, hint, name, created_at, revoked_at, expires_at, limits, models, rotated_from';
const bumpVersion = 'UPDATE nara_directory_version SET version = version + 1';
/** Brings a revocation forward, never back: a key due to be revoked later is revoked at $2 instead. */
const revokeSooner = 'CASE WHEN revoked_at IS NULL OR revoked_at > $2 THEN $2::timestamptz ELSE revoked_at END';

function toTenant(row: TenantRow): TenantRecord {
  return { ...row.record, id: row.id, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

function toKey(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    ...(row.name === null ? {} : { name: row.name }),
    hash: row.hash,
    hint: row.hint,
    createdAt: row.created_at.toISOString(),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at.toISOString() }),
    ...(row.limits === null ? {} : { limits: row.limits }),
    ...(row.models === null ? {} : { models: row.models }),
    ...(row.rotated_from === null ? {} : { rotatedFrom: row.rotated_from }),
  };
}

/** jsonb parameters go in as text: pg would turn a JS array into a PostgreSQL array. */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Inserts a key unless its id or hash exists; true when inserted. */
async function insertKey(client: PoolClient, key: ApiKeyRecord): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO nara_api_keys (${keyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11) ON CONFLICT DO NOTHING`,
    [
      key.id,
      key.tenantId,
      key.hash,
      key.hint,
      key.name ?? null,
      key.createdAt,
      key.revokedAt ?? null,
      key.expiresAt ?? null,
      json(key.limits),
      json(key.models),
      key.rotatedFrom ?? null,
    ],
  );
  return result.rowCount === 1;
}

function keyConflict(key: ApiKeyRecord): DirectoryConflictError {
  return new DirectoryConflictError(`key "${key.id}" or a key with the same hash already exists`);
}

export class PostgresDirectoryStore implements DirectoryStore {
  constructor(private readonly db: PgDatabase) {}

  load(): Promise<DirectorySnapshot> {
    // One snapshot: tenants, keys and version agree even while another replica writes.
    return this.db.transaction(async (client) => {
      const version = await client.query<{ v: string }>(`SELECT epoch || ':' || version AS v FROM nara_directory_version`);
      const tenants = await client.query<TenantRow>('SELECT id, record, created_at, updated_at FROM nara_tenants ORDER BY id');
      const keys = await client.query<KeyRow>(`SELECT ${keyColumns} FROM nara_api_keys ORDER BY created_at, id`);
      return { tenants: tenants.rows.map(toTenant), keys: keys.rows.map(toKey), version: version.rows[0]?.v ?? '' };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async version(): Promise<string> {
    const result = await this.db.query<{ v: string }>(`SELECT epoch || ':' || version AS v FROM nara_directory_version`);
    return result.rows[0]?.v ?? '';
  }

  createTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord> {
    return this.db.transaction(async (client) => {
      const result = await client.query<TenantRow>(
        `INSERT INTO nara_tenants (id, record, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $3)
         ON CONFLICT (id) DO NOTHING RETURNING id, record, created_at, updated_at`,
        [tenant.id, json(tenant), at.toISOString()],
      );
      const row = result.rows[0];
      if (row === undefined) throw new DirectoryConflictError(`tenant "${tenant.id}" already exists`);
      await client.query(bumpVersion);
      return toTenant(row);
    });
  }

  updateTenant(tenant: TenantWrite, at: Date): Promise<TenantRecord | undefined> {
    return this.db.transaction(async (client) => {
      const result = await client.query<TenantRow>(
        'UPDATE nara_tenants SET record = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING id, record, created_at, updated_at',
        [tenant.id, json(tenant), at.toISOString()],
      );
      const row = result.rows[0];
      if (row === undefined) return undefined;
      await client.query(bumpVersion);
      return toTenant(row);
    });
  }

  deleteTenant(id: string, at: Date): Promise<boolean> {
    return this.db.transaction(async (client) => {
      const deleted = await client.query('DELETE FROM nara_tenants WHERE id = $1', [id]);
      if (deleted.rowCount !== 1) return false;
      await client.query(`UPDATE nara_api_keys SET revoked_at = ${revokeSooner} WHERE tenant_id = $1`, [id, at.toISOString()]);
      await client.query(bumpVersion);
      return true;
    });
  }

  addKey(key: ApiKeyRecord): Promise<void> {
    return this.db.transaction(async (client) => {
      if (!(await insertKey(client, key))) throw keyConflict(key);
      await client.query(bumpVersion);
    });
  }

  revokeKey(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    return this.db.transaction(async (client) => {
      const changed = await client.query<KeyRow>(
        `UPDATE nara_api_keys SET revoked_at = $2 WHERE id = $1 AND (revoked_at IS NULL OR revoked_at > $2) RETURNING ${keyColumns}`,
        [id, at.toISOString()],
      );
      const row = changed.rows[0];
      if (row !== undefined) {
        await client.query(bumpVersion);
        return toKey(row);
      }
      // Unknown, or already revoked at or before `at`: nothing changes.
      const existing = await client.query<KeyRow>(`SELECT ${keyColumns} FROM nara_api_keys WHERE id = $1`, [id]);
      return existing.rows[0] === undefined ? undefined : toKey(existing.rows[0]);
    });
  }

  rotateKey(oldId: string, replacement: ApiKeyRecord, revokeAt: Date): Promise<ApiKeyRecord | undefined> {
    return this.db.transaction(async (client) => {
      const revoked = await client.query<KeyRow>(`UPDATE nara_api_keys SET revoked_at = ${revokeSooner} WHERE id = $1 RETURNING ${keyColumns}`, [
        oldId,
        revokeAt.toISOString(),
      ]);
      const row = revoked.rows[0];
      if (row === undefined) return undefined;
      if (!(await insertKey(client, replacement))) throw keyConflict(replacement);
      await client.query(bumpVersion);
      return toKey(row);
    });
  }

  async close(): Promise<void> {
    // The pool belongs to openPostgres, which closes it.
  }
}

/**
 * The usage ledger in PostgreSQL: batches go in as multi-row INSERTs that skip request ids already
 * stored, and queries are GROUP BYs on the indexed (tenant, day) and (key, day) columns.
 */
import type { ActualUsage, ScopeKind } from '../../spec/limits.js';
import type { UsageDimension, UsageLedger, UsageQuery, UsageRecord, UsageRow } from '../../spec/usage.js';
import { assertRecordDay, dateBound, errorRecordSql } from '../usage-days.js';
import type { PgDatabase } from './pg-database.js';

/** Rows per INSERT; the whole chunk travels as one JSON parameter. */
const rowsPerInsert = 5000;

/**
 * The records as one JSON array, unpacked by PostgreSQL (json_to_recordset): one parameter per
 * batch instead of twenty per row, which costs both the client and the server far less to encode
 * and parse than thousands of placeholders.
 */
const recordsetColumns = `"requestId" text, "at" timestamptz, "day" date, "tenantId" text, "keyId" text, "model" text, "backendId" text,
  "jurisdiction" text, "operation" text, "stream" boolean, "status" integer, "errorCode" text, "promptTokens" bigint,
  "completionTokens" bigint, "cachedTokens" bigint, "estimated" boolean, "costMicros" bigint, "currency" text,
  "latencyMs" double precision, "attempts" integer`;
const selectedColumns = `"requestId", "at", "day", "tenantId", "keyId", "model", "backendId", "jurisdiction", "operation", "stream", "status",
  "errorCode", "promptTokens", "completionTokens", "cachedTokens", "estimated", "costMicros", "currency", "latencyMs", "attempts"`;

const columns = [
  'request_id',
  'at',
  'day',
  'tenant_id',
  'key_id',
  'model',
  'backend_id',
  'jurisdiction',
  'operation',
  'stream',
  'status',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'estimated',
  'cost_micros',
  'currency',
  'latency_ms',
  'attempts',
] as const;

/** SQL for each dimension; days as text, since pg would turn a date into a local-time JS Date. */
const dimensionSql: Record<UsageDimension, string> = {
  tenant: 'tenant_id',
  key: 'key_id',
  model: 'model',
  backend: "coalesce(backend_id, '')",
  day: 'day::text',
};

/** Sums come back from PostgreSQL as numeric text; these values fit a JS number exactly. */
interface SumRow {
  readonly currency: string;
  readonly requests: string;
  readonly errors: string;
  readonly prompt_tokens: string;
  readonly completion_tokens: string;
  readonly cached_tokens: string;
  readonly cost_micros: string;
  readonly [dimension: `d${number}`]: string;
}

export class PostgresUsageLedger implements UsageLedger {
  constructor(private readonly db: PgDatabase) {}

  async append(records: readonly UsageRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += rowsPerInsert) {
      const chunk = records.slice(start, start + rowsPerInsert);
      for (const record of chunk) assertRecordDay(record);
      await this.db.query(
        `INSERT INTO nara_usage (${columns.join(', ')}) SELECT ${selectedColumns} FROM json_to_recordset($1::json) AS r(${recordsetColumns}) ON CONFLICT (request_id) DO NOTHING`,
        [JSON.stringify(chunk)],
      );
    }
  }

  async query(query: UsageQuery): Promise<UsageRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (condition: (placeholder: string) => string, value: unknown): void => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.tenantId !== undefined) add((p) => `tenant_id = ${p}`, query.tenantId);
    if (query.keyId !== undefined) add((p) => `key_id = ${p}`, query.keyId);
    if (query.model !== undefined) add((p) => `model = ${p}`, query.model);
    if (query.backendId === '') where.push('backend_id IS NULL');
    else if (query.backendId !== undefined) add((p) => `backend_id = ${p}`, query.backendId);
    if (query.from !== undefined) add((p) => `day >= ${p}::date`, dateBound(query.from, 'from'));
    if (query.to !== undefined) add((p) => `day <= ${p}::date`, dateBound(query.to, 'to'));

    const groups = [...query.groupBy.map((dimension) => dimensionSql[dimension]), 'currency'];
    const selected = query.groupBy.map((dimension, index) => `${dimensionSql[dimension]} AS d${index}`);
    // COLLATE "C" sorts by code point, as the embedded ledger does, whatever the database's locale.
    const order = groups.map((expression) => `${expression} COLLATE "C"`);
    const sql = `SELECT ${[...selected, 'currency'].join(', ')},
        count(*) AS requests,
        count(*) FILTER (WHERE ${errorRecordSql}) AS errors,
        sum(prompt_tokens) AS prompt_tokens,
        sum(completion_tokens) AS completion_tokens,
        sum(cached_tokens) AS cached_tokens,
        sum(cost_micros) AS cost_micros
      FROM nara_usage
      ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
      GROUP BY ${groups.join(', ')}
      ORDER BY ${order.join(', ')}`;
    const result = await this.db.query<SumRow>(sql, params);
    return result.rows.map((row) => {
      const out: { -readonly [K in keyof UsageRow]: UsageRow[K] } = {
        requests: Number(row.requests),
        errors: Number(row.errors),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
        cachedTokens: Number(row.cached_tokens),
        costMicros: Number(row.cost_micros),
        currency: row.currency,
      };
      query.groupBy.forEach((dimension, index) => {
        out[dimension] = row[`d${index}`];
      });
      return out;
    });
  }

  async spent(scope: ScopeKind, id: string, from: string, to: string, currency?: string): Promise<ActualUsage> {
    const column = scope === 'tenant' ? 'tenant_id' : 'key_id';
    const result = await this.db.query<{ tokens: string; cost_micros: string }>(
      `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens,
              coalesce(sum(cost_micros) FILTER (WHERE $4::text IS NULL OR currency = $4), 0) AS cost_micros
         FROM nara_usage WHERE ${column} = $1 AND day >= $2::date AND day <= $3::date`,
      [id, dateBound(from, 'from'), dateBound(to, 'to'), currency ?? null],
    );
    const row = result.rows[0];
    return { tokens: Number(row?.tokens ?? 0), costMicros: Number(row?.cost_micros ?? 0) };
  }

  async close(): Promise<void> {
    // The pool belongs to openPostgres, which closes it.
  }
}

/**
 * One suite for both directory stores and both usage ledgers (embedded files and PostgreSQL), so
 * that a deployment behaves the same whichever it uses. PostgreSQL runs in a fresh random schema per
 * test, dropped afterwards (NARA_TEST_POSTGRES_URL overrides the database).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryConflictError, type ApiKeyRecord, type DirectoryStore, type TenantWrite } from '../src/spec/directory.js';
import type { UsageDimension, UsageLedger, UsageRecord, UsageRow } from '../src/spec/usage.js';
import { FileDirectoryStore } from '../src/store/file/file-directory-store.js';
import { FileUsageLedger } from '../src/store/file/file-usage-ledger.js';
import { openPostgres } from '../src/store/postgres/open-postgres.js';
import { PgDatabase } from '../src/store/postgres/pg-database.js';
import { describeTarget } from '../src/store/postgres/pg-errors.js';
import { PostgresUsageLedger } from '../src/store/postgres/postgres-usage-ledger.js';

const postgresUrl = process.env.NARA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Subject {
  readonly directory: DirectoryStore;
  readonly ledger: UsageLedger;
  close(): Promise<void>;
}

async function openFiles(): Promise<Subject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nara-store-'));
  const directory = new FileDirectoryStore(dataDir);
  const ledger = new FileUsageLedger(dataDir);
  return {
    directory,
    ledger,
    async close() {
      await Promise.all([directory.close(), ledger.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openDatabase(): Promise<Subject> {
  const schema = `nara_test_${randomBytes(6).toString('hex')}`;
  const stores = await openPostgres(postgresUrl, { schema, max: 5 });
  return {
    directory: stores.directory,
    ledger: stores.ledger,
    async close() {
      await stores.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await stores.close();
    },
  };
}

const implementations: [string, () => Promise<Subject>][] = [
  ['embedded files', openFiles],
  ['postgresql', openDatabase],
];

const t0 = new Date('2026-11-22T10:00:00.000Z');
const later = (ms: number): Date => new Date(t0.getTime() + ms);

function tenant(id: string, extra: Partial<TenantWrite> = {}): TenantWrite {
  return { id, displayName: `Tenant ${id}`, jurisdictions: ['KR'], homeJurisdiction: 'KR', limits: { requestsPerMinute: 60 }, ...extra };
}

let keyCounter = 0;
function key(tenantId: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  keyCounter += 1;
  return {
    id: `key_${keyCounter.toString().padStart(4, '0')}_${randomBytes(3).toString('hex')}`,
    tenantId,
    hash: randomBytes(32).toString('hex'),
    hint: 'nara-abcd…',
    createdAt: t0.toISOString(),
    ...extra,
  };
}

let requestCounter = 0;
function usage(extra: Partial<UsageRecord> = {}): UsageRecord {
  requestCounter += 1;
  const day = extra.day ?? '2026-11-22';
  return {
    requestId: `req_${requestCounter}_${randomBytes(4).toString('hex')}`,
    at: `${day}T12:00:00.000Z`,
    day,
    tenantId: 'acme',
    keyId: 'key_a',
    model: 'qwen3-8b',
    backendId: 'seoul-vllm',
    jurisdiction: 'KR',
    operation: 'chat',
    stream: false,
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 20,
    cachedTokens: 0,
    estimated: false,
    costMicros: 1_500,
    currency: 'KRW',
    latencyMs: 123.5,
    attempts: 1,
    ...extra,
  };
}

type MutableRow = { -readonly [K in keyof UsageRow]: UsageRow[K] };

/** The expected answer, worked out the simplest way: the spec of UsageLedger.query. */
function expectedRows(records: readonly UsageRecord[], groupBy: readonly UsageDimension[]): UsageRow[] {
  const value = (record: UsageRecord, dimension: UsageDimension): string =>
    ({ tenant: record.tenantId, key: record.keyId, model: record.model, backend: record.backendId ?? '', day: record.day })[dimension];
  const groups = new Map<string, { sortKey: string[]; row: MutableRow }>();
  for (const record of records) {
    const sortKey = [...groupBy.map((dimension) => value(record, dimension)), record.currency];
    const id = sortKey.join('\u0000');
    let group = groups.get(id);
    if (group === undefined) {
      const row: MutableRow = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costMicros: 0, currency: record.currency };
      for (const dimension of groupBy) row[dimension] = value(record, dimension);
      group = { sortKey, row };
      groups.set(id, group);
    }
    group.row.requests += 1;
    if (record.errorCode !== null || record.status >= 400) group.row.errors += 1;
    group.row.promptTokens += record.promptTokens;
    group.row.completionTokens += record.completionTokens;
    group.row.cachedTokens += record.cachedTokens;
    group.row.costMicros += record.costMicros;
  }
  const compare = (a: string[], b: string[]): number => {
    for (let index = 0; index < a.length; index += 1) {
      const left = a[index] ?? '';
      const right = b[index] ?? '';
      if (left !== right) return left < right ? -1 : 1;
    }
    return 0;
  };
  return [...groups.values()].sort((a, b) => compare(a.sortKey, b.sortKey)).map((group) => group.row);
}

/** A mixed month: tenants, keys, models, back ends (and none), days, currencies, errors. */
function dataset(): UsageRecord[] {
  const records: UsageRecord[] = [];
  const tenants = ['acme', 'globex', 'Zeta'];
  const models = ['qwen3-8b', 'exaone-32b', 'llama-3-70b'];
  const backends = ['seoul-vllm', 'busan-tgi', null];
  const days = ['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-15', '2026-11-30', '2026-12-01'];
  let n = 0;
  for (const day of days) {
    for (const tenantId of tenants) {
      for (const model of models) {
        n += 1;
        const backendId = backends[n % backends.length] ?? null;
        records.push(
          usage({
            day,
            tenantId,
            keyId: `${tenantId}-key-${n % 2}`,
            model,
            backendId,
            jurisdiction: backendId === null ? null : 'KR',
            status: backendId === null ? 503 : n % 7 === 0 ? 499 : 200,
            errorCode: backendId === null ? 'no_healthy_backend' : n % 11 === 0 ? 'stream_interrupted' : null,
            promptTokens: 100 + n,
            completionTokens: backendId === null ? 0 : 3 * n,
            cachedTokens: n % 3,
            estimated: n % 5 === 0,
            costMicros: backendId === null ? 0 : 1_000 * n + 7,
            currency: n % 4 === 0 ? 'USD' : 'KRW',
          }),
        );
      }
    }
  }
  return records;
}

describe.each(implementations)('directory store: %s', (_name, open) => {
  let subject: Subject;
  let directory: DirectoryStore;
  beforeEach(async () => {
    subject = await open();
    directory = subject.directory;
  });
  afterEach(async () => {
    await subject.close();
  });

  it('starts empty', async () => {
    const snapshot = await directory.load();
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.keys).toEqual([]);
    expect(snapshot.version).toBe(await directory.version());
  });

  it('creates a tenant once; a second create with the same id conflicts', async () => {
    const created = await directory.createTenant(tenant('acme', { models: ['qwen3-8b'], budgetCurrency: 'KRW', contact: 'ops@acme.kr' }), t0);
    expect(created).toEqual({ ...tenant('acme', { models: ['qwen3-8b'], budgetCurrency: 'KRW', contact: 'ops@acme.kr' }), createdAt: t0.toISOString(), updatedAt: t0.toISOString() });
    await expect(directory.createTenant(tenant('acme', { displayName: 'Other' }), later(1))).rejects.toBeInstanceOf(DirectoryConflictError);
    const { tenants } = await directory.load();
    expect(tenants).toEqual([created]);
  });

  it('updates a tenant, keeping createdAt; an unknown tenant gives undefined', async () => {
    await directory.createTenant(tenant('acme'), t0);
    const updated = await directory.updateTenant({ id: 'acme', jurisdictions: ['KR', 'JP'], limits: { tokensPerDay: 1_000_000 } }, later(60_000));
    expect(updated).toEqual({ id: 'acme', jurisdictions: ['KR', 'JP'], limits: { tokensPerDay: 1_000_000 }, createdAt: t0.toISOString(), updatedAt: later(60_000).toISOString() });
    const { tenants } = await directory.load();
    // Fields left out of the update are gone, not merged.
    expect(tenants).toEqual([updated]);
    expect(tenants[0]?.displayName).toBeUndefined();
    expect(await directory.updateTenant(tenant('nobody'), later(1))).toBeUndefined();
  });

  it('deletes a tenant and revokes its keys in the same step', async () => {
    await directory.createTenant(tenant('acme'), t0);
    await directory.createTenant(tenant('globex'), t0);
    const live = key('acme');
    const revokedEarlier = key('acme', { revokedAt: later(-60_000).toISOString() });
    const dueLater = key('acme', { revokedAt: later(86_400_000).toISOString() });
    const other = key('globex');
    for (const record of [live, revokedEarlier, dueLater, other]) await directory.addKey(record);

    expect(await directory.deleteTenant('acme', later(1_000))).toBe(true);
    const { tenants, keys } = await directory.load();
    expect(tenants.map((record) => record.id)).toEqual(['globex']);
    const byId = new Map(keys.map((record) => [record.id, record]));
    expect(byId.get(live.id)?.revokedAt).toBe(later(1_000).toISOString());
    expect(byId.get(revokedEarlier.id)?.revokedAt).toBe(later(-60_000).toISOString());
    expect(byId.get(dueLater.id)?.revokedAt).toBe(later(1_000).toISOString());
    expect(byId.get(other.id)?.revokedAt).toBeUndefined();
    expect(await directory.deleteTenant('acme', later(2_000))).toBe(false);
  });

  it('adds keys with every optional field; a duplicate id or hash conflicts', async () => {
    const full = key('acme', {
      name: 'ci',
      expiresAt: later(3_600_000).toISOString(),
      limits: { requestsPerMinute: 10, costMicrosPerMonth: 5_000_000 },
      models: ['qwen3-8b'],
      rotatedFrom: 'key_old',
    });
    const bare = key('default');
    await directory.addKey(full);
    await directory.addKey(bare);
    await expect(directory.addKey({ ...key('acme'), id: full.id })).rejects.toBeInstanceOf(DirectoryConflictError);
    await expect(directory.addKey({ ...key('acme'), hash: full.hash })).rejects.toBeInstanceOf(DirectoryConflictError);
    const { keys } = await directory.load();
    expect(keys).toHaveLength(2);
    expect(keys.find((record) => record.id === full.id)).toEqual(full);
    expect(keys.find((record) => record.id === bare.id)).toEqual(bare);
  });

  it('revokes a key once: a later revoke keeps the first instant; unknown gives undefined', async () => {
    const record = key('acme');
    await directory.addKey(record);
    const revoked = await directory.revokeKey(record.id, later(1_000));
    expect(revoked).toEqual({ ...record, revokedAt: later(1_000).toISOString() });
    expect(await directory.revokeKey(record.id, later(5_000))).toEqual(revoked);
    expect(await directory.revokeKey('key_missing', later(1_000))).toBeUndefined();
    const { keys } = await directory.load();
    expect(keys).toEqual([revoked]);
  });

  it('rotates a key: the old one revoked at a future instant, the replacement added, atomically', async () => {
    const old = key('acme', { name: 'app' });
    await directory.addKey(old);
    const replacement = key('acme', { name: 'app', rotatedFrom: old.id, createdAt: later(1).toISOString() });
    const graceEnds = later(86_400_000);
    const rotated = await directory.rotateKey(old.id, replacement, graceEnds);
    expect(rotated).toEqual({ ...old, revokedAt: graceEnds.toISOString() });
    let { keys } = await directory.load();
    expect(keys.find((record) => record.id === old.id)?.revokedAt).toBe(graceEnds.toISOString());
    expect(keys.find((record) => record.id === replacement.id)).toEqual(replacement);

    // Revoking during the grace period brings the revocation forward.
    const now = later(60_000);
    expect(await directory.revokeKey(old.id, now)).toEqual({ ...old, revokedAt: now.toISOString() });

    // An unknown old key adds nothing; a replacement that clashes leaves the old key untouched.
    const version = await directory.version();
    expect(await directory.rotateKey('key_missing', key('acme'), graceEnds)).toBeUndefined();
    const clash = { ...key('acme'), hash: replacement.hash };
    await expect(directory.rotateKey(replacement.id, clash, graceEnds)).rejects.toBeInstanceOf(DirectoryConflictError);
    ({ keys } = await directory.load());
    expect(keys).toHaveLength(2);
    expect(keys.find((record) => record.id === replacement.id)?.revokedAt).toBeUndefined();
    expect(await directory.version()).toBe(version);
  });

  it('changes the version on every write and on nothing else', async () => {
    const seen = new Set<string>();
    const expectNew = async (): Promise<void> => {
      const version = await directory.version();
      expect(seen.has(version)).toBe(false);
      seen.add(version);
    };
    const expectSame = async (): Promise<void> => {
      expect(seen.has(await directory.version())).toBe(true);
    };
    await expectNew();
    await directory.load();
    await expectSame();
    await directory.createTenant(tenant('acme'), t0);
    await expectNew();
    await expect(directory.createTenant(tenant('acme'), t0)).rejects.toThrow();
    await expectSame();
    await directory.updateTenant(tenant('acme', { contact: 'x' }), later(1));
    await expectNew();
    await directory.updateTenant(tenant('nobody'), later(1));
    await expectSame();
    const record = key('acme');
    await directory.addKey(record);
    await expectNew();
    await directory.revokeKey(record.id, later(2));
    await expectNew();
    await directory.revokeKey(record.id, later(3));
    await expectSame();
    await directory.revokeKey('key_missing', later(3));
    await expectSame();
    const second = key('acme');
    await directory.addKey(second);
    await expectNew();
    await directory.rotateKey(second.id, key('acme'), later(10_000));
    await expectNew();
    await directory.deleteTenant('acme', later(4));
    await expectNew();
    await directory.deleteTenant('acme', later(5));
    await expectSame();
    expect((await directory.load()).version).toBe(await directory.version());
  });

  it('loses no key when many are added at once', async () => {
    const records = Array.from({ length: 20 }, () => key('acme'));
    await Promise.all(records.map((record) => directory.addKey(record)));
    const { keys } = await directory.load();
    expect(keys.map((record) => record.id).sort()).toEqual(records.map((record) => record.id).sort());
  });
});

describe.each(implementations)('usage ledger: %s', (_name, open) => {
  let subject: Subject;
  let ledger: UsageLedger;
  beforeEach(async () => {
    subject = await open();
    ledger = subject.ledger;
  });
  afterEach(async () => {
    await subject.close();
  });

  it('ignores a record whose requestId is already stored, in another batch or the same one', async () => {
    const first = usage();
    const second = usage();
    await ledger.append([first, second]);
    await ledger.append([first, { ...second, promptTokens: 999 }]);
    await ledger.append([usage({ requestId: 'dup' }), usage({ requestId: 'dup', promptTokens: 999 })]);
    await ledger.append([]);
    const rows = await ledger.query({ groupBy: [] });
    expect(rows).toEqual([{ requests: 3, errors: 0, promptTokens: 30, completionTokens: 60, cachedTokens: 0, costMicros: 4_500, currency: 'KRW' }]);
  });

  it('answers nothing when nothing is stored', async () => {
    expect(await ledger.query({ groupBy: [] })).toEqual([]);
    expect(await ledger.query({ groupBy: ['tenant', 'day'], from: '2026-11-01', to: '2026-11-30' })).toEqual([]);
    expect(await ledger.spent('tenant', 'acme', '2026-11-01', '2026-11-30')).toEqual({ tokens: 0, costMicros: 0 });
  });

  const groupings: UsageDimension[][] = [
    [],
    ['tenant'],
    ['key'],
    ['model'],
    ['backend'],
    ['day'],
    ['tenant', 'day'],
    ['day', 'tenant'],
    ['tenant', 'key'],
    ['tenant', 'model', 'backend'],
    ['backend', 'model'],
    ['tenant', 'key', 'model', 'backend', 'day'],
  ];

  it('groups by each dimension and by combinations, sorted, with exact totals', async () => {
    const records = dataset();
    await ledger.append(records);
    for (const groupBy of groupings) {
      expect(await ledger.query({ groupBy }), `groupBy ${groupBy.join(',')}`).toEqual(expectedRows(records, groupBy));
    }
    // Totals are the sums of what was appended, one row per currency.
    const totals = await ledger.query({ groupBy: [] });
    for (const currency of ['KRW', 'USD']) {
      const mine = records.filter((record) => record.currency === currency);
      expect(totals.find((row) => row.currency === currency)).toMatchObject({
        requests: mine.length,
        promptTokens: mine.reduce((sum, record) => sum + record.promptTokens, 0),
        completionTokens: mine.reduce((sum, record) => sum + record.completionTokens, 0),
        costMicros: mine.reduce((sum, record) => sum + record.costMicros, 0),
      });
    }
  });

  it('filters by tenant, key, model and back end ("" for none), with inclusive day bounds', async () => {
    const records = dataset();
    await ledger.append(records);
    const cases: { query: Parameters<UsageLedger['query']>[0]; keep: (record: UsageRecord) => boolean }[] = [
      { query: { groupBy: ['day'], tenantId: 'acme' }, keep: (record) => record.tenantId === 'acme' },
      { query: { groupBy: ['model'], keyId: 'globex-key-1' }, keep: (record) => record.keyId === 'globex-key-1' },
      { query: { groupBy: ['tenant'], model: 'exaone-32b' }, keep: (record) => record.model === 'exaone-32b' },
      { query: { groupBy: ['tenant'], backendId: 'busan-tgi' }, keep: (record) => record.backendId === 'busan-tgi' },
      { query: { groupBy: ['tenant', 'backend'], backendId: '' }, keep: (record) => record.backendId === null },
      { query: { groupBy: ['day'], from: '2026-11-01', to: '2026-11-30' }, keep: (record) => record.day >= '2026-11-01' && record.day <= '2026-11-30' },
      { query: { groupBy: ['day'], from: '2026-11-02' }, keep: (record) => record.day >= '2026-11-02' },
      { query: { groupBy: ['day'], to: '2026-11-01' }, keep: (record) => record.day <= '2026-11-01' },
      { query: { groupBy: ['day'], from: '2026-11-15', to: '2026-11-15' }, keep: (record) => record.day === '2026-11-15' },
      // A month's end named as the 31st, as budget baselines do.
      { query: { groupBy: ['day'], from: '2026-11-01', to: '2026-11-31' }, keep: (record) => record.day.startsWith('2026-11') },
      {
        query: { groupBy: ['key', 'day'], tenantId: 'Zeta', model: 'qwen3-8b', from: '2026-11-02', to: '2026-12-01' },
        keep: (record) => record.tenantId === 'Zeta' && record.model === 'qwen3-8b' && record.day >= '2026-11-02',
      },
    ];
    for (const { query, keep } of cases) {
      expect(await ledger.query(query), JSON.stringify(query)).toEqual(expectedRows(records.filter(keep), query.groupBy));
    }
  });

  it('never adds up different currencies', async () => {
    await ledger.append([usage({ currency: 'KRW', costMicros: 1_000 }), usage({ currency: 'USD', costMicros: 7 }), usage({ currency: 'KRW', costMicros: 500 })]);
    const rows = await ledger.query({ groupBy: ['tenant'] });
    expect(rows).toEqual([
      { tenant: 'acme', requests: 2, errors: 0, promptTokens: 20, completionTokens: 40, cachedTokens: 0, costMicros: 1_500, currency: 'KRW' },
      { tenant: 'acme', requests: 1, errors: 0, promptTokens: 10, completionTokens: 20, cachedTokens: 0, costMicros: 7, currency: 'USD' },
    ]);
  });

  it('reports what a tenant or a key spent in a range', async () => {
    const records = dataset();
    await ledger.append(records);
    const sum = (keep: (record: UsageRecord) => boolean, currency?: string) => {
      const mine = records.filter(keep);
      return {
        tokens: mine.reduce((total, record) => total + record.promptTokens + record.completionTokens, 0),
        costMicros: mine.filter((record) => currency === undefined || record.currency === currency).reduce((total, record) => total + record.costMicros, 0),
      };
    };
    const november = (record: UsageRecord): boolean => record.day >= '2026-11-01' && record.day <= '2026-11-30';
    expect(await ledger.spent('tenant', 'acme', '2026-11-01', '2026-11-30')).toEqual(sum((record) => record.tenantId === 'acme' && november(record)));
    expect(await ledger.spent('tenant', 'acme', '2026-11-01', '2026-11-31')).toEqual(sum((record) => record.tenantId === 'acme' && november(record)));
    expect(await ledger.spent('tenant', 'acme', '2026-11-01', '2026-11-30', 'KRW')).toEqual(sum((record) => record.tenantId === 'acme' && november(record), 'KRW'));
    expect(await ledger.spent('key', 'globex-key-0', '2026-11-02', '2026-11-02')).toEqual(sum((record) => record.keyId === 'globex-key-0' && record.day === '2026-11-02'));
    expect(await ledger.spent('key', 'acme', '2026-10-01', '2026-12-31')).toEqual({ tokens: 0, costMicros: 0 });
  });

  it('loses nothing when 20 batches are appended at once', async () => {
    const batches = Array.from({ length: 20 }, (_, batch) =>
      Array.from({ length: 50 }, (_unused, index) => usage({ day: `2026-11-${String(20 + (index % 3)).padStart(2, '0')}`, keyId: `key_${batch}`, promptTokens: index })),
    );
    await Promise.all(batches.map((batch) => ledger.append(batch)));
    const [total] = await ledger.query({ groupBy: [] });
    expect(total?.requests).toBe(1_000);
    expect(total?.promptTokens).toBe(20 * ((49 * 50) / 2));
    expect(await ledger.query({ groupBy: ['key'] })).toHaveLength(20);
  });

  it('refuses a day that is not "YYYY-MM-DD"', async () => {
    await expect(ledger.append([usage({ day: '../../etc' })])).rejects.toBeInstanceOf(RangeError);
    await expect(ledger.append([usage({ day: '2026-02-30' })])).rejects.toBeInstanceOf(RangeError);
    await expect(ledger.query({ groupBy: [], from: 'yesterday' })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('embedded files only', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nara-files-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('skips and counts a truncated last line, and the next append starts a new line', async () => {
    const ledger = new FileUsageLedger(dataDir);
    const kept = usage({ day: '2026-11-22' });
    await ledger.append([kept]);
    const file = join(dataDir, 'usage', '2026-11-22.ndjson');
    // A crash in the middle of a write.
    appendFileSync(file, JSON.stringify(usage({ day: '2026-11-22' })).slice(0, 40));
    expect(await ledger.query({ groupBy: [] })).toMatchObject([{ requests: 1 }]);
    expect(ledger.skippedLines).toBe(1);

    const restarted = new FileUsageLedger(dataDir);
    await restarted.append([usage({ day: '2026-11-22' })]);
    expect(await restarted.query({ groupBy: [] })).toMatchObject([{ requests: 2 }]);
    expect(restarted.skippedLines).toBe(1);
  });

  it('opens only the day files in range, and writes private files', async () => {
    const ledger = new FileUsageLedger(dataDir);
    await ledger.append([usage({ day: '2026-11-21' }), usage({ day: '2026-11-22' })]);
    // Garbage outside the range would be counted as skipped lines if it were read.
    writeFileSync(join(dataDir, 'usage', '2026-11-23.ndjson'), 'not json\n');
    writeFileSync(join(dataDir, 'usage', '2026-11-20.ndjson'), 'not json\n');
    expect(await ledger.query({ groupBy: ['day'], from: '2026-11-21', to: '2026-11-22' })).toMatchObject([{ day: '2026-11-21' }, { day: '2026-11-22' }]);
    expect(await ledger.spent('tenant', 'acme', '2026-11-21', '2026-11-22')).toEqual({ tokens: 60, costMicros: 3_000 });
    expect(ledger.skippedLines).toBe(0);
    expect(statSync(join(dataDir, 'usage')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'usage', '2026-11-21.ndjson')).mode & 0o777).toBe(0o600);
  });

  it('remembers only a bounded window of request ids, so memory stays flat however many requests a day sees', async () => {
    const ledger = new FileUsageLedger(dataDir);
    const first = usage();
    await ledger.append([first]);
    for (let batch = 0; batch < 21; batch += 1) await ledger.append(Array.from({ length: 10_000 }, () => usage()));
    // The first id has left the 200,000-id window: appending it again is no longer recognised.
    await ledger.append([first]);
    expect((await ledger.query({ groupBy: [] }))[0]?.requests).toBe(1 + 210_000 + 1);
  }, 60_000);

  it('reads and writes the key file older versions of `nara keys` wrote, with private files', async () => {
    // keys.json as Nara before issue 3 wrote it: version 1, keys only, an explicit undefined dropped.
    const old = { id: 'key_old', tenantId: 'default', hash: 'a'.repeat(64), hint: 'nara-aaaa', createdAt: t0.toISOString() };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'keys.json'), `${JSON.stringify({ version: 1, keys: [old] }, null, 2)}\n`, { mode: 0o600 });
    const directory = new FileDirectoryStore(dataDir);
    expect((await directory.load()).keys).toEqual([old]);
    const added = key('acme', { models: ['qwen3-8b'] });
    await directory.addKey(added);
    await directory.createTenant(tenant('acme'), t0);
    const file = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')) as { version: number; keys: { id: string }[] };
    expect(file.keys.map((record) => record.id)).toEqual(['key_old', added.id]);
    expect(file.version).toBe(1);
    expect(statSync(join(dataDir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tenants.json')).mode & 0o777).toBe(0o600);
    await directory.revokeKey('key_old', later(5));
    expect((await directory.load()).keys[0]?.revokedAt).toBe(later(5).toISOString());
  });

  it('shares the lock with `nara keys`, and takes over a stale lock', async () => {
    const directory = new FileDirectoryStore(dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = join(dataDir, 'keys.json.lock');
    writeFileSync(lock, '');
    const adding = directory.addKey(key('acme'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await directory.load()).keys).toHaveLength(0);
    rmSync(lock);
    await adding;
    expect((await directory.load()).keys).toHaveLength(1);

    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await directory.addKey(key('acme'));
    expect((await directory.load()).keys).toHaveLength(2);
  });
});

describe('postgresql only', () => {
  it('stores big sums exactly and days without time-zone drift', async () => {
    const schema = `nara_test_${randomBytes(6).toString('hex')}`;
    const stores = await openPostgres(postgresUrl, { schema });
    // A session in a zone far from UTC must not shift days.
    const pool = new Pool({ connectionString: postgresUrl, options: `-c search_path=${schema} -c timezone=Pacific/Kiritimati` });
    const ledger = new PostgresUsageLedger(new PgDatabase(pool, describeTarget(postgresUrl)));
    try {
      const big = 2 ** 40;
      await ledger.append([
        usage({ day: '2026-11-22', at: '2026-11-22T23:59:59.000Z', promptTokens: big, costMicros: big }),
        usage({ day: '2026-11-23', at: '2026-11-23T00:00:00.000Z', promptTokens: big, costMicros: big }),
      ]);
      const rows = await ledger.query({ groupBy: ['day'] });
      expect(rows.map((row) => [row.day, row.promptTokens, row.costMicros])).toEqual([
        ['2026-11-22', big, big],
        ['2026-11-23', big, big],
      ]);
      expect(await stores.ledger.spent('tenant', 'acme', '2026-11-23', '2026-11-23')).toEqual({ tokens: big + 20, costMicros: big });
    } finally {
      await pool.end();
      await stores.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await stores.close();
    }
  });
});

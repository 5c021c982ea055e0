/**
 * `nara tenants`, `nara keys` (rotate, expiry, limits, allow-lists) and `nara usage` as a real
 * process (from dist/: run `npm run build` first), working on the embedded store without a server.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../src/spec/usage.js';
import { FileUsageLedger } from '../src/store/file/file-usage-ledger.js';
import { killAllNara, makeTempDir, removeDir, runNara } from './support/cli-process.js';

const config = `backends:
  - id: seoul
    url: http://127.0.0.1:9/v1
    jurisdiction: KR
    models: [hcx-seed, exaone]
tenants:
  - id: moi
    jurisdictions: [KR]
`;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let cwd: string;
const nara = (...args: string[]) => runNara(args, { cwd });

beforeAll(() => {
  cwd = makeTempDir();
  writeFileSync(join(cwd, 'nara.yaml'), config);
});

afterAll(() => {
  killAllNara();
  removeDir(cwd);
});

describe('help', () => {
  it('lists the new commands and their options', async () => {
    const cases: [string[], string[]][] = [
      [['--help'], ['tenants', 'keys', 'usage']],
      [['tenants', '--help'], ['list', 'show', 'create', 'update', 'delete']],
      [['tenants', 'create', '--help'], ['--id', '--name', '--jurisdictions', '--home', '--models', '--contact', '--budget-currency', '--rpm', '--cost-per-month', '--from-json']],
      [['keys', '--help'], ['create', 'list', 'revoke', 'rotate']],
      [['keys', 'create', '--help'], ['--tenant', '--name', '--expires-in-days', '--models', '--rpm', '--tpm', '--concurrency', '--tokens-per-day', '--tokens-per-month', '--cost-per-day', '--cost-per-month']],
      [['keys', 'rotate', '--help'], ['--grace-seconds']],
      [['usage', '--help'], ['--tenant', '--key', '--model', '--backend', '--from', '--to', '--group-by', '--csv', '--json']],
    ];
    for (const [args, mentions] of cases) {
      const result = await nara(...args);
      expect(result.code, args.join(' ')).toBe(0);
      for (const mention of mentions) expect(result.stdout, `${args.join(' ')} mentions ${mention}`).toContain(mention);
    }
  });
});

describe('nara tenants', () => {
  it('creates a tenant from flags and prints it as JSON', async () => {
    const result = await nara('tenants', 'create', '--id', 'tax', '--name', 'National Tax Service', '--jurisdictions', 'kr,TH', '--home', 'KR', '--rpm', '60', '--cost-per-day', '1.5', '--budget-currency', 'KRW', '--models', 'hcx-seed');
    expect(result.code, result.stderr).toBe(0);
    const tenant = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(tenant).toMatchObject({ id: 'tax', displayName: 'National Tax Service', jurisdictions: ['KR', 'TH'], homeJurisdiction: 'KR', managedBy: 'admin', limits: { requestsPerMinute: 60, costPerDay: 1.5 }, budgetCurrency: 'KRW', models: ['hcx-seed'] });
    expect(result.stderr).toContain('Created tenant tax');
  });

  it('creates a tenant from --from-json, flags on top', async () => {
    const file = join(cwd, 'tenant.json');
    writeFileSync(file, JSON.stringify({ id: 'police', jurisdictions: ['KR'], contact: 'ops@police.example', limits: { tokensPerDay: 5000 } }));
    const result = await nara('tenants', 'create', '--from-json', file, '--tpm', '2000');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'police', contact: 'ops@police.example', limits: { tokensPerDay: 5000, tokensPerMinute: 2000 } });
  });

  it('refuses bad input with exit 2, naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--id', 'x1', '--jurisdictions', 'XQ'], /jurisdictions\[0\].*ISO 3166-1.*--jurisdictions/],
      [['--id', 'x1', '--jurisdictions', 'KR', '--home', 'TH'], /homeJurisdiction.*--home/],
      [['--id', 'x1', '--jurisdictions', 'KR', '--rpm', 'lots'], /--rpm must be a number/],
      [['--id', 'x1', '--jurisdictions', 'KR', '--rpm', '-5'], /limits\.requestsPerMinute.*\(--rpm\)/],
      [['--id', 'Bad Id', '--jurisdictions', 'KR'], /'id'/],
      [['--jurisdictions', 'KR'], /--id/],
      [['--id', 'moi', '--jurisdictions', 'KR'], /already declared in the configuration/],
      [['--id', 'tax', '--jurisdictions', 'KR'], /already exists/],
    ];
    for (const [args, message] of cases) {
      const result = await nara('tenants', 'create', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('lists config and admin tenants, saying which manages each', async () => {
    const table = await nara('tenants', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^moi\tconfig\tKR\t/m);
    expect(table.stdout).toMatch(/^tax\tadmin\tKR,TH\tKR\thcx-seed\tNational Tax Service$/m);
    const json = JSON.parse((await nara('tenants', 'list', '--json')).stdout) as { id: string; managedBy: string }[];
    expect(json.map((tenant) => `${tenant.id}:${tenant.managedBy}`)).toEqual(['moi:config', 'police:admin', 'tax:admin']);
  });

  it('updates only the fields given; a config tenant is refused', async () => {
    const result = await nara('tenants', 'update', 'tax', '--contact', 'ops@nts.example', '--tpm', '1000');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'tax', contact: 'ops@nts.example', displayName: 'National Tax Service', limits: { requestsPerMinute: 60, tokensPerMinute: 1000, costPerDay: 1.5 } });
    const refused = await nara('tenants', 'update', 'moi', '--contact', 'x');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('configuration file');
    expect((await nara('tenants', 'update', 'tax')).code).toBe(2);
  });

  it('shows and deletes a tenant; a deleted tenant is not found', async () => {
    const show = await nara('tenants', 'show', 'police');
    expect(JSON.parse(show.stdout)).toMatchObject({ id: 'police' });
    const deleted = await nara('tenants', 'delete', 'police');
    expect(deleted.code, deleted.stderr).toBe(0);
    const missing = await nara('tenants', 'show', 'police');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("'police'");
    expect((await nara('tenants', 'delete', 'moi')).code).toBe(2);
  });
});

describe('nara keys with expiry, limits, allow-lists and rotation', () => {
  let keyId: string;
  let key: string;

  it('creates a key for an admin tenant, with its own limits, models and expiry; only the key on stdout', async () => {
    const result = await nara('keys', 'create', '--tenant', 'tax', '--name', 'batch', '--expires-in-days', '30', '--models', 'hcx-seed', '--rpm', '10', '--cost-per-month', '2.5');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^nara-[A-Za-z0-9_-]{20,}\n$/);
    key = result.stdout.trim();
    keyId = /Created (key_[0-9a-f]+) for tenant tax/.exec(result.stderr)?.[1] ?? '';
    expect(keyId).not.toBe('');
    expect(result.stderr).toContain('expires at');

    const listed = JSON.parse((await nara('keys', 'list', '--tenant', 'tax', '--json')).stdout) as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ id: keyId, tenantId: 'tax', name: 'batch', status: 'active', models: ['hcx-seed'], limits: { requestsPerMinute: 10, costPerMonth: 2.5 } })]);
    expect(listed[0]).not.toHaveProperty('hash');
    const expiresAt = Date.parse(String(listed[0]?.expiresAt));
    expect(Math.abs(expiresAt - Date.now() - 30 * 86_400_000)).toBeLessThan(120_000);
    const text = readFileSync(join(cwd, '.nara', 'keys.json'), 'utf8');
    expect(text).not.toContain(key);
    expect(text).toContain(sha256(key));
  });

  it('refuses a key model outside the tenant allow-list and bad limit values (exit 2)', async () => {
    const outside = await nara('keys', 'create', '--tenant', 'tax', '--models', 'exaone');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--models');
    expect(outside.stdout).toBe('');
    const bad = await nara('keys', 'create', '--tenant', 'tax', '--tpm', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tpm');
  });

  it('rotates with a grace period: the new key on stdout, the old one "revoking" until then', async () => {
    const result = await nara('keys', 'rotate', keyId, '--grace-seconds', '3600');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^nara-[A-Za-z0-9_-]{20,}\n$/);
    const newKey = result.stdout.trim();
    expect(newKey).not.toBe(key);
    const newId = /→ (key_[0-9a-f]+)/.exec(result.stderr)?.[1] ?? '';
    expect(result.stderr).toContain('keeps working until');

    const list = await nara('keys', 'list', '--tenant', 'tax');
    expect(list.stdout).toMatch(new RegExp(`${keyId}\\t.*\\trevoking `));
    expect(list.stdout).toMatch(new RegExp(`${newId}\\ttax\\tbatch\\t.*\\tactive`));
    expect(list.stdout).not.toContain(newKey);

    // Revoking now cuts the grace period short.
    expect((await nara('keys', 'revoke', keyId)).code).toBe(0);
    expect((await nara('keys', 'list', '--tenant', 'tax')).stdout).toMatch(new RegExp(`${keyId}\\t.*\\trevoked `));
    const again = await nara('keys', 'rotate', keyId);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
  });

  it('revoke --tenant refuses a key of another tenant as if it did not exist', async () => {
    const created = await nara('keys', 'create', '--tenant', 'moi');
    const id = /Created (key_[0-9a-f]+)/.exec(created.stderr)?.[1] ?? '';
    const result = await nara('keys', 'revoke', id, '--tenant', 'tax');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(id);
    expect((await nara('keys', 'list', '--tenant', 'moi')).stdout).toMatch(new RegExp(`${id}\\t.*\\tactive`));
  });
});

describe('nara usage', () => {
  const record = (requestId: string, tenantId: string, day: string, model: string, costMicros: number): UsageRecord => ({
    requestId,
    at: `${day}T08:00:00.000Z`,
    day,
    tenantId,
    keyId: 'key_000000000001',
    model,
    backendId: 'seoul',
    jurisdiction: 'KR',
    operation: 'chat',
    stream: false,
    status: 200,
    errorCode: null,
    promptTokens: 100,
    completionTokens: 20,
    cachedTokens: 0,
    estimated: false,
    costMicros,
    currency: 'USD',
    latencyMs: 30,
    attempts: 1,
  });

  beforeAll(async () => {
    const ledger = new FileUsageLedger(join(cwd, '.nara'));
    await ledger.append([
      record('r1', 'moi', '2026-03-01', 'hcx-seed', 100_000),
      record('r2', 'moi', '2026-03-01', 'hcx-seed', 200_000),
      record('r3', 'moi', '2026-03-02', '@SUM(A1:A9)', 1),
      record('r4', 'tax', '2026-03-02', 'hcx-seed', 5_000_000),
    ]);
    await ledger.close();
  });

  it('prints a table grouped by tenant and day by default', async () => {
    const result = await nara('usage');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TENANT\s+DAY\s+REQUESTS\s+ERRORS\s+PROMPT\s+COMPLETION\s+CACHED\s+COST\s+CURRENCY$/);
    expect(lines).toContainEqual(expect.stringMatching(/^moi\s+2026-03-01\s+2\s+0\s+200\s+40\s+0\s+0\.300000\s+USD$/));
    expect(lines).toContainEqual(expect.stringMatching(/^tax\s+2026-03-02\s+1\s+0\s+100\s+20\s+0\s+5\.000000\s+USD$/));
  });

  it('filters and groups, as CSV and JSON', async () => {
    const csv = await nara('usage', '--tenant', 'moi', '--group-by', 'model', '--csv');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')).toEqual([
      'model,requests,errors,prompt_tokens,completion_tokens,cached_tokens,cost,currency',
      "'@SUM(A1:A9),1,0,100,20,0,0.000001,USD",
      'hcx-seed,2,0,200,40,0,0.300000,USD',
      '',
    ]);
    const json = JSON.parse((await nara('usage', '--from', '2026-03-02', '--to', '2026-03-02', '--group-by', 'tenant', '--json')).stdout) as { data: { tenant: string; cost: string }[] };
    expect(json.data).toEqual([expect.objectContaining({ tenant: 'moi', cost: '0.000001' }), expect.objectContaining({ tenant: 'tax', cost: '5.000000' })]);
  });

  it('refuses bad days and dimensions with exit 2, naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', '2026-02-30'], /YYYY-MM-DD.*--from/],
      [['--group-by', 'week'], /"week" is not a usage dimension.*tenant, key, model, backend, day.*--group-by/],
      [['--csv', '--json'], /--csv or --json/],
    ];
    for (const [args, message] of cases) {
      const result = await nara('usage', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});

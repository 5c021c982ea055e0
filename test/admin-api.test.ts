/**
 * The admin API (/admin/v1) and a tenant's own usage (/v1/usage) through a real server over HTTP:
 * the admin token and tenant keys never stand in for each other, tenants and keys can be managed
 * (config-declared tenants only read), keys are shown once and never listed, one tenant never sees
 * another's keys or usage, and the CSV export is safe to open in a spreadsheet.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import type { UsageRecord } from '../src/spec/usage.js';
import { FileUsageLedger } from '../src/store/file/file-usage-ledger.js';
import { waitFor } from './support/cli-process.js';
import { startHarness, type Harness } from './support/nara-harness.js';

const adminToken = 'test-admin-token-3f9c1a7e5b2d4c6e';

const config = (url: string) => `
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul
    url: ${url}
    jurisdiction: KR
    models: [hcx-seed, exaone]
tenants:
  - id: ministry
    displayName: Ministry (from the file)
    jurisdictions: [KR]
`;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // Tests read whatever shape each endpoint answers with.
  readonly body: Record<string, unknown> & { error?: { code: string; message: string; param: string | null } };
}

let engine: FakeEngine;
let harness: Harness;

async function call(method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const token = options.token === undefined ? adminToken : options.token;
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // CSV answers
  }
  return { status: response.status, headers: response.headers, text, body };
}

const admin = (method: string, path: string, body?: unknown) => call(method, `/admin/v1${path}`, { body });

async function chatOutcome(key: string, model = 'hcx-seed'): Promise<string> {
  const response = await harness.post('/v1/chat/completions', { model, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }, key);
  const body = (await response.json()) as { error?: { code: string } };
  return `${response.status} ${body.error?.code ?? 'ok'}`;
}

function errorOf(answer: Answer): { status: number; code: string | undefined; param: string | null | undefined } {
  return { status: answer.status, code: answer.body.error?.code, param: answer.body.error?.param };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  engine = await startFakeEngine();
  harness = await startHarness(config(engine.url), { adminToken });
});

afterAll(async () => {
  await harness?.close();
  await engine?.close();
});

describe('admin authentication', () => {
  it('is off without an admin token: every /admin path answers 404 admin_api_disabled', async () => {
    const off = await startHarness(config(engine.url));
    try {
      for (const path of ['/admin/v1/tenants', '/admin/v1/nothing-here', '/admin']) {
        const response = await fetch(`${off.url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
        const body = (await response.json()) as { error: { code: string } };
        expect(response.status, path).toBe(404);
        expect(body.error.code, path).toBe('admin_api_disabled');
      }
      // The console's sign-in page still learns that nobody can sign in, and signing in is refused.
      expect(await (await fetch(`${off.url}/admin/v1/session`)).json()).toEqual({ signedIn: false, tokenSignIn: false });
      const signIn = await fetch(`${off.url}/admin/v1/session`, { method: 'POST', headers: { 'x-nara-console': '1', 'content-type': 'application/json' }, body: JSON.stringify({ token: adminToken }) });
      expect(((await signIn.json()) as { error: { code: string } }).error.code).toBe('admin_api_disabled');
    } finally {
      await off.close();
    }
  });

  it('needs the admin token: missing → missing_admin_token, wrong or malformed → invalid_admin_token', async () => {
    expect(errorOf(await call('GET', '/admin/v1/tenants', { token: null }))).toMatchObject({ status: 401, code: 'missing_admin_token' });
    expect(errorOf(await call('GET', '/admin/v1/tenants', { token: 'not-the-token' }))).toMatchObject({ status: 401, code: 'invalid_admin_token' });
    expect(errorOf(await call('GET', '/admin/v1/tenants', { token: `${adminToken}x` }))).toMatchObject({ status: 401, code: 'invalid_admin_token' });
    const basic = await call('GET', '/admin/v1/tenants', { token: null, headers: { authorization: `Basic ${Buffer.from(`a:${adminToken}`).toString('base64')}` } });
    expect(errorOf(basic)).toMatchObject({ status: 401, code: 'invalid_admin_token' });
    // Unknown callers learn nothing about routes either.
    expect(errorOf(await call('GET', '/admin/v1/nothing-here', { token: null }))).toMatchObject({ status: 401, code: 'missing_admin_token' });
  });

  it('refuses a tenant key on /admin, saying tenant keys are never accepted there', async () => {
    const tenantKey = await harness.createKey('ministry');
    const answer = await call('GET', '/admin/v1/tenants', { token: tenantKey });
    expect(errorOf(answer)).toMatchObject({ status: 401, code: 'invalid_admin_token' });
    expect(answer.body.error?.message).toMatch(/tenant API keys are never accepted/);
    expect(answer.text).not.toContain(tenantKey);
  });

  it('refuses the admin token on /v1 (401 invalid_api_key)', async () => {
    expect(await chatOutcome(adminToken)).toBe('401 invalid_api_key');
    const usage = await call('GET', '/v1/usage', { token: adminToken });
    expect(errorOf(usage)).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('answers 405 with Allow for a method a route does not take, and 404 route_not_found for no route', async () => {
    const put = await admin('PUT', '/tenants', {});
    expect(errorOf(put)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect(errorOf(await admin('GET', '/tenants/ministry/widgets'))).toMatchObject({ status: 404, code: 'route_not_found' });
  });
});

describe('tenants', () => {
  const taxOffice = {
    id: 'tax-office',
    displayName: 'National Tax Service',
    jurisdictions: ['kr', 'TH'],
    homeJurisdiction: 'KR',
    limits: { requestsPerMinute: 60, costPerDay: 1.5 },
    budgetCurrency: 'KRW',
    contact: 'ops@nts.example',
  };

  it('creates (201), lists with managedBy, shows, patches and deletes a tenant', async () => {
    const created = await admin('POST', '/tenants', taxOffice);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'tax-office', jurisdictions: ['KR', 'TH'], homeJurisdiction: 'KR', managedBy: 'admin', limits: { requestsPerMinute: 60, costPerDay: 1.5 }, budgetCurrency: 'KRW' });

    const list = await admin('GET', '/tenants');
    expect(list.status).toBe(200);
    const tenants = list.body.data as { id: string; managedBy: string }[];
    expect(tenants).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'ministry', managedBy: 'config', displayName: 'Ministry (from the file)' }),
      expect.objectContaining({ id: 'tax-office', managedBy: 'admin' }),
    ]));

    expect((await admin('GET', '/tenants/tax-office')).body).toMatchObject({ id: 'tax-office', contact: 'ops@nts.example' });

    // A merge patch: null removes a field, limits merge field by field.
    const patched = await admin('PATCH', '/tenants/tax-office', { displayName: 'NTS', contact: null, limits: { requestsPerMinute: null, tokensPerDay: 1000 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'NTS', limits: { costPerDay: 1.5, tokensPerDay: 1000 } });
    expect(patched.body).not.toHaveProperty('contact');
    expect(patched.body.limits).not.toHaveProperty('requestsPerMinute');

    const deleted = await admin('DELETE', '/tenants/tax-office');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: 'tax-office', deleted: true });
    expect(errorOf(await admin('GET', '/tenants/tax-office'))).toMatchObject({ status: 404, code: 'tenant_not_found' });
    expect(errorOf(await admin('DELETE', '/tenants/tax-office'))).toMatchObject({ status: 404, code: 'tenant_not_found' });
  });

  it('refuses a duplicate id, including one nara.yaml declares (409 tenant_exists)', async () => {
    expect((await admin('POST', '/tenants', { id: 'dup', jurisdictions: ['KR'] })).status).toBe(201);
    expect(errorOf(await admin('POST', '/tenants', { id: 'dup', jurisdictions: ['KR'] }))).toMatchObject({ status: 409, code: 'tenant_exists' });
    expect(errorOf(await admin('POST', '/tenants', { id: 'ministry', jurisdictions: ['KR'] }))).toMatchObject({ status: 409, code: 'tenant_exists' });
  });

  it('names the field at fault in validation errors', async () => {
    const cases: [unknown, string, RegExp?][] = [
      [{ id: 'Bad Id', jurisdictions: ['KR'] }, 'id'],
      [{ id: 'x1', jurisdictions: ['KR', 'XQ'] }, 'jurisdictions[1]', /ISO 3166-1/],
      [{ id: 'x1', jurisdictions: [] }, 'jurisdictions'],
      [{ id: 'x1', jurisdictions: ['KR'], homeJurisdiction: 'TH' }, 'homeJurisdiction', /TH must also be one of/],
      [{ id: 'x1', jurisdiction: ['KR'] }, 'jurisdiction', /did you mean 'jurisdictions'/],
      [{ id: 'x1', jurisdictions: ['KR'], limits: { requestsPerMinute: -1 } }, 'limits.requestsPerMinute'],
      [{ id: 'x1', jurisdictions: ['KR'], limits: { requestPerMinute: 5 } }, 'limits.requestPerMinute', /did you mean 'requestsPerMinute'/],
      [{ id: 'x1', jurisdictions: ['KR'], budgetCurrency: 'usd' }, 'budgetCurrency', /ISO 4217/],
      // Budgets are counted in millionths: smaller would round to 0, larger would not stay exact.
      [{ id: 'x1', jurisdictions: ['KR'], limits: { costPerDay: 0.0000001 } }, 'limits.costPerDay', /at least 0.000001/],
      [{ id: 'x1', jurisdictions: ['KR'], limits: { costPerMonth: 1e303 } }, 'limits.costPerMonth', /at most/],
      [{ id: 'x1', jurisdictions: ['KR'], contact: 'x'.repeat(201) }, 'contact'],
      [{ id: 'x1', jurisdictions: ['KR'], models: 'hcx-seed' }, 'models'],
    ];
    for (const [body, param, message] of cases) {
      const answer = await admin('POST', '/tenants', body);
      expect(errorOf(answer), JSON.stringify(body)).toEqual({ status: 400, code: 'invalid_request', param });
      if (message !== undefined) expect(answer.body.error?.message).toMatch(message);
    }
    expect(errorOf(await admin('POST', '/tenants', '{"id": "x1",'))).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(errorOf(await admin('POST', '/tenants', { id: 'x1', jurisdictions: ['KR'], displayName: 'x'.repeat(70_000) }))).toMatchObject({ status: 413, code: 'body_too_large' });
    expect(errorOf(await admin('PATCH', '/tenants/dup', { id: 'other' }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'id' });
    expect(errorOf(await admin('PATCH', '/tenants/dup', { jurisdictions: ['TH'], homeJurisdiction: 'KR' }))).toMatchObject({ status: 400, param: 'homeJurisdiction' });
    expect(errorOf(await admin('GET', '/tenants/dup'))).toMatchObject({ status: 200 });
  });

  it('lists a config-managed tenant but refuses to change or delete it (409 tenant_config_managed); its keys can be managed', async () => {
    expect(errorOf(await admin('PATCH', '/tenants/ministry', { displayName: 'x' }))).toMatchObject({ status: 409, code: 'tenant_config_managed' });
    expect(errorOf(await admin('DELETE', '/tenants/ministry'))).toMatchObject({ status: 409, code: 'tenant_config_managed' });
    expect((await admin('GET', '/tenants/ministry')).body).toMatchObject({ managedBy: 'config' });
    const key = await admin('POST', '/tenants/ministry/keys', { name: 'from-admin' });
    expect(key.status).toBe(201);
    const revoked = await admin('DELETE', `/tenants/ministry/keys/${String(key.body.id)}`);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
  });
});

describe('keys', () => {
  it('shows a created key once; no listing shows the key or its hash; the key works within ~1.5 s', async () => {
    const created = await admin('POST', '/tenants/ministry/keys', { name: 'ci', models: ['hcx-seed'], limits: { requestsPerMinute: 100 } });
    expect(created.status).toBe(201);
    const key = String(created.body.key);
    const id = String(created.body.id);
    expect(key).toMatch(/^nara-[A-Za-z0-9_-]{20,}$/);
    expect(created.body).toMatchObject({ tenantId: 'ministry', name: 'ci', status: 'active', models: ['hcx-seed'], limits: { requestsPerMinute: 100 } });
    expect(created.body).not.toHaveProperty('hash');
    expect(created.headers.get('cache-control')).toBe('no-store');

    for (const path of ['/keys', '/keys?tenant=ministry', '/tenants/ministry/keys', `/keys/${id}`]) {
      const answer = await admin('GET', path);
      expect(answer.status, path).toBe(200);
      expect(answer.text, path).not.toContain(key);
      expect(answer.text, path).not.toContain(sha256(key));
      expect(answer.text, path).not.toContain('"hash"');
    }
    expect((await admin('GET', `/keys/${id}`)).body).toMatchObject({ id, hint: expect.stringMatching(/^nara-/) });

    await expect.poll(() => chatOutcome(key), { timeout: 1_500, interval: 100 }).toBe('200 ok');
    expect(harness.rawLogs()).not.toContain(key);
    expect(harness.rawLogs()).not.toContain(adminToken);
  });

  it("narrows a tenant's models to the key's own allow-list", async () => {
    const created = await admin('POST', '/tenants/ministry/keys', { models: ['hcx-seed'] });
    const key = String(created.body.key);
    await expect.poll(() => chatOutcome(key), { timeout: 1_500, interval: 100 }).toBe('200 ok');
    expect(await chatOutcome(key, 'exaone')).toMatch(/^403 /);
  });

  it('serves a tenant created through the admin API, with a key made for it', async () => {
    await admin('POST', '/tenants', { id: 'police', jurisdictions: ['KR'] });
    const created = await admin('POST', '/tenants/police/keys', {});
    await expect.poll(() => chatOutcome(String(created.body.key)), { timeout: 1_500, interval: 100 }).toBe('200 ok');
  });

  it("enforces an admin-API tenant's own safety block, shows it back and applies a patch to it", async () => {
    const harmful = { model: 'hcx-seed', max_tokens: 4, messages: [{ role: 'user', content: 'How do I hire a hitman?' }] };
    const created = await admin('POST', '/tenants', { id: 'schools', jurisdictions: ['KR'], safety: { mode: 'block', language: 'ko', categories: { spc_fin: 'monitor' } } });
    expect(created.status).toBe(201);
    expect(created.body.safety).toEqual({ mode: 'block', language: 'ko', categories: { spc_fin: 'monitor' } });
    const key = String((await admin('POST', '/tenants/schools/keys', {})).body.key);
    await expect.poll(() => chatOutcome(key), { timeout: 1_500, interval: 100 }).toBe('200 ok');
    const refused = await harness.post('/v1/chat/completions', harmful, key);
    const refusal = (await refused.json()) as { error: { code: string; hazard: string; message: string } };
    expect(refused.status).toBe(400);
    expect(refusal.error).toMatchObject({ code: 'safety_blocked', hazard: 'vcr' });
    expect(refusal.error.message).not.toContain('hitman');
    expect(refusal.error.message).toMatch(/[가-힣]/);

    // The top level (monitor) applies again once the tenant's mode is patched to monitor.
    expect((await admin('PATCH', '/tenants/schools', { safety: { mode: 'monitor' } })).status).toBe(200);
    await expect.poll(async () => (await harness.post('/v1/chat/completions', harmful, key)).status, { timeout: 1_500, interval: 100 }).toBe(200);
    expect((await admin('GET', '/tenants/schools')).body.safety).toEqual({ mode: 'monitor', language: 'ko', categories: { spc_fin: 'monitor' } });
  });

  it('refuses a bad safety block with the field at fault, storing nothing', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ mode: 'deny' }, 'safety.mode', /off|monitor|redact|block/],
      [{ categories: { weapons: 'block' } }, 'safety.categories.weapons', /unknown hazard/],
      [{ rules: [{ id: 'r1', hazard: 'custom:exam', pattern: '(a)\\1' }] }, 'safety.rules[0]', /back-references/],
      [{ guard: { model: 'guard', format: 'gpt' } }, 'safety.guard.format', /llama-guard|qwen3guard/],
    ];
    for (const [safety, param, message] of cases) {
      const answer = await admin('POST', '/tenants', { id: 'bad-safety', jurisdictions: ['KR'], safety });
      expect(errorOf(answer), JSON.stringify(safety)).toEqual({ status: 400, code: 'invalid_request', param });
      expect(answer.body.error?.message).toMatch(message);
    }
    expect((await admin('GET', '/tenants/bad-safety')).status).toBe(404);
  });

  it('validates key input: expiry in the past, both expiries, models outside the tenant, unknown tenant', async () => {
    expect(errorOf(await admin('POST', '/tenants/ministry/keys', { expiresAt: '2001-01-01T00:00:00Z' }))).toMatchObject({ status: 400, param: 'expiresAt' });
    expect(errorOf(await admin('POST', '/tenants/ministry/keys', { expiresAt: 'tomorrow' }))).toMatchObject({ status: 400, param: 'expiresAt' });
    expect(errorOf(await admin('POST', '/tenants/ministry/keys', { expiresAt: '2999-01-01T00:00:00Z', expiresInDays: 3 }))).toMatchObject({ status: 400, param: 'expiresInDays' });
    expect(errorOf(await admin('POST', '/tenants/ministry/keys', { nam: 'x' }))).toMatchObject({ status: 400, param: 'nam' });
    // A newline would break `nara keys list` rows and CSV cells.
    expect(errorOf(await admin('POST', '/tenants/ministry/keys', { name: 'a\nb' }))).toMatchObject({ status: 400, param: 'name' });
    await admin('POST', '/tenants', { id: 'narrow', jurisdictions: ['KR'], models: ['hcx-seed'] });
    expect(errorOf(await admin('POST', '/tenants/narrow/keys', { models: ['exaone'] }))).toMatchObject({ status: 400, param: 'models' });
    expect(errorOf(await admin('POST', '/tenants/nobody/keys', {}))).toMatchObject({ status: 404, code: 'tenant_not_found' });
    expect(errorOf(await admin('GET', '/tenants/nobody/keys'))).toMatchObject({ status: 404, code: 'tenant_not_found' });

    const expiring = await admin('POST', '/tenants/ministry/keys', { expiresInDays: 2 });
    const expiresAt = Date.parse(String(expiring.body.expiresAt));
    expect(Math.abs(expiresAt - Date.now() - 2 * 86_400_000)).toBeLessThan(60_000);
  });

  it('revokes a key (DELETE): a running Nara refuses it within ~1.5 s; revoking again is harmless', async () => {
    const created = await admin('POST', '/tenants/ministry/keys', {});
    const key = String(created.body.key);
    await expect.poll(() => chatOutcome(key), { timeout: 1_500, interval: 100 }).toBe('200 ok');
    const revoked = await admin('DELETE', `/keys/${String(created.body.id)}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    await expect.poll(() => chatOutcome(key), { timeout: 1_500, interval: 100 }).toBe('401 api_key_revoked');
    expect((await admin('DELETE', `/keys/${String(created.body.id)}`)).body).toMatchObject({ status: 'revoked' });
    expect(errorOf(await admin('DELETE', '/keys/key_000000000000'))).toMatchObject({ status: 404, code: 'key_not_found' });
  });

  it('rotates a key with a grace period: both work until it ends, then only the new one', async () => {
    const created = await admin('POST', '/tenants/ministry/keys', { name: 'rotating', limits: { tokensPerDay: 100_000 } });
    const oldKey = String(created.body.key);
    const rotated = await admin('POST', `/keys/${String(created.body.id)}/rotate`, { graceSeconds: 2 });
    expect(rotated.status).toBe(201);
    const newKey = String(rotated.body.key);
    expect(newKey).not.toBe(oldKey);
    expect(rotated.body).toMatchObject({ name: 'rotating', limits: { tokensPerDay: 100_000 }, rotatedFrom: created.body.id, status: 'active' });
    expect(rotated.body.previous).toMatchObject({ id: created.body.id, status: 'revoking' });
    expect(JSON.stringify(rotated.body.previous)).not.toContain(oldKey);

    await expect.poll(() => chatOutcome(newKey), { timeout: 1_500, interval: 100 }).toBe('200 ok');
    expect(await chatOutcome(oldKey)).toBe('200 ok');
    await expect.poll(() => chatOutcome(oldKey), { timeout: 3_500, interval: 100 }).toBe('401 api_key_revoked');
    expect(await chatOutcome(newKey)).toBe('200 ok');
    // A key already replaced cannot be rotated again.
    expect(errorOf(await admin('POST', `/keys/${String(created.body.id)}/rotate`, {}))).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('rotates without grace: the old key is revoked at once', async () => {
    const created = await admin('POST', '/tenants/ministry/keys', {});
    const rotated = await admin('POST', `/keys/${String(created.body.id)}/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body.previous).toMatchObject({ status: 'revoked' });
    await expect.poll(() => chatOutcome(String(created.body.key)), { timeout: 1_500, interval: 100 }).toBe('401 api_key_revoked');
  });

  it("never lets a tenant-scoped route reach another tenant's key (404 key_not_found)", async () => {
    await admin('POST', '/tenants', { id: 'other-agency', jurisdictions: ['KR'] });
    const ministryKey = await admin('POST', '/tenants/ministry/keys', {});
    const id = String(ministryKey.body.id);
    for (const [method, path] of [['GET', `/tenants/other-agency/keys/${id}`], ['DELETE', `/tenants/other-agency/keys/${id}`], ['POST', `/tenants/other-agency/keys/${id}/rotate`]] as const) {
      const answer = await admin(method, path);
      expect(errorOf(answer), `${method} ${path}`).toMatchObject({ status: 404, code: 'key_not_found' });
      // Exactly the answer for a key that does not exist.
      expect(answer.body.error?.message).toBe(`No API key has the id '${id}'.`);
    }
    expect((await admin('GET', `/keys/${id}`)).body).toMatchObject({ status: 'active' });
    expect(((await admin('GET', '/tenants/other-agency/keys')).body.data as unknown[]).length).toBe(0);
    expect((await admin('GET', `/tenants/ministry/keys/${id}`)).body).toMatchObject({ id, status: 'active' });
  });
});

describe('usage', () => {
  const today = new Date().toISOString().slice(0, 10);
  let keyA: string;
  let keyAId: string;
  let keyBId: string;

  const record = (requestId: string, tenantId: string, keyId: string, model: string, overrides: Partial<UsageRecord> = {}): UsageRecord => ({
    requestId,
    at: `${today}T01:00:00.000Z`,
    day: today,
    tenantId,
    keyId,
    model,
    backendId: 'seoul',
    jurisdiction: 'KR',
    operation: 'chat',
    stream: false,
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 1,
    estimated: false,
    costMicros: 123_457,
    currency: 'USD',
    latencyMs: 12,
    attempts: 1,
    ...overrides,
  });

  beforeAll(async () => {
    await admin('POST', '/tenants', { id: 'usage-a', jurisdictions: ['KR'] });
    await admin('POST', '/tenants', { id: 'usage-b', jurisdictions: ['KR'] });
    const a = await admin('POST', '/tenants/usage-a/keys', {});
    const b = await admin('POST', '/tenants/usage-b/keys', {});
    keyA = String(a.body.key);
    keyAId = String(a.body.id);
    keyBId = String(b.body.id);
    const ledger = new FileUsageLedger(harness.dataDir);
    await ledger.append([
      record('u-a-1', 'usage-a', keyAId, 'hcx-seed'),
      record('u-a-2', 'usage-a', keyAId, '=HYPERLINK("http://evil.example","click")', { status: 502, errorCode: 'upstream_error' }),
      record('u-b-1', 'usage-b', keyBId, 'secret-model-of-b', { costMicros: 2_000_000 }),
      record('u-b-2', 'usage-b', keyBId, 'a,b "quoted"\nnext'),
    ]);
    await ledger.close();
    // The tenant key must be known to the server before /v1/usage is asked.
    await waitFor(async () => ((await chatOutcome(keyA)) === '200 ok' ? true : undefined), 'the key of usage-a to be served', 1_500, 100);
  });

  const tenantUsage = (query: string, key = keyA) => call('GET', `/v1/usage${query}`, { token: key });

  it("shows a tenant only its own usage, whatever it asks for", async () => {
    const own = await tenantUsage(`?from=${today}&to=${today}&groupBy=tenant,key,model`);
    expect(own.status).toBe(200);
    const rows = own.body.data as { tenant: string; key: string; model: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.tenant === 'usage-a')).toBe(true);
    expect(own.text).not.toContain('usage-b');
    expect(own.text).not.toContain('secret-model-of-b');

    for (const query of ['?tenant=usage-b', `?key=${keyBId}`, `?tenant=usage-b&key=${keyBId}&groupBy=tenant`]) {
      const other = await tenantUsage(query);
      expect(other.status, query).toBe(200);
      expect(other.body.data, query).toEqual([]);
    }
    const csv = await tenantUsage('?groupBy=tenant,model&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text).not.toContain('usage-b');
    expect(csv.text).not.toContain('secret-model-of-b');
    expect(errorOf(await call('GET', '/v1/usage', { token: null }))).toMatchObject({ status: 401, code: 'missing_api_key' });
    expect(errorOf(await call('POST', '/v1/usage', { token: keyA, body: {} }))).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('gives the admin every tenant, with exact costs and errors counted', async () => {
    const answer = await admin('GET', `/usage?tenant=usage-b&groupBy=tenant,model&from=${today}`);
    expect(answer.status).toBe(200);
    expect(answer.body.groupBy).toEqual(['tenant', 'model']);
    const rows = answer.body.data as { tenant: string; model: string; cost: string; costMicros: number; requests: number }[];
    expect(rows.find((row) => row.model === 'secret-model-of-b')).toMatchObject({ tenant: 'usage-b', requests: 1, cost: '2.000000', costMicros: 2_000_000 });
    const a = await admin('GET', '/usage?tenant=usage-a&groupBy=');
    const total = (a.body.data as { requests: number; errors: number; promptTokens: number }[])[0];
    // Two recorded rows plus the chat request made above.
    expect(total?.requests).toBeGreaterThanOrEqual(3);
    expect(total?.errors).toBe(1);
  });

  it('exports CSV (RFC 4180) with quoting and spreadsheet formulas defused', async () => {
    const answer = await call('GET', `/admin/v1/usage?groupBy=tenant,model&from=${today}&to=${today}&format=csv&tenant=usage-a`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toContain('attachment');
    const lines = answer.text.split('\r\n');
    expect(lines[0]).toBe('tenant,model,requests,errors,prompt_tokens,completion_tokens,cached_tokens,cost,currency');
    expect(answer.text.endsWith('\r\n')).toBe(true);
    expect(answer.text).toContain(`usage-a,"'=HYPERLINK(""http://evil.example"",""click"")",1,1,10,5,1,0.123457,USD\r\n`);
    const b = await call('GET', `/admin/v1/usage?groupBy=model&tenant=usage-b&format=csv`);
    expect(b.text).toContain('"a,b ""quoted""\nnext",1,0,10,5,1,0.123457,USD\r\n');
  });

  it('refuses bad days, dimensions, formats and parameters with invalid_request naming them', async () => {
    const cases: [string, string, RegExp][] = [
      ['?from=2026-13-01', 'from', /YYYY-MM-DD/],
      ['?to=2026-02-30', 'to', /YYYY-MM-DD/],
      ['?from=2026-03-02&to=2026-03-01', 'to', /before/],
      ['?groupBy=tenant,week', 'groupBy', /"week" is not a usage dimension; use tenant, key, model, backend, day/],
      ['?groupBy=day,day', 'groupBy', /twice/],
      ['?format=xml', 'format', /"xml".*json or csv/],
      ['?tennant=x', 'tennant', /did you mean 'tenant'/],
      ['?from=2026-01-01&from=2026-01-02', 'from', /more than once/],
    ];
    for (const [query, param, message] of cases) {
      for (const answer of [await admin('GET', `/usage${query}`), await tenantUsage(query)]) {
        expect(errorOf(answer), query).toEqual({ status: 400, code: 'invalid_request', param });
        expect(answer.body.error?.message, query).toMatch(message);
      }
    }
    expect(errorOf(await admin('GET', '/keys?tenantt=x'))).toMatchObject({ status: 400, param: 'tenantt' });
  });
});

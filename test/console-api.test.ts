/**
 * The console's server side against a real Nara and a fake engine: sign-in with the admin token
 * (session cookie, CSRF header), the insights drawn from the audit log after real traffic, audit
 * events read back as stored bytes whose hash matches the inclusion proof, back ends, eval runs
 * and the static files. Roles other than operator are tested through single sign-on
 * (console-oidc.test.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import type { AuditEventDetail, AuditEventList, BackendView, OverviewAnswer, ResidencyAnswer, SafetyAnswer, SessionAnswer } from '../src/spec/console-api.js';
import { startHarness, type Harness } from './support/nara-harness.js';

const adminToken = 'console-test-admin-token-0123456789';
const csrf = { 'x-nara-console': '1' };
let engine: FakeEngine;
let harness: Harness;

const config = (url: string) => `
backends:
  - id: seoul
    url: ${url}
    jurisdiction: KR
    models: [seed, kr-only]
    cost: { inputPer1M: 1000, outputPer1M: 2000, currency: KRW }
  - id: singapore
    url: ${url}
    jurisdiction: SG
    accelerator: H100
    models: [seed, sg-only]
tenants:
  - id: kr-gov
    jurisdictions: [KR]
    homeJurisdiction: KR
    safety:
      mode: monitor
      categories: { 'custom:tax-evasion': block }
      rules:
        - { id: offshore, hazard: 'custom:tax-evasion', keywords: [offshore shell company] }
  - id: sea-bank
    jurisdictions: [KR, SG]
    homeJurisdiction: SG
`;

interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T & { error?: { code: string; message: string } };
  readonly headers: Headers;
}

async function request<T>(method: string, path: string, options: { cookie?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${harness.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: (type.includes('json') && text !== '' ? JSON.parse(text) : text) as Answer<T>['body'], headers: response.headers };
}

async function signIn(): Promise<string> {
  const answer = await request<SessionAnswer>('POST', '/admin/v1/session', { body: { token: adminToken }, headers: csrf });
  expect(answer.status).toBe(200);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0] as string;
}

async function chat(key: string, model: string, content: string): Promise<Response> {
  return harness.post('/v1/chat/completions', { model, max_tokens: 8, messages: [{ role: 'user', content }] }, key);
}

beforeAll(async () => {
  engine = await startFakeEngine();
  harness = await startHarness(config(engine.url), { adminToken });
});

afterAll(async () => {
  await harness?.close();
  await engine?.close();
});

describe('console sign-in', () => {
  it('says who is signed in, without credentials', async () => {
    const answer = await request<SessionAnswer>('GET', '/admin/v1/session');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ signedIn: false, tokenSignIn: true });
  });

  it('refuses a wrong token and a tenant key; sets an HttpOnly SameSite=Strict cookie for the right one', async () => {
    expect((await request('POST', '/admin/v1/session', { body: { token: 'wrong' }, headers: csrf })).body.error?.code).toBe('invalid_admin_token');
    expect((await request('POST', '/admin/v1/session', { body: {}, headers: csrf })).body.error?.code).toBe('invalid_request');
    // Signing in from another site's form is refused like any other cookie change.
    expect((await request('POST', '/admin/v1/session', { body: { token: adminToken } })).body.error?.code).toBe('csrf_header_missing');
    const answer = await request<SessionAnswer>('POST', '/admin/v1/session', { body: { token: adminToken }, headers: csrf });
    expect(answer.body.principal).toEqual({ subject: 'admin', role: 'operator', via: 'token' });
    const setCookie = answer.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^nara_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    // The token never comes back.
    expect(JSON.stringify(answer.body)).not.toContain(adminToken);
    const cookie = setCookie.split(';')[0] as string;
    const session = await request<SessionAnswer>('GET', '/admin/v1/session', { cookie });
    expect(session.body.signedIn).toBe(true);
    expect(session.body.principal?.role).toBe('operator');
  });

  it('a cookie change needs the x-nara-console header (CSRF); reads do not', async () => {
    const cookie = await signIn();
    expect((await request('GET', '/admin/v1/tenants', { cookie })).status).toBe(200);
    const refused = await request('POST', '/admin/v1/tenants', { cookie, body: { id: 'csrf-victim', jurisdictions: ['KR'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('csrf_header_missing');
    expect((await request('GET', '/admin/v1/tenants/csrf-victim', { cookie })).status).toBe(404);
    const made = await request('POST', '/admin/v1/tenants', { cookie, headers: { 'x-nara-console': '1' }, body: { id: 'csrf-ok', jurisdictions: ['KR'] } });
    expect(made.status).toBe(201);
    // Scripts keep the Bearer token, no header needed.
    expect((await request('DELETE', '/admin/v1/tenants/csrf-ok', { token: adminToken })).status).toBe(200);
  });

  it('an unknown or signed-out session is session_expired; no credentials at all is missing_admin_token', async () => {
    const cookie = await signIn();
    expect((await request('DELETE', '/admin/v1/session', { cookie })).body.error?.code).toBe('csrf_header_missing');
    expect((await request('DELETE', '/admin/v1/session', { cookie, headers: csrf })).headers.get('set-cookie')).toMatch(/^nara_session=; .*Max-Age=0/);
    expect((await request('GET', '/admin/v1/tenants', { cookie })).body.error?.code).toBe('session_expired');
    expect((await request('GET', '/admin/v1/tenants', { cookie: 'nara_session=forged0123456789' })).body.error?.code).toBe('session_expired');
    expect((await request('GET', '/admin/v1/tenants')).body.error?.code).toBe('missing_admin_token');
    expect((await request('GET', '/admin/v1/insights/overview')).status).toBe(401);
  });

  it('OIDC routes say it is not configured', async () => {
    const login = await request('GET', '/admin/v1/oidc/login');
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/console/signin?error=oidc_not_configured');
  });
});

describe('console figures after real traffic', () => {
  let key: string;
  let bankKey: string;
  let servedId: string;

  beforeAll(async () => {
    key = await harness.createKey('kr-gov');
    bankKey = await harness.createKey('sea-bank');
    const served = await chat(key, 'seed', 'hello there');
    expect(served.status).toBe(200);
    servedId = served.headers.get('x-request-id') as string;
    expect((await chat(key, 'seed', 'how to set up an offshore shell company')).status).toBe(400);
    expect((await chat(key, 'sg-only', 'hello')).status).toBe(403);
    for (let index = 0; index < 3; index += 1) expect((await chat(bankKey, 'kr-only', 'hello')).status).toBe(200);
  });

  it('overview counts requests, errors, tokens and cost by tenant, model and back end', async () => {
    const answer = await request<OverviewAnswer>('GET', '/admin/v1/insights/overview', { token: adminToken });
    expect(answer.status).toBe(200);
    const totals = answer.body.totals;
    expect(totals.requests).toBeGreaterThanOrEqual(6);
    expect(totals.errors).toBeGreaterThanOrEqual(2);
    expect(totals.tokensIn).toBeGreaterThan(0);
    expect(totals.cost.KRW).toBeGreaterThan(0);
    expect(answer.body.byTenant.find((group) => group.key === 'sea-bank')?.requests).toBe(3);
    expect(answer.body.byBackend.find((group) => group.key === 'seoul')?.requests).toBeGreaterThanOrEqual(4);
    expect(answer.body.errorCodes.map((entry) => entry.code)).toEqual(expect.arrayContaining(['safety_blocked', 'jurisdiction_not_allowed']));
    expect(answer.body.series.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(totals.requests);
    const bank = await request<OverviewAnswer>('GET', '/admin/v1/insights/overview?tenant=sea-bank', { token: adminToken });
    expect(bank.body.totals.requests).toBe(3);
  });

  it('residency shows where each tenant was served, cross-border transfers and denials', async () => {
    const answer = await request<ResidencyAnswer>('GET', '/admin/v1/insights/residency', { token: adminToken });
    expect(answer.status).toBe(200);
    const bank = answer.body.tenants.find((tenant) => tenant.tenant === 'sea-bank');
    expect(bank).toMatchObject({ home: 'SG', crossBorder: 3, allowed: ['KR', 'SG'] });
    expect(bank?.served).toEqual([{ jurisdiction: 'KR', requests: 3, crossBorder: true }]);
    const gov = answer.body.tenants.find((tenant) => tenant.tenant === 'kr-gov');
    expect(gov?.denials).toBe(1);
    expect(gov?.crossBorder).toBe(0);
    expect(answer.body.flows).toEqual(expect.arrayContaining([{ from: 'SG', to: 'KR', requests: 3, crossBorder: true }]));
  });

  it('safety counts blocked prompts by hazard and language, never the text', async () => {
    const answer = await request<SafetyAnswer>('GET', '/admin/v1/insights/safety', { token: adminToken });
    expect(answer.status).toBe(200);
    expect(answer.body.blocked).toBe(1);
    expect(answer.body.hazards).toEqual([{ hazard: 'custom:tax-evasion', language: 'en', action: 'block', where: 'request', count: 1 }]);
    expect(JSON.stringify(answer.body)).not.toContain('offshore');
  });

  it('lists audit events newest first, finds one by request id, and serves its stored bytes matching the inclusion proof', async () => {
    const list = await request<AuditEventList>('GET', '/admin/v1/audit/events?limit=2', { token: adminToken });
    expect(list.body.data).toHaveLength(2);
    expect(list.body.total).toBeGreaterThanOrEqual(6);
    expect((list.body.data[0]?.index ?? 0) > (list.body.data[1]?.index ?? 0)).toBe(true);
    expect(list.body.nextBefore).toBe(list.body.data[1]?.index);
    const found = await request<AuditEventList>('GET', `/admin/v1/audit/events?requestId=${servedId}`, { token: adminToken });
    expect(found.body.data).toHaveLength(1);
    const index = found.body.data[0]?.index as number;
    const detail = await request<AuditEventDetail>('GET', `/admin/v1/audit/events/${index}`, { token: adminToken });
    expect(detail.body.event.requestId).toBe(servedId);
    const leaf = Buffer.from(detail.body.leaf, 'base64');
    const proof = await request<{ leaf_hash: string }>('GET', `/audit/v1/proof/inclusion?index=${index}`, { token: adminToken });
    const leafHash = createHash('sha256').update(Buffer.concat([Buffer.from([0]), leaf])).digest('base64');
    expect(proof.body.leaf_hash).toBe(leafHash);
    expect((await request('GET', '/admin/v1/audit/events/999999', { token: adminToken })).body.error?.code).toBe('audit_not_found');
    expect((await request('GET', '/admin/v1/audit/events/abc', { token: adminToken })).body.error?.code).toBe('invalid_request');
    expect((await request('GET', '/admin/v1/audit/events?outcome=maybe', { token: adminToken })).body.error?.code).toBe('invalid_request');
  });

  it('a session cookie reads proofs too', async () => {
    const cookie = await signIn();
    expect((await request('GET', '/audit/v1/proof/inclusion?index=0', { cookie })).status).toBe(200);
    expect((await request('POST', '/audit/v1/checkpoint', { cookie })).body.error?.code).toBe('csrf_header_missing');
    expect((await request('POST', '/audit/v1/checkpoint', { cookie, headers: { 'x-nara-console': '1' } })).status).toBe(200);
  });

  it('back ends show health, circuit, accelerator, price and last-hour latency', async () => {
    const answer = await request<{ data: BackendView[] }>('GET', '/admin/v1/backends', { token: adminToken });
    const seoul = answer.body.data.find((backend) => backend.id === 'seoul');
    expect(seoul).toMatchObject({ jurisdiction: 'KR', healthy: true, circuit: 'closed', price: { inputPer1M: 1000, outputPer1M: 2000, currency: 'KRW' } });
    expect(seoul?.lastHour.requests).toBeGreaterThanOrEqual(4);
    expect(seoul?.lastHour.latencyP95Ms).not.toBeNull();
    expect(answer.body.data.find((backend) => backend.id === 'singapore')?.accelerator).toBe('H100');
  });

  it('refuses bad queries with the parameter named', async () => {
    for (const [path, param] of [
      ['/admin/v1/insights/overview?from=yesterday', 'from'],
      ['/admin/v1/insights/overview?bucket=week', 'bucket'],
      ['/admin/v1/insights/overview?from=2026-01-02&to=2026-01-01', 'from'],
      ['/admin/v1/insights/residency?limit=0', 'limit'],
      ['/admin/v1/insights/safety?colour=red', 'colour'],
    ] as const) {
      const answer = await request<{ error: { param: string } }>('GET', path, { token: adminToken });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.param, path).toBe(param);
    }
  });
});

describe('eval runs for the console', () => {
  it('lists none, refuses path tricks, and says which run is missing', async () => {
    const list = await request<{ data: unknown[] }>('GET', '/admin/v1/eval/runs', { token: adminToken });
    expect(list.body.data).toEqual([]);
    mkdirSync(join(harness.dataDir, 'eval-runs', 'junk'), { recursive: true });
    writeFileSync(join(harness.dataDir, 'eval-runs', 'junk', 'run.json'), 'not json');
    expect((await request<{ data: unknown[] }>('GET', '/admin/v1/eval/runs', { token: adminToken })).body.data).toEqual([]);
    expect((await request('GET', '/admin/v1/eval/runs/..%2F..%2Fetc', { token: adminToken })).body.error?.code).toBe('invalid_request');
    expect((await request('GET', '/admin/v1/eval/runs/nothing', { token: adminToken })).body.error?.code).toBe('eval_run_not_found');
    expect((await request('GET', '/admin/v1/eval/compare?a=x&b=y', { token: adminToken })).body.error?.code).toBe('eval_run_not_found');
  });
});

describe('console files', () => {
  it('redirects /console, serves index.html for deep links with a strict CSP, and compressed hashed assets', async () => {
    const bare = await request('GET', '/console');
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
    const page = await fetch(`${harness.url}/console/tenants/kr-gov`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // No address outside this server anywhere in the page.
    expect(html).not.toMatch(/https?:\/\//);
    const asset = await fetch(`${harness.url}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await request('GET', '/console/assets/missing-0000.js')).status).toBe(404);
    expect((await request('POST', '/console/')).status).toBe(405);
  });
});

describe('console configuration', () => {
  it('says when the OIDC secret is missing and refuses a plain-http issuer', async () => {
    const { loadConfigText } = await import('../src/config/load.js');
    const base = 'backends: [{ id: a, url: "http://127.0.0.1:1/v1", jurisdiction: KR, models: [m] }]\n';
    // No admin token and no SSO is a choice (the admin API is off); the sign-in page says how to turn it on.
    expect(loadConfigText('n.yaml', base, { env: {} }).warnings.map((warning) => warning.path)).not.toContain('console');
    const oidc = (issuer: string, extra = '') => `${base}console:\n  oidc: { issuer: "${issuer}", clientId: nara, clientSecretEnv: SSO_SECRET${extra} }\n`;
    const missing = loadConfigText('n.yaml', oidc('https://sso.example.kr'), { env: {} });
    expect(missing.errors.map((problem) => problem.path)).toEqual(['console.oidc.clientSecretEnv']);
    expect(missing.errors[0]?.fix).toContain('export SSO_SECRET');
    const http = loadConfigText('n.yaml', oidc('http://sso.example.kr'), { env: { SSO_SECRET: 's' } });
    expect(http.errors.map((problem) => problem.path)).toEqual(['console.oidc.issuer']);
    const lab = loadConfigText('n.yaml', oidc('http://sso.example.kr', ', allowInsecureHttp: true'), { env: { SSO_SECRET: 's' } });
    expect(lab.errors).toEqual([]);
    expect(lab.config?.console.oidc?.clientSecret).toBe('s');
    const typo = loadConfigText('n.yaml', `${base}console: { sesionHours: 2 }\n`, { env: {} });
    expect(typo.errors[0]?.path).toContain('console');
  });
});

describe('console turned off', () => {
  it('answers 404 console_disabled for its pages and refuses console sign-ins; the admin API stays', async () => {
    const off = await startHarness(`${config(engine.url)}console: { enabled: false }\n`, { adminToken });
    try {
      const page = await fetch(`${off.url}/console/`);
      expect(page.status).toBe(404);
      expect(((await page.json()) as { error: { code: string } }).error.code).toBe('console_disabled');
      const signIn = await fetch(`${off.url}/admin/v1/session`, { method: 'POST', headers: { ...csrf, 'content-type': 'application/json' }, body: JSON.stringify({ token: adminToken }) });
      expect(((await signIn.json()) as { error: { code: string } }).error.code).toBe('console_disabled');
      expect((await fetch(`${off.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

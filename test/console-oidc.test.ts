/**
 * Console single sign-on against a real OpenID Connect provider (oidc-provider) and the roles the
 * API enforces: operator, auditor (read-only audit, residency, safety) and tenant admin (own tenant
 * only, whatever the request names). A small cookie-keeping client follows the redirects the way a
 * browser does; the real browser flow is in console-e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import type { AuditEventList, OverviewAnswer, SessionAnswer } from '../src/spec/console-api.js';
import { startHarness, type Harness } from './support/nara-harness.js';
import { startOidcProvider, type TestOidcProvider, type TestUser } from './support/oidc-provider.js';

const adminToken = 'oidc-test-admin-token-0123456789';
const secretEnv = 'NARA_TEST_OIDC_CLIENT_SECRET';
let engine: FakeEngine;
let harness: Harness;
let provider: TestOidcProvider;

const baseConfig = (url: string) => `
backends:
  - id: seoul
    url: ${url}
    jurisdiction: KR
    models: [seed]
tenants:
  - id: kr-gov
    jurisdictions: [KR]
    homeJurisdiction: KR
  - id: kr-bank
    jurisdictions: [KR]
    homeJurisdiction: KR
`;

const oidcConfig = (issuer: string) => `
console:
  oidc:
    issuer: ${issuer}
    clientId: nara-console
    clientSecretEnv: ${secretEnv}
    scopes: [openid, profile, nara]
    allowInsecureHttp: true
    label: Gov SSO
`;

/** Follows redirects across origins keeping cookies per host, as a browser would (paths and SameSite aside). */
class CookieBrowser {
  readonly jar = new Map<string, Map<string, string>>();
  readonly visited: string[] = [];

  async go(start: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ url: string; response: Response }> {
    let url = start;
    let request = init;
    for (let hop = 0; hop < 20; hop += 1) {
      this.visited.push(url);
      const host = new URL(url).host;
      const cookies = [...(this.jar.get(host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, { method: request.method ?? 'GET', headers: { ...request.headers, ...(cookies === '' ? {} : { cookie: cookies }) }, body: request.body, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = (pair ?? '').indexOf('=');
        const jar = this.jar.get(host) ?? new Map<string, string>();
        const value = (pair ?? '').slice(at + 1);
        if (value === '' || /max-age=0/i.test(line)) jar.delete((pair ?? '').slice(0, at));
        else jar.set((pair ?? '').slice(0, at), value);
        this.jar.set(host, jar);
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { url, response };
      await response.body?.cancel();
      url = new URL(location, url).href;
      request = {};
    }
    throw new Error('too many redirects');
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T & { error?: { code: string } } }> {
    const headers: Record<string, string> = method === 'GET' ? {} : { 'x-nara-console': '1', 'content-type': 'application/json' };
    const { response } = await this.go(`${harness.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T & { error?: { code: string } } };
  }
}

async function signInAs(user: TestUser, returnTo = '/console/'): Promise<{ browser: CookieBrowser; landed: string }> {
  provider.signInAs(user);
  const browser = new CookieBrowser();
  const { url, response } = await browser.go(`${harness.url}/admin/v1/oidc/login?return=${encodeURIComponent(returnTo)}`);
  await response.body?.cancel();
  return { browser, landed: url.slice(harness.url.length) };
}

beforeAll(async () => {
  engine = await startFakeEngine();
  harness = await startHarness(baseConfig(engine.url), { adminToken });
  provider = await startOidcProvider([`${harness.url}/admin/v1/oidc/callback`]);
  process.env[secretEnv] = provider.clientSecret;
  await harness.reload(baseConfig(engine.url) + oidcConfig(provider.issuer));
  // Traffic of two tenants, so that confinement has something to hide.
  for (const tenant of ['kr-gov', 'kr-bank']) {
    const key = await harness.createKey(tenant);
    const response = await harness.post('/v1/chat/completions', { model: 'seed', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }, key);
    expect(response.status).toBe(200);
  }
});

afterAll(async () => {
  await harness?.close();
  await provider?.close();
  await engine?.close();
  delete process.env[secretEnv];
});

describe('single sign-on', () => {
  it('announces itself to the sign-in page', async () => {
    const answer = (await (await fetch(`${harness.url}/admin/v1/session`)).json()) as SessionAnswer;
    expect(answer).toEqual({ signedIn: false, tokenSignIn: true, oidc: { loginUrl: '/admin/v1/oidc/login?return=/console/', label: 'Gov SSO' } });
  });

  it('signs an operator in through the provider and lands on the page asked for', async () => {
    const { browser, landed } = await signInAs({ sub: 'op-1', name: 'Operator One', role: 'operator' }, '/console/residency');
    expect(landed).toBe('/console/residency');
    expect(browser.visited.some((url) => url.startsWith(provider.issuer))).toBe(true);
    const session = await browser.api<SessionAnswer>('GET', '/admin/v1/session');
    expect(session.body.principal).toEqual({ subject: 'op-1', name: 'Operator One', role: 'operator', via: 'oidc' });
    expect((await browser.api('GET', '/admin/v1/backends')).status).toBe(200);
  });

  it('maps an array claim through the roles table to the strongest role', async () => {
    const { browser } = await signInAs({ sub: 'multi', role: ['auditor', 'operator'] });
    expect((await browser.api<SessionAnswer>('GET', '/admin/v1/session')).body.principal?.role).toBe('operator');
  });

  it('refuses users without a role, tenant admins without an existing tenant, and open redirects', async () => {
    expect((await signInAs({ sub: 'nobody' })).landed).toBe('/console/signin?error=oidc_no_role');
    expect((await signInAs({ sub: 'weird', role: 'superuser' })).landed).toBe('/console/signin?error=oidc_no_role');
    expect((await signInAs({ sub: 'ta-0', role: 'tenant_admin' })).landed).toBe('/console/signin?error=oidc_no_tenant');
    expect((await signInAs({ sub: 'ta-x', role: 'tenant_admin', tenant: 'no-such-tenant' })).landed).toBe('/console/signin?error=oidc_no_tenant');
    expect((await signInAs({ sub: 'op-2', role: 'operator' }, 'https://evil.example/')).landed).toBe('/console/');
    expect((await signInAs({ sub: 'op-3', role: 'operator' }, '/console//evil.example')).landed).toBe('/console/');
    expect((await signInAs({ sub: 'op-5', role: 'operator' }, '/console/x\r\nx-evil: 1')).landed).toBe('/console/');
    expect((await signInAs({ sub: 'op-6', role: 'operator' }, '/console/audit?requestId=abc')).landed).toBe('/console/audit?requestId=abc');
  });

  it('keeps unfinished logins in the browser: a flood of them does not push out a real one', async () => {
    provider.signInAs({ sub: 'op-flood', role: 'operator' });
    const victim = new CookieBrowser();
    // The victim starts signing in; the provider has answered, the callback is not followed yet.
    const start = await fetch(`${harness.url}/admin/v1/oidc/login`, { redirect: 'manual' });
    const sealed = (start.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    for (let index = 0; index < 1_200; index += 1) await (await fetch(`${harness.url}/admin/v1/oidc/login`, { redirect: 'manual' })).body?.cancel();
    victim.jar.set(new URL(harness.url).host, new Map([[sealed.slice(0, sealed.indexOf('=')), sealed.slice(sealed.indexOf('=') + 1)]]));
    const { url } = await victim.go(start.headers.get('location') as string);
    expect(url).toBe(`${harness.url}/console/`);
    expect((await victim.api<SessionAnswer>('GET', '/admin/v1/session')).body.principal?.subject).toBe('op-flood');
    // The sealed login cannot be altered by the browser.
    const tampered = new CookieBrowser();
    tampered.jar.set(new URL(harness.url).host, new Map([['nara_oidc_state', `${sealed.slice(sealed.indexOf('=') + 1, -4)}AAAA`]]));
    expect((await tampered.go(`${harness.url}/admin/v1/oidc/callback?code=x&state=y`)).url).toBe(`${harness.url}/console/signin?error=oidc_invalid_callback`);
  });

  it('logs every sign-in with the subject, never a token or cookie', () => {
    const lines = harness.logs.filter((line) => line.msg === 'console sign-in');
    expect(lines.some((line) => line.subject === 'op-1' && line.via === 'oidc' && line.role === 'operator')).toBe(true);
    expect(harness.rawLogs()).not.toContain(provider.clientSecret);
    expect(harness.rawLogs()).not.toMatch(/nara_session=[A-Za-z0-9_-]{20}/);
  });

  it('refuses a replayed callback and a callback from another browser', async () => {
    provider.signInAs({ sub: 'op-4', role: 'operator' });
    const browser = new CookieBrowser();
    await (await browser.go(`${harness.url}/admin/v1/oidc/login`)).response.body?.cancel();
    const callback = browser.visited.find((url) => url.startsWith(`${harness.url}/admin/v1/oidc/callback`));
    expect(callback).toBeDefined();
    const replay = await browser.go(callback as string);
    expect(replay.url).toBe(`${harness.url}/console/signin?error=oidc_invalid_callback`);
    const stranger = new CookieBrowser();
    const elsewhere = await stranger.go(`${harness.url}/admin/v1/oidc/callback?code=abc&state=forged`);
    expect(elsewhere.url).toBe(`${harness.url}/console/signin?error=oidc_invalid_callback`);
  });

  it('says the provider is unreachable when it is', async () => {
    await harness.reload(baseConfig(engine.url) + oidcConfig('http://127.0.0.1:9'));
    try {
      const browser = new CookieBrowser();
      const { url } = await browser.go(`${harness.url}/admin/v1/oidc/login`);
      expect(url).toBe(`${harness.url}/console/signin?error=oidc_failed`);
    } finally {
      await harness.reload(baseConfig(engine.url) + oidcConfig(provider.issuer));
    }
  });
});

describe('roles enforced by the API', () => {
  it("a tenant admin's session ends when their tenant is deleted", async () => {
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    expect((await fetch(`${harness.url}/admin/v1/tenants`, { method: 'POST', headers, body: JSON.stringify({ id: 'short-lived', jurisdictions: ['KR'] }) })).status).toBe(201);
    await harness.nara.reloadKeys();
    const { browser } = await signInAs({ sub: 'ta-short', role: 'tenant_admin', tenant: 'short-lived' });
    expect((await browser.api('GET', '/admin/v1/tenants/short-lived')).status).toBe(200);
    expect((await fetch(`${harness.url}/admin/v1/tenants/short-lived`, { method: 'DELETE', headers })).status).toBe(200);
    await harness.nara.reloadKeys();
    expect((await browser.api('GET', '/admin/v1/tenants/short-lived')).body.error?.code).toBe('session_expired');
  });

  it('an auditor reads the audit log, residency and safety, and nothing else', async () => {
    const { browser } = await signInAs({ sub: 'aud-1', role: 'auditor' });
    expect((await browser.api('GET', '/admin/v1/audit/events')).status).toBe(200);
    expect((await browser.api('GET', '/admin/v1/insights/residency')).status).toBe(200);
    expect((await browser.api('GET', '/admin/v1/insights/safety')).status).toBe(200);
    expect((await browser.api('GET', '/audit/v1/proof/inclusion?index=0')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/admin/v1/insights/overview'],
      ['GET', '/admin/v1/tenants'],
      ['GET', '/admin/v1/backends'],
      ['GET', '/admin/v1/usage'],
      ['GET', '/admin/v1/eval/runs'],
      ['POST', '/admin/v1/tenants'],
      ['POST', '/admin/v1/tenants/kr-gov/keys'],
    ] as const) {
      const answer = await browser.api(method, path, method === 'POST' ? { id: 'x', jurisdictions: ['KR'] } : undefined);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.error?.code, `${method} ${path}`).toBe('forbidden_for_role');
    }
  });

  it('a tenant admin sees and manages only their own tenant', async () => {
    const { browser } = await signInAs({ sub: 'ta-1', role: 'tenant_admin', tenant: 'kr-gov' });
    const session = await browser.api<SessionAnswer>('GET', '/admin/v1/session');
    expect(session.body.principal).toMatchObject({ role: 'tenant_admin', tenant: 'kr-gov' });
    const tenants = await browser.api<{ data: { id: string }[] }>('GET', '/admin/v1/tenants');
    expect(tenants.body.data.map((tenant) => tenant.id)).toEqual(['kr-gov']);
    expect((await browser.api('GET', '/admin/v1/tenants/kr-bank')).body.error?.code).toBe('tenant_not_found');
    // Keys of their own tenant: yes; of another: as if it did not exist.
    const created = await browser.api<{ id: string; key: string }>('POST', '/admin/v1/tenants/kr-gov/keys', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^nara-/);
    expect((await browser.api('POST', '/admin/v1/tenants/kr-bank/keys', { name: 'sneaky' })).body.error?.code).toBe('tenant_not_found');
    const bankKeys = await harness.nara.directory.load();
    const bankKey = bankKeys.keys.find((key) => key.tenantId === 'kr-bank');
    expect(bankKey).toBeDefined();
    expect((await browser.api('DELETE', `/admin/v1/keys/${bankKey?.id}`)).body.error?.code).toBe('key_not_found');
    expect((await browser.api('POST', `/admin/v1/keys/${bankKey?.id}/rotate`, {})).body.error?.code).toBe('key_not_found');
    expect((await browser.api('DELETE', `/admin/v1/keys/${created.body.id}`)).status).toBe(200);
    // Never their own limits, never a new tenant.
    expect((await browser.api('PATCH', '/admin/v1/tenants/kr-gov', { limits: { requestsPerMinute: 1e6 } })).body.error?.code).toBe('forbidden_for_role');
    expect((await browser.api('POST', '/admin/v1/tenants', { id: 'mine', jurisdictions: ['KR'] })).body.error?.code).toBe('forbidden_for_role');
    expect((await browser.api('GET', '/admin/v1/backends')).body.error?.code).toBe('forbidden_for_role');
    // Figures and events: their tenant only, whatever the query names.
    const overview = await browser.api<OverviewAnswer>('GET', '/admin/v1/insights/overview');
    expect(overview.body.byTenant.map((group) => group.key)).toEqual(['kr-gov']);
    expect((await browser.api('GET', '/admin/v1/insights/overview?tenant=kr-bank')).body.error?.code).toBe('tenant_not_found');
    const events = await browser.api<AuditEventList>('GET', '/admin/v1/audit/events');
    expect(events.body.data.length).toBeGreaterThan(0);
    expect(new Set(events.body.data.map((event) => event.tenant))).toEqual(new Set(['kr-gov']));
    const all = await (await fetch(`${harness.url}/admin/v1/audit/events`, { headers: { authorization: `Bearer ${adminToken}` } })).json() as AuditEventList;
    const bankEvent = all.data.find((event) => event.tenant === 'kr-bank');
    expect(bankEvent).toBeDefined();
    expect((await browser.api('GET', `/admin/v1/audit/events/${bankEvent?.index}`)).body.error?.code).toBe('audit_not_found');
    expect((await browser.api('GET', `/audit/v1/proof/inclusion?index=${bankEvent?.index}`)).body.error?.code).toBe('audit_not_found');
    // One answer for every miss: another tenant's event, an unknown request id, an index past the log's end.
    const bankRequest = all.data.find((event) => event.tenant === 'kr-bank')?.requestId as string;
    for (const query of [`requestId=${bankRequest}`, 'requestId=never-seen', 'index=999999']) {
      const miss = await browser.api<{ error: { code: string; message: string } }>('GET', `/audit/v1/proof/inclusion?${query}`);
      expect(miss.body.error, query).toEqual(expect.objectContaining({ code: 'audit_not_found', message: 'No event of your tenant matches.' }));
    }
    expect((await browser.api('GET', '/audit/v1/proof/consistency?first=1&second=2')).body.error?.code).toBe('forbidden_for_role');
    const usage = await browser.api<{ data: { tenant?: string }[] }>('GET', '/admin/v1/usage?groupBy=tenant');
    expect(usage.body.data.every((row) => row.tenant === 'kr-gov')).toBe(true);
    expect((await browser.api('GET', '/admin/v1/usage?tenant=kr-bank')).body.error?.code).toBe('tenant_not_found');
  });
});

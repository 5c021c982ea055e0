/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against a real Nara
 * and a fake engine, as an operator would use it: sign in with the admin token, create a tenant and
 * a key, chat in the playground (streamed), find the traffic in the overview and residency pages,
 * verify the request's audit proof in the browser, switch to Arabic (right to left), and sign in
 * by single sign-on as a tenant admin. Every page is screenshotted (test-results/console/), checked
 * with axe-core, and must raise no page or console error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';
import { startOidcProvider, type TestOidcProvider } from './support/oidc-provider.js';
import { accessibilityViolations, chromiumMissing, launchChromium, openWatchedPage, screenshotDir, type WatchedPage } from './support/console-browser.js';

const adminToken = 'e2e-admin-token-0123456789abcdef';
const secretEnv = 'NARA_E2E_OIDC_CLIENT_SECRET';
let engine: FakeEngine;
let harness: Harness;
let provider: TestOidcProvider;
let browser: Browser;
let operator: WatchedPage;
const shots = screenshotDir();

const config = (url: string, issuer?: string) => `
backends:
  - id: seoul
    url: ${url}
    jurisdiction: KR
    region: seoul-1
    accelerator: H100
    models: [hcx-seed, exaone]
    cost: { inputPer1M: 500, outputPer1M: 1500, currency: KRW }
  - id: singapore
    url: ${url}
    jurisdiction: SG
    models: [sea-lion]
tenants:
  - id: kr-ministry
    displayName: Ministry of the Interior
    jurisdictions: [KR]
    homeJurisdiction: KR
${
  issuer === undefined
    ? ''
    : `console:
  oidc:
    issuer: ${issuer}
    clientId: nara-console
    clientSecretEnv: ${secretEnv}
    scopes: [openid, profile, nara]
    allowInsecureHttp: true
`
}`;

async function open(page: Page, path: string, testId: string): Promise<void> {
  await page.goto(`${harness.url}/console${path}`);
  await page.getByTestId(testId).waitFor({ state: 'visible', timeout: 15_000 });
  // Let the page's data arrive: no loading state left.
  await page.getByTestId('state-loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
}

async function checkPage(watched: WatchedPage, name: string): Promise<void> {
  await watched.page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
  const violations = await accessibilityViolations(watched.page);
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious, `${name}: ${JSON.stringify(serious)}`).toEqual([]);
  expect(await watched.page.getByTestId('state-error').count(), `${name} shows an error state`).toBe(0);
  expect(watched.problems, name).toEqual([]);
}

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing !== undefined) throw new Error(missing);
  engine = await startFakeEngine();
  harness = await startHarness(config(engine.url), { adminToken });
  provider = await startOidcProvider([`${harness.url}/admin/v1/oidc/callback`]);
  process.env[secretEnv] = provider.clientSecret;
  await harness.reload(config(engine.url, provider.issuer));
  browser = await launchChromium();
  operator = await openWatchedPage(browser);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await provider?.close();
  await engine?.close();
  delete process.env[secretEnv];
});

describe('the console in Chromium', () => {
  let requestId = '';

  it('signs in with the admin token (a wrong one is refused on the page)', async () => {
    const { page } = operator;
    await open(page, '/signin', 'page-signin');
    await checkPage(operator, '01-signin');
    await page.getByTestId('signin-token').fill('not-the-token');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signin-error').waitFor();
    operator.problems.length = 0; // the refused sign-in's 401 is logged by Chromium as a failed fetch
    await page.getByTestId('signin-token').fill(adminToken);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('page-overview').waitFor();
    const cookies = await operator.context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'nara_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('creates a tenant and a key, and takes the key to the playground', async () => {
    const { page } = operator;
    await open(page, '/tenants', 'page-tenants');
    await page.getByTestId('tenant-create').click();
    await page.getByTestId('tenant-id').fill('e2e-agency');
    await page.getByTestId('tenant-display-name').fill('E2E Agency');
    await page.getByTestId('tenant-jurisdictions').fill('KR');
    await page.getByTestId('tenant-home').fill('KR');
    await page.getByTestId('tenant-submit').click();
    await page.getByTestId('tenant-row-e2e-agency').waitFor();
    await checkPage(operator, '02-tenants');
    await page.getByTestId('tenant-row-e2e-agency').click();
    await page.getByTestId('page-tenant').waitFor();
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').fill('playground');
    await page.getByTestId('key-submit').click();
    const secret = page.getByTestId('key-secret');
    await secret.waitFor();
    const key = (await secret.inputValue().catch(async () => secret.innerText())).trim();
    expect(key).toMatch(/^nara-/);
    await checkPage(operator, '03-tenant-detail');
    await page.getByTestId('key-use-playground').click();
    await page.getByTestId('page-playground').waitFor();
  });

  it('streams a chat in the playground and shows every stage verdict', async () => {
    const { page } = operator;
    const model = page.getByTestId('pg-model');
    await model.waitFor();
    await page.waitForFunction(() => {
      const select = (globalThis as unknown as { document: { querySelector(s: string): { options: { length: number } } | null } }).document.querySelector('[data-testid="pg-model"]');
      return select !== null && select.options.length > 0;
    });
    await model.selectOption('hcx-seed');
    await page.getByTestId('pg-prompt').fill('안녕하세요, 오늘 서울 날씨는 어떤가요?');
    await page.getByTestId('pg-send').click();
    await page.getByTestId('pg-stages').waitFor({ timeout: 20_000 });
    expect((await page.getByTestId('pg-answer').innerText()).length).toBeGreaterThan(0);
    requestId = (await page.getByTestId('pg-request-id').innerText()).trim();
    expect(requestId).not.toBe('');
    for (const stage of ['authenticate', 'residency', 'route']) expect(await page.getByTestId(`pg-stage-${stage}`).count(), stage).toBe(1);
    await checkPage(operator, '04-playground');
  });

  it('shows the traffic in the overview and the residency pages', async () => {
    const { page } = operator;
    await open(page, '/', 'page-overview');
    await page.getByTestId('overview-chart').first().waitFor();
    expect(Number((await page.getByTestId('overview-total-requests').innerText()).replace(/[^\d]/g, ''))).toBeGreaterThanOrEqual(1);
    await checkPage(operator, '05-overview');
    await open(page, '/residency', 'page-residency');
    await page.getByTestId('residency-row-e2e-agency').waitFor();
    await page.getByTestId('residency-flow').waitFor();
    await checkPage(operator, '06-residency');
  });

  it('verifies the request’s audit proof in the browser', async () => {
    const { page } = operator;
    await open(page, '/audit', 'page-audit');
    await page.getByTestId('audit-search').fill(requestId);
    await page.getByTestId('audit-search-submit').click();
    const row = page.locator('[data-testid^="audit-row-"]').first();
    await row.waitFor();
    await row.click();
    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await result.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => {
      const node = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="audit-verify-result"]');
      return node !== null && node.getAttribute('data-status') !== null && node.getAttribute('data-status') !== 'running';
    });
    expect(await result.getAttribute('data-status')).toBe('verified');
    // Checked against the server's own key: consistent, not yet authentic — the page says so.
    expect(await result.getAttribute('data-key-source')).toBe('server');
    await page.getByTestId('audit-verify-caveat').waitFor();
    await checkPage(operator, '07-audit');
    // An auditor pins the key (as given out of band); the next check uses it.
    await page.getByTestId('audit-pin-key').first().click();
    await page.getByTestId('audit-pinned').waitFor();
    await page.getByTestId('audit-verify').click();
    await page.waitForFunction(() => {
      const node = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="audit-verify-result"]');
      return node?.getAttribute('data-key-source') === 'pinned' && node.getAttribute('data-status') === 'verified';
    });
    // A wrong key pasted over it fails at the key or signature step, never "verified".
    await page.getByTestId('audit-key-input').fill('nara.local/audit+00000000+AQS9XovhlNZFWPQo68iq+aCy1Mdhi8qROl6kdFve3c2P');
    await page.getByTestId('audit-verify').click();
    await page.waitForFunction(() => {
      const node = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="audit-verify-result"]');
      return node?.getAttribute('data-status') === 'failed';
    });
    await page.getByTestId('audit-key-input').fill('');
    await page.getByTestId('audit-unpin-key').click();
  });

  it('renders the other pages without errors', async () => {
    const { page } = operator;
    for (const [path, testId, name] of [
      ['/backends', 'page-backends', '08-backends'],
      ['/safety', 'page-safety', '09-safety'],
      ['/provenance', 'page-provenance', '10-provenance'],
      ['/eval', 'page-eval', '11-eval'],
    ] as const) {
      await open(page, path, testId);
      await checkPage(operator, name);
    }
    await open(page, '/backends', 'page-backends');
    await page.getByTestId('backend-row-seoul').waitFor();
  });

  it('switches to Arabic: right to left, translated, and still accessible', async () => {
    const { page } = operator;
    await open(page, '/', 'page-overview');
    await page.getByTestId('lang-select').selectOption('ar');
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dir: string } } }).document.documentElement.dir === 'rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('ar');
    // The navigation sits on the right in a right-to-left layout.
    const nav = await page.locator('nav').first().boundingBox();
    const main = await page.getByTestId('page-overview').boundingBox();
    expect(nav !== null && main !== null && nav.x > main.x).toBe(true);
    expect(await page.getByTestId('nav-overview').innerText()).toMatch(/[\u0600-\u06FF]/);
    await checkPage(operator, '12-overview-ar');
    await open(page, '/tenants', 'page-tenants');
    await checkPage(operator, '13-tenants-ar');
    for (const lang of ['ko', 'th', 'id', 'vi'] as const) {
      await page.getByTestId('lang-select').selectOption(lang);
      await page.waitForFunction((expected) => (globalThis as unknown as { document: { documentElement: { lang: string; dir: string } } }).document.documentElement.lang === expected, lang);
      expect(await page.getAttribute('html', 'dir')).toBe('ltr');
      await checkPage(operator, `14-tenants-${lang}`);
    }
    await page.getByTestId('lang-select').selectOption('en');
  });

  it('signs a tenant admin in by single sign-on, who sees only their tenant', async () => {
    provider.signInAs({ sub: 'ta-ministry', name: 'Ministry Admin', role: 'tenant_admin', tenant: 'kr-ministry' });
    const tenantAdmin = await openWatchedPage(browser);
    try {
      const { page } = tenantAdmin;
      await open(page, '/signin', 'page-signin');
      await page.getByTestId('signin-oidc').click();
      await page.getByTestId('page-overview').waitFor({ timeout: 20_000 });
      await open(page, '/tenants', 'page-tenants');
      await page.getByTestId('tenant-row-kr-ministry').waitFor();
      expect(await page.getByTestId('tenant-row-e2e-agency').count()).toBe(0);
      expect(await page.getByTestId('nav-backends').count()).toBe(0);
      await checkPage(tenantAdmin, '15-tenant-admin');
    } finally {
      await tenantAdmin.context.close();
    }
  });
});

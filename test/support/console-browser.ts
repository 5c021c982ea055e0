/**
 * Debian's Chromium driven by playwright-core for the console's browser tests and benchmark:
 * headless, no sandbox (tests run as root in CI), no background networking (this machine's network
 * is closed; Chromium's own calls home would fail noisily). Every page error and console error is
 * collected so a test can assert there were none.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.NARA_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  return existsSync(chromiumPath) ? undefined : `Chromium is not at ${chromiumPath}: install it (apt-get install chromium) or set NARA_CHROMIUM. .ci/run installs it.`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught exceptions and console errors seen so far. */
  readonly problems: string[];
}

export async function openWatchedPage(browser: Browser, options: { locale?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { page, context, problems };
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** Runs axe-core (WCAG 2 A/AA rules) in the page; evaluated through the debugger, so the page's CSP does not apply. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(`${axeSource};undefined`);
  return page.evaluate(async () => {
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } };
    const result = await page.axe.run(page.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.length }));
  });
}

export function screenshotDir(): string {
  const dir = new URL('../../test-results/console/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  return dir;
}

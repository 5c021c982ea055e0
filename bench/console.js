#!/usr/bin/env node
/**
 * The console's speed: (1) the JavaScript a first visit loads (the entry script and what it
 * preloads), compressed as Nara sends it, against the 300 KB budget; (2) how long each page takes to
 * render in Chromium, from navigation to its data shown, on a Nara holding 100,000 audit events
 * and 1,000 tenants; (3) the time of the API calls behind those pages.
 * The audit log is written directly through Nara's own audit service (events over the last 7 days,
 * 1,000 tenants, three back ends, errors, cross-border transfers, safety findings); tenants are
 * created through the admin API. Needs a build (npm run build) and Chromium (/usr/bin/chromium).
 * Usage: node bench/console.js [--events 100000] [--tenants 1000] [--runs 5]
 *        node bench/console.js --serve   (fills a Nara the same way, then keeps it up to look around)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fetch } from 'undici';
import { chromium } from 'playwright-core';
import { installCleanup, onCleanup, startProcess, waitForHttp, freePort } from './lib/processes.js';
import { median } from './lib/stats.js';

const log = (line) => process.stderr.write(`${line}\n`);
const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' }, tenants: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' }, serve: { type: 'boolean', default: false } } });
const root = new URL('..', import.meta.url).pathname;
const naraBin = join(root, 'bin/nara.js');
const adminToken = 'bench-console-admin-token-0123456789';

function firstLoadBytes() {
  const dir = join(root, 'dist/console');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
  const size = (path) => statSync(path).size;
  return {
    files: scripts,
    raw: scripts.reduce((sum, file) => sum + size(join(dir, file)), 0),
    brotli: scripts.reduce((sum, file) => sum + size(join(dir, `${file}.br`)), 0),
    gzip: scripts.reduce((sum, file) => sum + size(join(dir, `${file}.gz`)), 0),
  };
}

async function writeAuditLog(dir, events, tenants) {
  const { AuditService } = await import(join(root, 'dist/store/audit/audit-service.js'));
  const audit = await AuditService.open({ dir, mode: 'batched', segmentBytes: 64 * 1024 * 1024, flushIntervalMs: 1000, origin: 'nara.bench/console', checkpointIntervalMs: 3_600_000 });
  const now = Date.now();
  const backends = [['seoul', 'KR'], ['busan', 'KR'], ['singapore', 'SG']];
  const models = ['hcx-seed', 'exaone', 'sea-lion'];
  const pending = [];
  for (let index = 0; index < events; index += 1) {
    const tenant = `tenant-${String(index % tenants).padStart(4, '0')}`;
    const [backend, jurisdiction] = backends[index % 3];
    const home = index % tenants < tenants / 2 ? 'KR' : 'SG';
    const failed = index % 50 === 0;
    const blocked = index % 200 === 0;
    pending.push(
      audit.append({
        v: 1,
        time: new Date(now - 7 * 86_400_000 + Math.floor((index / events) * 7 * 86_400_000)).toISOString(),
        requestId: randomUUID(),
        meterId: randomUUID(),
        endpoint: 'chat',
        stream: index % 2 === 0,
        tenant,
        keyId: `key-${index % tenants}`,
        model: models[index % 3],
        backend: failed ? null : backend,
        jurisdiction: failed ? null : jurisdiction,
        homeJurisdiction: home,
        crossBorder: !failed && jurisdiction !== home,
        stages: [
          { stage: 'authenticate', ok: true },
          { stage: 'residency', ok: !failed, ...(failed ? { code: 'jurisdiction_not_allowed' } : {}) },
          ...(blocked ? [{ stage: 'safety', ok: false, code: 'safety_blocked', note: 'action=block hazards=vcr lang=ko' }] : []),
        ],
        pii: index % 10 === 0 ? { action: 'pseudonymise', entities: { KR_RRN: 1, PHONE: 1 }, answerEntities: {} } : null,
        status: failed ? 403 : blocked ? 400 : 200,
        code: failed ? 'jurisdiction_not_allowed' : blocked ? 'safety_blocked' : null,
        attempts: 1,
        latencyMs: 20 + (index % 97) * 3,
        usage: failed || blocked ? null : { prompt: 40 + (index % 30), completion: 120 + (index % 80), cached: 0, estimated: false },
        requestSha256: null,
        answerSha256: null,
        content: null,
        provenanceId: null,
      }),
    );
    if (pending.length >= 5_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await audit.close();
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main() {
  installCleanup();
  const events = Number(values.events);
  const tenants = Number(values.tenants);
  const runs = Number(values.runs);
  const bundle = firstLoadBytes();
  log(`first load: ${bundle.files.length} scripts, ${(bundle.raw / 1024).toFixed(1)} KiB raw, ${(bundle.brotli / 1024).toFixed(1)} KiB brotli, ${(bundle.gzip / 1024).toFixed(1)} KiB gzip`);

  const workDir = mkdtempSync(join(tmpdir(), 'nara-bench-console-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const writing = await timed(() => writeAuditLog(join(dataDir, 'audit'), events, tenants));
  log(`wrote ${events} audit events in ${(writing / 1000).toFixed(1)} s`);

  const port = await freePort();
  const configFile = join(workDir, 'nara.yaml');
  writeFileSync(
    configFile,
    [
      `server: { port: ${port} }`,
      `dataDir: ${dataDir}`,
      'logging: { level: warn }',
      'audit: { origin: nara.bench/console }',
      'backends:',
      ...[['seoul', 'KR'], ['busan', 'KR'], ['singapore', 'SG']].flatMap(([id, jurisdiction]) => [`  - id: ${id}`, `    url: http://127.0.0.1:9/v1`, `    jurisdiction: ${jurisdiction}`, '    models: [hcx-seed, exaone, sea-lion]']),
      '',
    ].join('\n'),
  );
  const env = { ...process.env, NARA_ADMIN_TOKEN: adminToken };
  const started = performance.now();
  const proc = startProcess(process.execPath, [naraBin, 'serve', '--config', configFile], { env });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, { proc, name: 'nara serve', timeoutMs: 120_000 });
  log(`nara serve up in ${((performance.now() - started) / 1000).toFixed(1)} s (reads the ${events} events back)`);
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  for (let index = 0; index < tenants; index += 1) {
    const id = `tenant-${String(index).padStart(4, '0')}`;
    const response = await fetch(`${url}/admin/v1/tenants`, { method: 'POST', headers, body: JSON.stringify({ id, displayName: `Tenant ${index}`, jurisdictions: index < tenants / 2 ? ['KR'] : ['KR', 'SG'], homeJurisdiction: index < tenants / 2 ? 'KR' : 'SG' }) });
    if (response.status !== 201) throw new Error(`tenant ${id}: ${response.status} ${await response.text()}`);
  }
  log(`created ${tenants} tenants`);
  if (values.serve) {
    console.log(`${url}/console/  (admin token: ${adminToken}); Ctrl-C stops it`);
    await new Promise(() => undefined);
  }

  const api = {};
  for (const path of ['/admin/v1/insights/overview', '/admin/v1/insights/overview?from=' + new Date(Date.now() - 7 * 86_400_000).toISOString(), '/admin/v1/insights/residency', '/admin/v1/insights/safety', '/admin/v1/audit/events', '/admin/v1/tenants?limit=50', '/admin/v1/backends']) {
    const times = [];
    for (let run = 0; run < runs; run += 1) times.push(await timed(async () => (await fetch(`${url}${path}`, { headers })).arrayBuffer()));
    api[path] = median(times);
  }

  const browser = await chromium.launch({ executablePath: process.env.NARA_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  onCleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const firstVisit = await timed(async () => {
    await page.goto(`${url}/console/signin`);
    await page.getByTestId('page-signin').waitFor();
  });
  await page.getByTestId('signin-token').fill(adminToken);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('page-overview').waitFor();
  const pages = [
    ['/', 'page-overview'],
    ['/residency', 'page-residency'],
    ['/tenants', 'page-tenants'],
    ['/audit', 'page-audit'],
    ['/safety', 'page-safety'],
    ['/backends', 'page-backends'],
  ];
  const render = {};
  for (const [path, testId] of pages) {
    const times = [];
    for (let run = 0; run < runs; run += 1) {
      times.push(
        await timed(async () => {
          await page.goto(`${url}/console${path}`);
          await page.getByTestId(testId).waitFor();
          await page.getByTestId('state-loading').first().waitFor({ state: 'detached', timeout: 30_000 });
        }),
      );
    }
    render[path] = { median: median(times), max: Math.max(...times) };
  }
  await browser.close();

  const result = { events, tenants, runs, firstLoad: bundle, firstVisitSignInMs: firstVisit, apiMs: api, renderMs: render };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/console.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`First load: ${(bundle.brotli / 1024).toFixed(1)} KiB of JavaScript with brotli (${(bundle.gzip / 1024).toFixed(1)} KiB gzip; budget 300 KB)`);
  console.log(`\nPage render with ${events.toLocaleString('en')} audit events and ${tenants.toLocaleString('en')} tenants (navigation → data shown, median of ${runs}, max):`);
  for (const [path, times] of Object.entries(render)) console.log(`  /console${path.padEnd(12)} ${times.median.toFixed(0).padStart(5)} ms   (max ${times.max.toFixed(0)} ms)`);
  console.log('\nAPI behind the pages (median):');
  for (const [path, ms] of Object.entries(api)) console.log(`  ${path.slice(0, 60).padEnd(62)} ${ms.toFixed(1).padStart(7)} ms`);
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error.stack ?? String(error));
    process.exit(1);
  },
);

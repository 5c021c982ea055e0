#!/usr/bin/env node
/**
 * How much usage a crash loses: loads Nara with chat requests, kills it with SIGKILL (no chance to
 * flush) at a random moment, then compares the requests answered with 200 against the rows in the
 * usage ledger. Usage is written every `metering.flushIntervalMs`, so the loss should stay within
 * one interval of traffic. Repeated --repeats times.
 * Usage: npm run build && node bench/crash-loss.js [--store embedded|postgres] [--repeats 3]
 *        [--flush-ms 1000] [--connections 20] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { FileUsageLedger } from '../dist/store/file/file-usage-ledger.js';
import { freePort, installCleanup, onCleanup, startProcess, waitForHttp } from './lib/processes.js';
import { startEngine } from './lib/targets.js';

const root = new URL('../', import.meta.url).pathname;
const naraBin = join(root, 'bin', 'nara.js');
const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'embedded' },
    repeats: { type: 'string', default: '3' },
    'flush-ms': { type: 'string', default: '1000' },
    connections: { type: 'string', default: '20' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
if (!['embedded', 'postgres'].includes(values.store)) throw new Error('--store must be embedded or postgres');
const log = (line) => process.stderr.write(`${line}\n`);
const body = JSON.stringify({ model: 'hcx-seed', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] });

async function withAdmin(task) {
  const admin = new pg.Client({ connectionString: values['database-url'] });
  await admin.connect();
  try {
    return await task(admin);
  } finally {
    await admin.end();
  }
}

async function once(engineUrl, run) {
  const workDir = mkdtempSync(join(tmpdir(), 'nara-crash-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const port = await freePort();
  const database = `nara_crash_${randomBytes(4).toString('hex')}`;
  let databaseUrl;
  if (values.store === 'postgres') {
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${database}`));
    const url = new URL(values['database-url']);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const config = join(workDir, 'nara.yaml');
  writeFileSync(
    config,
    [
      `server: { port: ${port} }`,
      `dataDir: ${join(workDir, 'data')}`,
      'logging: { level: warn }',
      `metering: { flushIntervalMs: ${values['flush-ms']} }`,
      ...(databaseUrl === undefined ? [] : [`database: { url: "${databaseUrl}" }`]),
      'backends:',
      `  - { id: seoul, url: "${engineUrl}", jurisdiction: KR, models: [hcx-seed] }`,
      'tenants:',
      '  - { id: bench, jurisdictions: [KR] }',
      '',
    ].join('\n'),
  );
  const key = execFileSync(process.execPath, [naraBin, 'keys', 'create', '--tenant', 'bench', '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const nara = startProcess(process.execPath, [naraBin, 'serve', '--config', config], { core: 0 });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, { proc: nara, name: 'nara serve', timeoutMs: 30_000 });

  let answered = 0;
  let stop = false;
  const agent = new Agent({ keepAlive: true, maxSockets: Number(values.connections) });
  const one = () =>
    new Promise((resolve) => {
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const loops = Array.from({ length: Number(values.connections) }, async () => {
    while (!stop) if (await one()) answered += 1;
  });
  const killAfterMs = 3_000 + Math.random() * 3_000;
  await sleep(killAfterMs);
  nara.child.kill('SIGKILL');
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  const rate = answered / (killAfterMs / 1000);

  let rows;
  if (databaseUrl === undefined) {
    const [row] = await new FileUsageLedger(join(workDir, 'data')).query({ groupBy: [] });
    rows = row?.requests ?? 0;
  } else {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    rows = Number((await client.query('SELECT count(*) AS n FROM nara_usage')).rows[0].n);
    await client.end();
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
  const lost = Math.max(0, answered - rows);
  log(`run ${run}: killed after ${(killAfterMs / 1000).toFixed(2)} s; ${answered} answered (${Math.round(rate)}/s), ${rows} in the ledger, ${lost} lost = ${((lost / rate) * 1000).toFixed(0)} ms of traffic`);
  return { answered, rows, lost, lostMs: (lost / rate) * 1000 };
}

async function main() {
  installCleanup();
  const engine = await startEngine({ core: 1, pieces: 20 });
  const results = [];
  for (let run = 1; run <= Number(values.repeats); run += 1) results.push(await once(engine.url, run));
  const worst = Math.max(...results.map((result) => result.lostMs));
  log(`${values.store}: flushIntervalMs ${values['flush-ms']}; worst loss ${worst.toFixed(0)} ms of traffic over ${results.length} crashes`);
  await engine.proc.stop();
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

/**
 * The things being measured: the fake engine (called directly), a baseline proxy in front of it
 * (bench/lib/baseline-proxy.js) and Nara in front of it. Nara runs from dist/ with the real CLI: a config file, a real API key, routing and metrics on.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, waitForHttp } from './processes.js';

const root = new URL('../../', import.meta.url).pathname;
const naraBin = join(root, 'bin', 'nara.js');

/**
 * Starts the fake engine pinned to `core`.
 * @returns {Promise<{ url: string, chatUrl: string, proc: ReturnType<typeof startProcess> }>}
 */
export async function startEngine({ core, pieces }) {
  const port = await freePort();
  const proc = startProcess(process.execPath, [join(root, 'bench', 'lib', 'engine-child.js'), String(port), String(pieces)], { core });
  const url = `http://127.0.0.1:${port}/v1`;
  await waitForHttp(`${url}/models`, { proc, name: 'fake engine' });
  return { url, chatUrl: `${url}/chat/completions`, proc };
}

/**
 * Starts the baseline proxy (node:http + undici Pool, nothing else) pinned to `core`, in front of
 * the engine at `engineUrl`.
 * @returns {Promise<{ url: string, chatUrl: string, proc: ReturnType<typeof startProcess> }>}
 */
export async function startBaseline({ core, engineUrl }) {
  const port = await freePort();
  const proc = startProcess(process.execPath, [join(root, 'bench', 'lib', 'baseline-proxy.js'), String(port), new URL(engineUrl).origin], { core });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v1/models`, { proc, name: 'baseline proxy' });
  return { url, chatUrl: `${url}/v1/chat/completions`, proc };
}

/**
 * Writes a config, creates an API key with `nara keys create`, starts `nara serve` pinned to `core`
 * (stdout, i.e. the JSON logs, goes to /dev/null) and waits for /readyz.
 * @returns {Promise<{ url: string, chatUrl: string, metricsUrl: string, apiKey: string, configFile: string, proc: ReturnType<typeof startProcess> }>}
 */
export async function startNara({ core, engineUrl, workDir, model = 'hcx-seed', name = 'nara', extraConfig = [], extraBackends = [], tenantLimits, env = {} }) {
  const port = await freePort();
  const configFile = join(workDir, `${name}.yaml`);
  writeFileSync(
    configFile,
    [
      `server: { port: ${port}, shutdownGraceMs: 1000 }`,
      `dataDir: ${join(workDir, `${name}-data`)}`,
      'logging: { level: info, requests: true }',
      ...extraConfig,
      'backends:',
      '  - id: seoul',
      `    url: ${engineUrl}`,
      '    jurisdiction: KR',
      `    models: [${model}]`,
      ...extraBackends,
      'tenants:',
      '  - id: bench',
      '    jurisdictions: [KR]',
      ...(tenantLimits === undefined ? [] : [`    limits: ${tenantLimits}`]),
      '',
    ].join('\n'),
  );
  const apiKey = execFileSync(process.execPath, [naraBin, 'keys', 'create', '--tenant', 'bench', '--config', configFile], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  if (apiKey === '') throw new Error('nara keys create printed no key');
  const proc = startProcess(process.execPath, [naraBin, 'serve', '--config', configFile], { core, env: { ...process.env, ...env } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, { proc, name: 'nara serve', timeoutMs: 30_000 });
  return { url, chatUrl: `${url}/v1/chat/completions`, metricsUrl: `${url}/metrics`, apiKey, configFile, proc };
}

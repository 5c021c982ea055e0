/**
 * Starts a real Nara on 127.0.0.1 (port 0) in this process, with a temporary data directory and
 * keys created through the real key store, plus helpers to talk to it with the `openai` client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { startNara, type RunningNara } from '../../src/app/nara-app.js';
import { loadConfigText } from '../../src/config/load.js';
import type { NaraConfig } from '../../src/config/types.js';
import { createLogging } from '../../src/observability/logger.js';
import { generateApiKey, hashApiKey, newKeyId } from '../../src/store/api-key.js';

export interface Harness {
  readonly nara: RunningNara;
  readonly url: string;
  readonly dataDir: string;
  /** Every log line Nara wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  readonly rawLogs: () => string;
  createKey(tenantId: string): Promise<string>;
  revokeKey(key: string): Promise<void>;
  client(key: string, options?: { maxRetries?: number; timeout?: number }): OpenAI;
  post(path: string, body: unknown, key?: string, headers?: Record<string, string>): Promise<Response>;
  reload(yaml: string): Promise<void>;
  close(options?: { keepDataDir?: boolean }): Promise<void>;
}

export interface HarnessOptions {
  /** Turns the admin API on with this token (as NARA_ADMIN_TOKEN in the config's environment). */
  readonly adminToken?: string;
  /** Use this data directory instead of a new temporary one (to restart on the same data). */
  readonly dataDir?: string;
}

export function parseConfig(yaml: string, dataDir: string, options: HarnessOptions = {}): NaraConfig {
  const logging = yaml.includes('logging:') ? '' : 'logging: { level: info }\n';
  const withDataDir = `dataDir: ${JSON.stringify(dataDir)}\n${logging}${yaml}`;
  // The admin token comes only from the options, never from the environment the tests run in.
  const env = { ...process.env, NARA_ADMIN_TOKEN: options.adminToken };
  const result = loadConfigText('test.yaml', withDataDir, { env });
  if (result.config === undefined) throw new Error(`bad test config: ${JSON.stringify(result.errors)}`);
  return result.config;
}

export async function startHarness(yaml: string, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nara-test-'));
  let raw = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw += chunk.toString('utf8');
      callback();
    },
  });
  const config = parseConfig(yaml, dataDir, options);
  const nara = await startNara(config, { port: 0, host: '127.0.0.1', logging: createLogging(config.logging.level, sink) });
  const keyIds = new Map<string, string>();

  return {
    nara,
    url: nara.url,
    dataDir,
    get logs() {
      return raw
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => raw,
    async createKey(tenantId) {
      const key = generateApiKey();
      const id = newKeyId();
      await nara.directory.addKey({ id, tenantId, hash: hashApiKey(key), hint: key.slice(0, 9), createdAt: new Date().toISOString() });
      keyIds.set(key, id);
      // The server polls the store; tests need the key at once.
      await nara.reloadKeys();
      return key;
    },
    async revokeKey(key) {
      const id = keyIds.get(key);
      if (id === undefined) throw new Error('unknown test key');
      await nara.directory.revokeKey(id, new Date());
      await nara.reloadKeys();
    },
    client(key, options = {}) {
      return new OpenAI({ apiKey: key, baseURL: `${nara.url}/v1`, maxRetries: options.maxRetries ?? 0, timeout: options.timeout ?? 10_000 });
    },
    post(path, body, key, headers = {}) {
      return fetch(`${nara.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async reload(nextYaml) {
      await nara.reload(parseConfig(nextYaml, dataDir, options));
    },
    async close(closeOptions = {}) {
      await nara.close();
      if (closeOptions.keepDataDir !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function writeTempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nara-file-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

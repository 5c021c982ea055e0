/**
 * The real `nara` command line, spawned as a child process from dist/ (run `npm run build` first):
 * help and usage errors, `config check`, `keys create|list|revoke`, and `serve` end to end with key
 * hot-reload, SIGHUP config reload and a SIGTERM drain that lets an in-flight stream finish.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { killAllNara, makeTempDir, removeDir, runNara, startServe, type ServeProcess } from './support/cli-process.js';

const goodConfig = `backends:
  - id: seoul
    url: http://127.0.0.1:9/v1
    jurisdiction: KR
    models: [hcx-seed]
tenants:
  - id: moi
    jurisdictions: [KR]
`;

// Line 4, column 19 holds the bad value.
const badConfig = `backends:
  - id: seoul
    url: http://127.0.0.1:9/v1
    jurisdiction: Korea
    models: [hcx-seed]
tenants:
  - id: moi
    jurisdictions: [KR]
`;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

afterAll(() => killAllNara());

describe('help and usage errors', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = makeTempDir();
  });
  afterAll(() => removeDir(cwd));

  it('--help lists the commands and exits 0', async () => {
    const result = await runNara(['--help'], { cwd });
    expect(result.code).toBe(0);
    for (const command of ['serve', 'config', 'keys', 'make-tiny-model']) expect(result.stdout).toContain(command);
  });

  it('serve --help, keys --help, keys create --help and config check --help exit 0 and show their options', async () => {
    const cases: [string[], string[]][] = [
      [['serve', '--help'], ['--config', '--host', '--port', '--backend-url', '--gguf', '--jurisdiction', '--model', '--data-dir']],
      [['keys', '--help'], ['create', 'list', 'revoke']],
      [['keys', 'create', '--help'], ['--tenant', '--name', '--config', '--data-dir']],
      [['config', 'check', '--help'], ['<file>', '--help']],
    ];
    for (const [args, mentions] of cases) {
      const result = await runNara(args, { cwd });
      expect(result.code, args.join(' ')).toBe(0);
      for (const mention of mentions) expect(result.stdout, `${args.join(' ')} mentions ${mention}`).toContain(mention);
    }
  });

  it('exits 2 on an unknown command or an unknown option', async () => {
    const command = await runNara(['frobnicate'], { cwd });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'frobnicate'");
    const option = await runNara(['serve', '--no-such-flag'], { cwd });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--no-such-flag'");
  });
});

describe('nara config check', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = makeTempDir();
    writeFileSync(join(cwd, 'good.yaml'), goodConfig);
    writeFileSync(join(cwd, 'bad.yaml'), badConfig);
  });
  afterAll(() => removeDir(cwd));

  it('accepts a valid file: exit 0, prints OK', async () => {
    const result = await runNara(['config', 'check', 'good.yaml'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^good\.yaml: OK \(1 back end\(s\), 1 tenant\(s\), 0 warning\(s\)\)\n$/);
  });

  it('refuses an invalid file: exit 2, stderr names file:line:col, the path and a fix', async () => {
    const result = await runNara(['config', 'check', 'bad.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/bad\.yaml:4:\d+ backends\[0\]\.jurisdiction: /);
    expect(result.stderr).toContain('(fix: ');
    expect(result.stderr).toContain('Nara would not start');
  });

  it('needs engine secrets in the environment unless --no-secrets is given', async () => {
    writeFileSync(join(cwd, 'secret.yaml'), 'backends:\n  - { id: a, url: "http://10.0.0.1:8000/v1", jurisdiction: KR, models: [m], apiKeyEnv: NARA_TEST_UNSET_SECRET }\ntenants:\n  - { id: t, jurisdictions: [KR] }\n');
    const strict = await runNara(['config', 'check', 'secret.yaml'], { cwd, env: { NARA_TEST_UNSET_SECRET: undefined } });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('export NARA_TEST_UNSET_SECRET=');
    const relaxed = await runNara(['config', 'check', 'secret.yaml', '--no-secrets'], { cwd, env: { NARA_TEST_UNSET_SECRET: undefined } });
    expect(relaxed.code).toBe(0);
  });

  it('refuses a missing file with exit 2', async () => {
    const result = await runNara(['config', 'check', 'nowhere.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nowhere.yaml');
    expect(result.stderr).toContain('file not found');
  });
});

describe('nara serve refuses to start without a usable configuration', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = makeTempDir();
    writeFileSync(join(cwd, 'bad.yaml'), badConfig);
  });
  afterAll(() => removeDir(cwd));

  it('exits 2 with an invalid config, without listening', async () => {
    const result = await runNara(['serve', '--config', 'bad.yaml', '--port', '0'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('Nara is listening');
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toMatch(/bad\.yaml:4:\d+ backends\[0\]\.jurisdiction/);
  });

  it('exits 2 with no config and no flags, saying what to pass', async () => {
    const result = await runNara(['serve', '--port', '0'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('Nara is listening');
    expect(result.stderr).toContain('--config');
    expect(result.stderr).toContain('--backend-url');
    expect(result.stderr).toContain('--gguf');
  });

  it('exits 2 when engine flags are mixed with a config file, instead of ignoring them', async () => {
    const result = await runNara(['serve', '--config', 'bad.yaml', '--backend-url', 'http://127.0.0.1:9/v1', '--port', '0'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--backend-url cannot be combined with a configuration file');
  });

  it('exits 2 for --backend-url without --jurisdiction', async () => {
    const result = await runNara(['serve', '--backend-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--port', '0'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--jurisdiction');
  });

  it('exits 2 for a port that is not a number', async () => {
    const result = await runNara(['serve', '--config', 'bad.yaml', '--port', 'eighty'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port');
  });
});

describe('nara keys', () => {
  let cwd: string;
  let key: string;
  let keyId: string;
  beforeAll(() => {
    cwd = makeTempDir();
    writeFileSync(join(cwd, 'nara.yaml'), goodConfig);
  });
  afterAll(() => removeDir(cwd));

  it('create prints exactly one key on stdout; the key file holds only its SHA-256 hash', async () => {
    const result = await runNara(['keys', 'create', '--tenant', 'moi', '--name', 'ci', '--config', 'nara.yaml'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^nara-[A-Za-z0-9_-]{20,}\n$/);
    key = result.stdout.trim();
    const id = /Created (key_[0-9a-f]+) for tenant moi/.exec(result.stderr)?.[1];
    expect(id).toBeDefined();
    keyId = id ?? '';

    const file = join(cwd, '.nara', 'keys.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(key);
    const stored = JSON.parse(text) as { version: number; keys: { id: string; tenantId: string; hash: string }[] };
    expect(stored.version).toBe(1);
    expect(stored.keys).toHaveLength(1);
    expect(stored.keys[0]).toMatchObject({ id: keyId, tenantId: 'moi', hash: sha256(key) });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('create refuses a tenant that is not configured (exit 2) and writes nothing', async () => {
    const result = await runNara(['keys', 'create', '--tenant', 'nobody', '--config', 'nara.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"nobody"');
    expect(result.stderr).toContain('moi');
    const stored = JSON.parse(readFileSync(join(cwd, '.nara', 'keys.json'), 'utf8')) as { keys: unknown[] };
    expect(stored.keys).toHaveLength(1);
  });

  it('list shows the id and tenant, never the key or its hash', async () => {
    const result = await runNara(['keys', 'list', '--config', 'nara.yaml'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(keyId);
    expect(result.stdout).toMatch(/\tmoi\t/);
    expect(result.stdout).toContain('active');
    expect(result.stdout).not.toContain(key);
    expect(result.stdout).not.toContain(sha256(key));
    expect(result.stderr).not.toContain(key);
  });

  it('list --json parses, without keys or hashes', async () => {
    const result = await runNara(['keys', 'list', '--json', '--config', 'nara.yaml'], { cwd });
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ id: keyId, tenantId: 'moi', name: 'ci' })]);
    expect(listed[0]).not.toHaveProperty('hash');
    expect(result.stdout).not.toContain(key);
    expect(result.stdout).not.toContain(sha256(key));
  });

  it('revoke marks the key revoked; list shows it', async () => {
    const revoke = await runNara(['keys', 'revoke', keyId, '--config', 'nara.yaml'], { cwd });
    expect(revoke.code).toBe(0);
    const list = await runNara(['keys', 'list', '--config', 'nara.yaml'], { cwd });
    expect(list.stdout).toMatch(new RegExp(`${keyId}\\t.*\\trevoked `));
    const json = JSON.parse((await runNara(['keys', 'list', '--json', '--config', 'nara.yaml'], { cwd })).stdout) as { id: string; revokedAt?: string }[];
    expect(json[0]?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('revoking an unknown id exits 2', async () => {
    const result = await runNara(['keys', 'revoke', 'key_000000000000', '--config', 'nara.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('key_000000000000');
  });

  it('finds ./nara.yaml without --config', async () => {
    const result = await runNara(['keys', 'list', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(1);
  });
});

/** Reads an SSE response to its end, calling `onFirstData` once the first event arrived. */
async function readStream(response: Response, onFirstData: () => void): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (first && text.includes('data: ')) {
      first = false;
      onFirstData();
    }
  }
}

function contentOf(sse: string): string {
  return sse
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => (JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
    .join('');
}

describe('nara serve, a real process', () => {
  let cwd: string;
  let fast: FakeEngine;
  let slow: FakeEngine;
  let serve: ServeProcess | undefined;
  let firstKey: string;
  let secondKey: string;
  let secondKeyId: string;

  const slowPieces = Array.from({ length: 12 }, (_, i) => `p${i} `);
  const config = (jurisdictions: string) => `server: { shutdownGraceMs: 10000 }
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - id: seoul
    url: ${fast.url}
    jurisdiction: KR
    models: [hcx-seed]
  - id: busan-slow
    url: ${slow.url}
    jurisdiction: KR
    models: [slow]
  - id: bangkok
    url: ${fast.url}
    jurisdiction: TH
    models: [typhoon]
tenants:
  - id: moi
    jurisdictions: ${jurisdictions}
`;

  const chat = (model: string, key: string, extra: Record<string, unknown> = {}) =>
    fetch(`${serve?.url ?? ''}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
    });
  const outcome = async (model: string, key: string): Promise<string> => {
    const response = await chat(model, key);
    const body = (await response.json()) as { error?: { code: string } };
    return `${response.status} ${body.error?.code ?? 'ok'}`;
  };

  beforeAll(async () => {
    cwd = makeTempDir();
    fast = await startFakeEngine();
    slow = await startFakeEngine({ chunkDelayMs: 150, pieces: slowPieces });
    writeFileSync(join(cwd, 'nara.yaml'), config('[KR, TH]'));
    const created = await runNara(['keys', 'create', '--tenant', 'moi', '--config', 'nara.yaml'], { cwd });
    expect(created.code).toBe(0);
    firstKey = created.stdout.trim();
    serve = await startServe(['serve', '--config', 'nara.yaml', '--port', '0'], { cwd });
  });

  afterAll(async () => {
    killAllNara();
    await fast?.close();
    await slow?.close();
    removeDir(cwd);
  });

  afterEach((context) => {
    // On failure, show what the server said.
    if (context.task.result?.state === 'fail' && serve !== undefined) {
      console.error(serve.describe());
    }
  });

  it('prints its URL in the first JSON log line and serves a key made by the CLI', async () => {
    const first = serve?.logs()[0];
    expect(first).toMatchObject({ msg: 'Nara is listening', config: 'nara.yaml' });
    expect(first?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await chat('hcx-seed', firstKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-backend')).toBe('seoul');
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('안녕하세요, 나라입니다.');
  });

  it('accepts a key created while it runs within ~2 s', async () => {
    const created = await runNara(['keys', 'create', '--tenant', 'moi', '--config', 'nara.yaml'], { cwd });
    expect(created.code).toBe(0);
    secondKey = created.stdout.trim();
    secondKeyId = /Created (key_[0-9a-f]+)/.exec(created.stderr)?.[1] ?? '';
    expect(secondKeyId).not.toBe('');
    await expect.poll(() => outcome('hcx-seed', secondKey), { timeout: 2_500, interval: 100 }).toBe('200 ok');
  });

  it('refuses a key revoked while it runs (401 api_key_revoked) within ~2 s', async () => {
    const revoked = await runNara(['keys', 'revoke', secondKeyId, '--config', 'nara.yaml'], { cwd });
    expect(revoked.code).toBe(0);
    await expect.poll(() => outcome('hcx-seed', secondKey), { timeout: 2_500, interval: 100 }).toBe('401 api_key_revoked');
    expect(await outcome('hcx-seed', firstKey)).toBe('200 ok');
    // The key never reaches the logs.
    expect(serve?.stdout()).not.toContain(secondKey);
    expect(serve?.stdout()).not.toContain(firstKey);
  });

  it('SIGHUP reloads the config: a narrowed tenant gets 403 jurisdiction_not_allowed', async () => {
    const before = await chat('typhoon', firstKey);
    expect(before.status).toBe(200);
    expect(before.headers.get('x-nara-jurisdiction')).toBe('TH');

    writeFileSync(join(cwd, 'nara.yaml'), config('[KR]'));
    serve?.signal('SIGHUP');
    await expect.poll(() => outcome('typhoon', firstKey), { timeout: 3_000, interval: 50 }).toBe('403 jurisdiction_not_allowed');
    // The log line travels through a pipe, so it may arrive after the HTTP answer.
    await expect.poll(() => serve?.logs().some((line) => line.msg === 'configuration reloaded'), { timeout: 2_000, interval: 25 }).toBe(true);
    expect(await outcome('hcx-seed', firstKey)).toBe('200 ok');
  });

  it('SIGHUP with an invalid config is refused: it logs an error and keeps serving the previous config', async () => {
    writeFileSync(join(cwd, 'nara.yaml'), badConfig);
    serve?.signal('SIGHUP');
    await expect
      .poll(() => serve?.logs().find((line) => typeof line.msg === 'string' && line.msg.startsWith('reload refused')), { timeout: 3_000, interval: 50 })
      .toMatchObject({ level: 50 });
    const refused = serve?.logs().find((line) => typeof line.msg === 'string' && line.msg.startsWith('reload refused'));
    expect(JSON.stringify(refused?.errors)).toContain('backends[0].jurisdiction');
    expect(serve?.child.exitCode).toBeNull();
    expect(await outcome('hcx-seed', firstKey)).toBe('200 ok');
    expect(await outcome('typhoon', firstKey)).toBe('403 jurisdiction_not_allowed');
  });

  it('SIGTERM drains: an in-flight slow stream completes, then the process exits 0', async () => {
    const server = serve;
    if (server === undefined) throw new Error('not started');
    const response = await chat('slow', firstKey, { stream: true });
    expect(response.status).toBe(200);
    let signalledAt = 0;
    const sse = await readStream(response, () => {
      signalledAt = Date.now();
      server.signal('SIGTERM');
    });
    const finishedAt = Date.now();
    expect(signalledAt).toBeGreaterThan(0);
    // The stream was still running when the signal was sent (12 pieces, 150 ms apart).
    expect(finishedAt - signalledAt).toBeGreaterThan(500);
    expect(contentOf(sse)).toBe(slowPieces.join(''));
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(sse).not.toContain('"error"');

    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((line) => line.msg);
    expect(messages).toContain('draining and shutting down');
    expect(messages.at(-1)).toBe('stopped');
    const streamed = server.logs().find((line) => line.msg === 'request' && line.model === 'slow');
    expect(streamed).toMatchObject({ status: 200, backend: 'busan-slow', stream: true });
  });
});

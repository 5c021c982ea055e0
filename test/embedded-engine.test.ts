/**
 * The embedded llama.cpp engine end to end, behind the whole gateway: a tiny random GGUF written at
 * test time, the real `openai` client, and the README quickstart (`nara make-tiny-model` then
 * `nara serve --gguf`) as a spawned process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { type APIError } from 'openai';
import { writeTinyGguf } from '../src/dev/tiny-gguf.js';
import { killAllNara, makeTempDir, removeDir, runNara, startServe, waitFor } from './support/cli-process.js';
import { startHarness, type Harness } from './support/nara-harness.js';

interface ReadyReport {
  ready: boolean;
  draining: boolean;
  backends: { id: string; jurisdiction: string; healthy: boolean; circuit: string; inFlight: number; reason?: string }[];
}

async function readyz(url: string): Promise<{ status: number; report: ReadyReport }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, report: (await response.json()) as ReadyReport };
}

describe('embedded llama.cpp engine behind the gateway', () => {
  let dir: string;
  let modelPath: string;
  let harness: Harness;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nara-embedded-'));
    modelPath = join(dir, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 7 });
    harness = await startHarness(`
routing: { healthCheck: { intervalMs: 200 } }
backends:
  - id: local
    gguf: ${JSON.stringify(modelPath)}
    jurisdiction: KR
    models: [local]
    contextSize: 256
tenants:
  - id: moi
    jurisdictions: [KR]
`);
    key = await harness.createKey('moi');
    // The model loads in the background; the prober marks the back end healthy once it is loaded.
    await waitFor(async () => ((await readyz(harness.url)).status === 200 ? true : undefined), 'the tiny model to load', 30_000, 100);
  });

  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/readyz reports the local back end healthy once loaded, without the model path', async () => {
    const { status, report } = await readyz(harness.url);
    expect(status).toBe(200);
    expect(report).toMatchObject({ ready: true, draining: false });
    expect(report.backends).toEqual([{ id: 'local', jurisdiction: 'KR', healthy: true, circuit: 'closed', inFlight: 0 }]);
    expect(JSON.stringify(report)).not.toContain(dir);
  });

  it('answers a chat completion with text, usage and the routing headers', async () => {
    const { data, response } = await harness
      .client(key, { timeout: 20_000 })
      .chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'hello world, 안녕하세요' }], max_tokens: 8, seed: 11 })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-backend')).toBe('local');
    expect(response.headers.get('x-nara-jurisdiction')).toBe('KR');
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('local');
    const choice = data.choices[0];
    expect(choice?.message.role).toBe('assistant');
    expect(typeof choice?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    const usage = data.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(8);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(`${choice?.message.content ?? ''}`.length).toBeGreaterThan(0);
  });

  it('streams several chunks; the usage chunk comes only with include_usage', async () => {
    const client = harness.client(key, { timeout: 20_000 });
    const request = { model: 'local', messages: [{ role: 'user' as const, content: 'hello world' }], max_tokens: 12, seed: 3, stream: true as const };

    const plain: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create(request)) plain.push(chunk);
    const pieces = plain.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '');
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(plain.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(plain.every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(true);
    expect(['stop', 'length']).toContain(plain.at(-1)?.choices[0]?.finish_reason);

    const withUsage: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ ...request, stream_options: { include_usage: true } })) withUsage.push(chunk);
    const last = withUsage.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(last?.usage?.completion_tokens).toBeLessThanOrEqual(12);
    expect(withUsage.filter((chunk) => chunk.usage !== undefined && chunk.usage !== null)).toHaveLength(1);
  });

  it('answers a text completion', async () => {
    const answer = await harness.client(key, { timeout: 20_000 }).completions.create({ model: 'local', prompt: '서울은', max_tokens: 8, seed: 5 });
    expect(answer.object).toBe('text_completion');
    expect(typeof answer.choices[0]?.text).toBe('string');
    expect(answer.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(answer.usage?.completion_tokens).toBeLessThanOrEqual(8);
  });

  it('creates unit-length embeddings (base64 by default in the client, and float)', async () => {
    const client = harness.client(key, { timeout: 20_000 });
    const decoded = await client.embeddings.create({ model: 'local', input: ['안녕하세요', 'hello world'] });
    expect(decoded.data).toHaveLength(2);
    const float = await client.embeddings.create({ model: 'local', input: '안녕하세요', encoding_format: 'float' });
    const vector = float.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(32);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    const first = decoded.data[0]?.embedding ?? [];
    expect(first).toHaveLength(32);
    first.forEach((value, index) => expect(value).toBeCloseTo(vector[index] ?? Number.NaN, 5));
    expect(float.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('refuses tools with 400 unsupported_parameter naming `tools`', async () => {
    const error = await harness
      .client(key)
      .chat.completions.create({
        model: 'local',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).code).toBe('unsupported_parameter');
    expect((error as APIError).param).toBe('tools');
    expect((error as APIError).type).toBe('invalid_request_error');
    expect((error as APIError).headers?.get('x-nara-backend')).toBe('local');
  });
});

describe('README quickstart: nara make-tiny-model, then nara serve --gguf', () => {
  let cwd: string;
  afterAll(() => {
    killAllNara();
    removeDir(cwd);
  });

  it('serves a chat answer from a model made by the CLI', async () => {
    cwd = makeTempDir('nara-quickstart-');
    const made = await runNara(['make-tiny-model', 'tiny.gguf'], { cwd });
    expect(made.code).toBe(0);
    expect(made.stderr).toContain('nara serve --gguf tiny.gguf --jurisdiction KR');

    const created = await runNara(['keys', 'create', '--tenant', 'default', '--data-dir', 'keys'], { cwd });
    expect(created.code).toBe(0);
    expect(created.stderr).not.toContain('was not checked'); // "default" is the tenant of a flags-only serve
    const key = created.stdout.trim();

    const serve = await startServe(['serve', '--gguf', 'tiny.gguf', '--jurisdiction', 'KR', '--port', '0', '--data-dir', 'keys'], { cwd });
    try {
      // Not necessarily the first line: the prober's "still loading" line can come before it.
      expect(serve.logs().find((line) => line.msg === 'Nara is listening')).toMatchObject({ url: serve.url, config: '<flags>', backends: ['default@KR'] });
      let last = 'no answer';
      await waitFor(
        async () => {
          const { status, report } = await readyz(serve.url);
          last = `${status} ${JSON.stringify(report)}`;
          return status === 200 ? true : undefined;
        },
        'the tiny model to load',
        20_000,
        100,
      ).catch((error: unknown) => {
        throw new Error(`not ready; last /readyz: ${last}\n${serve.describe()}`, { cause: error });
      });
      const client = new OpenAI({ apiKey: key, baseURL: `${serve.url}/v1`, maxRetries: 0, timeout: 20_000 });
      expect((await client.models.list()).data.map((model) => model.id)).toEqual(['tiny']);
      const { data, response } = await client.chat.completions
        .create({ model: 'tiny', messages: [{ role: 'user', content: 'hello' }], max_tokens: 6, seed: 1 })
        .withResponse();
      expect(response.headers.get('x-nara-backend')).toBe('default');
      expect(response.headers.get('x-nara-jurisdiction')).toBe('KR');
      expect(typeof data.choices[0]?.message.content).toBe('string');
      expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    } finally {
      serve.signal('SIGTERM');
    }
    expect(await serve.exited).toEqual({ code: 0, signal: null });
  });
});

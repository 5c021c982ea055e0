import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppEngine } from '../src/backends/llama-cpp/llama-cpp-engine.js';
import type { GgufBackendConfig } from '../src/config/types.js';
import { buildTinyGguf, writeTinyGguf } from '../src/dev/tiny-gguf.js';
import type { Engine, EngineCallOptions, StreamChunk } from '../src/spec/engine.js';
import { NaraError } from '../src/spec/errors.js';
import type { ChatCompletionRequest, CompletionRequest } from '../src/spec/openai.js';

const concurrency = 2;

function ggufConfig(ggufPath: string, overrides: Partial<GgufBackendConfig> = {}): GgufBackendConfig {
  return {
    kind: 'gguf',
    id: 'tiny-local',
    jurisdiction: 'KR',
    models: [{ name: 'tiny', upstream: 'tiny' }],
    region: undefined,
    operator: undefined,
    accelerator: 'CPU',
    tokenizer: 'estimate',
    piiFloor: 'off',
    weight: 1,
    maxConcurrency: concurrency,
    cost: { inputPer1M: 0, outputPer1M: 0, currency: 'USD' },
    timeouts: { connectMs: 1000, firstByteMs: 30_000, idleMs: 30_000 },
    ggufPath,
    contextSize: 512,
    gpu: 'cpu',
    ...overrides,
  };
}

function call(signal: AbortSignal = new AbortController().signal): EngineCallOptions {
  return { signal, requestId: 'req-test' };
}

function chat(extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return {
    model: 'tiny',
    messages: [
      { role: 'system', content: 'You are a tiny test model.' },
      { role: 'user', content: 'hello world, 안녕하세요' },
    ],
    max_tokens: 8,
    seed: 11,
    ...extra,
  };
}

/** A generation that runs to the end of the context (hundreds of tokens) unless stopped. */
const longChat = (): ChatCompletionRequest => chat({ max_tokens: null, seed: 5 });

async function waitSettled(engine: Engine): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const health = await engine.checkHealth(new AbortController().signal);
    if (health.healthy || health.reason !== 'model is still loading' || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Timed {
  readonly chunk: StreamChunk;
  readonly json: Record<string, unknown> & { choices: Record<string, unknown>[] };
  readonly at: number;
}

async function collect(stream: AsyncIterable<StreamChunk>): Promise<Timed[]> {
  const out: Timed[] = [];
  for await (const chunk of stream) {
    out.push({ chunk, json: JSON.parse(chunk.data) as Timed['json'], at: performance.now() });
  }
  return out;
}

const contentOf = (t: Timed): string | undefined => {
  const delta = t.json.choices[0]?.delta as { content?: string } | undefined;
  return delta?.content;
};

describe('llama.cpp engine on a tiny GGUF', () => {
  let dir: string;
  let modelPath: string;
  let engine: Engine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nara-llama-'));
    modelPath = join(dir, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 7 });
    engine = createLlamaCppEngine(ggufConfig(modelPath));
    await waitSettled(engine);
  });

  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is healthy once loaded and serves chat, completion and embedding', async () => {
    expect(await engine.checkHealth(new AbortController().signal)).toEqual({ healthy: true });
    expect([...engine.operations].sort()).toEqual(['chat', 'completion', 'embedding']);
  });

  it('answers a chat completion with OpenAI shape and consistent usage', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await engine.doGenerate('chat', chat({ max_tokens: 6 }), call());
    const body = JSON.parse(result.body) as {
      id: string; object: string; created: number; model: string;
      choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]+$/);
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('tiny');
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.choices).toHaveLength(1);
    expect(body.choices[0]?.message.role).toBe('assistant');
    expect(typeof body.choices[0]?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(body.choices[0]?.finish_reason);
    const usage = body.usage;
    expect(usage.prompt_tokens).toBeGreaterThan(5);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(6);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    if (body.choices[0]?.finish_reason === 'length') expect(usage.completion_tokens).toBe(6);
    expect(result.usage).toEqual({ promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: 0, estimated: false });
  });

  it('honours max_completion_tokens, seed and stop', async () => {
    const greedy = chat({ max_tokens: undefined, max_completion_tokens: 12, temperature: 0 });
    const first = JSON.parse((await engine.doGenerate('chat', greedy, call())).body) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { completion_tokens: number } };
    const again = JSON.parse((await engine.doGenerate('chat', greedy, call())).body) as typeof first;
    expect(first.usage.completion_tokens).toBeLessThanOrEqual(12);
    expect(again.choices[0]?.message.content).toBe(first.choices[0]?.message.content);

    const text = first.choices[0]?.message.content ?? '';
    expect(text.length).toBeGreaterThan(6);
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    const stopped = JSON.parse((await engine.doGenerate('chat', { ...greedy, stop: [stop, 'never-there'] }, call())).body) as typeof first;
    expect(stopped.choices[0]?.message.content).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams chat pieces as they are generated, then finish, then a usage-only chunk', async () => {
    const request = chat({ max_tokens: 24, stream: true });
    const started = performance.now();
    const chunks = await collect(await engine.doStream('chat', request, call()));
    const first = chunks[0];
    expect(first?.json.object).toBe('chat.completion.chunk');
    expect(first?.json.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(new Set(chunks.map((c) => c.json.id)).size).toBe(1);

    const last = chunks.at(-1);
    const finish = chunks.at(-2);
    const content = chunks.slice(1, -2);
    expect(content.length).toBeGreaterThanOrEqual(3);
    expect(content.every((c) => c.json.choices[0]?.finish_reason === null && typeof contentOf(c) === 'string')).toBe(true);
    expect(finish?.json.choices[0]?.finish_reason).toMatch(/^(stop|length)$/);
    expect(finish?.json.choices[0]?.delta).toEqual({});

    expect(last?.chunk.usageOnly).toBe(true);
    expect(last?.json.choices).toEqual([]);
    const usage = last?.json.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    expect(last?.chunk.usage).toEqual({ promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: 0, estimated: false });
    expect(usage.completion_tokens).toBeLessThanOrEqual(24);
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(content.length);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(chunks.slice(0, -1).every((c) => c.chunk.usage === undefined)).toBe(true);

    // Incremental: the first piece arrived well before the last, at many distinct moments.
    const firstPieceAt = content[0]?.at ?? Infinity;
    expect(firstPieceAt).toBeLessThan(finish?.at ?? 0);
    expect(new Set(content.map((c) => c.at)).size).toBeGreaterThanOrEqual(3);
    expect(firstPieceAt - started).toBeLessThan((finish?.at ?? 0) - started);

    // Same seed, same text as the whole answer.
    const whole = JSON.parse((await engine.doGenerate('chat', chat({ max_tokens: 24 }), call())).body) as { choices: { message: { content: string } }[] };
    expect(content.map(contentOf).join('')).toBe(whole.choices[0]?.message.content);
  });

  it('answers text completions, whole and streamed', async () => {
    const request: CompletionRequest = { model: 'tiny', prompt: 'once upon a time', max_tokens: 5, seed: 3 };
    const result = await engine.doGenerate('completion', request, call());
    const body = JSON.parse(result.body) as { id: string; object: string; choices: { text: string; finish_reason: string }[]; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.object).toBe('text_completion');
    expect(typeof body.choices[0]?.text).toBe('string');
    expect(body.usage.prompt_tokens).toBe(5); // <s> ▁Once ▁upon ▁a ▁time
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(5);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);

    const chunks = await collect(await engine.doStream('completion', { ...request, prompt: ['once upon a time'], stream: true }, call()));
    expect(chunks.every((c) => c.json.object === 'text_completion')).toBe(true);
    const pieces = chunks.slice(0, -2).map((c) => c.json.choices[0]?.text);
    expect(pieces.join('')).toBe(body.choices[0]?.text);
    expect(chunks.at(-2)?.json.choices[0]?.finish_reason).toBe(body.choices[0]?.finish_reason);
    expect(chunks.at(-1)?.chunk.usageOnly).toBe(true);
    expect(chunks.at(-1)?.json.usage).toEqual(body.usage);
  });

  it('embeds strings: one unit vector per input, in order', async () => {
    const inputs = ['hello world', '안녕하세요 세계', 'สวัสดีครับ'];
    const result = await engine.doEmbed({ model: 'tiny', input: inputs }, call());
    const body = JSON.parse(result.body) as { object: string; model: string; data: { object: string; index: number; embedding: number[] }[]; usage: { prompt_tokens: number; total_tokens: number } };
    expect(body.object).toBe('list');
    expect(body.model).toBe('tiny');
    expect(body.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(body.data.every((d) => d.object === 'embedding' && d.embedding.length === 32)).toBe(true);
    for (const d of body.data) expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 4);
    expect(body.data[0]?.embedding).not.toEqual(body.data[1]?.embedding);
    expect(body.usage.prompt_tokens).toBeGreaterThanOrEqual(inputs.length * 2);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
    expect(result.usage?.promptTokens).toBe(body.usage.prompt_tokens);

    const single = JSON.parse((await engine.doEmbed({ model: 'tiny', input: 'hello world', encoding_format: 'base64' }, call())).body) as { data: { embedding: string }[] };
    expect(single.data).toHaveLength(1);
    const decoded = Buffer.from(single.data[0]?.embedding ?? '', 'base64');
    expect(decoded.length).toBe(32 * 4);
    expect(decoded.readFloatLE(0)).toBeCloseTo(body.data[0]?.embedding[0] ?? NaN, 5);

    await expect(engine.doEmbed({ model: 'tiny', input: [1, 2, 3] }, call())).rejects.toMatchObject({ code: 'unsupported_parameter', param: 'input' });
    await expect(engine.doEmbed({ model: 'tiny', input: 'x', dimensions: 8 }, call())).rejects.toMatchObject({ code: 'unsupported_parameter', param: 'dimensions' });
  });

  it('refuses parameters it cannot honour with unsupported_parameter', async () => {
    const cases: [Partial<ChatCompletionRequest>, string][] = [
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, 'tools'],
      [{ tool_choice: 'required' }, 'tool_choice'],
      [{ functions: [{ name: 'f' }] }, 'functions'],
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ response_format: { type: 'xml' } }, 'response_format'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] }, 'messages'],
      [{ messages: [{ role: 'tool', content: '42', tool_call_id: 'x' }] }, 'messages'],
    ];
    for (const [extra, param] of cases) {
      const error: unknown = await engine.doGenerate('chat', chat(extra), call()).catch((e: unknown) => e);
      expect(error, param).toBeInstanceOf(NaraError);
      expect(error, param).toMatchObject({ code: 'unsupported_parameter', param });
    }
    await expect(engine.doStream('completion', { model: 'tiny', prompt: 'x', echo: true }, call())).rejects.toMatchObject({ code: 'unsupported_parameter', param: 'echo' });
    await expect(engine.doGenerate('completion', { model: 'tiny', prompt: ['a', 'b'] }, call())).rejects.toMatchObject({ code: 'unsupported_parameter', param: 'prompt' });
    // n: 1 and tool_choice 'none' ask for nothing special.
    await expect(engine.doGenerate('chat', chat({ n: 1, tool_choice: 'none', max_tokens: 2 }), call())).resolves.toBeDefined();
  });

  it('constrains output to JSON for response_format json_object', async () => {
    const result = await engine.doGenerate('chat', chat({ max_tokens: 10, response_format: { type: 'json_object' } }), call());
    const content = (JSON.parse(result.body) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
    expect(content.trimStart().startsWith('{')).toBe(true);
  });

  it('refuses a prompt longer than the context', async () => {
    const long = Array.from({ length: 700 }, () => 'hello').join(' ');
    await expect(engine.doGenerate('completion', { model: 'tiny', prompt: long }, call())).rejects.toMatchObject({ code: 'upstream_rejected', param: 'prompt' });
  });

  it('stops generating when the client aborts mid-stream, and frees the sequence', async () => {
    const controller = new AbortController();
    const stream = await engine.doStream('chat', longChat(), call(controller.signal));
    let pieces = 0;
    const error: unknown = await (async () => {
      for await (const chunk of stream) {
        if (chunk.data.includes('"content":"') && !chunk.data.includes('"content":""')) pieces += 1;
        if (pieces === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'client_closed_request' });

    // A consumer that just stops reading also frees its sequence.
    const other = await engine.doStream('chat', longChat(), call());
    for await (const chunk of other) if (chunk.data.includes('content')) break;

    // Aborting a whole (non-streamed) generation rejects it promptly.
    const aborter = new AbortController();
    const started = performance.now();
    setTimeout(() => aborter.abort(), 20);
    await expect(engine.doGenerate('chat', longChat(), call(aborter.signal))).rejects.toMatchObject({ code: 'client_closed_request' });
    expect(performance.now() - started).toBeLessThan(2_000);

    // Every sequence is free again: as many calls as the limit are all accepted and finish.
    const results = await Promise.all(Array.from({ length: concurrency }, () => engine.doGenerate('chat', chat({ max_tokens: 3 }), call())));
    expect(results).toHaveLength(concurrency);
  });

  it('queues calls beyond the sequence limit (FIFO) and lets a waiting call leave on abort', async () => {
    const holders = await Promise.all(Array.from({ length: concurrency }, () => engine.doStream('chat', longChat(), call())));
    let accepted = false;
    const waiting = engine.doStream('chat', chat({ max_tokens: 3 }), call()).then((s) => {
      accepted = true;
      return s;
    });
    const leaver = new AbortController();
    const leaving = engine.doGenerate('chat', chat({ max_tokens: 3 }), call(leaver.signal)).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(accepted).toBe(false);
    leaver.abort();
    expect(await leaving).toMatchObject({ code: 'client_closed_request' });

    // Releasing one holder lets the first waiter in.
    const [firstHolder, ...rest] = holders;
    for await (const chunk of firstHolder ?? []) if (chunk.data.includes('content')) break;
    const queued = await collect(await waiting);
    expect(queued.at(-1)?.chunk.usageOnly).toBe(true);
    for (const holder of rest) for await (const chunk of holder) if (chunk.data.includes('content')) break;

    // More calls than sequences: all finish.
    const many = await Promise.all(Array.from({ length: concurrency * 2 + 1 }, (_, i) => engine.doGenerate('chat', chat({ max_tokens: 4, seed: i }), call())));
    expect(many.every((r) => (r.usage?.completionTokens ?? 0) > 0)).toBe(true);
  });

  it('reports a corrupt or missing GGUF as unhealthy and fails calls with upstream_error', async () => {
    const corrupt = join(dir, 'corrupt.gguf');
    await writeFile(corrupt, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 0xa7)]));
    const truncated = join(dir, 'truncated.gguf');
    await writeFile(truncated, buildTinyGguf({ seed: 7 }).subarray(0, 100_000));
    for (const path of [corrupt, truncated, join(dir, 'missing.gguf')]) {
      const broken = createLlamaCppEngine(ggufConfig(path, { id: 'broken' }));
      await waitSettled(broken);
      const health = await broken.checkHealth(new AbortController().signal);
      expect(health.healthy, path).toBe(false);
      expect(health.reason, path).toMatch(/model (failed to load|file not found)/);
      await expect(broken.doGenerate('chat', chat(), call())).rejects.toMatchObject({ code: 'upstream_error' });
      await expect(broken.doStream('completion', { model: 'tiny', prompt: 'x' }, call())).rejects.toMatchObject({ code: 'upstream_error' });
      await expect(broken.doEmbed({ model: 'tiny', input: 'x' }, call())).rejects.toMatchObject({ code: 'upstream_error' });
      await broken.close();
    }
  });

  it('close() ends a running stream and refuses later calls', async () => {
    const closing = createLlamaCppEngine(ggufConfig(modelPath, { id: 'closing', maxConcurrency: 1, contextSize: 256 }));
    const stream = await closing.doStream('chat', longChat(), call());
    const reading = collect(stream).catch((e: unknown) => e);
    await closing.close();
    expect(await reading).toMatchObject({ code: 'upstream_error' });
    await expect(closing.doGenerate('chat', chat(), call())).rejects.toMatchObject({ code: 'upstream_error' });
    expect((await closing.checkHealth(new AbortController().signal)).healthy).toBe(false);
  });
});

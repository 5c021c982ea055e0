import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaCompletion, LlamaLogLevel, readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyGguf, writeTinyGguf } from '../src/dev/tiny-gguf.js';

const referencePath = fileURLToPath(new URL('../../shared/fixtures/models/llama-2-tiny-random.gguf', import.meta.url));
const referenceExists = existsSync(referencePath);

/** Metadata as dotted keys (node-llama-cpp nests them by their dots). */
function flatKeys(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, inner]: [string, unknown]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? flatKeys(inner, path) : [path];
  });
}

/** Tensor shapes in terms of the hyperparameters, so files of different sizes can be compared. */
function symbolicShapes(info: GgufFileInfo): Map<string, string> {
  const meta = info.metadata as unknown as { llama: Record<string, number>; tokenizer: { ggml: { tokens: string[] } } };
  const names = new Map<number, string>([
    [meta.llama.embedding_length ?? -1, 'n_embd'],
    [meta.llama.feed_forward_length ?? -1, 'n_ff'],
    [meta.tokenizer.ggml.tokens.length, 'n_vocab'],
  ]);
  return new Map(
    (info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map((d) => names.get(Number(d)) ?? String(d)).join('x')]),
  );
}

describe('writeTinyGguf', () => {
  let dir: string;
  let modelPath: string;
  let info: GgufFileInfo;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nara-tiny-gguf-'));
    modelPath = join(dir, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 1 });
    info = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a GGUF v3 header and stays well under 1 MB', async () => {
    const bytes = buildTinyGguf({ seed: 1 });
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(bytes.readUInt32LE(4)).toBe(3);
    expect(Number(bytes.readBigUInt64LE(8))).toBe(info.tensorInfo?.length);
    expect((await stat(modelPath)).size).toBe(bytes.length);
    expect(bytes.length).toBeLessThan(512 * 1024);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(buildTinyGguf({ seed: 9 }).equals(buildTinyGguf({ seed: 9 }))).toBe(true);
    expect(buildTinyGguf({ seed: 9 }).equals(buildTinyGguf({ seed: 10 }))).toBe(false);
  });

  it('carries the llama hyperparameters and a SentencePiece vocabulary', () => {
    const keys = flatKeys(info.metadata);
    for (const key of [
      'general.architecture',
      'general.alignment',
      'llama.context_length',
      'llama.embedding_length',
      'llama.block_count',
      'llama.feed_forward_length',
      'llama.rope.dimension_count',
      'llama.attention.head_count',
      'llama.attention.head_count_kv',
      'llama.attention.layer_norm_rms_epsilon',
      'tokenizer.ggml.model',
      'tokenizer.ggml.tokens',
      'tokenizer.ggml.scores',
      'tokenizer.ggml.token_type',
      'tokenizer.ggml.bos_token_id',
      'tokenizer.ggml.eos_token_id',
      'tokenizer.ggml.unknown_token_id',
    ]) {
      expect(keys).toContain(key);
    }
    const ggml = info.metadata.tokenizer.ggml;
    expect(info.metadata.general.architecture).toBe('llama');
    expect(info.metadata.general.alignment).toBe(32);
    expect(ggml.model).toBe('llama');
    const tokens = ggml.tokens;
    expect(tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    expect([ggml.unknown_token_id, ggml.bos_token_id, ggml.eos_token_id]).toEqual([0, 1, 2]);
    expect(tokens[3]).toBe('<0x00>');
    expect(tokens[258]).toBe('<0xFF>');
    expect(ggml.token_type?.slice(3, 259).every((t) => t === 6)).toBe(true);
    expect(tokens).toContain('\u2581hello');
    expect(tokens.some((t) => /[\uac00-\ud7a3]{2}/.test(t))).toBe(true); // Hangul word pieces
    expect(tokens.some((t) => /[\u0e00-\u0e7f]{2}/.test(t))).toBe(true); // Thai word pieces
    expect(tokens.length).toBeGreaterThan(259 + 300);
    expect(ggml.scores?.length).toBe(tokens.length);
  });

  it('writes a chat template only when asked', async () => {
    const withTemplate = join(dir, 'chatml.gguf');
    await writeTinyGguf(withTemplate, { chatTemplate: '{{ messages }}' });
    const templated = await readGgufFileInfo(withTemplate, { logWarnings: false });
    expect(templated.metadata.tokenizer.chat_template).toBe('{{ messages }}');
    expect(info.metadata.tokenizer.chat_template).toBeUndefined();
  });

  it('aligns every tensor on 32 bytes inside the file', async () => {
    const size = (await stat(modelPath)).size;
    for (const tensor of info.tensorInfo ?? []) {
      expect(Number(tensor.fileOffset) % 32).toBe(0);
      const elements = tensor.dimensions.reduce<number>((a, d) => a * Number(d), 1);
      expect(Number(tensor.fileOffset) + elements * 4).toBeLessThanOrEqual(size);
    }
  });

  it('loads, tokenises without byte fallback and generates with node-llama-cpp', async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    try {
      const tokens = model.tokenize('hello world 안녕하세요 สวัสดี');
      const pieces = tokens.map((t) => model.detokenize([t]));
      expect(pieces.some((p) => p.includes('안녕하세요'))).toBe(true);
      expect(pieces.every((p) => !p.includes('\ufffd'))).toBe(true);
      const context = await model.createContext({ contextSize: 256, threads: 1 });
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const text = await completion.generateCompletion('hello', { maxTokens: 6, temperature: 0.8, seed: 3 });
      expect(text.length).toBeGreaterThan(0);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  if (!referenceExists) {
    console.warn(`tiny-gguf: reference comparison skipped: ${referencePath} is absent (../shared is not checked out here).`);
  }
  (referenceExists ? it : it.skip)('has the same metadata keys and tensor layout as the llama-2-tiny-random reference', async () => {
    const reference = await readGgufFileInfo(referencePath, { readTensorInfo: true, logWarnings: false });
    const oneLayer = join(dir, 'one-layer.gguf');
    await writeTinyGguf(oneLayer, { seed: 1, layers: 1 });
    const ours = await readGgufFileInfo(oneLayer, { readTensorInfo: true, logWarnings: false });
    const ourKeys = new Set(flatKeys(ours.metadata));
    // general.file_type differs in value only (the reference is F16); names and keys must match.
    for (const key of flatKeys(reference.metadata)) expect(ourKeys, key).toContain(key);
    expect(symbolicShapes(ours)).toEqual(symbolicShapes(reference));
  });
});

/**
 * Writes a tiny, valid GGUF of a `llama` model with random F32 weights, so tests and demos can run
 * the embedded llama.cpp engine without downloading anything. The text it generates is gibberish
 * made of real word pieces; what matters is that it loads, tokenises, streams and embeds.
 */
import { writeFile } from 'node:fs/promises';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';
import { buildTinyVocab, TokenType, type TinyVocab } from './tiny-vocab.js';
import { seededRandom } from '../eval/statistics.js';

export interface TinyGgufOptions {
  /** Seed of the weights; the same seed always gives the same bytes. Default 42. */
  readonly seed?: number;
  /** Transformer blocks, 1 or 2. Default 2. */
  readonly layers?: 1 | 2;
  /** Hidden size (a multiple of 2 * heads). Default 32. */
  readonly embeddingLength?: number;
  /** Optional `tokenizer.chat_template` (Jinja); by default the model has none, like a base model. */
  readonly chatTemplate?: string;
  /** `general.name`. Default "Nara tiny random". */
  readonly name?: string;
}

const heads = 2;

function uniform(random: () => number, count: number, scale: number): Float32Array {
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = (random() * 2 - 1) * scale;
  return data;
}

/**
 * Dimension 0 of every embedding is a constant, and layer weights are small, so after the final
 * norm dimension 0 acts as a bias feature. Output rows use it to make byte-fallback and control
 * tokens unlikely: the streamed text is then mostly whole, printable word pieces rather than stray
 * bytes that the detokeniser has to hold back.
 */
function embeddings(random: () => number, vocab: TinyVocab, nEmbd: number): Float32Array {
  const data = uniform(random, nEmbd * vocab.tokens.length, 1);
  for (let t = 0; t < vocab.tokens.length; t++) data[t * nEmbd] = 2;
  return data;
}

function outputWeights(random: () => number, vocab: TinyVocab, nEmbd: number): Float32Array {
  const data = uniform(random, nEmbd * vocab.tokens.length, 0.5);
  vocab.types.forEach((type, t) => {
    let bias = 0;
    if (type === TokenType.byte || type === TokenType.unknown) bias = -2;
    else if (t === vocab.bosId) bias = -2;
    else if (t === vocab.eosId) bias = -0.7;
    data[t * nEmbd] = bias;
  });
  return data;
}

function buildTensors(random: () => number, vocab: TinyVocab, nEmbd: number, nFf: number, layers: number): GgufTensor[] {
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, vocab.tokens.length], data: embeddings(random, vocab, nEmbd) },
  ];
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      { name: `${p}attn_q.weight`, dims: [nEmbd, nEmbd], data: uniform(random, nEmbd * nEmbd, 0.3) },
      { name: `${p}attn_k.weight`, dims: [nEmbd, nEmbd], data: uniform(random, nEmbd * nEmbd, 0.3) },
      { name: `${p}attn_v.weight`, dims: [nEmbd, nEmbd], data: uniform(random, nEmbd * nEmbd, 0.1) },
      { name: `${p}attn_output.weight`, dims: [nEmbd, nEmbd], data: uniform(random, nEmbd * nEmbd, 0.1) },
      { name: `${p}ffn_gate.weight`, dims: [nEmbd, nFf], data: uniform(random, nEmbd * nFf, 0.1) },
      { name: `${p}ffn_up.weight`, dims: [nEmbd, nFf], data: uniform(random, nEmbd * nFf, 0.1) },
      { name: `${p}ffn_down.weight`, dims: [nFf, nEmbd], data: uniform(random, nEmbd * nFf, 0.1) },
      { name: `${p}attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${p}ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dims: [nEmbd], data: ones(nEmbd) },
    { name: 'output.weight', dims: [nEmbd, vocab.tokens.length], data: outputWeights(random, vocab, nEmbd) },
  );
  return tensors;
}

function buildMetadata(options: TinyGgufOptions, vocab: TinyVocab, nEmbd: number, nFf: number, layers: number): Map<string, GgufValue> {
  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'Nara tiny random' }],
    ['general.alignment', u32(32)],
    ['general.file_type', u32(0)], // ALL_F32
    ['llama.context_length', u32(4096)],
    ['llama.embedding_length', u32(nEmbd)],
    ['llama.block_count', u32(layers)],
    ['llama.feed_forward_length', u32(nFf)],
    ['llama.rope.dimension_count', u32(nEmbd / heads)],
    ['llama.rope.freq_base', { type: 'float32', value: 10000 }],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(heads)],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['llama.vocab_size', u32(vocab.tokens.length)],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', values: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', values: vocab.types }],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bosId)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eosId)],
    ['tokenizer.ggml.unknown_token_id', u32(vocab.unkId)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ]);
  if (options.chatTemplate !== undefined) {
    metadata.set('tokenizer.chat_template', { type: 'string', value: options.chatTemplate });
  }
  return metadata;
}

/** The GGUF bytes, without touching the disk (tests compare these for determinism). */
export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const nEmbd = options.embeddingLength ?? 32;
  if (nEmbd % (2 * heads) !== 0 || nEmbd < 8) throw new Error('embeddingLength must be a multiple of 4, at least 8');
  const layers = options.layers ?? 2;
  const nFf = nEmbd * 2;
  // The eval harness's seeded generator (mulberry32): deterministic, and quality is irrelevant for random weights.
  const random = seededRandom(options.seed ?? 42);
  const vocab = buildTinyVocab();
  return encodeGguf({
    metadata: buildMetadata(options, vocab, nEmbd, nFf, layers),
    tensors: buildTensors(random, vocab, nEmbd, nFf, layers),
    alignment: 32,
  });
}

export async function writeTinyGguf(filePath: string, options: TinyGgufOptions = {}): Promise<void> {
  await writeFile(filePath, buildTinyGguf(options));
}

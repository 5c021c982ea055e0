/**
 * `/v1/embeddings` on the embedded model. node-llama-cpp evaluates each input in a dedicated
 * embedding context (one at a time, under its own lock) and returns the model's pooled vector, or
 * for a plain causal model with no pooling the last token's hidden state. Vectors are returned
 * L2-normalised, as OpenAI's are, so dot products are cosine similarities.
 */
import type { EngineResult } from '../../spec/engine.js';
import { clientClosedError, NaraError } from '../../spec/errors.js';
import type { EmbeddingRequest } from '../../spec/openai.js';
import type { ModelRuntime } from './model-runtime.js';
import { embeddingsBody } from './openai-shapes.js';

function readInputs(input: unknown): string[] {
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length === 0) {
    throw new NaraError('invalid_request', 'input must be a string or a non-empty array of strings.', { param: 'input' });
  }
  if (list.some((item) => typeof item === 'number' || Array.isArray(item))) {
    throw new NaraError('unsupported_parameter', 'Token-array inputs are not supported by the embedded llama.cpp engine; send text.', { param: 'input' });
  }
  if (!list.every((item): item is string => typeof item === 'string' && item !== '')) {
    throw new NaraError('invalid_request', 'Every input must be a non-empty string.', { param: 'input' });
  }
  return list;
}

function normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? [...vector] : vector.map((v) => v / norm);
}

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

export interface EmbedTarget {
  readonly runtime: ModelRuntime;
  readonly backendId: string;
  /** The embedding context's size in tokens (the configured contextSize). */
  readonly contextSize: number;
}

export async function embed(target: EmbedTarget, request: EmbeddingRequest, signal: AbortSignal): Promise<EngineResult> {
  const { runtime, backendId } = target;
  const inputs = readInputs(request.input);
  const format = request.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new NaraError('invalid_request', 'encoding_format must be float or base64.', { param: 'encoding_format' });
  }
  const context = await runtime.embeddingContext().catch((error: unknown) => {
    if (error instanceof NaraError) throw error;
    throw new NaraError('upstream_error', `Embedded engine ${backendId} cannot create an embedding context.`, { cause: error, detail: { backend: backendId } });
  });
  const size = context.model.embeddingVectorSize;
  if (request.dimensions !== undefined && request.dimensions !== null && request.dimensions !== size) {
    throw new NaraError('unsupported_parameter', `This model's embeddings have ${size} dimensions; it cannot shorten them.`, { param: 'dimensions' });
  }

  const vectors: (number[] | string)[] = [];
  let promptTokens = 0;
  for (const text of inputs) {
    if (signal.aborted) throw clientClosedError();
    const length = context.calculateInputLength(text);
    // node-llama-cpp needs one free cell after the input.
    if (length >= target.contextSize) {
      throw new NaraError('upstream_rejected', `An input is ${length} tokens, more than this model's context holds.`, { param: 'input' });
    }
    let vector: readonly number[];
    try {
      vector = (await context.getEmbeddingFor(text)).vector;
    } catch (error) {
      throw new NaraError('upstream_error', `Embedded engine ${backendId} failed to embed an input.`, { cause: error, detail: { backend: backendId } });
    }
    promptTokens += length;
    const unit = normalise(vector);
    vectors.push(format === 'base64' ? toBase64(unit) : unit);
  }
  return {
    body: embeddingsBody(request.model, vectors, promptTokens),
    usage: { promptTokens, completionTokens: 0, cachedTokens: 0, estimated: false },
  };
}

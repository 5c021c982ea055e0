/**
 * The embedded engine: a GGUF model served in-process through node-llama-cpp, behind the same
 * `Engine` contract as the HTTP engines. The model loads in the background from creation; calls
 * wait for it, then for a free context sequence (FIFO), then generate with real token streaming.
 *
 * Supported: chat, text completions, embeddings; max_tokens / max_completion_tokens, temperature,
 * top_p, top_k, min_p, seed, stop, frequency/presence penalties, response_format text / json_object
 * / json_schema (via llama.cpp grammars). Refused with `unsupported_parameter`: tools, tool_choice,
 * functions, function_call, n or best_of > 1, logprobs, top_logprobs, logit_bias, audio output,
 * echo, suffix, several prompts, token-array inputs, non-text content parts.
 */
import { engineSpecVersion, type Engine, type EngineCallOptions, type EngineHealth, type EngineResult, type StreamChunk } from '../../spec/engine.js';
import { clientClosedError, NaraError } from '../../spec/errors.js';
import type { EmbeddingRequest, GenerationRequest, Operation } from '../../spec/openai.js';
import type { GgufBackendConfig } from '../../config/types.js';
import type { LlamaContextSequence, LlamaGrammar } from 'node-llama-cpp';
import { ChunkQueue } from './chunk-queue.js';
import { embed } from './embeddings.js';
import { preparePrompt, runGeneration, type PreparedPrompt } from './generation.js';
import { ModelRuntime, type LoadedModel } from './model-runtime.js';
import {
  chatCompletionBody,
  chatRoleChunk,
  finishChunk,
  newIdentity,
  openAiUsage,
  pieceChunk,
  textCompletionBody,
  tokenUsage,
  usageChunk,
} from './openai-shapes.js';
import { readSamplingSettings, type SamplingSettings } from './request-options.js';
import { grammarFor } from './response-format.js';

/** Everything a generation needs once it holds a sequence. */
interface AcceptedCall {
  readonly loaded: LoadedModel;
  readonly sequence: LlamaContextSequence;
  readonly prompt: PreparedPrompt;
  readonly settings: SamplingSettings;
  readonly grammar: LlamaGrammar | undefined;
  /** The client's signal joined with the engine's own (fired by close()). */
  readonly signal: AbortSignal;
}

export function createLlamaCppEngine(config: GgufBackendConfig): Engine {
  return new LlamaCppEngine(config);
}

class LlamaCppEngine implements Engine {
  readonly specVersion = engineSpecVersion;
  readonly id: string;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['chat', 'completion', 'embedding']);
  private readonly runtime: ModelRuntime;
  private readonly shutdown = new AbortController();
  /** Generations in flight, each settled only after its sequence is back in the pool. */
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly config: GgufBackendConfig) {
    this.id = config.id;
    this.runtime = new ModelRuntime(config);
  }

  async doGenerate(operation: 'chat' | 'completion', request: GenerationRequest, options: EngineCallOptions): Promise<EngineResult> {
    const call = await this.accept(operation, request, options);
    const who = newIdentity(operation, request.model);
    const run = runGeneration(call.loaded, call.sequence, call.prompt, { settings: call.settings, grammar: call.grammar, signal: call.signal, onPiece: () => undefined });
    this.track(run.then(() => undefined, () => undefined).finally(() => call.loaded.pool.release(call.sequence)));
    try {
      const outcome = await run;
      const usage = openAiUsage(outcome.promptTokens, outcome.completionTokens);
      const body =
        operation === 'chat'
          ? chatCompletionBody(who, outcome.text, outcome.reasoning, outcome.finishReason, usage)
          : textCompletionBody(who, outcome.text, outcome.finishReason, usage);
      return { body, usage: tokenUsage(usage) };
    } catch (error) {
      throw this.failure(error, call.signal, 'upstream_error');
    }
  }

  async doStream(operation: 'chat' | 'completion', request: GenerationRequest, options: EngineCallOptions): Promise<AsyncIterable<StreamChunk>> {
    const call = await this.accept(operation, request, options);
    const who = newIdentity(operation, request.model);
    const queue = new ChunkQueue<StreamChunk>();
    if (operation === 'chat') queue.push(chatRoleChunk(who));
    // Fired when the consumer stops reading early, so generation does not run on for nobody.
    const consumerGone = new AbortController();
    const signal = AbortSignal.any([call.signal, consumerGone.signal]);
    const run = runGeneration(call.loaded, call.sequence, call.prompt, {
      settings: call.settings,
      grammar: call.grammar,
      signal,
      onPiece: (piece) => queue.push(pieceChunk(operation, who, piece)),
    })
      .then(
        (outcome) => {
          const usage = openAiUsage(outcome.promptTokens, outcome.completionTokens);
          queue.push(finishChunk(operation, who, outcome.finishReason));
          queue.push(usageChunk(operation, who, usage));
          queue.end();
        },
        (error: unknown) => queue.fail(this.failure(error, signal, 'stream_interrupted')),
      )
      .finally(() => call.loaded.pool.release(call.sequence));
    this.track(run);
    return streamOf(queue, consumerGone, run);
  }

  async doEmbed(request: EmbeddingRequest, options: EngineCallOptions): Promise<EngineResult> {
    this.refuseWhenClosed();
    const signal = AbortSignal.any([options.signal, this.shutdown.signal]);
    const run = abortable(this.runtime.ready(), signal).then(() =>
      embed({ runtime: this.runtime, backendId: this.id, contextSize: this.config.contextSize }, request, signal),
    );
    // Tracked so close() disposes the embedding context only after this call is done with it.
    this.track(run.then(() => undefined, () => undefined));
    try {
      return await run;
    } catch (error) {
      throw this.failure(error, signal, 'upstream_error');
    }
  }

  async checkHealth(_signal: AbortSignal): Promise<EngineHealth> {
    return this.runtime.health();
  }

  async close(): Promise<void> {
    if (this.shutdown.signal.aborted) return;
    this.shutdown.abort(new NaraError('upstream_error', `Embedded engine ${this.id} is closed.`, { failover: false }));
    await Promise.allSettled([...this.active]);
    await this.runtime.close();
  }

  /**
   * Validates, waits for the model, renders the prompt and takes a sequence: everything that can
   * fail before generation starts, so such failures may still go to another candidate.
   */
  private async accept(operation: 'chat' | 'completion', request: GenerationRequest, options: EngineCallOptions): Promise<AcceptedCall> {
    this.refuseWhenClosed();
    const settings = readSamplingSettings(operation, request);
    const signal = AbortSignal.any([options.signal, this.shutdown.signal]);
    try {
      const loaded = await abortable(this.runtime.ready(), signal);
      const prompt = preparePrompt(loaded, operation, request);
      const grammar = await grammarFor(loaded.llama, settings.responseFormat);
      const sequence = await loaded.pool.acquire(signal);
      return { loaded, sequence, prompt, settings, grammar, signal };
    } catch (error) {
      throw this.failure(error, signal, 'upstream_error');
    }
  }

  private refuseWhenClosed(): void {
    if (this.shutdown.signal.aborted) throw new NaraError('upstream_error', `Embedded engine ${this.id} is closed.`);
  }

  private track(run: Promise<void>): void {
    this.active.add(run);
    void run.finally(() => this.active.delete(run));
  }

  /** Maps whatever stopped a call to the catalogue; after generation began, never fail over. */
  private failure(error: unknown, signal: AbortSignal, code: 'upstream_error' | 'stream_interrupted'): NaraError {
    if (this.shutdown.signal.aborted) {
      return new NaraError('upstream_error', `Embedded engine ${this.id} is closed.`, { failover: false, cause: error });
    }
    if (signal.aborted) return clientClosedError();
    if (error instanceof NaraError) return error;
    return new NaraError(code, `Embedded engine ${this.id} failed while generating.`, {
      cause: error,
      detail: { backend: this.id },
      failover: false,
    });
  }
}

async function* streamOf(queue: ChunkQueue<StreamChunk>, consumerGone: AbortController, run: Promise<void>): AsyncGenerator<StreamChunk> {
  try {
    yield* queue.drain();
  } finally {
    // Normal end: a no-op. Early return or a throw in the consumer: stop generating, and return
    // only once the sequence is back in the pool.
    consumerGone.abort();
    await run;
  }
}

/** Rejects with the signal's reason as soon as it fires, without cancelling the promise itself. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

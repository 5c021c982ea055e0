/**
 * The one back-end contract (version 1). Every engine kind implements it: OpenAI-compatible HTTP
 * engines (vLLM, TGI, Ollama, llama.cpp server, NIM, SGLang) and the embedded llama.cpp engine.
 * Policies never talk to an engine directly; the gateway calls these methods with a request whose
 * `model` is already the engine's own model name.
 *
 * Payloads stay as JSON text where they can: an HTTP engine passes the engine's bytes through, and
 * only the stages that need an object parse one.
 */
import type { EmbeddingRequest, GenerationRequest, Operation, TokenUsage } from './openai.js';

export const engineSpecVersion = 'nara-engine-v1';

export interface EngineCallOptions {
  /** Aborted when the client disconnects, the request times out, or Nara shuts down. */
  readonly signal: AbortSignal;
  /**
   * The same cancellation as `signal`, as a plain callback: calls `listener` once when the request
   * is cancelled and returns a function that unregisters it. Adding and removing an 'abort'
   * listener on an AbortSignal costs ~6 µs in Node 20, so per-request hot paths use this.
   */
  readonly onCancel?: ((listener: () => void) => () => void) | undefined;
  readonly requestId: string;
  /**
   * The client's body bytes, given only when they are exactly `request` serialised (no field was
   * changed). An HTTP engine sends these as they are instead of serialising `request` again.
   */
  readonly rawBody?: Buffer | undefined;
}

/** A whole (non-streamed) answer: OpenAI-shaped JSON text plus its usage when known. */
export interface EngineResult {
  readonly body: string;
  readonly usage: TokenUsage | undefined;
}

/** One streamed event: the JSON text of one SSE `data:` line (never the `[DONE]` sentinel). */
export interface StreamChunk {
  readonly data: string;
  /** Set on the chunk that carries the engine's usage report. */
  readonly usage?: TokenUsage | undefined;
  /** True when the chunk carries only usage (`choices: []`), as OpenAI's `include_usage` sends. */
  readonly usageOnly?: boolean | undefined;
  /**
   * The generated text in `data` (every choice's content or text, as `completionTextOf` reads it),
   * when the engine had the chunk parsed anyway; absent otherwise, and then read from `data`. It must
   * always be the text of this `data`: whoever changes `data` sets it again or leaves it out.
   */
  readonly text?: string | undefined;
  /**
   * Whether a choice in `data` finishes here (its `finish_reason` is set), when the engine had the
   * chunk parsed anyway; absent otherwise, and then read from `data`. The same rule as `text` holds.
   */
  readonly finishes?: boolean | undefined;
}

export interface EngineHealth {
  readonly healthy: boolean;
  /** Why not healthy, for /readyz and logs; never user data. */
  readonly reason?: string | undefined;
}

/**
 * Errors an engine throws are `NaraError`s from the catalogue (`upstream_*`, `unsupported_parameter`)
 * so the router can tell from `retryable` whether the next candidate may be tried.
 */
export interface Engine {
  readonly specVersion: typeof engineSpecVersion;
  /** The back end's id from the configuration. */
  readonly id: string;
  /** Which operations this engine can serve at all. */
  readonly operations: ReadonlySet<Operation>;

  /** A whole chat or text completion. */
  doGenerate(
    operation: 'chat' | 'completion',
    request: GenerationRequest,
    options: EngineCallOptions,
  ): Promise<EngineResult>;

  /**
   * A streamed chat or text completion. The promise settles once the engine has accepted the
   * request (HTTP status known); failures before that are retryable on another candidate.
   * The iterable ends after the last chunk; a failure mid-stream throws a `NaraError`.
   */
  doStream(
    operation: 'chat' | 'completion',
    request: GenerationRequest,
    options: EngineCallOptions,
  ): Promise<AsyncIterable<StreamChunk>>;

  doEmbed(request: EmbeddingRequest, options: EngineCallOptions): Promise<EngineResult>;

  /** A health probe that carries no user data. */
  checkHealth(signal: AbortSignal): Promise<EngineHealth>;

  /** Release connections, models and workers. */
  close(): Promise<void>;
}

/**
 * The parts of OpenAI's wire format that Nara reads or writes. Everything else in a request body
 * (tools, response_format, n, stop, seed, logprobs, ...) is carried through to the engine untouched,
 * so these types are deliberately open.
 */

export type JsonObject = { [key: string]: unknown };

export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly [key: string]: unknown;
}

export interface ChatCompletionRequest extends JsonObject {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

export interface CompletionRequest extends JsonObject {
  model: string;
  prompt: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  max_tokens?: number | null;
}

export interface EmbeddingRequest extends JsonObject {
  model: string;
  input: string | string[] | number[] | number[][];
}

/** Token counts of one call, as the engine reported them or as Nara counted them. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** True when the engine sent no usage and Nara counted the tokens itself. */
  readonly estimated: boolean;
}

/** The operations of the OpenAI API that reach an engine. */
export type Operation = 'chat' | 'completion' | 'embedding';

export type GenerationRequest = ChatCompletionRequest | CompletionRequest;

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

/** The generated text in an OpenAI answer or chunk: message/delta content and completion text. */
export function completionTextOf(answer: unknown): string {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const choice of choices) {
    // A malformed choice (null) has no text; reading it must not throw mid-stream.
    if (choice === null || choice === undefined) continue;
    const c = choice as { message?: { content?: unknown }; delta?: { content?: unknown }; text?: unknown };
    const piece = c.message?.content ?? c.delta?.content ?? c.text;
    if (typeof piece === 'string') text += piece;
  }
  return text;
}

/** Whether a choice of an OpenAI chunk finishes in it: its `finish_reason` is a string (it is null before). */
export function finishesChoice(chunk: unknown): boolean {
  const choices = (chunk as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) if (typeof (choice as { finish_reason?: unknown } | null)?.finish_reason === 'string') return true;
  return false;
}

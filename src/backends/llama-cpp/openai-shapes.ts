/**
 * The OpenAI wire shapes the embedded engine answers with, built as objects and serialised once.
 * Field order and names follow what api.openai.com sends, so clients and the gateway's own
 * parsers see the same thing from this engine as from an HTTP one.
 */
import { randomBytes } from 'node:crypto';
import type { StreamChunk } from '../../spec/engine.js';
import type { TokenUsage } from '../../spec/openai.js';

export type FinishReason = 'stop' | 'length';

export interface CallIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export function newIdentity(operation: 'chat' | 'completion', model: string): CallIdentity {
  const prefix = operation === 'chat' ? 'chatcmpl-' : 'cmpl-';
  return { id: prefix + randomBytes(12).toString('hex'), created: Math.floor(Date.now() / 1000), model };
}

export function openAiUsage(promptTokens: number, completionTokens: number): OpenAiUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** The engine counted every token itself: nothing is estimated and nothing came from a cache. */
export function tokenUsage(usage: OpenAiUsage): TokenUsage {
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: 0, estimated: false };
}

export function chatCompletionBody(who: CallIdentity, text: string, reasoning: string, finish: FinishReason, usage: OpenAiUsage): string {
  const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  return JSON.stringify({
    id: who.id,
    object: 'chat.completion',
    created: who.created,
    model: who.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
  });
}

export function textCompletionBody(who: CallIdentity, text: string, finish: FinishReason, usage: OpenAiUsage): string {
  return JSON.stringify({
    id: who.id,
    object: 'text_completion',
    created: who.created,
    model: who.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    usage,
  });
}

/** What a streamed piece carries: main text, or a model's thoughts (sent as `reasoning_content`). */
export type StreamPiece = { readonly text: string } | { readonly reasoning: string };

function chunkEnvelope(operation: 'chat' | 'completion', who: CallIdentity, choices: unknown[]): Record<string, unknown> {
  return {
    id: who.id,
    object: operation === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: who.created,
    model: who.model,
    choices,
  };
}

/** OpenAI opens a chat stream with the role and empty content. */
export function chatRoleChunk(who: CallIdentity): StreamChunk {
  const choice = { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null };
  return { data: JSON.stringify(chunkEnvelope('chat', who, [choice])), text: '', finishes: false };
}

// Chunks carry their text and whether they finish (StreamChunk.text/.finishes): this engine wrote them,
// so the gateway need not read them back out of the JSON.
export function pieceChunk(operation: 'chat' | 'completion', who: CallIdentity, piece: StreamPiece): StreamChunk {
  if (operation === 'completion') {
    const text = 'text' in piece ? piece.text : '';
    return { data: JSON.stringify(chunkEnvelope(operation, who, [{ text, index: 0, logprobs: null, finish_reason: null }])), text, finishes: false };
  }
  const delta = 'text' in piece ? { content: piece.text } : { reasoning_content: piece.reasoning };
  return { data: JSON.stringify(chunkEnvelope(operation, who, [{ index: 0, delta, logprobs: null, finish_reason: null }])), text: 'text' in piece ? piece.text : '', finishes: false };
}

export function finishChunk(operation: 'chat' | 'completion', who: CallIdentity, finish: FinishReason): StreamChunk {
  const choice =
    operation === 'chat'
      ? { index: 0, delta: {}, logprobs: null, finish_reason: finish }
      : { text: '', index: 0, logprobs: null, finish_reason: finish };
  return { data: JSON.stringify(chunkEnvelope(operation, who, [choice])), text: '', finishes: true };
}

/** The `include_usage` chunk; always sent, the gateway drops it when the client did not ask. */
export function usageChunk(operation: 'chat' | 'completion', who: CallIdentity, usage: OpenAiUsage): StreamChunk {
  return {
    data: JSON.stringify({ ...chunkEnvelope(operation, who, []), usage }),
    usage: tokenUsage(usage),
    usageOnly: true,
    text: '',
    finishes: false,
  };
}

export function embeddingsBody(model: string, vectors: readonly (number[] | string)[], promptTokens: number): string {
  return JSON.stringify({
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

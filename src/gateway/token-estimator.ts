/**
 * Counts usage when an engine reports none, so that odd engines are still metered (and marked
 * `estimated`). Streamed completions are counted exactly as engines send them: one token per
 * content chunk (vLLM, TGI, SGLang, Ollama and llama.cpp's server all stream token by token).
 * Text is counted with the back end's `tokenizer` (a tiktoken encoding loaded at start-up, see
 * src/tokenizers) or, by default, estimated at one token per four UTF-8 bytes, which sits between
 * English (~4 characters a token) and Hangul or Thai (3 bytes a character, 1-2 characters a token).
 * (docs/decisions/0004-usage-when-engines-send-none.md)
 */
import type { TokenUsage } from '../spec/openai.js';
import { byteEstimate, type TokenCounter } from '../spec/tokens.js';

// Engines read it too (their chunks carry their text), so it lives in the spec.
export { completionTextOf } from '../spec/openai.js';

/** OpenAI's chat format adds a few tokens per message for roles and separators. */
const tokensPerMessage = 3;
const tokensPerReply = 3;

export function estimateUsage(promptText: readonly string[], completionTokens: number, isChat: boolean, counter: TokenCounter = byteEstimate): TokenUsage {
  return { promptTokens: countPromptTokens(promptText, isChat, counter), completionTokens, cachedTokens: 0, estimated: true };
}

/** Prompt tokens of a request's texts, with OpenAI's per-message overhead for chat. */
export function countPromptTokens(promptText: readonly string[], isChat: boolean, counter: TokenCounter = byteEstimate): number {
  let promptTokens = isChat ? tokensPerReply : 0;
  for (const text of promptText) promptTokens += counter.count(text) + (isChat ? tokensPerMessage : 0);
  return promptTokens;
}

/** The text of a request that counts as prompt: message contents, a completion prompt, or embedding input. */
export function promptTextsOf(request: Record<string, unknown>): string[] {
  const texts: string[] = [];
  const messages = request.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      const content = (message as { content?: unknown }).content;
      if (typeof content === 'string') texts.push(content);
      else if (Array.isArray(content)) {
        for (const part of content) {
          const text = (part as { text?: unknown }).text;
          if (typeof text === 'string') texts.push(text);
        }
      }
    }
    return texts;
  }
  const prompt = request.prompt ?? request.input;
  if (typeof prompt === 'string') texts.push(prompt);
  else if (Array.isArray(prompt)) for (const item of prompt) if (typeof item === 'string') texts.push(item);
  return texts;
}


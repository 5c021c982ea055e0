/**
 * Counts tokens when an engine reports no usage, so that streams and odd engines are still metered.
 * Uses the o200k_base tokenizer (js-tiktoken), the closest general-purpose vocabulary to modern
 * multilingual models (see docs/decisions/0004-usage-when-engines-send-none.md). The ranks (a few
 * MB) are loaded on first use only. Counts are marked `estimated`.
 */
import type { TokenUsage } from '../spec/openai.js';

interface Encoder {
  encode(text: string): number[];
}

let encoder: Promise<Encoder> | undefined;

function loadEncoder(): Promise<Encoder> {
  encoder ??= (async () => {
    const [{ Tiktoken }, ranks] = await Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/o200k_base')]);
    return new Tiktoken(ranks.default);
  })();
  return encoder;
}

/** OpenAI's chat format adds a few tokens per message for roles and separators. */
const tokensPerMessage = 3;
const tokensPerReply = 3;

export async function estimateUsage(promptText: readonly string[], completionText: string, isChat: boolean): Promise<TokenUsage> {
  const tiktoken = await loadEncoder();
  let promptTokens = isChat ? tokensPerReply : 0;
  for (const text of promptText) promptTokens += tiktoken.encode(text).length + (isChat ? tokensPerMessage : 0);
  const completionTokens = completionText === '' ? 0 : tiktoken.encode(completionText).length;
  return { promptTokens, completionTokens, cachedTokens: 0, estimated: true };
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

/** The generated text in an OpenAI answer or chunk: message/delta content and completion text. */
export function completionTextOf(answer: unknown): string {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const choice of choices) {
    const c = choice as { message?: { content?: unknown }; delta?: { content?: unknown }; text?: unknown };
    const piece = c.message?.content ?? c.delta?.content ?? c.text;
    if (typeof piece === 'string') text += piece;
  }
  return text;
}

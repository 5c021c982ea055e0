/** Reads OpenAI's `usage` object, including cached prompt tokens (dropping those bills wrongly). */
import type { TokenUsage } from '../../spec/openai.js';

export function usageFromOpenAi(value: unknown): TokenUsage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const usage = value as Record<string, unknown>;
  const prompt = usage.prompt_tokens;
  const completion = usage.completion_tokens ?? 0;
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  const details = usage.prompt_tokens_details;
  const cached =
    typeof details === 'object' && details !== null && typeof (details as Record<string, unknown>).cached_tokens === 'number'
      ? ((details as Record<string, unknown>).cached_tokens as number)
      : 0;
  return { promptTokens: prompt, completionTokens: completion, cachedTokens: cached, estimated: false };
}

/**
 * The default counter: one token per four UTF-8 bytes, which sits between English (~4 characters a
 * token) and Hangul or Thai (3 bytes a character, 1–2 characters a token). It must give exactly
 * what src/gateway/token-estimator.ts's estimateTokens gives today, so that switching the gateway to
 * a TokenCounter changes no recorded usage for back ends left on `tokenizer: estimate`.
 */
import type { TokenCounter } from '../spec/tokens.js';

const bytesPerToken = 4;

export const estimateCounter: TokenCounter = {
  name: 'estimate',
  exact: false,
  count(text: string): number {
    return text === '' ? 0 : Math.ceil(Buffer.byteLength(text, 'utf8') / bytesPerToken);
  },
};

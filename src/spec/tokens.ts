/**
 * Counting tokens when an engine reports no usage. The gateway asks a back end's counter; the
 * tokenizers layer implements real ones (tiktoken encodings shipped in npm packages) and the
 * gateway keeps a byte-based estimate for back ends configured with `tokenizer: estimate`.
 */
export interface TokenCounter {
  /** "o200k_base", "estimate", … */
  readonly name: string;
  /** Whether counts are exact for the model (a real tokenizer) rather than an estimate. */
  readonly exact: boolean;
  count(text: string): number;
}

const bytesPerToken = 4;

/**
 * The default counter, and the one every layer shares: one token per four UTF-8 bytes, which sits
 * between English (~4 characters a token) and Hangul or Thai (3 bytes a character, 1-2 characters
 * a token). Back ends can name a real tokenizer instead (`tokenizer:`).
 */
export const byteEstimate: TokenCounter = {
  name: 'estimate',
  exact: false,
  count: (text) => (text === '' ? 0 : Math.ceil(Buffer.byteLength(text, 'utf8') / bytesPerToken)),
};

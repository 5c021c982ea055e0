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

/**
 * Fingerprints of outputs for "did our AI write this?", robust to light edits and private: a text
 * becomes a set of overlapping shingles — three-word shingles where words are separated by spaces,
 * four-character shingles for Thai, Japanese, Chinese and Korean (Korean words agglutinate, Thai and
 * Japanese need no spaces, so whole words would shift with every particle) — each hashed with
 * HalfSipHash-2-4 (a keyed pseudorandom function, 32-bit output) over its UTF-16LE bytes under a
 * secret key, and only the `sketchSize` smallest hashes are kept (a bottom-k sketch). Without the key nobody can test a guessed phrase against the index, and no
 * text is stored. Two texts are compared by how much of the query's sketch the output shares.
 */
import { halfSipHashUtf16, keyWords } from './half-siphash.js';

export const sketchSize = 128;

/** Scripts written without spaces between words, or whose words change shape with particles. */
const characterScripts = /[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]/gu;
/** Letters and digits, matched in one native pass rather than one test per character. */
const wordCharacters = /[\p{L}\p{N}]/gu;

function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

/**
 * A text's shingles as ranges of one string, so they are hashed without being cut out: the letters
 * joined (character 4-grams) or the words joined by single spaces (word 3-grams).
 */
interface ShingleRanges {
  readonly source: string;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

function shingleRanges(text: string): ShingleRanges {
  const folded = text.normalize('NFC').toLowerCase();
  const letters = folded.match(wordCharacters) ?? [];
  const cjkShare = (folded.match(characterScripts)?.length ?? 0) / Math.max(1, letters.length);
  const units = cjkShare > 0.3 ? letters : words(folded);
  const width = cjkShare > 0.3 ? 4 : 3;
  const separator = cjkShare > 0.3 ? '' : ' ';
  const source = units.join(separator);
  const unitStarts: number[] = [];
  let at = 0;
  for (const unit of units) {
    unitStarts.push(at);
    at += unit.length + separator.length;
  }
  if (source === '') return { source, starts: [], ends: [] };
  if (units.length < width) return { source, starts: [0], ends: [source.length] };
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index + width <= units.length; index += 1) {
    starts.push(unitStarts[index] as number);
    ends.push((unitStarts[index + width - 1] as number) + (units[index + width - 1] as string).length);
  }
  return { source, starts, ends };
}

/** The shingles of a text after NFC and case folding. */
export function shinglesOf(text: string): string[] {
  const { source, starts, ends } = shingleRanges(text);
  return starts.map((start, index) => source.slice(start, ends[index]));
}

/** The bottom-k sketch of a text: its smallest keyed shingle hashes, sorted, without repeats. */
export function sketchOf(text: string, key: Uint8Array): Uint32Array {
  const { source, starts, ends } = shingleRanges(text);
  // A short-input PRF in plain JavaScript: a fraction of a microsecond a shingle, where a call into
  // node:crypto costs about a microsecond before it hashes anything.
  const words = keyWords(key);
  const hashes = new Set<number>();
  for (let index = 0; index < starts.length; index += 1) hashes.add(halfSipHashUtf16(words, source, starts[index] as number, ends[index] as number));
  const sorted = Uint32Array.from(hashes).sort();
  return sorted.length > sketchSize ? sorted.slice(0, sketchSize) : sorted;
}

/**
 * How much of the query's sketch an output's sketch shares, among the hashes both sketches could
 * hold (below the larger of their k-th values): 1 for the same text, ~0 for unrelated ones.
 */
export function similarity(query: Uint32Array, output: Uint32Array): number {
  if (query.length === 0 || output.length === 0) return 0;
  const limit = Math.min(query[query.length - 1] as number, output.length < sketchSize ? Number.POSITIVE_INFINITY : (output[output.length - 1] as number));
  const outputSet = new Set(output);
  let considered = 0;
  let shared = 0;
  for (const hash of query) {
    if (hash > limit) break;
    considered += 1;
    if (outputSet.has(hash)) shared += 1;
  }
  return considered === 0 ? 0 : shared / considered;
}

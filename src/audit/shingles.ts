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

/** Thai, Japanese kana, CJK ideographs and Hangul syllables: written without spaces between words, or whose words change shape with particles. */
function isCharacterScript(code: number): boolean {
  return (code >= 0x0e00 && code <= 0x0e7f) || (code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3);
}

/** Runs of letters and digits, split in one native pass. */
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
  const list = words(text.normalize('NFC').toLowerCase());
  let letters = 0;
  let characterScript = 0;
  for (const word of list) {
    letters += word.length;
    for (let at = 0; at < word.length; at += 1) if (isCharacterScript(word.charCodeAt(at))) characterScript += 1;
  }
  const characters = characterScript > 0.3 * Math.max(1, letters);
  const source = list.join(characters ? '' : ' ');
  if (source === '') return { source, starts: [], ends: [] };
  // Where each unit (a code point, or a word) starts in `source`, and one past the last.
  const bounds: number[] = [];
  if (characters) {
    for (let at = 0; at < source.length; at += 1) {
      const code = source.charCodeAt(at);
      if (code < 0xdc00 || code > 0xdfff) bounds.push(at); // not the second half of a surrogate pair
    }
  } else {
    let at = 0;
    for (const word of list) {
      bounds.push(at);
      at += word.length + 1;
    }
  }
  const width = characters ? 4 : 3;
  const gap = characters ? 0 : 1;
  const units = bounds.length;
  bounds.push(source.length + gap);
  if (units < width) return { source, starts: [0], ends: [source.length] };
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index + width <= units; index += 1) {
    starts.push(bounds[index] as number);
    ends.push((bounds[index + width] as number) - gap);
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
  const hashes = new Uint32Array(starts.length);
  for (let index = 0; index < starts.length; index += 1) hashes[index] = halfSipHashUtf16(words, source, starts[index] as number, ends[index] as number);
  hashes.sort();
  let kept = 0;
  for (let index = 0; index < hashes.length && kept < sketchSize; index += 1) {
    if (kept === 0 || hashes[index] !== hashes[kept - 1]) hashes[kept++] = hashes[index] as number;
  }
  return hashes.slice(0, kept);
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

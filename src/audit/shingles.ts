/**
 * Fingerprints of outputs for "did our AI write this?", robust to light edits and private: a text
 * becomes a set of overlapping shingles — three-word shingles where words are separated by spaces,
 * four-character shingles for Thai, Japanese, Chinese and Korean (Korean words agglutinate, Thai and
 * Japanese need no spaces, so whole words would shift with every particle) — each hashed with
 * HalfSipHash-2-4 (a keyed pseudorandom function, 32-bit output) under a secret key, and only the `sketchSize` smallest hashes are kept (a
 * bottom-k sketch). Without the key nobody can test a guessed phrase against the index, and no
 * text is stored. Two texts are compared by how much of the query's sketch the output shares.
 */
import { halfSipHash } from './half-siphash.js';

const encoder = new TextEncoder();

export const sketchSize = 128;

/** Scripts written without spaces between words, or whose words change shape with particles. */
const characterScripts = /[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]/gu;
/** Letters and digits, matched in one native pass rather than one test per character. */
const wordCharacters = /[\p{L}\p{N}]/gu;

function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

/** The shingles of a text after NFC and case folding. */
export function shinglesOf(text: string): string[] {
  const folded = text.normalize('NFC').toLowerCase();
  const letters = folded.match(wordCharacters) ?? [];
  const cjkShare = (folded.match(characterScripts)?.length ?? 0) / Math.max(1, letters.length);
  if (cjkShare > 0.3) {
    const shingles: string[] = [];
    for (let index = 0; index + 4 <= letters.length; index += 1) shingles.push(letters.slice(index, index + 4).join(''));
    return shingles.length > 0 ? shingles : [letters.join('')].filter((shingle) => shingle !== '');
  }
  const list = words(folded);
  const shingles: string[] = [];
  for (let index = 0; index + 3 <= list.length; index += 1) shingles.push(list.slice(index, index + 3).join(' '));
  return shingles.length > 0 ? shingles : list.length > 0 ? [list.join(' ')] : [];
}

/** The bottom-k sketch of a text: its smallest keyed shingle hashes, sorted, without repeats. */
export function sketchOf(text: string, key: Uint8Array): Uint32Array {
  const hashes = new Set<number>();
  // A short-input PRF in plain JavaScript: a third of a microsecond a shingle, where a call into
  // node:crypto costs about a microsecond before it hashes anything.
  const sipKey = key.subarray(0, 8);
  for (const shingle of shinglesOf(text)) hashes.add(halfSipHash(sipKey, encoder.encode(shingle)));
  return Uint32Array.from([...hashes].sort((a, b) => a - b).slice(0, sketchSize));
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

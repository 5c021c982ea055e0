/**
 * HalfSipHash-2-4 with a 32-bit output (Aumasson and Bernstein): a keyed pseudorandom function for
 * short inputs, built from 32-bit additions, rotations and xors, so it runs in plain JavaScript at a
 * fraction of a microsecond where a one-shot SHA-256 through node:crypto costs a microsecond in call
 * overhead alone. Used for detection fingerprints (shingles.ts): each shingle is a few dozen bytes,
 * the output is truncated to 32 bits anyway, and without the 64-bit key no one can compute them.
 * Checked against the reference implementation's test vectors.
 */

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * The state: one Int32Array reused by every call (hashing never re-enters), so the rounds run on
 * 32-bit integers without allocating. Additions wrap through the array's int32 stores.
 */
type State = Int32Array;
const state: State = new Int32Array(4);

function round(v: State): void {
  v[0] = (v[0] as number) + (v[1] as number);
  v[1] = rotl(v[1] as number, 5) ^ (v[0] as number);
  v[0] = rotl(v[0] as number, 16);
  v[2] = (v[2] as number) + (v[3] as number);
  v[3] = rotl(v[3] as number, 8) ^ (v[2] as number);
  v[0] = (v[0] as number) + (v[3] as number);
  v[3] = rotl(v[3] as number, 7) ^ (v[0] as number);
  v[2] = (v[2] as number) + (v[1] as number);
  v[1] = rotl(v[1] as number, 13) ^ (v[2] as number);
  v[2] = rotl(v[2] as number, 16);
}

function compress(v: State, word: number): void {
  v[3] = (v[3] as number) ^ word;
  round(v);
  round(v);
  v[0] = (v[0] as number) ^ word;
}

/** The key's two little-endian 32-bit words, read once for many hashes under the same key. */
export function keyWords(key: Uint8Array): readonly [number, number] {
  const word = (at: number) => ((key[at] ?? 0) | ((key[at + 1] ?? 0) << 8) | ((key[at + 2] ?? 0) << 16) | ((key[at + 3] ?? 0) << 24)) >>> 0;
  return [word(0), word(4)];
}

function initialState([k0, k1]: readonly [number, number]): State {
  state[0] = k0;
  state[1] = k1;
  state[2] = 0x6c796765 ^ k0;
  state[3] = 0x74656462 ^ k1;
  return state;
}

function finish(v: State, last: number): number {
  compress(v, last);
  v[2] = (v[2] as number) ^ 0xff;
  for (let index = 0; index < 4; index += 1) round(v);
  return ((v[1] as number) ^ (v[3] as number)) >>> 0;
}

/** The 32-bit HalfSipHash-2-4 of `data` under the 8-byte `key` (little-endian words, as the reference). */
export function halfSipHash(key: Uint8Array, data: Uint8Array): number {
  const v = initialState(keyWords(key));
  const whole = data.length - (data.length % 4);
  for (let at = 0; at < whole; at += 4) {
    compress(v, ((data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24)) >>> 0);
  }
  let last = (data.length & 0xff) << 24;
  for (let at = whole, shift = 0; at < data.length; at += 1, shift += 8) last |= (data[at] as number) << shift;
  return finish(v, last);
}

/**
 * The same function over the UTF-16LE bytes of `text[start, end)`, read straight from the string:
 * encoding each shingle to bytes first cost twice the hashing itself.
 */
export function halfSipHashUtf16(key: readonly [number, number], text: string, start: number, end: number): number {
  const v = initialState(key);
  let at = start;
  for (; at + 2 <= end; at += 2) compress(v, (text.charCodeAt(at) | (text.charCodeAt(at + 1) << 16)) >>> 0);
  let last = (((end - start) * 2) & 0xff) << 24;
  if (at < end) last |= text.charCodeAt(at);
  return finish(v, last);
}

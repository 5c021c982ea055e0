/**
 * HalfSipHash-2-4 with a 32-bit output (Aumasson and Bernstein): a keyed pseudorandom function for
 * short inputs, built from 32-bit additions, rotations and xors, so it runs in plain JavaScript at a
 * fraction of a microsecond where a one-shot SHA-256 through node:crypto costs a microsecond in call
 * overhead alone. Used for detection fingerprints (shingles.ts): each shingle is a few dozen bytes,
 * the output is truncated to 32 bits anyway, and without the 64-bit key no one can compute them.
 * Checked against the reference implementation's test vectors.
 */

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** The state, updated in place by `round`. */
type State = [number, number, number, number];

function round(v: State): void {
  v[0] = (v[0] + v[1]) >>> 0;
  v[1] = rotl(v[1], 5) ^ v[0];
  v[0] = rotl(v[0], 16);
  v[2] = (v[2] + v[3]) >>> 0;
  v[3] = rotl(v[3], 8) ^ v[2];
  v[0] = (v[0] + v[3]) >>> 0;
  v[3] = rotl(v[3], 7) ^ v[0];
  v[2] = (v[2] + v[1]) >>> 0;
  v[1] = rotl(v[1], 13) ^ v[2];
  v[2] = rotl(v[2], 16);
  v[1] >>>= 0;
  v[3] >>>= 0;
}

function compress(v: State, word: number): void {
  v[3] = (v[3] ^ word) >>> 0;
  round(v);
  round(v);
  v[0] = (v[0] ^ word) >>> 0;
}

/** The 32-bit HalfSipHash-2-4 of `data` under the 8-byte `key` (little-endian words, as the reference). */
export function halfSipHash(key: Uint8Array, data: Uint8Array): number {
  const k0 = ((key[0] ?? 0) | ((key[1] ?? 0) << 8) | ((key[2] ?? 0) << 16) | ((key[3] ?? 0) << 24)) >>> 0;
  const k1 = ((key[4] ?? 0) | ((key[5] ?? 0) << 8) | ((key[6] ?? 0) << 16) | ((key[7] ?? 0) << 24)) >>> 0;
  const v: State = [k0, k1, (0x6c796765 ^ k0) >>> 0, (0x74656462 ^ k1) >>> 0];
  const whole = data.length - (data.length % 4);
  for (let at = 0; at < whole; at += 4) {
    compress(v, ((data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24)) >>> 0);
  }
  let last = (data.length & 0xff) << 24;
  for (let at = whole, shift = 0; at < data.length; at += 1, shift += 8) last |= (data[at] as number) << shift;
  compress(v, last >>> 0);
  v[2] = (v[2] ^ 0xff) >>> 0;
  for (let index = 0; index < 4; index += 1) round(v);
  return (v[1] ^ v[3]) >>> 0;
}

/**
 * RFC 9162 (Certificate Transparency 2.0) §2.1 hashing and inclusion-proof verification with
 * WebCrypto's SHA-256: leaf hash SHA-256(0x00 ‖ bytes), interior node SHA-256(0x01 ‖ left ‖ right),
 * and the §2.1.3.2 algorithm that climbs from a leaf to the root along the audit path.
 */
import { concatBytes, sha256, type Bytes } from './bytes.js';

export const hashSize = 32;

export function leafHash(leaf: Uint8Array): Promise<Bytes> {
  return sha256(concatBytes(Uint8Array.of(0x00), leaf));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * How many hashes the audit path of leaf `index` in a tree of `size` leaves has: the number of
 * loop turns §2.1.3.2 makes before `sn` reaches 0. Undefined when the index is not below the size.
 */
export function inclusionPathLength(index: number, size: number): number | undefined {
  if (!isSize(index) || !isSize(size) || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    length += 1;
  }
  return length;
}

export type PathResult =
  | { readonly ok: true; readonly root: Bytes }
  | { readonly ok: false; readonly code: 'index-out-of-range' | 'path-malformed' | 'path-length'; readonly reason: string };

/**
 * RFC 9162 §2.1.3.2: the root that `path` leads to from leaf hash `leaf` at `index` in a tree of
 * `size` leaves. The caller compares it with a trusted root; this only refuses paths whose shape
 * cannot fit the index and size.
 */
export async function rootFromInclusionPath(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Promise<PathResult> {
  if (!isSize(index) || !isSize(size) || index >= size) return { ok: false, code: 'index-out-of-range', reason: `leaf index ${String(index)} is not below the tree size ${String(size)}` };
  if (leaf.length !== hashSize || path.some((hash) => hash.length !== hashSize)) return { ok: false, code: 'path-malformed', reason: 'every hash must be 32 bytes' };
  const expected = inclusionPathLength(index, size) as number;
  if (path.length !== expected) return { ok: false, code: 'path-length', reason: `leaf ${index} of a tree of ${size} has a path of ${expected} hashes, not ${path.length}` };
  let fn = index;
  let sn = size - 1;
  let r: Bytes = new Uint8Array(leaf);
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      // Climb past the levels where this node is the right edge and has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { ok: true, root: r };
}

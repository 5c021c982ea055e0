/**
 * The Merkle Tree Hash of RFC 9162 (Certificate Transparency 2.0) §2.1, with its inclusion (§2.1.3)
 * and consistency (§2.1.4) proofs. The audit log appends every event as a leaf of this tree, so a
 * signed root commits the operator to the whole history: an auditor holding an old checkpoint can
 * demand a consistency proof that nothing before it was edited, and anyone can check that one event
 * is in the log without reading the rest.
 *
 * The generation side keeps every complete subtree's hash, level by level, so proofs and historical
 * roots are O(log n) look-ups instead of recomputation. The verification side is pure arithmetic on
 * the proof, written step by step after the RFC's own algorithms, and never throws: a verifier is
 * handed hostile input by design.
 */
import { createHash, hash } from 'node:crypto';

/** A SHA-256 digest: 32 bytes. */
export type Hash = Uint8Array;

export const hashSize = 32;

/** MTH({}) = SHA-256(): the root of the empty tree. */
export const emptyRoot: Hash = new Uint8Array(sha256(new Uint8Array(0)));

/** node:crypto's one-shot digest: a fresh Buffer per call, which is a Uint8Array, so no copy is needed. */
function sha256(data: Uint8Array): Hash {
  return hash('sha256', data, 'buffer');
}

/** One reusable buffer for 0x01 || left || right: node hashes dominate the cost of every operation here. */
const nodeInput = new Uint8Array(1 + 2 * hashSize);
nodeInput[0] = 0x01;

/** MTH({d}) = SHA-256(0x00 || d): the prefix keeps a leaf from ever being read as an interior node (second preimages). */
export function leafHash(data: Uint8Array): Hash {
  // Two updates rather than a joined copy: leaves are whole audit events, and verifying a log hashes every one.
  return new Uint8Array(createHash('sha256').update(leafPrefix).update(data).digest());
}

const leafPrefix = new Uint8Array([0x00]);

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== hashSize || right.length !== hashSize) throw new RangeError('node hash inputs must be 32-byte hashes');
  return new Uint8Array(nodeHashUnchecked(left, right));
}

function nodeHashUnchecked(left: Hash, right: Hash): Hash {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + hashSize);
  return sha256(nodeInput);
}

/** The largest power of two ≤ n, for n ≥ 1. Bit operators stop at 2^31; sizes may go beyond. */
function powerOfTwoAtMost(n: number): number {
  if (n < 0x80000000) return 2 ** (31 - Math.clz32(n));
  let power = 0x80000000;
  while (power * 2 <= n) power *= 2;
  return power;
}

/** RFC 9162's k: the largest power of two smaller than n, for n ≥ 2. */
function splitPoint(n: number): number {
  return powerOfTwoAtMost(n - 1);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Hash {
  return value instanceof Uint8Array && value.length === hashSize;
}

function isProof(value: unknown): value is readonly Hash[] {
  return Array.isArray(value) && value.every(isHash);
}

/** A copy that owns its memory (Buffer's own slice() would share it). */
function copy(value: Hash): Hash {
  return new Uint8Array(value);
}

function sameHash(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= (a[index] as number) ^ (b[index] as number);
  return difference === 0;
}

/** The hashes of one level's complete subtrees, packed 32 bytes apiece: a million leaves are 32 MB, not a million objects. */
class Level {
  #bytes = new Uint8Array(hashSize * 64);
  count = 0;

  push(value: Hash): void {
    if ((this.count + 1) * hashSize > this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes.set(value, this.count * hashSize);
    this.count += 1;
  }

  /** A copy of one slot, in a single allocation. */
  copyOf(index: number): Hash {
    return this.#bytes.slice(index * hashSize, (index + 1) * hashSize);
  }

  /**
   * A view, not a copy. It stays correct after later pushes: slots are written once, and growing
   * copies into a new buffer without touching the old one. Public methods copy before handing out.
   */
  at(index: number): Hash {
    return this.#bytes.subarray(index * hashSize, (index + 1) * hashSize);
  }
}

/**
 * An append-only RFC 9162 tree over leaf hashes. Level h holds the hash of every complete subtree of
 * 2^h leaves (the leaf hashes themselves at level 0), which is all any root, inclusion proof or
 * consistency proof of any size up to the current one needs.
 */
export class MerkleTree {
  readonly #levels: Level[] = [new Level()];
  /**
   * Hashes of ranges that are not one complete subtree (the tree's ragged right edge), keyed by
   * "low:high". Every proof against the same size needs the same few of them (at most log n per
   * size), so they are computed once; a bound keeps queries over many historical sizes from growing it.
   */
  readonly #raggedHashes = new Map<string, Hash>();

  /** Builds the tree over leaf hashes already computed (the log's stored leaves at start-up). */
  static fromLeafHashes(hashes: Iterable<Hash>): MerkleTree {
    const tree = new MerkleTree();
    for (const leaf of hashes) tree.append(leaf);
    return tree;
  }

  /** Number of leaves. */
  get size(): number {
    return (this.#levels[0] as Level).count;
  }

  /** Appends one leaf hash (see `leafHash`); returns its index. Amortised one node hash per append. */
  append(leaf: Hash): number {
    if (!isHash(leaf)) throw new RangeError('a leaf hash must be 32 bytes');
    const index = this.size;
    let level = 0;
    let current = this.#levels[0] as Level;
    current.push(leaf);
    // Each time a level's count becomes even, its last two subtrees complete one on the level above.
    while (current.count % 2 === 0) {
      const parent = nodeHashUnchecked(current.at(current.count - 2), current.at(current.count - 1));
      level += 1;
      let above = this.#levels[level];
      if (above === undefined) {
        above = new Level();
        this.#levels.push(above);
      }
      above.push(parent);
      current = above;
    }
    return index;
  }

  /** The leaf hash at `index` (a copy). */
  leaf(index: number): Hash {
    this.#checkIndex(index, this.size);
    return (this.#levels[0] as Level).copyOf(index);
  }

  /** MTH(D[0:size]): the root of the first `size` leaves, for any size up to the current one. */
  root(size: number = this.size): Hash {
    this.#checkSize(size);
    return size === 0 ? copy(emptyRoot) : this.#rangeHashCopy(0, size);
  }

  /**
   * PATH(m, D[0:size]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up to the root of the
   * tree of `size` leaves.
   */
  inclusionProof(index: number, size: number = this.size): Hash[] {
    this.#checkSize(size);
    this.#checkIndex(index, size);
    const path: Hash[] = [];
    let low = 0;
    let high = size;
    // Walk down from the root; PATH lists the siblings from the bottom up, hence the reverse.
    while (high - low > 1) {
      const k = splitPoint(high - low);
      if (index < low + k) {
        path.push(this.#rangeHashCopy(low + k, high));
        high = low + k;
      } else {
        path.push(this.#rangeHashCopy(low, low + k));
        low += k;
      }
    }
    return path.reverse();
  }

  /**
   * PROOF(oldSize, D[0:newSize]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true at the top). Empty when
   * the sizes are equal or the old tree is empty: nothing needs proving then.
   */
  consistencyProof(oldSize: number, newSize: number = this.size): Hash[] {
    this.#checkSize(newSize);
    if (!isSize(oldSize) || oldSize > newSize) throw new RangeError(`old size ${String(oldSize)} is not between 0 and ${newSize}`);
    if (oldSize === 0 || oldSize === newSize) return [];
    const proof: Hash[] = [];
    let low = 0;
    let high = newSize;
    let m = oldSize;
    let complete = true; // RFC 9162's b: the old tree's root is this very subtree, known to the verifier.
    for (;;) {
      const n = high - low;
      if (m === n) {
        if (!complete) proof.push(this.#rangeHashCopy(low, high));
        break;
      }
      const k = splitPoint(n);
      if (m <= k) {
        proof.push(this.#rangeHashCopy(low + k, high));
        high = low + k;
      } else {
        proof.push(this.#rangeHashCopy(low, low + k));
        low += k;
        m -= k;
        complete = false;
      }
    }
    // SUBPROOF appends each level's hash after the deeper ones; we walked from the top.
    return proof.reverse();
  }

  /**
   * MTH(D[low:high]) for the ranges the RFC's recursion visits: `low` is a multiple of the largest
   * power of two ≤ high − low, so the range is a run of complete subtrees of decreasing size, folded
   * right to left. Returns internal memory (a view into a level, or a cached digest): callers copy
   * before handing it out.
   */
  #rangeHash(low: number, high: number): Hash {
    const width = high - low;
    if (powerOfTwoAtMost(width) === width) return (this.#levels[Math.log2(width)] as Level).at(low / width);
    const key = `${low}:${high}`;
    const cached = this.#raggedHashes.get(key);
    if (cached !== undefined) return cached;
    if (this.#raggedHashes.size >= 4096) this.#raggedHashes.clear();
    const result = this.#foldRange(low, high);
    this.#raggedHashes.set(key, result);
    return result;
  }

  /** `#rangeHash`, copied out for the caller to keep. */
  #rangeHashCopy(low: number, high: number): Hash {
    const width = high - low;
    if (powerOfTwoAtMost(width) === width) return (this.#levels[Math.log2(width)] as Level).copyOf(low / width);
    return copy(this.#rangeHash(low, high));
  }

  #foldRange(low: number, high: number): Hash {
    const subtrees: Hash[] = [];
    let start = low;
    while (start < high) {
      const width = powerOfTwoAtMost(high - start);
      const level = Math.log2(width);
      subtrees.push((this.#levels[level] as Level).at(start / width));
      start += width;
    }
    let result = subtrees.pop() as Hash;
    while (subtrees.length > 0) result = nodeHashUnchecked(subtrees.pop() as Hash, result);
    return result;
  }

  #checkSize(size: number): void {
    if (!isSize(size) || size > this.size) throw new RangeError(`tree size ${String(size)} is not between 0 and ${this.size}`);
  }

  #checkIndex(index: number, size: number): void {
    if (!isSize(index) || index >= size) throw new RangeError(`leaf index ${String(index)} is not below the tree size ${size}`);
  }
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leaf` is leaf number `index` of the tree of `size`
 * leaves whose root is `root`? False for anything malformed; never throws.
 */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  try {
    if (!isHash(leaf) || !isHash(root) || !isSize(index) || !isSize(size) || !isProof(proof)) return false;
    if (index >= size) return false;
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHashUnchecked(p, r);
        // Climb past the levels where this node is a right-edge node with no sibling.
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = nodeHashUnchecked(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && sameHash(r, root);
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `oldSize` leaves with root `oldRoot` is a
 * prefix of the tree of `newSize` leaves with root `newRoot`? Equal sizes need an empty proof and
 * equal roots; an empty old tree needs an empty proof and must have the empty tree's root (anything
 * extends it). False for anything malformed; never throws.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Hash, newRoot: Hash, proof: readonly Hash[]): boolean {
  try {
    if (!isSize(oldSize) || !isSize(newSize) || !isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
    if (oldSize > newSize) return false;
    if (oldSize === 0) return proof.length === 0 && sameHash(oldRoot, emptyRoot) && (newSize > 0 || sameHash(newRoot, emptyRoot));
    if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
    if (proof.length === 0) return false;
    // When the old tree is a complete subtree of the new one, its root is the proof's implicit first node.
    const path = powerOfTwoAtMost(oldSize) === oldSize ? [oldRoot, ...proof] : [...proof];
    let fn = oldSize - 1;
    let sn = newSize - 1;
    while (fn % 2 === 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    let fr = path[0] as Hash;
    let sr = fr;
    for (let position = 1; position < path.length; position += 1) {
      const c = path[position] as Hash;
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        fr = nodeHashUnchecked(c, fr);
        sr = nodeHashUnchecked(c, sr);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        sr = nodeHashUnchecked(sr, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
  } catch {
    return false;
  }
}

/**
 * RFC 9162 Merkle tree: the published Certificate Transparency vectors, agreement with a naive
 * recursive reading of the RFC for every index and size pair up to 64 leaves, random trees, and the
 * adversarial mutations a verifier meets in the wild (flipped bytes, missing or extra hashes, wrong
 * indexes and sizes, swapped roots, hashes of the wrong length), all rejected without an exception.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, MerkleTree, nodeHash, verifyConsistency, verifyInclusion, type Hash } from '../src/audit/merkle.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Hash => new Uint8Array(Buffer.from(text, 'hex'));
const sha256 = (...parts: Uint8Array[]): Hash => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

/** The eight leaves of the CT / transparency-dev reference tree. */
const referenceLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);

/** MTH of the first n reference leaves, n = 0…8 (RFC 6962 test vectors, as published by CT and transparency-dev). */
const referenceRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Published inclusion proofs over the reference tree: [index (0-based), size, path]. */
const referenceInclusion: [number, number, string[]][] = [
  [0, 1, []],
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

/** Published consistency proofs over the reference tree: [old size, new size, proof]. */
const referenceConsistency: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

// ---- a deliberately naive second reading of RFC 9162 §2.1, recursion and all, to check the tree against

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function naiveRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0] as Hash;
  const k = split(leaves.length);
  return sha256(Uint8Array.of(1), naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

function naivePath(m: number, leaves: readonly Hash[]): Hash[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...naivePath(m, leaves.slice(0, k)), naiveRoot(leaves.slice(k))] : [...naivePath(m - k, leaves.slice(k)), naiveRoot(leaves.slice(0, k))];
}

function naiveSubproof(m: number, leaves: readonly Hash[], b: boolean): Hash[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [naiveRoot(leaves)];
  const k = split(n);
  return m <= k ? [...naiveSubproof(m, leaves.slice(0, k), b), naiveRoot(leaves.slice(k))] : [...naiveSubproof(m - k, leaves.slice(k), false), naiveRoot(leaves.slice(0, k))];
}

function naiveConsistency(m: number, leaves: readonly Hash[]): Hash[] {
  return m === 0 || m === leaves.length ? [] : naiveSubproof(m, leaves, true);
}

// ---- helpers

function leavesOf(count: number, seed = 0): Hash[] {
  return Array.from({ length: count }, (_, index) => leafHash(Buffer.from(`leaf ${seed}:${index}`)));
}

const hexes = (hashes: readonly Hash[]): string[] => hashes.map(hex);

const isRealSize = (size: number): boolean => Number.isSafeInteger(size) && size >= 0 && size <= 81;

/** Length of PATH(index, D[size]): the levels where the paths to index and to the last leaf differ, plus the right-edge levels above. */
function pathLength(index: number, size: number): number {
  const inner = (index ^ (size - 1)).toString(2).replace(/^0$/, '').length;
  const border = (index >>> inner).toString(2).replaceAll('0', '').length;
  return inner + border;
}

function flipped(hash: Hash, byte: number): Hash {
  const copy = hash.slice();
  copy[byte] = (copy[byte] as number) ^ 0x01;
  return copy;
}

/** The transparency-dev style mutations of a proof: every single-hash corruption, removal, addition, truncation, extension. */
function mutatedProofs(proof: readonly Hash[]): { what: string; proof: Hash[] }[] {
  const garbage = sha256(Buffer.from('garbage'));
  const mutations: { what: string; proof: Hash[] }[] = [];
  proof.forEach((hash, position) => {
    for (const byte of [0, 15, 31]) mutations.push({ what: `flip byte ${byte} of hash ${position}`, proof: proof.map((other, at) => (at === position ? flipped(hash, byte) : other)) });
    mutations.push({ what: `remove hash ${position}`, proof: proof.filter((_, at) => at !== position) });
    mutations.push({ what: `duplicate hash ${position}`, proof: [...proof.slice(0, position + 1), hash, ...proof.slice(position + 1)] });
    mutations.push({ what: `insert garbage before hash ${position}`, proof: [...proof.slice(0, position), garbage, ...proof.slice(position)] });
    mutations.push({ what: `hash ${position} 31 bytes`, proof: proof.map((other, at) => (at === position ? hash.subarray(0, 31) : other)) });
    mutations.push({ what: `hash ${position} 33 bytes`, proof: proof.map((other, at) => (at === position ? Uint8Array.of(...hash, 0) : other)) });
  });
  if (proof.length > 0) {
    mutations.push({ what: 'empty proof', proof: [] });
    mutations.push({ what: 'truncated by one', proof: proof.slice(0, -1) });
    mutations.push({ what: 'reversed', proof: [...proof].reverse() });
  }
  mutations.push({ what: 'extended with garbage', proof: [...proof, garbage] });
  mutations.push({ what: 'extended with an empty-tree hash', proof: [...proof, emptyRoot] });
  mutations.push({ what: 'prefixed with garbage', proof: [garbage, ...proof] });
  // A reversed proof of one or two equal hashes is the same proof.
  return mutations.filter((mutation) => hexes(mutation.proof).join() !== hexes(proof).join());
}

describe('RFC 9162 hashes: the published vectors', () => {
  it('hashes leaves and nodes with their domain-separating prefixes', () => {
    expect(hex(emptyRoot)).toBe(referenceRoots[0]);
    expect(hex(leafHash(new Uint8Array(0)))).toBe(referenceRoots[1]);
    expect(leafHash(Uint8Array.of(1, 2))).toEqual(sha256(Uint8Array.of(0, 1, 2)));
    const [a, b] = [leafHash(Uint8Array.of(1)), leafHash(Uint8Array.of(2))];
    expect(nodeHash(a, b)).toEqual(sha256(Uint8Array.of(1), a, b));
    expect(() => nodeHash(a, b.subarray(1))).toThrow(RangeError);
  });

  it('reproduces the reference roots for 0 to 8 leaves, both growing and as history', () => {
    const tree = new MerkleTree();
    expect(hex(tree.root())).toBe(referenceRoots[0]);
    referenceLeaves.forEach((data, index) => {
      expect(tree.append(leafHash(data))).toBe(index);
      expect(hex(tree.root())).toBe(referenceRoots[index + 1]);
    });
    referenceRoots.forEach((root, size) => expect(hex(tree.root(size))).toBe(root));
    expect(hex(naiveRoot(referenceLeaves.map(leafHash)))).toBe(referenceRoots[8]);
  });

  it('produces and accepts the published inclusion proofs', () => {
    const tree = MerkleTree.fromLeafHashes(referenceLeaves.map(leafHash));
    for (const [index, size, path] of referenceInclusion) {
      expect(hexes(tree.inclusionProof(index, size))).toEqual(path);
      expect(verifyInclusion(leafHash(referenceLeaves[index] as Uint8Array), index, size, path.map(unhex), unhex(referenceRoots[size] as string))).toBe(true);
    }
  });

  it('produces and accepts the published consistency proofs', () => {
    const tree = MerkleTree.fromLeafHashes(referenceLeaves.map(leafHash));
    for (const [oldSize, newSize, proof] of referenceConsistency) {
      expect(hexes(tree.consistencyProof(oldSize, newSize))).toEqual(proof);
      expect(verifyConsistency(oldSize, newSize, unhex(referenceRoots[oldSize] as string), unhex(referenceRoots[newSize] as string), proof.map(unhex))).toBe(true);
    }
  });
});

describe('MerkleTree against a naive reading of the RFC, every pair up to 64 leaves', () => {
  const leaves = leavesOf(64);
  const tree = MerkleTree.fromLeafHashes(leaves);
  const roots = Array.from({ length: 65 }, (_, size) => naiveRoot(leaves.slice(0, size)));

  it('has every historical root', () => {
    for (let size = 0; size <= 64; size += 1) expect(hex(tree.root(size))).toBe(hex(roots[size] as Hash));
  });

  it('proves and verifies inclusion of every leaf in every tree that holds it', () => {
    for (let size = 1; size <= 64; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const proof = tree.inclusionProof(index, size);
        expect(hexes(proof)).toEqual(hexes(naivePath(index, leaves.slice(0, size))));
        expect(pathLength(index, size)).toBe(proof.length);
        expect(verifyInclusion(leaves[index] as Hash, index, size, proof, roots[size] as Hash)).toBe(true);
      }
    }
  });

  it('proves and verifies consistency between every pair of sizes', () => {
    for (let newSize = 0; newSize <= 64; newSize += 1) {
      for (let oldSize = 0; oldSize <= newSize; oldSize += 1) {
        const proof = tree.consistencyProof(oldSize, newSize);
        expect(hexes(proof)).toEqual(hexes(naiveConsistency(oldSize, leaves.slice(0, newSize))));
        expect(verifyConsistency(oldSize, newSize, roots[oldSize] as Hash, roots[newSize] as Hash, proof)).toBe(true);
      }
    }
  });

  it('refuses out-of-range requests and hands out copies, not its own storage', () => {
    expect(() => tree.root(65)).toThrow(RangeError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(-1, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 65)).toThrow(RangeError);
    expect(() => new MerkleTree().append(new Uint8Array(31))).toThrow(RangeError);
    const proof = tree.inclusionProof(0, 2);
    (proof[0] as Hash).fill(0);
    tree.root(2).fill(0);
    tree.leaf(1).fill(0);
    expect(hex(tree.root(2))).toBe(hex(roots[2] as Hash));
    // Roots and siblings on the ragged right edge come from a cache: handing them out must not expose it.
    tree.root(37).fill(0);
    (tree.inclusionProof(0, 37)[5] as Hash).fill(0);
    tree.consistencyProof(3, 37).forEach((hash) => hash.fill(0));
    expect(hex(tree.root(37))).toBe(hex(roots[37] as Hash));
    expect(hexes(tree.inclusionProof(0, 37))).toEqual(hexes(naivePath(0, leaves.slice(0, 37))));
    expect(hexes(tree.consistencyProof(3, 37))).toEqual(hexes(naiveConsistency(3, leaves.slice(0, 37))));
    expect(Object.getPrototypeOf(tree.root(37))).toBe(Uint8Array.prototype);
    expect(hex(tree.inclusionProof(0, 2)[0] as Hash)).toBe(hex(leaves[1] as Hash));
  });
});

describe('random trees (fast-check)', () => {
  const big = leavesOf(3000, 7);
  const bigTree = MerkleTree.fromLeafHashes(big);

  it('inclusion proofs verify, and no longer verify once any byte of them changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.nat(), (size, indexSeed, flipSeed) => {
        const index = indexSeed % size;
        const proof = bigTree.inclusionProof(index, size);
        const root = bigTree.root(size);
        expect(verifyInclusion(big[index] as Hash, index, size, proof, root)).toBe(true);
        if (proof.length > 0) {
          const at = flipSeed % proof.length;
          const tampered = proof.map((hash, position) => (position === at ? flipped(hash, flipSeed % 32) : hash));
          expect(verifyInclusion(big[index] as Hash, index, size, tampered, root)).toBe(false);
        }
        expect(verifyInclusion(flipped(big[index] as Hash, flipSeed % 32), index, size, proof, root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs verify between any two sizes, and not for another pair', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (a, b) => {
        const [oldSize, newSize] = a <= b ? [a, b] : [b, a];
        const proof = bigTree.consistencyProof(oldSize, newSize);
        expect(verifyConsistency(oldSize, newSize, bigTree.root(oldSize), bigTree.root(newSize), proof)).toBe(true);
        if (oldSize > 0 && oldSize < newSize) {
          expect(verifyConsistency(oldSize, newSize, bigTree.root(newSize), bigTree.root(oldSize), proof)).toBe(false);
          expect(verifyConsistency(oldSize - 1, newSize, bigTree.root(oldSize - 1), bigTree.root(newSize), proof)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a tree built incrementally matches one built in one go, at every size', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), (datas) => {
        const hashes = datas.map(leafHash);
        const tree = new MerkleTree();
        hashes.forEach((hash, index) => {
          tree.append(hash);
          expect(hex(tree.root())).toBe(hex(naiveRoot(hashes.slice(0, index + 1))));
        });
        expect(tree.size).toBe(hashes.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('adversarial inclusion proofs', () => {
  // Proofs are taken up to 40 leaves; the tree is larger so that claims of twice the size have roots too.
  const leaves = leavesOf(81, 3);
  const tree = MerkleTree.fromLeafHashes(leaves);

  it('rejects every mutation of every proof up to 40 leaves, without throwing', () => {
    let rejected = 0;
    for (let size = 1; size <= 40; size += 1) {
      const root = tree.root(size);
      for (let index = 0; index < size; index += 1) {
        const leaf = leaves[index] as Hash;
        const proof = tree.inclusionProof(index, size);
        for (const mutation of mutatedProofs(proof)) {
          expect(verifyInclusion(leaf, index, size, mutation.proof, root), `${mutation.what} (index ${index}, size ${size})`).toBe(false);
          rejected += 1;
        }
        const power = 2 ** Math.ceil(Math.log2(index + 2));
        for (const wrongIndex of [index - 1, index + 1, size, power, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
          if (wrongIndex === index) continue;
          expect(verifyInclusion(leaf, wrongIndex, size, proof, root), `index ${wrongIndex} for ${index} (size ${size})`).toBe(false);
        }
        for (const wrongSize of [size - 1, size + 1, 2 * size, Math.floor(size / 2), index, 0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
          if (wrongSize === size) continue;
          const real = isRealSize(wrongSize) && index < wrongSize;
          // A proof can be well-shaped for a neighbouring size too (index 0 of 3 and of 4 both take two
          // hashes): against the stale root no verifier can tell, so that claim is checked against the
          // root the log would have signed for that size instead.
          if (!real || pathLength(index, wrongSize) !== proof.length) {
            expect(verifyInclusion(leaf, index, wrongSize, proof, root), `size ${wrongSize} for ${size} (index ${index})`).toBe(false);
          }
          if (real) {
            const genuine = hexes(tree.inclusionProof(index, wrongSize)).join() === hexes(proof).join();
            expect(verifyInclusion(leaf, index, wrongSize, proof, tree.root(wrongSize)), `size ${wrongSize} for ${size} (index ${index}), its own root`).toBe(genuine);
          }
        }
        expect(verifyInclusion(leaf, index, size, proof, tree.root(size === 1 ? 2 : size - 1))).toBe(false);
        expect(verifyInclusion(root, index, size, proof, leaf)).toBe(size === 1);
        expect(verifyInclusion(leaf, index, size, proof, root.subarray(1))).toBe(false);
        expect(verifyInclusion(leaf.subarray(1), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(Uint8Array.of(...leaf, 0), index, size, proof, root)).toBe(false);
      }
    }
    expect(rejected).toBeGreaterThan(5000);
  });

  it('swallows input of the wrong types', () => {
    const leaf = leaves[0] as Hash;
    const root = tree.root(2);
    const proof = tree.inclusionProof(0, 2);
    const call = (...args: unknown[]) => (verifyInclusion as (...values: unknown[]) => boolean)(...args);
    expect(call(leaf, 0, 2, proof, root)).toBe(true);
    expect(call(leaf, 0, 2, undefined, root)).toBe(false);
    expect(call(leaf, 0, 2, [undefined], root)).toBe(false);
    expect(call(leaf, 0, 2, 'proof', root)).toBe(false);
    expect(call(leaf, '0', 2, proof, root)).toBe(false);
    expect(call(leaf, 0, 2n, proof, root)).toBe(false);
    expect(call(hex(leaf), 0, 2, proof, root)).toBe(false);
    expect(call(leaf, 0, 2, proof.map((hash) => Array.from(hash)), root)).toBe(false);
    expect(call()).toBe(false);
  });
});

describe('adversarial consistency proofs', () => {
  const leaves = leavesOf(81, 5);
  const tree = MerkleTree.fromLeafHashes(leaves);

  it('rejects every mutation of every proof up to 40 leaves, without throwing', () => {
    let rejected = 0;
    for (let newSize = 1; newSize <= 40; newSize += 1) {
      const newRoot = tree.root(newSize);
      for (let oldSize = 1; oldSize < newSize; oldSize += 1) {
        const oldRoot = tree.root(oldSize);
        const proof = tree.consistencyProof(oldSize, newSize);
        for (const mutation of mutatedProofs(proof)) {
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, mutation.proof), `${mutation.what} (${oldSize} → ${newSize})`).toBe(false);
          rejected += 1;
        }
        expect(verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof), 'swapped roots').toBe(false);
        expect(verifyConsistency(newSize, oldSize, newRoot, oldRoot, proof), 'swapped sizes and roots').toBe(false);
        expect(verifyConsistency(newSize, oldSize, oldRoot, newRoot, proof), 'swapped sizes').toBe(false);
        expect(verifyConsistency(oldSize, newSize, flipped(oldRoot, 3), newRoot, proof), 'old root').toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, flipped(newRoot, 3), proof), 'new root').toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, [])).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot.subarray(1), newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, Uint8Array.of(...newRoot, 0), proof)).toBe(false);
        for (const [wrongOld, wrongNew] of [
          [oldSize - 1, newSize],
          [oldSize + 1, newSize],
          [oldSize, newSize - 1],
          [oldSize, newSize + 1],
          [oldSize, 2 * newSize],
          [0, newSize],
          [oldSize, oldSize],
          [oldSize + 0.5, newSize],
          [-oldSize, newSize],
        ] as const) {
          if (wrongOld === oldSize && wrongNew === newSize) continue;
          const real = isRealSize(wrongOld) && isRealSize(wrongNew) && wrongOld <= wrongNew;
          // As for inclusion: a same-shaped proof for other sizes is only refutable by those sizes' roots.
          if (!real || tree.consistencyProof(wrongOld, wrongNew).length !== proof.length) {
            expect(verifyConsistency(wrongOld, wrongNew, oldRoot, newRoot, proof), `sizes ${wrongOld} → ${wrongNew} for ${oldSize} → ${newSize}`).toBe(false);
          }
          if (real) {
            const genuine = hexes(tree.consistencyProof(wrongOld, wrongNew)).join() === hexes(proof).join();
            expect(verifyConsistency(wrongOld, wrongNew, tree.root(wrongOld), tree.root(wrongNew), proof), `sizes ${wrongOld} → ${wrongNew} for ${oldSize} → ${newSize}, their own roots`).toBe(genuine);
          }
        }
      }
    }
    expect(rejected).toBeGreaterThan(5000);
  });

  it('equal sizes need equal roots and an empty proof; the empty tree needs its own root', () => {
    const root = tree.root(5);
    expect(verifyConsistency(5, 5, root, root, [])).toBe(true);
    expect(verifyConsistency(5, 5, root, tree.root(6), [])).toBe(false);
    expect(verifyConsistency(5, 5, root, root, [root])).toBe(false);
    expect(verifyConsistency(0, 5, emptyRoot, root, [])).toBe(true);
    expect(verifyConsistency(0, 0, emptyRoot, emptyRoot, [])).toBe(true);
    expect(verifyConsistency(0, 0, emptyRoot, root, [])).toBe(false);
    expect(verifyConsistency(0, 5, root, root, [])).toBe(false);
    expect(verifyConsistency(0, 5, emptyRoot, root, [root])).toBe(false);
    expect(verifyConsistency(6, 5, root, root, [])).toBe(false);
  });

  it('swallows input of the wrong types', () => {
    const call = (...args: unknown[]) => (verifyConsistency as (...values: unknown[]) => boolean)(...args);
    const proof = tree.consistencyProof(3, 7);
    expect(call(3, 7, tree.root(3), tree.root(7), proof)).toBe(true);
    expect(call(3, 7, tree.root(3), tree.root(7), null)).toBe(false);
    expect(call(3, 7, tree.root(3), tree.root(7), [null, ...proof])).toBe(false);
    expect(call('3', 7, tree.root(3), tree.root(7), proof)).toBe(false);
    expect(call(3, 7, undefined, tree.root(7), proof)).toBe(false);
    expect(call()).toBe(false);
  });
});

describe('sizes beyond 32 bits', () => {
  // An independent formulation of the same check (transparency-dev's split into inner and border
  // levels), in BigInt, to catch any 32-bit truncation in the verifier's arithmetic.
  const bitLength = (value: bigint): number => (value === 0n ? 0 : value.toString(2).length);

  function rootFromPath(leaf: Hash, index: bigint, size: bigint, proof: readonly Hash[]): Hash {
    const inner = bitLength(index ^ (size - 1n));
    let hash = leaf;
    for (let level = 0; level < proof.length; level += 1) {
      const sibling = proof[level] as Hash;
      if (level < inner && ((index >> BigInt(level)) & 1n) === 0n) hash = nodeHash(hash, sibling);
      else hash = nodeHash(sibling, hash);
    }
    return hash;
  }

  function expectedLength(index: bigint, size: bigint): number {
    const inner = bitLength(index ^ (size - 1n));
    const border = (index >> BigInt(inner)).toString(2).replaceAll('0', '').length;
    return inner + border;
  }

  it('verifies synthetic proofs for leaves past 2^32 and rejects them at neighbouring positions', () => {
    for (const [index, size] of [
      [2n ** 33n + 5n, 2n ** 34n + 3n],
      [2n ** 40n - 1n, 2n ** 40n],
      [2n ** 52n + 12345n, 2n ** 53n - 1n],
      [4_294_967_296n, 4_294_967_297n],
    ] as const) {
      const proof = Array.from({ length: expectedLength(index, size) }, (_, position) => sha256(Buffer.from(`sibling ${position}`)));
      const leaf = sha256(Buffer.from('leaf'));
      const root = rootFromPath(leaf, index, size, proof);
      expect(verifyInclusion(leaf, Number(index), Number(size), proof, root)).toBe(true);
      expect(verifyInclusion(leaf, Number(index) - 1, Number(size), proof, root)).toBe(false);
      expect(verifyInclusion(leaf, Number(index), Number(size) * 2, proof, root)).toBe(false);
    }
  });
});

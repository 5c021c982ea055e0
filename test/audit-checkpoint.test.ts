/**
 * C2SP tlog-checkpoint: the specification's example body, strict parsing (one spelling per
 * checkpoint), and signed checkpoints over a real tree opened only for the right origin and key.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../src/audit/checkpoint.js';
import { leafHash, MerkleTree, verifyConsistency } from '../src/audit/merkle.js';
import { createNoteSigner, noteVerifierFromKey, signNote } from '../src/audit/signed-note.js';

const specExample = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const rootOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

describe('checkpoint text', () => {
  it('parses and reproduces the example of the specification', () => {
    const reading = parseCheckpoint(specExample);
    expect(reading).toEqual({ ok: true, checkpoint: { origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: rootOf('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='), extensions: [] } });
    if (reading.ok) expect(formatCheckpoint(reading.checkpoint)).toBe(specExample);
  });

  it('carries extension lines and the empty tree', () => {
    const rootHash = new MerkleTree().root();
    const text = formatCheckpoint({ origin: 'nara.example/audit', size: 0, rootHash, extensions: ['time 2026-11-22T18:55:04Z', 'x'] });
    expect(text).toBe('nara.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 2026-11-22T18:55:04Z\nx\n');
    expect(parseCheckpoint(text)).toEqual({ ok: true, checkpoint: { origin: 'nara.example/audit', size: 0, rootHash, extensions: ['time 2026-11-22T18:55:04Z', 'x'] } });
  });

  it('round-trips any well-formed checkpoint', () => {
    const line = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }).filter((text) => !/[\p{Cc}\p{Cs}]/u.test(text));
    fc.assert(
      fc.property(line, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(line, { maxLength: 3 }), (origin, size, rootHash, extensions) => {
        expect(parseCheckpoint(formatCheckpoint({ origin, size, rootHash, extensions }))).toEqual({ ok: true, checkpoint: { origin, size, rootHash, extensions } });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every other spelling', () => {
    const [origin, size, hash] = specExample.split('\n') as [string, string, string];
    const bad = [
      '',
      '\n',
      specExample.slice(0, -1), // no final newline
      `${origin}\n${size}\n`, // no root hash
      `${origin}\n${size}\n${hash}\n\n`, // an empty extension line
      `${origin}\n${size}\n${hash}\n\nextension\n`,
      `\n${size}\n${hash}\n`, // empty origin
      `${origin}\u0007\n${size}\n${hash}\n`,
      `${origin}\r\n${size}\n${hash}\n`,
      `${origin}\n0${size}\n${hash}\n`, // leading zero
      `${origin}\n00\n${hash}\n`,
      `${origin}\n+${size}\n${hash}\n`,
      `${origin}\n-1\n${hash}\n`,
      `${origin}\n${size}.0\n${hash}\n`,
      `${origin}\n1e3\n${hash}\n`,
      `${origin}\n ${size}\n${hash}\n`,
      `${origin}\n0x10\n${hash}\n`,
      `${origin}\n9007199254740992\n${hash}\n`, // 2^53: not exactly representable as a count
      `${origin}\n99999999999999999999\n${hash}\n`,
      `${origin}\n${size}\n${hash.slice(0, -1)}\n`, // padding dropped
      `${origin}\n${size}\n${hash.replace('+', '-').replace('/', '_')}\n`, // URL alphabet
      `${origin}\n${size}\n${hash} \n`,
      `${origin}\n${size}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n`, // non-canonical final bits
      `${origin}\n${size}\n${Buffer.alloc(31).toString('base64')}\n`,
      `${origin}\n${size}\n${Buffer.alloc(33).toString('base64')}\n`,
      `${origin}\n${size}\n${hash}\next\u0000ension\n`,
    ];
    for (const text of bad) expect(parseCheckpoint(text).ok, JSON.stringify(text)).toBe(false);
    expect(parseCheckpoint(`${origin}\n9007199254740991\n${hash}\n`)).toMatchObject({ ok: true, checkpoint: { size: Number.MAX_SAFE_INTEGER } });
    expect((parseCheckpoint as (value: unknown) => { ok: boolean })(undefined).ok).toBe(false);
  });

  it('refuses to format what it could not parse back', () => {
    const rootHash = new Uint8Array(32);
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: -1, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1.5, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 2 ** 53, rootHash })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, rootHash, extensions: [''] })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, rootHash, extensions: ['a\nb'] })).toThrow(RangeError);
  });
});

describe('signed checkpoints', () => {
  const origin = 'nara.example/audit';
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = createNoteSigner(origin, privateKey);
  const verifier = noteVerifierFromKey(origin, publicKey);
  const tree = MerkleTree.fromLeafHashes(Array.from({ length: 100 }, (_, index) => leafHash(Buffer.from(`event ${index}`))));

  it('signs a tree head that an auditor can open and extend with a consistency proof', () => {
    const early = signCheckpoint({ origin, size: 60, rootHash: tree.root(60) }, [signer]);
    const late = signCheckpoint({ origin, size: 100, rootHash: tree.root(100) }, [signer]);
    const before = openCheckpoint(early, origin, [verifier]);
    const after = openCheckpoint(late, origin, [verifier]);
    expect(before.ok && after.ok).toBe(true);
    if (!before.ok || !after.ok) return;
    const proof = tree.consistencyProof(before.checkpoint.size, after.checkpoint.size);
    expect(verifyConsistency(before.checkpoint.size, after.checkpoint.size, before.checkpoint.rootHash, after.checkpoint.rootHash, proof)).toBe(true);
  });

  it('opens a checkpoint only for its own origin, under a known key, with a well-formed body', () => {
    const note = signCheckpoint({ origin, size: 100, rootHash: tree.root() }, [signer]);
    expect(openCheckpoint(note, 'other.example/log', [verifier])).toMatchObject({ ok: false, reason: expect.stringContaining('origin') });
    const stranger = generateKeyPairSync('ed25519');
    expect(openCheckpoint(note, origin, [noteVerifierFromKey(origin, stranger.publicKey)]).ok).toBe(false);
    expect(openCheckpoint(note.replace('\n100\n', '\n101\n'), origin, [verifier]).ok).toBe(false);
    expect(openCheckpoint(signNote('nara.example/audit\n007\nAAAA\n', [signer]), origin, [verifier]).ok).toBe(false);
  });
});

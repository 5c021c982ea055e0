/**
 * The provenance envelope, attacked: one signature over a batch of manifests is only as good as
 * the checks tying each manifest to the signed root. Every mutation a forger could try — another
 * manifest, index, size or path, hashes added or removed, garbage around the parts, a signature by
 * another key under the same kid — must be refused with a reason.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildManifest, publicJwk, type ProvenanceManifest } from '../src/audit/provenance.js';
import { manifestOf, maxBatch, openEnvelope, signManifests } from '../src/audit/provenance-envelope.js';
import { ManifestBatcher } from '../src/audit/manifest-batcher.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = publicJwk(publicKey).kid;
const keys = new Map<string, KeyObject>([[kid, publicKey]]);

function manifest(index: number): ProvenanceManifest {
  return buildManifest({ id: `prov_${index}`, text: `답변 ${index}`, tenant: 'moi', model: 'seed', backend: 'seoul', jurisdiction: 'KR', operator: null, verdicts: [], auditLeafIndex: index, generator: 'nara/test', auditLog: 'test/log' });
}

const batch = Array.from({ length: 7 }, (_, index) => manifest(index));
const envelopes = signManifests(batch, privateKey, kid);
const parts = (envelope: string) => envelope.split('~');

function refused(envelope: string): string {
  const reading = openEnvelope(envelope, keys);
  if (reading.ok) throw new Error('a forged envelope was accepted');
  return reading.reason;
}

describe('provenance envelopes', () => {
  it('open to the manifest each was made for, sharing one signature', () => {
    expect(new Set(envelopes.map((envelope) => parts(envelope)[0])).size).toBe(1);
    for (const [index, envelope] of envelopes.entries()) {
      const reading = openEnvelope(envelope, keys);
      if (!reading.ok) throw new Error(reading.reason);
      expect(reading.manifest).toEqual(batch[index]);
      expect(reading.batch.size).toBe(7);
      expect(manifestOf(envelope)).toEqual(batch[index]);
    }
    const single = signManifests([manifest(99)], privateKey, kid)[0] ?? '';
    expect(parts(single)[4]).toBe('');
    expect(openEnvelope(single, keys).ok).toBe(true);
  });

  it("refuse another output's manifest, index, size or path", () => {
    const [jws = '', , index = '', size = '', path = ''] = parts(envelopes[2] ?? '');
    const other = parts(envelopes[3] ?? '');
    expect(refused([jws, other[1], index, size, path].join('~'))).toContain('inclusion path');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], '3', size, path].join('~'))).toContain('inclusion path');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], index, '8', path].join('~'))).toContain('signature says 7');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], index, size, other[4]].join('~'))).toContain('inclusion path');
    const hashes = path.split('.');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], index, size, hashes.slice(1).join('.')].join('~'))).toContain('inclusion path');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], index, size, [...hashes, hashes[0]].join('.')].join('~'))).toContain('inclusion path');
    expect(refused([jws, parts(envelopes[2] ?? '')[1], index, size, hashes.reverse().join('.')].join('~'))).toContain('inclusion path');
  });

  it('refuse garbage around or inside the parts', () => {
    const envelope = envelopes[1] ?? '';
    expect(refused(`${envelope}~`)).toContain('not a Nara provenance envelope');
    expect(refused(envelope.replace('~', '~~'))).toContain('not a Nara provenance envelope');
    expect(refused(`x${envelope}`)).toContain('not JSON');
    expect(refused(envelope.replace(/~(\d+)~/, '~-1~'))).toContain('whole numbers');
    expect(refused(envelope.replace(/~(\d+)~(\d+)~/, '~$1~7.0~'))).toContain('whole numbers');
    expect(refused(envelope.replace(/~([^~]+)$/, '~$1!'))).toContain('not base64url');
    expect(refused('')).toContain('not a Nara provenance envelope');
    expect(refused('a.b.c~~0~1~')).toContain('not JSON');
    const [header = '', payload = '', signature = ''] = (parts(envelope)[0] ?? '').split('.');
    const payloadJson = Buffer.from(payload, 'base64url').toString('utf8');
    const resigned = (text: string) => Buffer.from(text).toString('base64url');
    expect(refused(envelope.replace(`${header}.${payload}.${signature}`, `${header}.${resigned(payloadJson.replace('"size":7', '"size":8'))}.${signature}`))).toContain('signature does not verify');
  });

  it('refuse a batch signed by another key under this key id, or with another algorithm', () => {
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = signManifests([manifest(1)], stranger, kid)[0] ?? '';
    expect(refused(forged)).toContain('signature does not verify');
    const unknown = signManifests([manifest(1)], stranger, 'someone-else')[0] ?? '';
    expect(refused(unknown)).toContain('not one of this Nara');
    const [header = '', ...rest] = (parts(envelopes[0] ?? '')[0] ?? '').split('.');
    const none = Buffer.from(Buffer.from(header, 'base64url').toString('utf8').replace('EdDSA', 'none')).toString('base64url');
    expect(refused((envelopes[0] ?? '').replace(header, none))).toContain('unexpected algorithm none');
    expect(rest.length).toBe(2);
  });

  it('are never over more than the batch limit, and the batcher splits and signs a turn together', async () => {
    expect(() => signManifests(Array.from({ length: maxBatch + 1 }, (_, index) => manifest(index)), privateKey, kid)).toThrow(RangeError);
    const batcher = new ManifestBatcher(privateKey, kid);
    const signed = await Promise.all(Array.from({ length: maxBatch + 3 }, (_, index) => batcher.sign(manifest(index))));
    expect(new Set(signed.map((envelope) => parts(envelope)[0])).size).toBe(2);
    expect(signed.every((envelope, index) => {
      const reading = openEnvelope(envelope, keys);
      return reading.ok && reading.manifest.id === `prov_${index}`;
    })).toBe(true);
  });
});

describe('batch trees', () => {
  it('have RFC 9162 roots and paths for every size up to the limit', async () => {
    const { MerkleTree, leafHash } = await import('../src/audit/merkle.js');
    for (const size of [1, 2, 3, 5, 7, 8, 9, 31, 64, 100, maxBatch]) {
      const batch = Array.from({ length: size }, (_, index) => manifest(index));
      const envelopes = signManifests(batch, privateKey, kid);
      const tree = MerkleTree.fromLeafHashes(batch.map((entry) => leafHash(Buffer.from(JSON.stringify(entry)))));
      const reading = openEnvelope(envelopes[0] ?? '', keys);
      expect(reading.ok && reading.batch.root).toBe(Buffer.from(tree.root(size)).toString('base64url'));
      for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
        const path = (envelopes[index] ?? '').split('~')[4] ?? '';
        expect(path).toBe(tree.inclusionProof(index, size).map((hash) => Buffer.from(hash).toString('base64url')).join('.'));
      }
    }
  });
});

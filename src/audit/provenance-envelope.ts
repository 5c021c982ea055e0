/**
 * The signed envelope of provenance manifests: one Ed25519 signature covers a batch of manifests.
 * The manifests signed together are the leaves of an RFC 9162 Merkle tree (the same hashing as the
 * audit log); a compact JWS (EdDSA) signs the tree's root and size; each output's envelope carries
 * that JWS, its own manifest and its inclusion path, joined by `~` (as SD-JWT joins its parts):
 *
 *     <JWS over {"root","size","time"}>~<manifest, base64url JSON>~<leaf index>~<tree size>~<path: base64url hashes joined by ".">
 *
 * A verifier checks the JWS with any JOSE library against the published JWKS, hashes the manifest
 * as an RFC 9162 leaf, and checks the inclusion path to the signed root with any RFC 9162
 * verifier. Why a batch and not one signature per output: decision 12.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { leafHash, nodeHash, verifyInclusion, type Hash } from './merkle.js';
import type { ProvenanceManifest } from './provenance.js';

export const batchType = 'nara-provenance-batch+jws';
/** The most manifests one signature covers: keeps each path at 8 hashes or fewer. */
export const maxBatch = 256;

const base64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');
const fromBase64url = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));
const base64urlPattern = /^[A-Za-z0-9_-]*$/;

/** What the batch JWS signs. */
export interface SignedBatch {
  /** The Merkle root of the batch's manifests, base64url. */
  readonly root: string;
  readonly size: number;
  /** ISO 8601 time of signing. */
  readonly time: string;
}

/** Signs `manifests` with one signature; returns each one's envelope, in the same order. */
export function signManifests(manifests: readonly ProvenanceManifest[], privateKey: KeyObject, kid: string, now = new Date()): string[] {
  if (manifests.length === 0) return [];
  if (manifests.length > maxBatch) throw new RangeError(`at most ${maxBatch} manifests per signature`);
  const encoded = manifests.map((manifest) => Buffer.from(JSON.stringify(manifest), 'utf8'));
  const levels = batchTree(encoded.map((bytes) => leafHash(bytes)));
  const size = encoded.length;
  const root = (levels[levels.length - 1] as Hash[])[0] as Hash;
  const batch: SignedBatch = { root: base64url(root), size, time: now.toISOString() };
  const header = base64url(JSON.stringify({ alg: 'EdDSA', typ: batchType, kid }));
  const payload = base64url(JSON.stringify(batch));
  const jws = `${header}.${payload}.${base64url(sign(null, Buffer.from(`${header}.${payload}`), privateKey))}`;
  // Each node's base64url once: the paths of a batch share most of their nodes.
  const encodedLevels = levels.map((level) => level.map((node) => base64url(node)));
  return encoded.map((bytes, index) => `${jws}~${bytes.toString('base64url')}~${index}~${size}~${pathOf(encodedLevels, index).join('.')}`);
}

/**
 * The RFC 9162 tree of a batch, level by level: nodes paired left to right, a last unpaired node
 * carried up unchanged — which gives exactly RFC 9162's root and inclusion paths for any size.
 */
function batchTree(leaves: Hash[]): Hash[][] {
  const levels = [leaves];
  for (let level = leaves; level.length > 1; ) {
    const up: Hash[] = [];
    for (let index = 0; index < level.length; index += 2) up.push(index + 1 < level.length ? nodeHash(level[index] as Hash, level[index + 1] as Hash) : (level[index] as Hash));
    levels.push(up);
    level = up;
  }
  return levels;
}

/** The siblings from leaf `index` up to the root, skipping levels where the node has none. */
function pathOf<T>(levels: readonly (readonly T[])[], index: number): T[] {
  const path: T[] = [];
  for (let level = 0, at = index; level < levels.length - 1; level += 1, at = Math.floor(at / 2)) {
    const nodes = levels[level] as readonly T[];
    const sibling = at % 2 === 0 ? at + 1 : at - 1;
    if (sibling < nodes.length) path.push(nodes[sibling] as T);
  }
  return path;
}

export type EnvelopeReading =
  | { readonly ok: true; readonly manifest: ProvenanceManifest; readonly kid: string; readonly batch: SignedBatch }
  | { readonly ok: false; readonly reason: string };

/** The manifest an envelope carries, unchecked (for showing facts of a manifest this Nara stored itself). */
export function manifestOf(envelope: string): ProvenanceManifest | undefined {
  const part = envelope.split('~')[1];
  if (part === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as ProvenanceManifest;
  } catch {
    return undefined;
  }
}

/**
 * Checks an envelope against the keys Nara publishes (current and retired), by `kid`: the batch
 * signature, then the manifest's inclusion in the signed root. Never throws; says what is wrong.
 */
export function openEnvelope(envelope: string, keys: ReadonlyMap<string, KeyObject>): EnvelopeReading {
  const parts = envelope.trim().split('~');
  if (parts.length !== 5) return { ok: false, reason: 'not a Nara provenance envelope (JWS~manifest~index~size~path)' };
  const [jws = '', manifestPart = '', indexPart = '', sizePart = '', pathPart = ''] = parts;
  const signed = openBatchJws(jws, keys);
  if (!signed.ok) return signed;
  if (!base64urlPattern.test(manifestPart)) return { ok: false, reason: 'the manifest part is not base64url' };
  if (!/^\d{1,9}$/.test(indexPart) || !/^\d{1,9}$/.test(sizePart)) return { ok: false, reason: 'the leaf index and tree size must be whole numbers' };
  const index = Number(indexPart);
  const size = Number(sizePart);
  if (size !== signed.batch.size) return { ok: false, reason: `the envelope says the batch holds ${size} manifests, the signature says ${signed.batch.size}` };
  const pathHashes = pathPart === '' ? [] : pathPart.split('.');
  if (pathHashes.some((hash) => !base64urlPattern.test(hash))) return { ok: false, reason: 'the inclusion path is not base64url hashes joined by "."' };
  const bytes = fromBase64url(manifestPart);
  const path: Hash[] = pathHashes.map(fromBase64url);
  if (!verifyInclusion(leafHash(bytes), index, size, path, fromBase64url(signed.batch.root))) {
    return { ok: false, reason: 'the manifest is not the one signed: its inclusion path does not lead to the signed root (the manifest was altered)' };
  }
  let manifest: ProvenanceManifest;
  try {
    manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as ProvenanceManifest;
  } catch {
    return { ok: false, reason: 'the manifest is not JSON' };
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.output?.digest !== 'string') return { ok: false, reason: 'the payload is not a provenance manifest' };
  return { ok: true, manifest, kid: signed.kid, batch: signed.batch };
}

function openBatchJws(jws: string, keys: ReadonlyMap<string, KeyObject>): { ok: true; kid: string; batch: SignedBatch } | { ok: false; reason: string } {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((part) => !base64urlPattern.test(part))) return { ok: false, reason: 'the signature part is not a compact JWS (three base64url parts)' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  let header: { alg?: unknown; kid?: unknown };
  let batch: Partial<SignedBatch>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
    batch = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof batch;
  } catch {
    return { ok: false, reason: 'the JWS header or payload is not JSON' };
  }
  if (header.alg !== 'EdDSA') return { ok: false, reason: `unexpected algorithm ${String(header.alg)}: Nara signs with EdDSA (Ed25519)` };
  if (typeof header.kid !== 'string') return { ok: false, reason: 'the JWS names no key (kid)' };
  const key = keys.get(header.kid);
  if (key === undefined) return { ok: false, reason: `signed with key ${header.kid}, which is not one of this Nara's keys` };
  let valid = false;
  try {
    valid = verify(null, Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'the signature does not verify: the envelope was altered or not signed by this Nara' };
  if (typeof batch !== 'object' || batch === null || typeof batch.root !== 'string' || !Number.isSafeInteger(batch.size) || typeof batch.time !== 'string') {
    return { ok: false, reason: 'the signed payload is not a provenance batch (root, size, time)' };
  }
  return { ok: true, kid: header.kid, batch: { root: batch.root, size: batch.size as number, time: batch.time } };
}

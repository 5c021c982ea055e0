/**
 * Signed provenance of an AI output: a manifest saying who produced it (generator, tenant, model,
 * back end, jurisdiction, operator), what the policies decided, where its audit event sits, the
 * SHA-256 of the output text after Unicode NFC, and — in the vocabulary C2PA uses — that it was
 * created by a trained algorithm (`c2pa.created`, IPTC `trainedAlgorithmicMedia`), which is what
 * Korea's AI Basic Act and the EU AI Act's Article 50 ask operators to evidence.
 *
 * Manifests are signed in batches (provenance-envelope.ts): a compact JWS (EdDSA) over the Merkle
 * root of the manifests signed together, and each manifest's inclusion path (decision 12).
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { ProvenanceFacts } from '../spec/audit.js';
import { extractReference } from './text-embedding.js';
import { openEnvelope } from './provenance-envelope.js';

export const digitalSourceType = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

/** The gateway's facts about the output, as signed (the text itself becomes its digest). */
export interface ProvenanceManifest extends Pick<ProvenanceFacts, 'id' | 'tenant' | 'model' | 'backend' | 'jurisdiction' | 'operator' | 'verdicts'> {
  /** ISO 8601 time of signing. */
  readonly time: string;
  readonly generator: string;
  /** The request's audit event: its log and leaf index. */
  readonly audit: { readonly log: string; readonly leafIndex: number | null };
  readonly output: { readonly alg: 'sha256'; readonly normalization: 'NFC'; readonly digest: string; readonly characters: number };
  readonly aiGenerated: true;
  readonly assertions: readonly [{ readonly label: 'c2pa.actions'; readonly data: { readonly actions: readonly [{ readonly action: 'c2pa.created'; readonly digitalSourceType: string; readonly softwareAgent: string }] } }];
}

/** What the gateway knows of the output, plus who signs: the generator and the audit log's name. */
export interface ManifestFacts extends ProvenanceFacts {
  readonly generator: string;
  readonly auditLog: string;
}

/** SHA-256 (hex) of the text after Unicode NFC, so that a text re-encoded in another normal form still matches. */
export function outputDigest(text: string): string {
  return createHash('sha256').update(text.normalize('NFC'), 'utf8').digest('hex');
}

export function buildManifest(facts: ManifestFacts, now = new Date()): ProvenanceManifest {
  const normalized = facts.text.normalize('NFC');
  return {
    id: facts.id,
    time: now.toISOString(),
    generator: facts.generator,
    tenant: facts.tenant,
    model: facts.model,
    backend: facts.backend,
    jurisdiction: facts.jurisdiction,
    operator: facts.operator,
    verdicts: facts.verdicts,
    audit: { log: facts.auditLog, leafIndex: facts.auditLeafIndex },
    output: { alg: 'sha256', normalization: 'NFC', digest: createHash('sha256').update(normalized, 'utf8').digest('hex'), characters: [...normalized].length },
    aiGenerated: true,
    assertions: [{ label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created', digitalSourceType, softwareAgent: `${facts.generator}${facts.model === null ? '' : ` (${facts.model})`}` }] } }],
  };
}

const base64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** The public key as a JWK (RFC 8037 OKP), with its RFC 7638 thumbprint as `kid`. */
export function publicJwk(publicKey: KeyObject): { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; use: 'sig'; alg: 'EdDSA' } {
  const jwk = publicKey.export({ format: 'jwk' }) as { x?: string };
  const x = jwk.x ?? '';
  const kid = base64url(createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest());
  return { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig', alg: 'EdDSA' };
}

/** Where a verifier finds manifests it was not given: by id, and by the digest of an output's text. */
export interface ManifestLookup {
  byId(id: string): string | undefined;
  byDigest(digest: string): string | undefined;
}

export type OutputVerdict =
  | { readonly verified: true; readonly id: string; readonly manifest: ProvenanceManifest }
  | { readonly verified: false; readonly reason: string; readonly id?: string };

/**
 * Was `given` produced here, unmodified after NFC? With `manifest`, that manifest is checked; else a
 * text carrying its invisible reference names its manifest, and any other text is looked up by its
 * digest. The digest is always over the text without the reference. The server and the CLI both
 * answer with this, so their reasons are the same words.
 */
export function verifyOutput(given: string, manifest: string | undefined, keys: ReadonlyMap<string, KeyObject>, lookup: ManifestLookup): OutputVerdict {
  const embedded = extractReference(given);
  const text = embedded?.text ?? given;
  const digest = outputDigest(text);
  let envelope = manifest;
  if (envelope === undefined && embedded !== undefined) {
    envelope = lookup.byId(embedded.id);
    if (envelope === undefined) return { verified: false, id: embedded.id, reason: `the text names output ${embedded.id}, which this Nara did not produce` };
  }
  envelope ??= lookup.byDigest(digest);
  if (envelope === undefined) return { verified: false, reason: 'no output of this Nara has exactly this text (after Unicode NFC): it was not produced here, or it was changed' };
  const opened = openEnvelope(envelope, keys);
  if (!opened.ok) return { verified: false, reason: opened.reason };
  if (opened.manifest.output.digest !== digest) {
    return { verified: false, id: opened.manifest.id, reason: `the text differs from the output ${opened.manifest.id} was signed for (SHA-256 after NFC does not match): it was changed` };
  }
  return { verified: true, id: opened.manifest.id, manifest: opened.manifest };
}


/**
 * The audit log as a running Nara serves it: the file log (the gateway's sink), its signing key,
 * signed checkpoints published on a schedule and on demand, and proofs for auditors. Proofs use
 * RFC 6962's JSON names (`leaf_index`, `tree_size`, `audit_path`, `consistency`) with base64
 * hashes, which existing CT and transparency-log tooling reads.
 */
import { appendCheckpoint, readCheckpoints, type StoredCheckpoint } from './checkpoint-store.js';
import { FileAuditLog, type AuditLeafObserver } from './file-audit-log.js';
import { loadSigningKey, readRetiredKeys, type SigningKey } from './signing-key.js';
import { pruneSegments, type PruneResult } from './retention.js';
import type { KeyObject } from 'node:crypto';
import type { AuditAuthority, AuditEvent, AuditSink, ConsistencyProofAnswer, DetectionAnswer, InclusionProofAnswer, ProvenanceFacts, ProvenanceVerdict, SignedProvenance } from '../../spec/audit.js';
import { buildManifest, publicJwk, verifyOutput } from '../../audit/provenance.js';
import { manifestOf } from '../../audit/provenance-envelope.js';
import { ManifestBatcher } from '../../audit/manifest-batcher.js';
import { extractReference } from '../../audit/text-embedding.js';
import { ProvenanceStore } from './provenance-store.js';
import { DetectionStore } from './detection-store.js';
import { sketchOf } from '../../audit/shingles.js';
import { createHash } from 'node:crypto';
import { formatCheckpoint } from '../../audit/checkpoint.js';
import { createNoteSigner, formatVerifierKey, signNote, type NoteSigner } from '../../audit/signed-note.js';

export interface AuditServiceOptions {
  readonly dir: string;
  readonly mode: 'strict' | 'batched';
  readonly segmentBytes: number;
  readonly flushIntervalMs: number;
  readonly origin: string;
  readonly checkpointIntervalMs: number;
  /** `nara/<version>`, named in every provenance manifest. */
  readonly generator?: string | undefined;
  readonly signingKeyFile?: string | undefined;
  readonly signingKeyEnv?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Told of every leaf read at open and appended later (the console's insights). */
  readonly observer?: AuditLeafObserver | undefined;
}

export class AuditProofError extends Error {}

const base64 = (hash: Uint8Array) => Buffer.from(hash).toString('base64');

export class AuditService implements AuditAuthority, AuditSink {
  readonly log: FileAuditLog;
  readonly origin: string;
  /** The verifier key auditors are given: `<origin>+<key id>+<public key>` (C2SP signed-note). */
  readonly verifierKey: string;
  readonly keySource: string;
  readonly #dir: string;
  readonly #signer: NoteSigner;
  #latest: StoredCheckpoint | undefined;
  #timer: NodeJS.Timeout | undefined;
  #signing: Promise<StoredCheckpoint | undefined> | undefined;
  readonly #kid: string;
  /** Signs the manifests of requests sealed together with one signature. */
  readonly #manifestSigner: ManifestBatcher;
  readonly #generator: string;
  /** Public keys by kid: the current one and those retired (kept in <dir>/retired-keys/*.pem) so old outputs still verify. */
  readonly #publicKeys: ReadonlyMap<string, KeyObject>;
  #provenance: ProvenanceStore | undefined;
  #detection: DetectionStore | undefined;
  /** Key of the detection fingerprints, derived from the signing key: only this operator can compute them. */
  readonly #detectionKey: Uint8Array;

  private constructor(log: FileAuditLog, key: SigningKey, options: AuditServiceOptions, latest: StoredCheckpoint | undefined) {
    this.log = log;
    this.origin = options.origin;
    this.#dir = options.dir;
    this.#signer = createNoteSigner(options.origin, key.privateKey);
    this.verifierKey = formatVerifierKey(options.origin, key.publicKey);
    this.keySource = key.source;
    this.#latest = latest;
    this.#kid = publicJwk(key.publicKey).kid;
    this.#manifestSigner = new ManifestBatcher(key.privateKey, this.#kid);
    this.#generator = options.generator ?? 'nara';
    const keys = new Map<string, KeyObject>([[this.#kid, key.publicKey]]);
    for (const retired of readRetiredKeys(options.dir)) keys.set(publicJwk(retired).kid, retired);
    this.#publicKeys = keys;
    this.#detectionKey = detectionKeyOf(key);
  }

  get durable(): boolean {
    return this.log.durable;
  }

  unavailable(): string | undefined {
    return this.log.unavailable();
  }

  append(event: AuditEvent): Promise<number> {
    return this.log.append(event);
  }

  /** Signs a provenance manifest for an output (in a batch with those sealed at the same time) and keeps it for lookup. */
  async attest(facts: ProvenanceFacts): Promise<SignedProvenance> {
    const manifest = buildManifest({ ...facts, generator: this.#generator, auditLog: this.origin });
    const envelope = await this.#manifestSigner.sign(manifest);
    this.#provenance?.add(facts.id, manifest.output.digest, envelope);
    // Fingerprinting hashes every shingle of the output: done after the answer has gone, not before.
    const detection = this.#detection;
    if (detection !== undefined) setImmediate(() => detection.add({ id: facts.id, tenant: facts.tenant, sketch: sketchOf(facts.text, this.#detectionKey) }));
    return { id: facts.id, manifest: envelope };
  }

  readLeaf(index: number): Promise<Uint8Array | undefined> {
    return this.log.readLeaf(index);
  }

  provenanceOf(id: string): string | undefined {
    return this.#provenance?.manifestOf(id);
  }

  verifyProvenance(given: string, manifest: string | undefined): ProvenanceVerdict {
    const verdict = verifyOutput(given, manifest, this.#publicKeys, {
      byId: (id) => this.provenanceOf(id),
      byDigest: (digest) => {
        const ids = this.#provenance?.idsWithDigest(digest) ?? [];
        return ids.length === 0 ? undefined : this.provenanceOf(ids[ids.length - 1] as string);
      },
    });
    return verdict.verified ? { ...verdict, manifest: verdict.manifest as unknown as Readonly<Record<string, unknown>> } : verdict;
  }

  /** Outputs of this Nara that `text` matches, even after light edits, most similar first. */
  detect(text: string, tenant?: string): DetectionAnswer {
    const sketch = sketchOf(extractReference(text)?.text ?? text, this.#detectionKey);
    const matches = (this.#detection?.index.find(sketch, { tenant }) ?? []).map((match) => ({ ...match, ...summaryOf(this.provenanceOf(match.id)) }));
    return { matches };
  }

  jwks(): { readonly keys: readonly Readonly<Record<string, string>>[] } {
    return { keys: [...this.#publicKeys.values()].map((key) => publicJwk(key)) };
  }

  static async open(options: AuditServiceOptions): Promise<AuditService> {
    // The log first: it takes the directory's lock, so no other process creates the key meanwhile.
    const log = await FileAuditLog.open({ dir: options.dir, mode: options.mode, segmentBytes: options.segmentBytes, flushIntervalMs: options.flushIntervalMs, observer: options.observer });
    let key: SigningKey;
    try {
      key = loadSigningKey({ dir: options.dir, keyFile: options.signingKeyFile, keyEnv: options.signingKeyEnv, env: options.env });
    } catch (error) {
      await log.close();
      throw error;
    }
    const { checkpoints } = readCheckpoints(options.dir);
    const service = new AuditService(log, key, options, checkpoints[checkpoints.length - 1]);
    service.#provenance = await ProvenanceStore.open(options.dir);
    service.#detection = await DetectionStore.open(options.dir);
    service.#timer = setInterval(() => void service.checkpoint().catch(() => undefined), options.checkpointIntervalMs).unref();
    return service;
  }

  get latestCheckpoint(): StoredCheckpoint | undefined {
    return this.#latest;
  }

  /** Signs and stores a checkpoint of the log as it is now, unless the latest already covers it. */
  checkpoint(): Promise<StoredCheckpoint | undefined> {
    // One signing at a time: two at once could store sizes out of order.
    this.#signing ??= this.#sign().finally(() => (this.#signing = undefined));
    return this.#signing;
  }

  async #sign(): Promise<StoredCheckpoint | undefined> {
    await this.log.flush();
    const size = this.log.size;
    if (this.#latest !== undefined && this.#latest.size === size) return this.#latest;
    if (size === 0 && this.#latest === undefined) return undefined;
    const body = formatCheckpoint({ origin: this.origin, size, rootHash: this.log.tree.root(size) });
    const stored = { time: new Date().toISOString(), size, note: signNote(body, [this.#signer]) };
    await appendCheckpoint(this.#dir, stored);
    this.#latest = stored;
    return stored;
  }

  inclusionProof(query: { readonly index?: number; readonly requestId?: string; readonly size?: number }): InclusionProofAnswer {
    const index = query.index ?? (query.requestId === undefined ? undefined : this.log.leafIndexOf(query.requestId));
    if (index === undefined) throw new AuditProofError(query.requestId === undefined ? 'give a leaf index or a request id' : `no event for request id ${query.requestId}`);
    const size = query.size ?? this.#latest?.size ?? this.log.size;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new AuditProofError(`leaf ${index} is not in a tree of size ${size}`);
    if (size > this.log.size) throw new AuditProofError(`the log holds ${this.log.size} leaves, fewer than ${size}`);
    return {
      leaf_index: index,
      tree_size: size,
      leaf_hash: base64(this.log.tree.leaf(index)),
      audit_path: this.log.tree.inclusionProof(index, size).map(base64),
      root_hash: base64(this.log.tree.root(size)),
    };
  }

  consistencyProof(first: number, second: number): ConsistencyProofAnswer {
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) throw new AuditProofError('sizes must satisfy 1 ≤ first ≤ second');
    if (second > this.log.size) throw new AuditProofError(`the log holds ${this.log.size} leaves, fewer than ${second}`);
    return {
      first,
      second,
      first_root: base64(this.log.tree.root(first)),
      second_root: base64(this.log.tree.root(second)),
      consistency: this.log.tree.consistencyProof(first, second).map(base64),
    };
  }

  /**
   * Removes segments past retention (keeping their hashes). Signs a checkpoint first, so the
   * events about to go are covered by a signed root.
   */
  async prune(retentionDays: (tenant: string | null) => number, now = new Date()): Promise<PruneResult> {
    await this.checkpoint();
    return pruneSegments(this.#dir, now, retentionDays, () => false);
  }

  /** Signs a last checkpoint covering everything written, then closes the log. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.checkpoint().catch(() => undefined);
    await this.#provenance?.close().catch(() => undefined);
    await this.#detection?.close().catch(() => undefined);
    await this.log.close().catch(() => undefined);
  }
}


/** The detection key: a hash of the signing key's private part, under its own label. */
export function detectionKeyOf(key: SigningKey): Uint8Array {
  const jwk = key.privateKey.export({ format: 'jwk' }) as { d?: string };
  return createHash('sha256').update('nara detection fingerprints\u0000').update(jwk.d ?? '').digest();
}

/** What a match shows of its output: the manifest's public facts (it is served at /v1/provenance/{id} anyway). */
function summaryOf(envelope: string | undefined): { model?: string | null; jurisdiction?: string | null; time?: string } {
  const manifest = envelope === undefined ? undefined : manifestOf(envelope);
  if (manifest === undefined) return {};
  return { model: manifest.model ?? null, jurisdiction: manifest.jurisdiction ?? null, ...(manifest.time === undefined ? {} : { time: manifest.time }) };
}

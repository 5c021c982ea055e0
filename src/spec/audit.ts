/**
 * The audit log contract: one event per request that reached the gateway, appended as a leaf of
 * an RFC 9162 Merkle tree so that an auditor can prove the log was not edited. The event carries
 * facts and digests, never secrets; content only where the tenant's policy asks for it.
 */
import type { StageRecord } from './stage.js';

/** What a tenant's policy keeps of the content itself: nothing (default), the pseudonymised text, or all of it. */
export type AuditContentMode = 'none' | 'pseudonymised' | 'full';

export interface AuditEvent {
  /** Format version of the event. */
  readonly v: 1;
  /** ISO 8601 time the request ended. */
  readonly time: string;
  readonly requestId: string;
  /** Unique across replicas even when clients reuse request ids (the usage record's id). */
  readonly meterId: string;
  readonly endpoint: string;
  readonly stream: boolean;
  readonly tenant: string | null;
  /** The key's id, never the key. */
  readonly keyId: string | null;
  readonly model: string | null;
  readonly backend: string | null;
  readonly jurisdiction: string | null;
  readonly homeJurisdiction: string | null;
  /** Served by a back end outside the tenant's home jurisdiction: a transfer abroad. */
  readonly crossBorder: boolean;
  /** Every pipeline stage's verdict, in order (counts and codes, never values). */
  readonly stages: readonly StageRecord[];
  readonly pii: { readonly action: string; readonly entities: Readonly<Record<string, number>>; readonly answerEntities: Readonly<Record<string, number>> } | null;
  readonly status: number;
  readonly code: string | null;
  readonly attempts: number;
  readonly latencyMs: number;
  readonly usage: { readonly prompt: number; readonly completion: number; readonly cached: number; readonly estimated: boolean } | null;
  /** SHA-256 (hex) of the request body as received. */
  readonly requestSha256: string | null;
  /** SHA-256 (hex) of the response body as sent (a stream: every byte of the event stream). */
  readonly answerSha256: string | null;
  readonly content: { readonly mode: Exclude<AuditContentMode, 'none'>; readonly request: string | null; readonly answer: string | null } | null;
  /** The id of the output's signed provenance manifest, when one was made. */
  readonly provenanceId: string | null;
}

/** Where events go. The gateway waits for `append` before the response completes when `durable`. */
export interface AuditSink {
  /** True in `strict` mode: `append` resolves only once the event is on disk. */
  readonly durable: boolean;
  /** Why the log cannot take events now (disk full, unwritable), or undefined when it can. */
  unavailable(): string | undefined;
  /** Resolves to the event's leaf index once it is as durable as the mode promises. */
  append(event: AuditEvent): Promise<number>;
  /** Signs and keeps a provenance manifest for an output; absent where provenance is off. */
  attest?(facts: ProvenanceFacts): Promise<SignedProvenance>;
}

/** What the gateway knows of an output when it asks for its manifest. */
export interface ProvenanceFacts {
  readonly id: string;
  readonly tenant: string | null;
  readonly model: string | null;
  readonly backend: string | null;
  readonly jurisdiction: string | null;
  readonly operator: string | null;
  readonly verdicts: readonly StageRecord[];
  readonly auditLeafIndex: number | null;
  readonly text: string;
}

export interface SignedProvenance {
  readonly id: string;
  /** The signed envelope: a compact JWS over a batch of manifests, this manifest and its path (provenance-envelope.ts). */
  readonly manifest: string;
}

/** The answer to "did this Nara produce this text?". */
export type ProvenanceVerdict =
  | { readonly verified: true; readonly id: string; readonly manifest: Readonly<Record<string, unknown>> }
  | { readonly verified: false; readonly reason: string; readonly id?: string };

/** A signed checkpoint as stored and served: the C2SP signed note and the size it commits to. */
export interface PublishedCheckpoint {
  readonly time: string;
  readonly size: number;
  readonly note: string;
}

/** RFC 6962-style JSON proofs (base64 hashes). */
export interface InclusionProofAnswer {
  readonly leaf_index: number;
  readonly tree_size: number;
  readonly leaf_hash: string;
  readonly audit_path: readonly string[];
  readonly root_hash: string;
}

export interface ConsistencyProofAnswer {
  readonly first: number;
  readonly second: number;
  readonly first_root: string;
  readonly second_root: string;
  readonly consistency: readonly string[];
}

/** What the audit endpoints and commands need from the log: checkpoints, keys and proofs. */
export interface AuditAuthority {
  readonly origin: string;
  /** `<origin>+<key id>+<public key>`, the C2SP verifier key auditors are given. */
  readonly verifierKey: string;
  readonly latestCheckpoint: PublishedCheckpoint | undefined;
  /** Signs a checkpoint of the log as it is now (or returns the latest when the log has not grown). */
  checkpoint(): Promise<PublishedCheckpoint | undefined>;
  /** Throws an error whose message says what is wrong with the query. */
  inclusionProof(query: { readonly index?: number; readonly requestId?: string; readonly size?: number }): InclusionProofAnswer;
  consistencyProof(first: number, second: number): ConsistencyProofAnswer;
  /** A leaf's stored bytes (what its hash covers); undefined when out of range or pruned. */
  readLeaf(index: number): Promise<Uint8Array | undefined>;
  /** The signed manifest of an output, by id. */
  provenanceOf(id: string): string | undefined;
  /** Checks a text, with its manifest when given, else by looking its digest up among this Nara's outputs. */
  verifyProvenance(text: string, manifest: string | undefined): ProvenanceVerdict;
  /** Outputs of this Nara a text matches, even after light edits (only `tenant`'s when given). */
  detect(text: string, tenant?: string): DetectionAnswer;
  /** Current and retired public keys, as a JWK Set. */
  jwks(): { readonly keys: readonly Readonly<Record<string, string>>[] };
}

export interface DetectionAnswer {
  readonly matches: readonly { readonly id: string; readonly tenant: string | null; readonly similarity: number; readonly model?: string | null; readonly jurisdiction?: string | null; readonly time?: string }[];
}


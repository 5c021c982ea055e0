/**
 * Is this audit event really leaf N of the log the operator signed? Checked entirely in the
 * browser, trusting the server for nothing but bytes: the verifier key (which an auditor compares
 * with the one given out of band), the signed checkpoint, the leaf, and its inclusion proof. N comes
 * from the caller, never from the server's answer: a valid proof of some other leaf proves nothing
 * about the event the user chose.
 *
 * Six checks, in order, each reported so that a page can show exactly which passed and which
 * failed; after a failure the rest are skipped:
 *   key        the verifier key is well formed and its key hash matches its name and public key
 *   signature  the checkpoint note carries a valid Ed25519 signature by that key, for that log
 *   size       the proof is for the checkpoint's tree size, and the leaf index is below it
 *   leaf       the proof and the leaf are for the leaf the caller asked about (`expectedIndex`), and
 *              the leaf hashes (RFC 9162) to what the proof says
 *   path       the audit path has the right shape and leads from the leaf to a root
 *   root       that root is the checkpoint's signed root
 */
import { decodeBase64, encodeBase64, sameBytes, type Bytes } from './bytes.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { hashSize, inclusionPathLength, leafHash, rootFromInclusionPath } from './merkle.js';
import { checkVerifierKey, parseSignedNote, parseVerifierKey, verifyNoteSignature, type VerifierKey } from './signed-note.js';

export type VerifyStepId = 'key' | 'signature' | 'size' | 'leaf' | 'path' | 'root';

export const verifyStepIds: readonly VerifyStepId[] = ['key', 'signature', 'size', 'leaf', 'path', 'root'];

/** Why a check failed, for a page to word in its own language (`reason` is the English). */
export type VerifyFailureCode =
  | 'key-malformed'
  | 'key-hash-mismatch'
  | 'note-malformed'
  | 'checkpoint-malformed'
  | 'no-signature-by-key'
  | 'signature-malformed'
  | 'signature-invalid'
  | 'origin-mismatch'
  | 'crypto-unavailable'
  | 'proof-malformed'
  | 'size-mismatch'
  | 'index-out-of-range'
  | 'leaf-malformed'
  | 'unexpected-leaf-index'
  | 'leaf-hash-mismatch'
  | 'path-malformed'
  | 'path-length'
  | 'path-root-mismatch'
  | 'root-mismatch';

export interface VerifyStep {
  readonly id: VerifyStepId;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Set on the failed step. */
  readonly code?: VerifyFailureCode;
  /** English: what was found (on failure, why it failed). */
  readonly detail: string;
  /** The values compared, for display: hashes in base64, key hashes in hex, sizes as numbers. */
  readonly facts: Readonly<Record<string, string | number>>;
}

/** An RFC 6962-style inclusion proof as `GET /audit/v1/proof/inclusion` answers (base64 hashes). */
export interface InclusionProofInput {
  readonly leaf_index: number;
  readonly tree_size: number;
  readonly audit_path: readonly string[];
  /** The server's own leaf hash: compared with the one computed here, to tell a wrong leaf from a wrong path. */
  readonly leaf_hash?: string;
  /** The root the server says the path leads to: compared, to tell a wrong path from a forked log. */
  readonly root_hash?: string;
}

export interface VerifyInclusionInput {
  /**
   * The index of the leaf being asked about (the row the user chose), known before asking the
   * server. Required, so that no caller can forget it: without it, the real bytes and proof of leaf M
   * sent for a request about leaf N would verify.
   */
  readonly expectedIndex: number;
  /** The leaf's bytes, base64, exactly as stored. */
  readonly leafBase64: string;
  readonly proof: InclusionProofInput;
  /** The C2SP signed note of a checkpoint. */
  readonly checkpointNote: string;
  /** `<name>+<hex key hash>+<base64(0x01 ‖ Ed25519 public key)>`. */
  readonly verifierKey: string;
}

export type InclusionVerdict =
  | { readonly ok: true; readonly steps: readonly VerifyStep[]; readonly key: VerifierKey; readonly checkpoint: Checkpoint; readonly leafHash: string }
  | {
      readonly ok: false;
      readonly failedStep: VerifyStepId;
      readonly code: VerifyFailureCode;
      readonly reason: string;
      readonly steps: readonly VerifyStep[];
      readonly key?: VerifierKey;
      readonly checkpoint?: Checkpoint;
    };

class StepFailure {
  constructor(
    readonly code: VerifyFailureCode,
    readonly reason: string,
  ) {}
}

type Facts = Record<string, string | number>;

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Verifies that `leafBase64` is leaf `expectedIndex` of the tree the checkpoint signed. Never throws. */
export async function verifyInclusion(input: VerifyInclusionInput): Promise<InclusionVerdict> {
  const steps: VerifyStep[] = [];
  let key: VerifierKey | undefined;
  let checkpoint: Checkpoint | undefined;
  let computedLeaf: Bytes | undefined;
  let computedRoot: Bytes | undefined;

  const checks: Record<VerifyStepId, (facts: Facts) => Promise<string>> = {
    key: async (facts) => {
      const parsed = parseVerifierKey(String(input.verifierKey ?? ''));
      if (!parsed.ok) throw new StepFailure('key-malformed', `the verifier key is malformed: ${parsed.reason}`);
      facts.name = parsed.key.name;
      facts.keyHash = parsed.key.keyHash;
      facts.publicKey = encodeBase64(parsed.key.publicKey);
      const checked = await checkVerifierKey(parsed.key);
      facts.computedKeyHash = checked.computed;
      if (!checked.ok) throw new StepFailure('key-hash-mismatch', `the key hash ${parsed.key.keyHash} does not match the key: SHA-256 of its name and public key gives ${checked.computed}`);
      key = parsed.key;
      return `key ${key.name}+${key.keyHash}: its key hash matches its name and public key`;
    },
    signature: async (facts) => {
      const signer = key as VerifierKey;
      const parsed = parseSignedNote(String(input.checkpointNote ?? ''));
      if (!parsed.ok) throw new StepFailure('note-malformed', `the checkpoint is not a signed note: ${parsed.reason}`);
      facts.signers = parsed.note.signatures.map((signature) => `${signature.name}+${signature.keyHash}`).join(', ');
      const reading = parseCheckpoint(parsed.note.text);
      if (!reading.ok) throw new StepFailure('checkpoint-malformed', `the note is not a checkpoint: ${reading.reason}`);
      facts.origin = reading.checkpoint.origin;
      const checked = await verifyNoteSignature(parsed.note, signer);
      if (!checked.ok) throw new StepFailure(checked.code, checked.reason);
      // The log's key is named after its origin: a valid signature on another log's checkpoint proves nothing here.
      if (reading.checkpoint.origin !== signer.name) {
        throw new StepFailure('origin-mismatch', `the checkpoint is for the log ${JSON.stringify(reading.checkpoint.origin)}, but the key is ${JSON.stringify(signer.name)}'s`);
      }
      checkpoint = reading.checkpoint;
      return `the checkpoint of ${checkpoint.origin} at size ${checkpoint.size} carries a valid Ed25519 signature by ${signer.name}+${signer.keyHash}`;
    },
    size: async (facts) => {
      const signed = checkpoint as Checkpoint;
      const proof = input.proof as Partial<InclusionProofInput> | null | undefined;
      facts.checkpointSize = signed.size;
      if (proof === null || typeof proof !== 'object' || !isSize(proof.leaf_index) || !isSize(proof.tree_size) || !Array.isArray(proof.audit_path)) {
        throw new StepFailure('proof-malformed', 'the proof must have a leaf_index, a tree_size and an audit_path');
      }
      facts.proofSize = proof.tree_size;
      facts.leafIndex = proof.leaf_index;
      if (proof.tree_size !== signed.size) throw new StepFailure('size-mismatch', `the proof is for a tree of ${proof.tree_size} leaves; the checkpoint signs ${signed.size}`);
      if (proof.leaf_index >= signed.size) throw new StepFailure('index-out-of-range', `leaf ${proof.leaf_index} is not in a tree of ${signed.size} leaves`);
      return `the proof is for leaf ${proof.leaf_index} of the signed tree of ${signed.size} leaves`;
    },
    leaf: async (facts) => {
      const expected = input.expectedIndex;
      const index = input.proof.leaf_index;
      facts.expectedIndex = isSize(expected) ? expected : String(expected);
      if (!isSize(expected)) {
        facts.answeredIndex = String(index);
        throw new StepFailure('unexpected-leaf-index', `the leaf asked about, ${String(expected)}, is not a leaf index`);
      }
      // The server chose the proof: it must be for the leaf the user chose, not merely a valid one.
      if (index !== expected) {
        facts.answeredIndex = index;
        throw new StepFailure('unexpected-leaf-index', `leaf ${expected} was asked about; the proof is for leaf ${index}`);
      }
      const leaf = decodeBase64(String(input.leafBase64 ?? ''));
      if (leaf === undefined) throw new StepFailure('leaf-malformed', 'the leaf is not canonical base64');
      facts.bytes = leaf.length;
      computedLeaf = await leafHash(leaf);
      facts.leafHash = encodeBase64(computedLeaf);
      // Nara's leaves open with their own index, {"i":N,…}: the leaf must name the one asked about.
      const head = /^\{"i":(0|[1-9][0-9]*),/.exec(new TextDecoder().decode(leaf.subarray(0, 32)));
      if (head !== null) {
        facts.indexInLeaf = Number(head[1]);
        if (facts.indexInLeaf !== expected) {
          facts.answeredIndex = facts.indexInLeaf;
          throw new StepFailure('unexpected-leaf-index', `leaf ${expected} was asked about; the leaf says it is leaf ${head[1]}`);
        }
      }
      if (input.proof.leaf_hash !== undefined) {
        facts.serverLeafHash = String(input.proof.leaf_hash);
        if (facts.serverLeafHash !== facts.leafHash) {
          throw new StepFailure('leaf-hash-mismatch', `the leaf's bytes hash to ${facts.leafHash}; the proof is for the leaf hash ${facts.serverLeafHash}`);
        }
      }
      return `SHA-256(0x00 ‖ ${leaf.length} bytes of the leaf) = ${facts.leafHash}`;
    },
    path: async (facts) => {
      const proof = input.proof;
      const path: Bytes[] = [];
      for (const [position, element] of proof.audit_path.entries()) {
        const hash = typeof element === 'string' ? decodeBase64(element) : undefined;
        if (hash === undefined || hash.length !== hashSize) throw new StepFailure('path-malformed', `path element ${position} is not the base64 of a 32-byte hash`);
        path.push(hash);
      }
      facts.pathLength = path.length;
      facts.expectedLength = inclusionPathLength(proof.leaf_index, proof.tree_size) ?? 0;
      const result = await rootFromInclusionPath(computedLeaf as Bytes, proof.leaf_index, proof.tree_size, path);
      if (!result.ok) throw new StepFailure(result.code, result.reason);
      computedRoot = result.root;
      facts.computedRoot = encodeBase64(result.root);
      if (proof.root_hash !== undefined) {
        facts.serverRoot = String(proof.root_hash);
        if (facts.serverRoot !== facts.computedRoot) {
          throw new StepFailure('path-root-mismatch', `the path leads from the leaf to ${facts.computedRoot}, not to the root ${facts.serverRoot} the proof names`);
        }
      }
      return `${path.length} node hashes (RFC 9162 §2.1.3.2) lead from the leaf to ${facts.computedRoot}`;
    },
    root: async (facts) => {
      const signed = checkpoint as Checkpoint;
      facts.computedRoot = encodeBase64(computedRoot as Bytes);
      facts.checkpointRoot = signed.rootHashBase64;
      if (!sameBytes(computedRoot as Bytes, signed.rootHash)) {
        throw new StepFailure('root-mismatch', `the leaf and path give the root ${facts.computedRoot}; the signed checkpoint's root is ${facts.checkpointRoot}`);
      }
      return `the root is the signed root of the checkpoint: the event is leaf ${input.proof.leaf_index} of the log`;
    },
  };

  for (const id of verifyStepIds) {
    const facts: Facts = {};
    try {
      const detail = await checks[id](facts);
      steps.push({ id, status: 'passed', detail, facts });
    } catch (error) {
      const failure = error instanceof StepFailure ? error : new StepFailure(id === 'key' ? 'key-malformed' : 'proof-malformed', `unexpected input: ${error instanceof Error ? error.message : String(error)}`);
      steps.push({ id, status: 'failed', code: failure.code, detail: failure.reason, facts });
      for (const rest of verifyStepIds.slice(verifyStepIds.indexOf(id) + 1)) steps.push({ id: rest, status: 'skipped', detail: 'not checked: an earlier check failed', facts: {} });
      return { ok: false, failedStep: id, code: failure.code, reason: failure.reason, steps, ...(key === undefined ? {} : { key }), ...(checkpoint === undefined ? {} : { checkpoint }) };
    }
  }
  return { ok: true, steps, key: key as VerifierKey, checkpoint: checkpoint as Checkpoint, leafHash: encodeBase64(computedLeaf as Bytes) };
}

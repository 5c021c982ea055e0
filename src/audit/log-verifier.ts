/**
 * Re-checks a whole audit log from its bytes, trusting nothing the operator's process kept: every
 * leaf's index and link to the previous leaf, the segments' order, every checkpoint's signature,
 * origin and root, and the consistency of each checkpoint with the one before (RFC 9162 §2.1.4).
 * Stops at the first problem and says exactly where it is: segment, line, leaf, checkpoint.
 * Lines are not JSON-parsed: a changed byte changes the leaf's hash, which the next leaf's link and
 * the checkpoints' roots catch, and skipping the parse keeps verification at hundreds of thousands
 * of events a second (and lets the hashing run in worker threads, see leaf-facts.ts).
 */
import { parseCheckpoint } from './checkpoint.js';
import type { SegmentFacts } from './leaf-facts.js';
import { hashSize, MerkleTree, verifyConsistency, type Hash } from './merkle.js';
import { openNote, type NoteVerifier } from './signed-note.js';

export interface VerifiedSegment {
  readonly name: string;
  /** Leaf index the segment's name says it starts at. */
  readonly firstIndex: number;
  /**
   * Set when these facts continue the segment before them (a segment read in pieces, so checking
   * starts before the whole segment is hashed): the number of its lines already given.
   */
  readonly continuesAtLine?: number;
  /** The segment's lines as leaf-facts.ts reads them. */
  readonly facts: SegmentFacts;
}

export interface CheckpointInput {
  readonly size: number;
  readonly note: string;
  /** Where it is stored, for messages ("checkpoints.log line 7"). */
  readonly where: string;
}

export interface VerificationProblem {
  readonly kind: 'segment-order' | 'leaf-index' | 'leaf-changed' | 'torn-tail' | 'signature' | 'checkpoint-format' | 'checkpoint-root' | 'truncated' | 'checkpoint-order' | 'inconsistent';
  readonly message: string;
  /** The first leaf the problem concerns, when one does. */
  readonly leafIndex?: number;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly leaves: number;
  readonly checkpoints: number;
  readonly problem: VerificationProblem | undefined;
  /** The root of the whole log as read (base64), for comparing with a checkpoint held elsewhere. */
  readonly rootHash: string;
  /** Things worth knowing that do not make the log wrong (a crash's partial last line). */
  readonly warnings: readonly string[];
}

/** Segments may arrive as they are read (an async iterable), so reading and hashing overlap checking. */
export async function verifyAuditLog(
  segments: Iterable<VerifiedSegment> | AsyncIterable<VerifiedSegment>,
  checkpoints: readonly CheckpointInput[],
  /** The log's keys: the current one and any retired by a rotation (older checkpoints carry those). */
  verifiers: NoteVerifier | readonly NoteVerifier[],
  origin: string,
): Promise<VerificationReport> {
  const keys = Array.isArray(verifiers) ? verifiers : [verifiers as NoteVerifier];
  const tree = new MerkleTree();
  let previous: Hash | undefined;
  const fail = (problem: VerificationProblem): VerificationReport => ({ ok: false, leaves: tree.size, checkpoints: 0, problem, rootHash: Buffer.from(tree.root()).toString('base64'), warnings: [] });
  let lastSegment: VerifiedSegment | undefined;
  let pruned = 0;
  for await (const segment of segments) {
    const continues = segment.continuesAtLine !== undefined && lastSegment?.name === segment.name;
    if (lastSegment?.facts.tornTail === true) {
      return fail({ kind: 'torn-tail', leafIndex: tree.size, message: `segment ${lastSegment.name} ends in a partial line but is followed by ${segment.name}: bytes were cut from the middle of the log` });
    }
    if (!continues && segment.firstIndex !== tree.size) {
      return fail({
        kind: 'segment-order',
        leafIndex: tree.size,
        message: `segment ${segment.name} starts at leaf ${segment.firstIndex}, but the segments before it hold ${tree.size} leaves: a segment is missing, renamed or out of place`,
      });
    }
    const facts = segment.facts;
    if (facts.pruned) {
      // Retention removed the events; their hashes still build the tree every checkpoint signed.
      for (let line = 0; line < facts.count; line += 1) {
        previous = facts.hashes.subarray(line * hashSize, (line + 1) * hashSize);
        tree.append(previous);
      }
      pruned += facts.count;
      lastSegment = segment;
      continue;
    }
    for (let line = 0; line < facts.count; line += 1) {
      const index = tree.size;
      const where = `segment ${segment.name} line ${(segment.continuesAtLine ?? 0) + line + 1}`;
      const stated = facts.statedIndex[line] as number;
      if (stated !== index) {
        return fail({
          kind: 'leaf-index',
          leafIndex: index,
          message: stated < 0 ? `leaf ${index} (${where}) is not a leaf line: it does not start with its index` : `leaf ${index} (${where}) says it is leaf ${stated}: events were deleted, inserted or reordered here`,
        });
      }
      const link = facts.statedPrev.subarray(line * hashSize, (line + 1) * hashSize);
      const linked = facts.prevReadable[line] === 1 && (previous === undefined ? link.every((byte) => byte === 0) : equal(link, previous));
      if (!linked) {
        const changed = index - 1;
        return fail({
          kind: 'leaf-changed',
          leafIndex: Math.max(0, changed),
          message:
            index === 0
              ? `leaf 0 (${where}) links to a previous leaf, but it is the first: leaves were removed from the start of the log`
              : `leaf ${changed} was changed, or an event removed after it: its hash no longer matches the link stored in leaf ${index} (${where})`,
        });
      }
      previous = facts.hashes.subarray(line * hashSize, (line + 1) * hashSize);
      tree.append(previous);
    }
    lastSegment = segment;
  }

  let checked = 0;
  let before: { size: number; root: Hash; where: string } | undefined;
  for (const stored of checkpoints) {
    const opened = openNote(stored.note, keys);
    if (!opened.ok) return { ...fail({ kind: 'signature', message: `checkpoint at ${stored.where}: ${opened.reason}` }), checkpoints: checked };
    const parsed = parseCheckpoint(opened.text);
    if (!parsed.ok) return { ...fail({ kind: 'checkpoint-format', message: `checkpoint at ${stored.where}: ${parsed.reason}` }), checkpoints: checked };
    const { origin: signedOrigin, size, rootHash } = parsed.checkpoint;
    if (signedOrigin !== origin) return { ...fail({ kind: 'checkpoint-format', message: `checkpoint at ${stored.where} is for log "${signedOrigin}", not "${origin}"` }), checkpoints: checked };
    if (size !== stored.size) return { ...fail({ kind: 'checkpoint-format', message: `checkpoint at ${stored.where} is stored as size ${stored.size} but signed for size ${size}` }), checkpoints: checked };
    if (before !== undefined && size < before.size) {
      return { ...fail({ kind: 'checkpoint-order', message: `checkpoint at ${stored.where} has size ${size}, smaller than the one before it (${before.size} at ${before.where}): a log only grows` }), checkpoints: checked };
    }
    if (size > tree.size) {
      return {
        ...fail({
          kind: 'truncated',
          leafIndex: tree.size,
          message: `the log holds ${tree.size} leaves but the checkpoint at ${stored.where} was signed for ${size}: leaves ${tree.size} to ${size - 1} are missing (a truncated or deleted segment)`,
        }),
        checkpoints: checked,
      };
    }
    const root = tree.root(size);
    if (!equal(root, rootHash)) {
      const from = before?.size ?? 0;
      return {
        ...fail({
          kind: 'checkpoint-root',
          leafIndex: from,
          message: `the log's first ${size} leaves do not hash to the root signed at ${stored.where}: a leaf between ${from} and ${size - 1} was changed after it was signed`,
        }),
        checkpoints: checked,
      };
    }
    if (before !== undefined && !verifyConsistency(before.size, size, before.root, root, tree.consistencyProof(before.size, size))) {
      return { ...fail({ kind: 'inconsistent', message: `the checkpoint at ${stored.where} is not consistent with the one at ${before.where}` }), checkpoints: checked };
    }
    before = { size, root, where: stored.where };
    checked += 1;
  }
  // A partial last line is a write a crash interrupted: never acknowledged, not a leaf, cut off when nara serve starts.
  const warnings = lastSegment?.facts.tornTail === true ? [`segment ${lastSegment.name} ends in a partial line (a write interrupted by a crash, never acknowledged): ignored`] : [];
  if (pruned > 0) warnings.push(`${pruned} events were removed by retention: their leaf hashes were kept and checked against the checkpoints, their content cannot be`);
  return { ok: true, leaves: tree.size, checkpoints: checked, problem: undefined, rootHash: Buffer.from(tree.root()).toString('base64'), warnings };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

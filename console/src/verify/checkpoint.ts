/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the text a log signs to commit to its Merkle
 * tree at one size — origin line, decimal tree size, base64 root hash, optional extension lines,
 * each ending in a newline. Read as strictly as the server writes it: no leading zeros, canonical
 * base64 of exactly 32 bytes, sizes JavaScript counts exactly.
 */
import { decodeBase64, type Bytes } from './bytes.js';
import { parseSignedNote, type Reading, type SignedNote } from './signed-note.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Bytes;
  /** The root hash exactly as written (base64). */
  readonly rootHashBase64: string;
  readonly extensions: readonly string[];
}

function lineProblem(line: string, what: string): string | undefined {
  if (line === '') return `the ${what} is empty`;
  if (/[\p{Cc}\p{Cs}]/u.test(line)) return `the ${what} contains control characters`;
  return undefined;
}

export function parseCheckpoint(text: string): Reading<{ readonly checkpoint: Checkpoint }> {
  if (typeof text !== 'string' || !text.endsWith('\n')) return { ok: false, reason: 'a checkpoint ends in a newline' };
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, reason: 'a checkpoint has an origin, a tree size and a root hash line' };
  const [origin, sizeText, hashText, ...extensions] = lines as [string, string, string, ...string[]];
  const problem = lineProblem(origin, 'origin') ?? extensions.map((line) => lineProblem(line, 'extension line')).find((found) => found !== undefined);
  if (problem !== undefined) return { ok: false, reason: problem };
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    return { ok: false, reason: 'the tree size must be a decimal number without leading zeros, at most 2^53 − 1' };
  }
  const rootHash = decodeBase64(hashText);
  if (rootHash === undefined || rootHash.length !== 32) return { ok: false, reason: 'the root hash must be the canonical base64 of 32 bytes' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), rootHash, rootHashBase64: hashText, extensions } };
}

/** A signed checkpoint read without verifying its signatures: for showing, not for trusting. */
export function readCheckpointNote(note: string): Reading<{ readonly note: SignedNote; readonly checkpoint: Checkpoint }> {
  const parsed = parseSignedNote(note);
  if (!parsed.ok) return parsed;
  const checkpoint = parseCheckpoint(parsed.note.text);
  if (!checkpoint.ok) return checkpoint;
  return { ok: true, note: parsed.note, checkpoint: checkpoint.checkpoint };
}

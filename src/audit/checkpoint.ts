/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text a log signs to commit to its Merkle
 * tree at one size. Origin line, tree size in decimal, base64 root hash, then optional extension
 * lines, each ending in a newline. Parsing is strict (no leading zeros, canonical base64, exactly 32
 * hash bytes, sizes JavaScript can count exactly) because an auditor compares checkpoints by their
 * meaning and must never accept two spellings of one.
 */
import { hashSize, type Hash } from './merkle.js';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note.js';
import { decodeBase64, encodeBase64, hasControlCharacters, isWellFormed } from './text-rules.js';

export interface Checkpoint {
  /** Identifies the log; by convention the signing key's name too. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** MTH of the first `size` leaves (RFC 9162). */
  readonly rootHash: Hash;
  /** Opaque lines after the root hash; the specification advises against them (monitors cannot audit them). */
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Hash;
  readonly extensions?: readonly string[] | undefined;
}

export type CheckpointReading = { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly reason: string };

function lineProblem(line: string, what: string): string | undefined {
  if (line === '') return `the ${what} is empty`;
  if (!isWellFormed(line) || hasControlCharacters(line)) return `the ${what} contains control characters or is not valid UTF-8`;
  return undefined;
}

/** The checkpoint's note text. Throws on values the format cannot carry: a programming error, not input. */
export function formatCheckpoint(input: CheckpointInput): string {
  const extensions = input.extensions ?? [];
  const problem =
    lineProblem(input.origin, 'origin') ??
    (Number.isSafeInteger(input.size) && input.size >= 0 ? undefined : 'the tree size must be a non-negative safe integer') ??
    (input.rootHash instanceof Uint8Array && input.rootHash.length === hashSize ? undefined : 'the root hash must be 32 bytes') ??
    extensions.map((line) => lineProblem(line, 'extension line')).find((found) => found !== undefined);
  if (problem !== undefined) throw new RangeError(problem);
  return [input.origin, String(input.size), encodeBase64(input.rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

export function parseCheckpoint(text: string): CheckpointReading {
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
  if (rootHash === undefined || rootHash.length !== hashSize) return { ok: false, reason: 'the root hash must be the canonical base64 of 32 bytes' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), rootHash, extensions } };
}

/** The signed note of a checkpoint. The specification asks that the log's key be named after the origin. */
export function signCheckpoint(checkpoint: CheckpointInput, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a signed checkpoint from the log named `origin`: the note must verify under a known key
 * and its text must be a well-formed checkpoint for that very origin (a valid signature on another
 * log's checkpoint proves nothing about this one).
 */
export function openCheckpoint(note: string | Uint8Array, origin: string, verifiers: readonly NoteVerifier[]): CheckpointReading {
  const opened = openNote(note, verifiers);
  if (!opened.ok) return opened;
  const reading = parseCheckpoint(opened.text);
  if (!reading.ok) return reading;
  if (reading.checkpoint.origin !== origin) return { ok: false, reason: `the checkpoint is for origin ${JSON.stringify(reading.checkpoint.origin)}, not ${JSON.stringify(origin)}` };
  return reading;
}

/**
 * The audit log on disk: `audit/segments/<first leaf index, 12 digits>.jsonl`, one leaf per line,
 * append-only. Reading gives every line with its bytes exactly as stored (leaf hashes are over those
 * bytes); a last line without its newline is a write a crash cut short, which was never
 * acknowledged, so opening the log for writing cuts it off.
 *
 * Retention removes old segments but keeps their leaf hashes in `<name>.hashes` (32 bytes a leaf),
 * so the tree, its checkpoints and the proofs of the events still kept go on verifying.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const segmentPattern = /^(\d{12})\.jsonl(\.hashes)?$/;

export interface SegmentFile {
  readonly path: string;
  readonly name: string;
  /** Leaf index of the segment's first line, from its name. */
  readonly firstIndex: number;
  /** Removed by retention: only `hashesPath` is left. */
  readonly pruned: boolean;
  readonly hashesPath: string;
}

export function segmentName(firstIndex: number): string {
  return `${String(firstIndex).padStart(12, '0')}.jsonl`;
}

/** The segments in leaf order. Files that do not look like segments are ignored. */
export function listSegments(dir: string): SegmentFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const present = new Set(names);
  return names
    .flatMap((name) => {
      const match = segmentPattern.exec(name);
      if (match === null) return [];
      const segmentName = name.replace(/\.hashes$/, '');
      const pruned = match[2] !== undefined;
      // A segment and its hashes both present: pruning was interrupted before the delete; the segment counts.
      if (pruned && present.has(segmentName)) return [];
      return [{ path: join(dir, segmentName), name: segmentName, firstIndex: Number(match[1]), pruned, hashesPath: join(dir, `${segmentName}.hashes`) }];
    })
    .sort((a, b) => a.firstIndex - b.firstIndex);
}

export interface SegmentLines {
  readonly lines: Buffer[];
  /** Bytes of the complete lines (where a torn last line starts). */
  readonly completeBytes: number;
  /** A last line without its newline: the tail of an interrupted write. */
  readonly tornTail: boolean;
}

/** The lines of one segment, each without its newline. */
export function readSegmentLines(path: string): SegmentLines {
  const data = readFileSync(path);
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = data.indexOf(0x0a, start); newline !== -1; newline = data.indexOf(0x0a, start)) {
    lines.push(data.subarray(start, newline));
    start = newline + 1;
  }
  return { lines, completeBytes: start, tornTail: start < data.length };
}

/** The leaf hashes kept for a pruned segment. */
export function readPrunedHashes(path: string): Uint8Array[] {
  const data = readFileSync(path);
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset + 32 <= data.length; offset += 32) hashes.push(new Uint8Array(data.subarray(offset, offset + 32)));
  return hashes;
}


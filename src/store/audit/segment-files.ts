/**
 * The audit log on disk: `audit/segments/<first leaf index, 12 digits>.jsonl`, one leaf per line,
 * append-only. Reading gives every line with its bytes exactly as stored (leaf hashes are over those
 * bytes); a last line without its newline is a write a crash cut short, which was never
 * acknowledged, so opening the log for writing cuts it off.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const segmentPattern = /^(\d{12})\.jsonl$/;

export interface SegmentFile {
  readonly path: string;
  readonly name: string;
  /** Leaf index of the segment's first line, from its name. */
  readonly firstIndex: number;
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
  return names
    .flatMap((name) => {
      const match = segmentPattern.exec(name);
      return match === null ? [] : [{ path: join(dir, name), name, firstIndex: Number(match[1]) }];
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

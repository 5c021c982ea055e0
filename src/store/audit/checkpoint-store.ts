/**
 * Signed checkpoints of the audit log: `audit/checkpoints.log`, one JSON line per checkpoint
 * (`{"time","size","note"}`, the note being the C2SP signed note exactly as published), appended and
 * fsynced. A checkpoint commits Nara to the log's first `size` leaves: any later edit of them is
 * caught by comparing roots, and consecutive checkpoints must be consistent (RFC 9162 §2.1.4).
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredCheckpoint {
  readonly time: string;
  readonly size: number;
  /** The signed note: checkpoint body, blank line, signature lines. */
  readonly note: string;
}

export interface CheckpointLines {
  readonly checkpoints: StoredCheckpoint[];
  /** Line numbers (1-based) that are not a stored checkpoint. */
  readonly unreadable: number[];
}

export function checkpointsPath(dir: string): string {
  return join(dir, 'checkpoints.log');
}

/** Every stored checkpoint in the order written; lines that do not parse are reported, not thrown. */
export function readCheckpoints(dir: string): CheckpointLines {
  let text: string;
  try {
    text = readFileSync(checkpointsPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: [] };
    throw error;
  }
  const checkpoints: StoredCheckpoint[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    try {
      const value = JSON.parse(line) as Partial<StoredCheckpoint>;
      if (typeof value.time === 'string' && typeof value.size === 'number' && Number.isSafeInteger(value.size) && typeof value.note === 'string') {
        checkpoints.push({ time: value.time, size: value.size, note: value.note });
        return;
      }
    } catch {
      // reported below
    }
    unreadable.push(index + 1);
  });
  return { checkpoints, unreadable };
}

export async function appendCheckpoint(dir: string, checkpoint: StoredCheckpoint): Promise<void> {
  const handle = await open(checkpointsPath(dir), 'a');
  try {
    await handle.write(`${JSON.stringify(checkpoint)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

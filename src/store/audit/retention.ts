/**
 * Retention: whole segments whose every event is past its tenant's retention are removed, keeping
 * their leaf hashes beside them (`<segment>.hashes`), so the tree, its signed checkpoints and the
 * proofs of the events still kept verify as before. The segment being written is never touched.
 * The hashes are written and synced before the segment is deleted: an interruption leaves both,
 * and the segment then still counts.
 */
import { openSync, closeSync, fsyncSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { leafHash } from '../../audit/merkle.js';
import { listSegments, readSegmentLines } from './segment-files.js';

const dayMs = 86_400_000;

export interface PruneResult {
  readonly segments: readonly string[];
  readonly events: number;
}

/**
 * `retentionDays(tenant)`: how long that tenant's events are kept (null: events of no tenant, e.g.
 * refused before authentication).
 */
export function pruneSegments(dir: string, now: Date, retentionDays: (tenant: string | null) => number, keep: (name: string) => boolean): PruneResult {
  const segmentsDir = join(dir, 'segments');
  const segments = listSegments(segmentsDir).filter((segment) => !segment.pruned);
  const removed: string[] = [];
  let events = 0;
  // The newest segment is the one being written: never pruned, whatever its age.
  for (const segment of segments.slice(0, -1)) {
    if (keep(segment.name)) continue;
    const { lines, tornTail } = readSegmentLines(segment.path);
    if (tornTail || lines.length === 0) continue;
    let expired = true;
    for (const line of lines) {
      const event = JSON.parse(line.toString('utf8')) as { time?: unknown; tenant?: unknown };
      const time = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
      const tenant = typeof event.tenant === 'string' ? event.tenant : null;
      if (!(time + retentionDays(tenant) * dayMs < now.getTime())) {
        expired = false;
        break;
      }
    }
    if (!expired) break; // segments are in time order: the later ones are younger still
    const handle = openSync(segment.hashesPath, 'w');
    try {
      for (const line of lines) writeSync(handle, leafHash(line));
      fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
    rmSync(segment.path);
    removed.push(segment.name);
    events += lines.length;
  }
  return { segments: removed, events };
}

/**
 * The detection index on disk: `<audit dir>/detection.jsonl`, one `{"v","id","tenant","sketch"}`
 * line per output (the sketch as base64 of its 32-bit hashes: keyed, truncated, no text), appended
 * in batches (batched-appender.ts) and read back into a DetectionIndex at start. `v` names the
 * fingerprint scheme (2: shingles hashed over UTF-16LE); lines of another scheme could never match
 * a query hashed today, so they are skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectionIndex, type DetectionEntry } from '../../audit/detection-index.js';
import { BatchedAppender } from './batched-appender.js';

/** The fingerprint scheme of shingles.ts: bump it whenever sketches of the same text would change. */
export const sketchScheme = 2;

export function detectionPath(dir: string): string {
  return join(dir, 'detection.jsonl');
}

/** Every stored entry; lines that do not parse (a crash's torn tail) are skipped. */
export function readDetectionIndex(dir: string): DetectionIndex {
  const index = new DetectionIndex();
  const path = detectionPath(dir);
  if (!existsSync(path)) return index;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const value = JSON.parse(line) as { v?: unknown; id?: unknown; tenant?: unknown; sketch?: unknown };
      if (value.v !== sketchScheme || typeof value.id !== 'string' || typeof value.sketch !== 'string') continue;
      const bytes = Buffer.from(value.sketch, 'base64');
      const sketch = new Uint32Array(bytes.length / 4);
      for (let at = 0; at < sketch.length; at += 1) sketch[at] = bytes.readUInt32BE(at * 4);
      index.add({ id: value.id, tenant: typeof value.tenant === 'string' ? value.tenant : null, sketch });
    } catch {
      // skipped
    }
  }
  return index;
}

export class DetectionStore {
  readonly index: DetectionIndex;
  readonly #file: BatchedAppender;

  private constructor(index: DetectionIndex, file: BatchedAppender) {
    this.index = index;
    this.#file = file;
  }

  static async open(dir: string): Promise<DetectionStore> {
    return new DetectionStore(readDetectionIndex(dir), await BatchedAppender.open(detectionPath(dir)));
  }

  add(entry: DetectionEntry): void {
    this.index.add(entry);
    const bytes = Buffer.alloc(entry.sketch.length * 4);
    entry.sketch.forEach((hash, at) => bytes.writeUInt32BE(hash, at * 4));
    this.#file.append(`${JSON.stringify({ v: sketchScheme, id: entry.id, tenant: entry.tenant, sketch: bytes.toString('base64') })}\n`);
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

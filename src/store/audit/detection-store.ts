/**
 * The detection index on disk: `<audit dir>/detection.jsonl`, one `{"id","tenant","sketch"}` line
 * per output (the sketch as base64 of its 32-bit hashes: keyed, truncated, no text), written in one
 * batch per event-loop turn and read back into a DetectionIndex at start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DetectionIndex, type DetectionEntry } from '../../audit/detection-index.js';

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
      const value = JSON.parse(line) as { id?: unknown; tenant?: unknown; sketch?: unknown };
      if (typeof value.id !== 'string' || typeof value.sketch !== 'string') continue;
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
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #queue: Promise<void> = Promise.resolve();

  private constructor(index: DetectionIndex) {
    this.index = index;
  }

  static async open(dir: string): Promise<DetectionStore> {
    const store = new DetectionStore(readDetectionIndex(dir));
    store.#handle = await open(detectionPath(dir), 'a');
    return store;
  }

  add(entry: DetectionEntry): void {
    this.index.add(entry);
    const bytes = Buffer.alloc(entry.sketch.length * 4);
    entry.sketch.forEach((hash, at) => bytes.writeUInt32BE(hash, at * 4));
    this.#pending.push(`${JSON.stringify({ id: entry.id, tenant: entry.tenant, sketch: bytes.toString('base64') })}\n`);
    if (this.#pending.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const data = this.#pending.join('');
    this.#pending = [];
    this.#queue = this.#queue
      .then(async () => {
        await this.#handle?.write(data);
      })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#pending.length > 0) this.#flush();
    await this.#queue;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

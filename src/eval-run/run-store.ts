/**
 * A run's folder: `run.json` (the manifest: tasks with their data's SHA-256, endpoints without
 * keys, every setting that decides an answer) and `records.jsonl` (one line per instance asked:
 * prompt, raw answer, what was read from it, score, latency, tokens, or the error). Records are
 * appended as answers arrive, so an interrupted run loses at most the answers in flight; resuming
 * reads the file and never asks an answered instance again.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface InstanceRecord {
  readonly task: string;
  readonly endpoint: string;
  readonly id: string;
  readonly line: number;
  readonly language: string;
  readonly subject: string;
  readonly competency: string;
  readonly prompt: string;
  readonly raw: string | null;
  readonly picked: number | null;
  readonly answer: number | null;
  readonly references?: readonly string[];
  readonly score: number | null;
  /** Every metric's score by name, where the task scores more than one (log-likelihood: accuracy, acc_norm, acc_bytes); `score` is the first's. */
  readonly scores?: Readonly<Record<string, number>>;
  /** Chance score (1 / choices; 0 for generation). */
  readonly random: number;
  readonly method: string | null;
  readonly latencyMs: number;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly attempts: number;
  /** Set when no answer came (after retries) or the record could not become an instance. */
  readonly error: string | null;
  /** Through a Nara (--via): its safety action and hazards, and a refusal's code. */
  readonly nara?: { readonly safetyAction: string | null; readonly hazards: readonly string[]; readonly refusedWith: string | null } | undefined;
}

export const recordsFile = 'records.jsonl';
export const manifestFile = 'run.json';

export function recordKey(task: string, endpoint: string, id: string): string {
  return `${task}\u0000${endpoint}\u0000${id}`;
}

/** Whether a record settles its instance: an answer (or a policy refusal) rather than an error to retry. */
export function isSettled(record: InstanceRecord): boolean {
  return record.error === null || record.error.startsWith('refused:');
}

export class RunStore {
  readonly dir: string;
  #out: WriteStream | undefined;
  /** One wait for 'drain' shared by every worker that hit back-pressure (not a listener each). */
  #drained: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, recordsFile);
    // A torn last line (killed mid-write) is ended first, so the next record is not glued onto it.
    const size = await stat(path).then((info) => info.size, () => 0);
    if (size > 0) {
      const handle = await open(path, 'r+');
      try {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await handle.write('\n', size);
      } finally {
        await handle.close();
      }
    }
    this.#out = createWriteStream(path, { flags: 'a' });
  }

  /** Appends a record; waits only when the disk is slower than the answers (back-pressure). */
  async append(record: InstanceRecord): Promise<void> {
    const out = this.#out;
    if (out === undefined) throw new Error('RunStore.append before open');
    if (!out.write(`${JSON.stringify(record)}\n`) || this.#drained !== undefined) {
      this.#drained ??= new Promise<void>((resolve) => out.once('drain', resolve)).finally(() => (this.#drained = undefined));
      await this.#drained;
    }
  }

  async close(): Promise<void> {
    const out = this.#out;
    this.#out = undefined;
    if (out !== undefined) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async writeManifest(manifest: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  async readManifest(): Promise<unknown> {
    return JSON.parse(await readFile(join(this.dir, manifestFile), 'utf8')) as unknown;
  }
}

/**
 * Every record of a run folder, streamed (a 100,000-instance run is read without holding its file).
 * A torn last line (the process was killed mid-write) is skipped; the instance is asked again.
 */
export async function* readRecords(dir: string): AsyncGenerator<InstanceRecord> {
  const path = join(dir, recordsFile);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as InstanceRecord;
    } catch {
      // a torn line from an interrupted write
    }
  }
}

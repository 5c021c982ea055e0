/**
 * An append-only file written in batches: lines added during one turn of the event loop go out in
 * one write (one per line would cost a system call each), writes run one after another so the
 * file grows in the order lines were added, and `close` writes what is still pending.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class BatchedAppender {
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #queue: Promise<void> = Promise.resolve();

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens `path` for appending; `keepBytes` cuts a torn tail (a crash's half line) off first. */
  static async open(path: string, keepBytes?: number): Promise<BatchedAppender> {
    const handle = await open(path, 'a');
    if (keepBytes !== undefined && keepBytes < (await handle.stat()).size) await handle.truncate(keepBytes);
    return new BatchedAppender(handle);
  }

  append(line: string): void {
    this.#pending.push(line);
    if (this.#pending.length === 1) setImmediate(() => this.#flush());
  }

  async close(): Promise<void> {
    if (this.#pending.length > 0) this.#flush();
    await this.#queue;
    await this.#handle?.close();
    this.#handle = undefined;
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
}

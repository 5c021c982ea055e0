/**
 * An append-only file written in batches: lines added during one turn of the event loop go out in
 * one write. The write is synchronous: a few kilobytes into the page cache cost microseconds,
 * where handing them to libuv's thread pool cost a thread wake-up and two context switches per
 * batch (the largest part of the provenance cost at low load). These files are indexes next to the
 * audit log (which alone is fsynced), so nothing here waits for the disk.
 *
 * A failed write (disk full) keeps the unwritten bytes, in order, and tries again on the next batch
 * or a second later, so the file never gets a hole or a torn line in the middle: readers rely on
 * lines' byte offsets.
 */
import { closeSync, ftruncateSync, fstatSync, openSync, writeSync } from 'node:fs';

const retryMs = 1000;

export class BatchedAppender {
  #fd: number | undefined;
  #pending: string[] = [];
  /** Bytes of earlier batches a failed write left behind, written before anything newer. */
  #unwritten: Buffer | undefined;
  #scheduled = false;
  #retry: NodeJS.Timeout | undefined;
  /** Why the last write failed, while bytes are waiting; undefined when all is on its way to disk. */
  problem: string | undefined;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Opens `path` for appending; `keepBytes` cuts a torn tail (a crash's half line) off first. */
  static open(path: string, keepBytes?: number): Promise<BatchedAppender> {
    const fd = openSync(path, 'a');
    if (keepBytes !== undefined && keepBytes < fstatSync(fd).size) ftruncateSync(fd, keepBytes);
    return Promise.resolve(new BatchedAppender(fd));
  }

  append(line: string): void {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  close(): Promise<void> {
    this.#flush();
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    return this.problem === undefined ? Promise.resolve() : Promise.reject(new Error(`closed with unwritten lines: ${this.problem}`));
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#fd === undefined) return;
    const fresh = this.#pending.length === 0 ? undefined : Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    let data = this.#unwritten === undefined ? fresh : fresh === undefined ? this.#unwritten : Buffer.concat([this.#unwritten, fresh]);
    if (data === undefined) return;
    try {
      while (data.length > 0) data = data.subarray(writeSync(this.#fd, data));
      this.#unwritten = undefined;
      this.problem = undefined;
    } catch (error) {
      this.#unwritten = data;
      this.problem = (error as NodeJS.ErrnoException).code ?? String(error);
      this.#retry ??= setTimeout(() => {
        this.#retry = undefined;
        this.#flush();
      }, retryMs).unref();
    }
  }
}

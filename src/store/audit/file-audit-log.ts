/**
 * The embedded audit log: segment files of leaves (segment-files.ts), an RFC 9162 Merkle tree over
 * them kept in memory, and signed checkpoints (checkpoint-store.ts).
 *
 * Appends are group-committed: events that arrive while a write is in flight wait and go out
 * together in the next write, so one fsync covers every request that finished meanwhile. In
 * `strict` mode `append` resolves after that fsync; in `batched` mode after the write (the page
 * cache), with an fsync at least every `flushIntervalMs`, so a power cut loses at most that much
 * while a killed process loses nothing it acknowledged. Leaf indices are given at commit time, so a
 * failed write leaves no gap: the file is cut back to where it was and the batch is refused.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { firstPrev, requestIdOfLine, serializeLeaf } from '../../audit/audit-leaf.js';
import { leafHash, MerkleTree, type Hash } from '../../audit/merkle.js';
import type { AuditEvent, AuditSink } from '../../spec/audit.js';
import { listSegments, readPrunedHashes, readSegmentLines, segmentName } from './segment-files.js';
import { LeafLocations } from './leaf-locations.js';

export interface FileAuditLogOptions {
  readonly dir: string;
  readonly mode: 'strict' | 'batched';
  /** A new segment starts once the current one reaches this size. */
  readonly segmentBytes: number;
  /** Batched mode: the longest an acknowledged event waits for its fsync. */
  readonly flushIntervalMs: number;
  /** Told of every leaf: those read back at open (as stored bytes), then each one appended. */
  readonly observer?: AuditLeafObserver | undefined;
}

/** Someone building a view of the log (the console's insights) as it is read and as it grows. */
export interface AuditLeafObserver {
  /** A leaf already on disk at open, in index order (pruned leaves are not reported). */
  stored(index: number, line: Buffer): void;
  /** A leaf just committed. */
  appended(index: number, event: AuditEvent): void;
}

interface Pending {
  readonly event: AuditEvent;
  readonly resolve: (index: number) => void;
  readonly reject: (error: Error) => void;
}

const newline = Buffer.from('\n');
/** After a failed write, appends are refused at once for this long before the disk is tried again. */
const retryAfterFailureMs = 1_000;

export class AuditWriteError extends Error {}

export class FileAuditLog implements AuditSink {
  readonly durable: boolean;
  readonly tree: MerkleTree;
  readonly #options: FileAuditLogOptions;
  readonly #segmentsDir: string;
  /** Leaf index of each request id (the last one, when a client reused an id). */
  readonly #byRequestId = new Map<string, number>();
  #locations = new LeafLocations();
  #segmentPath = '';
  #lastHash: Hash | undefined;
  #handle: FileHandle | undefined;
  #segmentSize = 0;
  #queue: Pending[] = [];
  #writing = false;
  #failure: { readonly reason: string; readonly at: number } | undefined;
  #unsynced = false;
  #syncTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #lock: string | undefined;

  private constructor(options: FileAuditLogOptions, tree: MerkleTree, lastHash: Hash | undefined) {
    this.#options = options;
    this.durable = options.mode === 'strict';
    this.#segmentsDir = join(options.dir, 'segments');
    this.tree = tree;
    this.#lastHash = lastHash;
  }

  /** Reads every segment back, cuts off a torn last line, and opens the last segment for appending. */
  static async open(options: FileAuditLogOptions): Promise<FileAuditLog> {
    const segmentsDir = join(options.dir, 'segments');
    mkdirSync(segmentsDir, { recursive: true });
    const lock = takeLock(options.dir);
    const tree = new MerkleTree();
    let lastHash: Hash | undefined;
    const byRequestId = new Map<string, number>();
    const locations = new LeafLocations();
    const segments = listSegments(segmentsDir);
    let lastLines = { completeBytes: 0, tornTail: false };
    for (const segment of segments) {
      if (segment.pruned) {
        const hashes = readPrunedHashes(segment.hashesPath);
        for (const hash of hashes) {
          lastHash = hash;
          tree.append(hash);
        }
        locations.skip(hashes.length);
        lastLines = { completeBytes: 0, tornTail: false };
        continue;
      }
      const read = readSegmentLines(segment.path);
      let offset = 0;
      for (const line of read.lines) {
        lastHash = leafHash(line);
        const requestId = requestIdOfLine(line.toString('utf8'));
        if (requestId !== undefined) byRequestId.set(requestId, tree.size);
        locations.add(segment.path, offset, line.length);
        options.observer?.stored(tree.size, line);
        offset += line.length + 1;
        tree.append(lastHash);
      }
      lastLines = read;
    }
    const log = new FileAuditLog(options, tree, lastHash);
    log.#lock = lock;
    for (const [id, index] of byRequestId) log.#byRequestId.set(id, index);
    log.#locations = locations;
    const last = segments[segments.length - 1];
    // After a pruned last segment (never the one being written, but be safe) a new one starts.
    const path = last === undefined || last.pruned ? join(segmentsDir, segmentName(tree.size)) : last.path;
    log.#handle = await open(path, 'a+');
    log.#segmentPath = path;
    if (lastLines.tornTail) await log.#handle.truncate(lastLines.completeBytes);
    log.#segmentSize = lastLines.completeBytes;
    if (!log.durable) log.#syncTimer = setInterval(() => void log.#syncNow(), options.flushIntervalMs).unref();
    return log;
  }

  get size(): number {
    return this.tree.size;
  }

  leafIndexOf(requestId: string): number | undefined {
    return this.#byRequestId.get(requestId);
  }

  /** The stored bytes of a leaf (without its newline); undefined when out of range or pruned. */
  async readLeaf(index: number): Promise<Buffer | undefined> {
    const location = this.#locations.get(index);
    if (location === undefined) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(location.path, 'r');
    } catch (error) {
      // Retention removed the segment since it was located: the leaf is gone, only its hash is kept.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(location.length);
      const { bytesRead } = await handle.read(buffer, 0, location.length, location.offset);
      return bytesRead === location.length ? buffer : undefined;
    } finally {
      await handle.close();
    }
  }

  unavailable(): string | undefined {
    const failure = this.#failure;
    if (this.#closed) return 'the audit log is closed';
    return failure !== undefined && Date.now() - failure.at < retryAfterFailureMs ? failure.reason : undefined;
  }

  append(event: AuditEvent): Promise<number> {
    const refused = this.unavailable();
    if (refused !== undefined) return Promise.reject(new AuditWriteError(refused));
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  /** Resolves once every event appended so far is on disk (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#writing || this.#queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await this.#syncNow();
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#syncTimer !== undefined) clearInterval(this.#syncTimer);
    await this.#handle?.close();
    this.#handle = undefined;
    if (this.#lock !== undefined) rmSync(this.#lock, { force: true });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#commit(batch);
      }
    } finally {
      this.#writing = false;
    }
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    if (this.#handle === undefined && !this.#closed) await this.#openSegment();
    const handle = this.#handle;
    if (handle === undefined) {
      const reason = this.#closed ? 'the audit log is closed' : (this.#failure?.reason ?? 'the audit log has no open segment');
      for (const item of batch) item.reject(new AuditWriteError(reason));
      return;
    }
    const parts: Buffer[] = [];
    const lengths: number[] = [];
    const hashes: Hash[] = [];
    let index = this.tree.size;
    let previous = this.#lastHash;
    for (const item of batch) {
      const bytes = serializeLeaf(index, previous === undefined ? firstPrev : Buffer.from(previous).toString('hex'), item.event);
      previous = leafHash(bytes);
      hashes.push(previous);
      parts.push(bytes, newline);
      lengths.push(bytes.length);
      index += 1;
    }
    const before = this.#segmentSize;
    const data = Buffer.concat(parts);
    try {
      // Written synchronously (into the page cache: microseconds), synced through the thread pool
      // (milliseconds): a thread-pool write cost a wake-up and context switches per group commit.
      for (let written = 0; written < data.length; ) written += writeSync(handle.fd, data, written);
      if (this.durable) await handle.datasync();
      else this.#unsynced = true;
    } catch (error) {
      const reason = `cannot write the audit log: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      this.#failure = { reason, at: Date.now() };
      // Leave no half batch behind: its events were refused, so they must not appear later.
      await handle.truncate(before).catch(() => undefined);
      for (const item of batch) item.reject(new AuditWriteError(reason));
      return;
    }
    this.#failure = undefined;
    this.#segmentSize += data.length;
    const firstIndex = this.tree.size;
    let at = before;
    batch.forEach((item, offset) => {
      this.tree.append(hashes[offset] as Hash);
      this.#byRequestId.set(item.event.requestId, firstIndex + offset);
      const length = lengths[offset] as number;
      this.#locations.add(this.#segmentPath, at, length);
      at += length + 1;
    });
    this.#lastHash = previous;
    const observer = this.#options.observer;
    batch.forEach((item, offset) => {
      item.resolve(firstIndex + offset);
      // A view of the log must never fail the log itself.
      try {
        observer?.appended(firstIndex + offset, item.event);
      } catch {
        /* the observer's own problem; the event is on disk */
      }
    });
    if (this.#segmentSize >= this.#options.segmentBytes) await this.#rotate();
  }

  async #rotate(): Promise<void> {
    await this.#syncNow();
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    await this.#openSegment();
  }

  /** Starts the segment for the next leaf; a failure (directory gone, unwritable) refuses appends until one opens. */
  async #openSegment(): Promise<void> {
    try {
      const path = join(this.#segmentsDir, segmentName(this.tree.size));
      this.#handle = await open(path, 'a+');
      this.#segmentPath = path;
      this.#segmentSize = 0;
      if (this.durable) await syncDirectory(this.#segmentsDir);
    } catch (error) {
      this.#failure = { reason: `cannot start a new audit segment: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, at: Date.now() };
    }
  }

  async #syncNow(): Promise<void> {
    if (!this.#unsynced || this.#handle === undefined) return;
    this.#unsynced = false;
    await this.#handle.datasync().catch((error: unknown) => {
      this.#failure = { reason: `cannot sync the audit log: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, at: Date.now() };
    });
  }
}

/** A new file's name is durable only once its directory is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class AuditLockError extends Error {}

/**
 * One writer per audit directory: two processes appending to the same segments would interleave
 * their leaves and break the tree. The lock file names the holder; one whose process is gone (a
 * crash) is taken over.
 */
export function takeLock(dir: string): string {
  const path = join(dir, 'LOCK');
  const me = `${process.pid} ${hostname()}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, me, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [pid = '', host = ''] = readFileSync(path, 'utf8').split(' ');
    if (host === hostname() && isAlive(Number(pid)) && Number(pid) !== process.pid) {
      throw new AuditLockError(`the audit directory ${dir} is in use by another Nara process (pid ${pid}): give each replica its own data directory (--data-dir) or audit.dir`);
    }
    if (host !== hostname() && host !== '') {
      throw new AuditLockError(`the audit directory ${dir} is locked by Nara on host ${host} (pid ${pid}); if that process is gone, delete ${path}`);
    }
    rmSync(path, { force: true });
  }
  throw new AuditLockError(`cannot lock the audit directory ${dir}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}


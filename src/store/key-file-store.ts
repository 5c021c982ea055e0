/**
 * The embedded key store: one JSON file under the data directory, written atomically (temp file +
 * rename) under a lock file so that concurrent `nara keys` commands never lose a key. The server
 * keeps the keys in memory and re-reads the file when it changes.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiKeyRecord } from './api-key.js';

interface KeyFile {
  readonly version: 1;
  readonly keys: ApiKeyRecord[];
}

const lockWaitMs = 5_000;
const staleLockMs = 30_000;

export class KeyFileStore {
  readonly filePath: string;

  constructor(readonly dataDir: string) {
    this.filePath = join(dataDir, 'keys.json');
  }

  list(): ApiKeyRecord[] {
    let text: string;
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = JSON.parse(text) as KeyFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) {
      throw new Error(`${this.filePath} is not a Nara key file (version 1)`);
    }
    return parsed.keys;
  }

  /** Modification time, so a reader can tell cheaply whether to re-read. */
  version(): number {
    try {
      return statSync(this.filePath).mtimeMs;
    } catch {
      return 0;
    }
  }

  add(record: ApiKeyRecord): void {
    this.update((keys) => [...keys, record]);
  }

  /** Marks keys revoked by id; returns the records that changed. */
  revoke(id: string, at: Date = new Date()): ApiKeyRecord | undefined {
    let changed: ApiKeyRecord | undefined;
    this.update((keys) =>
      keys.map((key) => {
        if (key.id !== id || key.revokedAt !== undefined) return key;
        changed = { ...key, revokedAt: at.toISOString() };
        return changed;
      }),
    );
    return changed;
  }

  private update(change: (keys: ApiKeyRecord[]) => ApiKeyRecord[]): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const release = this.lock();
    try {
      const next: KeyFile = { version: 1, keys: change(this.list()) };
      const temp = `${this.filePath}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, this.filePath);
    } finally {
      release();
    }
  }

  private lock(): () => void {
    const lockPath = `${this.filePath}.lock`;
    const deadline = Date.now() + lockWaitMs;
    for (;;) {
      try {
        closeSync(openSync(lockPath, 'wx', 0o600));
        return () => rmSync(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (Date.now() - this.lockAge(lockPath) > staleLockMs) rmSync(lockPath, { force: true });
        else if (Date.now() > deadline) throw new Error(`${lockPath} is held by another nara command; retry, or delete it if no nara command is running`);
        else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  private lockAge(lockPath: string): number {
    try {
      return statSync(lockPath).mtimeMs;
    } catch {
      return Date.now();
    }
  }
}

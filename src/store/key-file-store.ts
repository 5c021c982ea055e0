/**
 * Synchronous access to the embedded key file for `nara keys` and the file key index: the same
 * files, lock and atomic writes as FileDirectoryStore (src/store/file/), so the two never lose each
 * other's changes. It blocks while waiting for the lock, so a server uses FileDirectoryStore.
 */
import { mkdirSync, statSync } from 'node:fs';
import type { ApiKeyRecord } from '../spec/directory.js';
import { directoryPaths, keyFile, keysFrom, revokedBy, type DirectoryPaths } from './file/directory-files.js';
import { readJsonFileSync, withLockSync, writeJsonFileSync } from './file/json-file.js';

export class KeyFileStore {
  readonly filePath: string;
  private readonly paths: DirectoryPaths;

  constructor(readonly dataDir: string) {
    this.paths = directoryPaths(dataDir);
    this.filePath = this.paths.keys;
  }

  list(): ApiKeyRecord[] {
    return keysFrom(readJsonFileSync(this.filePath), this.filePath);
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

  /** Revokes a key now (sooner, if it was due to be revoked later); returns it when it changed. */
  revoke(id: string, at: Date = new Date()): ApiKeyRecord | undefined {
    let changed: ApiKeyRecord | undefined;
    this.update((keys) =>
      keys.map((key) => {
        if (key.id !== id) return key;
        const revoked = revokedBy(key, at.toISOString());
        if (revoked !== key) changed = revoked;
        return revoked;
      }),
    );
    return changed;
  }

  private update(change: (keys: ApiKeyRecord[]) => ApiKeyRecord[]): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    withLockSync(this.paths.lock, () => writeJsonFileSync(this.filePath, keyFile(change(this.list()))));
  }
}

/**
 * API keys held in memory for the request path (a hash and a Map lookup, no disk I/O), reloaded
 * when the key file changes so that `nara keys create/revoke` take effect on a running server
 * within one poll interval.
 */
import { watchFile, unwatchFile } from 'node:fs';
import type { KeyIndex, KeyLookup } from '../spec/auth.js';
import { hashApiKey, type ApiKeyRecord } from './api-key.js';
import type { KeyFileStore } from './key-file-store.js';

/** Bound on remembered tokens, so that a flood of distinct keys cannot grow memory. */
const maxRememberedTokens = 10_000;

export class FileKeyIndex implements KeyIndex {
  private byHash = new Map<string, ApiKeyRecord>();
  /** Known tokens seen recently → their lookup, to skip hashing on every request. Cleared on reload. */
  private byToken = new Map<string, KeyLookup>();
  private watching = false;

  constructor(private readonly store: KeyFileStore, private readonly onReloadError: (error: unknown) => void = () => undefined) {
    this.reload();
  }

  lookup(token: string): KeyLookup {
    const remembered = this.byToken.get(token);
    if (remembered !== undefined) return remembered;
    const record = this.byHash.get(hashApiKey(token));
    // Unknown tokens are not remembered: they would let anyone fill the map.
    if (record === undefined) return { status: 'unknown' };
    const found: KeyLookup =
      record.revokedAt !== undefined
        ? { status: 'revoked', keyId: record.id }
        : { status: 'active', principal: { tenantId: record.tenantId, keyId: record.id, keyLimits: undefined, keyModels: undefined } };
    if (this.byToken.size >= maxRememberedTokens) this.byToken.clear();
    this.byToken.set(token, found);
    return found;
  }

  /** Re-reads the key file; on a bad file the keys in memory stay as they were. */
  reload(): void {
    try {
      this.byHash = new Map(this.store.list().map((record) => [record.hash, record]));
      this.byToken = new Map();
    } catch (error) {
      this.onReloadError(error);
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Polls the file's mtime (works on every file system, unlike inotify on network mounts). */
  watch(intervalMs = 1_000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.store.filePath, { interval: intervalMs, persistent: false }, () => this.reload());
  }

  close(): void {
    if (this.watching) unwatchFile(this.store.filePath);
    this.watching = false;
  }
}

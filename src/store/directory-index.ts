/**
 * The directory held in memory for the request path: API keys by hash and the tenants created
 * through the admin API. A request costs a hash and a Map lookup, never I/O. The index polls the
 * store's cheap version marker (a file mtime, a row in PostgreSQL) and reloads when it changes, so a
 * key created or revoked on any replica is honoured by every replica within one poll interval.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyIndex, KeyLookup, Principal } from '../spec/auth.js';
import type { ApiKeyRecord, DirectoryStore, TenantRecord } from '../spec/directory.js';
import { hashApiKey } from './api-key.js';

/** Bound on remembered tokens, so that a flood of distinct keys cannot grow memory. */
const maxRememberedTokens = 10_000;

interface IndexedKey {
  readonly record: ApiKeyRecord;
  readonly principal: Principal;
  /** Milliseconds since the epoch; Infinity when never. */
  readonly revokedAtMs: number;
  readonly expiresAtMs: number;
}

export interface DirectoryIndexOptions {
  /** Hash of the admin token, so that it is recognised (and refused) on tenant endpoints. */
  readonly adminToken?: string | undefined;
  /** Called after every reload that changed the admin-managed tenants. */
  readonly onTenants?: (tenants: readonly TenantRecord[]) => void;
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

export class DirectoryIndex implements KeyIndex {
  private byHash = new Map<string, IndexedKey>();
  /** Known tokens → their entry, to skip hashing on every request. Cleared on reload. */
  private byToken = new Map<string, IndexedKey>();
  private tenantRecords: readonly TenantRecord[] = [];
  private tenantByKeyId = new Map<string, string>();
  private loadedVersion: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private readonly adminDigest: Buffer | undefined;
  private readonly now: () => number;

  private constructor(private readonly store: DirectoryStore, private readonly options: DirectoryIndexOptions) {
    this.adminDigest = options.adminToken === undefined ? undefined : sha256(options.adminToken);
    this.now = options.now ?? Date.now;
  }

  /** Loads the directory once; throws when the store cannot be read (a server must not start blind). */
  static async open(store: DirectoryStore, options: DirectoryIndexOptions = {}): Promise<DirectoryIndex> {
    const index = new DirectoryIndex(store, options);
    await index.reload();
    return index;
  }

  lookup(token: string): KeyLookup {
    let entry = this.byToken.get(token);
    if (entry === undefined) {
      entry = this.byHash.get(hashApiKey(token));
      if (entry === undefined) {
        if (this.adminDigest !== undefined && timingSafeEqual(sha256(token), this.adminDigest)) return { status: 'admin' };
        // Unknown tokens are not remembered: they would let anyone fill the map.
        return { status: 'unknown' };
      }
      if (this.byToken.size >= maxRememberedTokens) this.byToken.clear();
      this.byToken.set(token, entry);
    }
    // Times are checked on every request: a rotated key stays valid until its grace period ends.
    const now = this.now();
    if (now >= entry.revokedAtMs) return { status: 'revoked', keyId: entry.record.id };
    if (now >= entry.expiresAtMs) return { status: 'expired', keyId: entry.record.id };
    return { status: 'active', principal: entry.principal };
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The tenant a key id belongs to (revoked keys included), for budgets kept per key. */
  tenantOfKey(keyId: string): string | undefined {
    return this.tenantByKeyId.get(keyId);
  }

  get tenants(): readonly TenantRecord[] {
    return this.tenantRecords;
  }

  /**
   * Re-reads the directory now (also called by the poller when the version changes). Reloads run
   * one after another, so a load begun before a change can never land after one begun after it.
   */
  reload(): Promise<void> {
    const run = this.reloading.then(() => this.load());
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const snapshot = await this.store.load();
    const byHash = new Map<string, IndexedKey>();
    for (const record of snapshot.keys) byHash.set(record.hash, indexKey(record));
    this.byHash = byHash;
    this.tenantByKeyId = new Map(snapshot.keys.map((record) => [record.id, record.tenantId]));
    this.byToken = new Map();
    const tenantsChanged = JSON.stringify(snapshot.tenants) !== JSON.stringify(this.tenantRecords);
    this.tenantRecords = snapshot.tenants;
    this.loadedVersion = snapshot.version;
    if (tenantsChanged) this.options.onTenants?.(snapshot.tenants);
  }

  /** Polls the version marker; a failed poll keeps the directory already loaded and tries again. */
  watch(intervalMs = 500): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  /** Reloads if the store changed since the last load. Overlapping calls share one refresh. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const version = await this.store.version();
        if (version !== this.loadedVersion) await this.reload();
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function indexKey(record: ApiKeyRecord): IndexedKey {
  return {
    record,
    principal: {
      tenantId: record.tenantId,
      keyId: record.id,
      keyLimits: record.limits !== undefined && Object.keys(record.limits).length > 0 ? record.limits : undefined,
      keyModels: record.models === undefined ? undefined : new Set(record.models),
    },
    revokedAtMs: record.revokedAt === undefined ? Infinity : Date.parse(record.revokedAt),
    expiresAtMs: record.expiresAt === undefined ? Infinity : Date.parse(record.expiresAt),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

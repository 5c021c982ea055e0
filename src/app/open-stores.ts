/**
 * Opens where tenants, keys and usage live: PostgreSQL when `database.url` is set (migrations run
 * on open), otherwise files under the data directory. Also opens the limiter: Redis when
 * `redis.url` is set (shared by replicas), otherwise in this process. Budgets start from what the
 * usage ledger says was already spent, so a restart never resets them.
 */
import type { NaraConfig } from '../config/types.js';
import { MemoryLimiter } from '../limits/memory-limiter.js';
import type { DirectoryStore } from '../spec/directory.js';
import type { BudgetBaseline, Limiter, ScopeKind } from '../spec/limits.js';
import type { UsageLedger } from '../spec/usage.js';
import { FileDirectoryStore } from '../store/file/file-directory-store.js';
import { FileUsageLedger } from '../store/file/file-usage-ledger.js';
import { openPostgres } from '../store/postgres/open-postgres.js';
import { RedisLimiter } from '../store/redis/redis-limiter.js';

export interface Stores {
  readonly directory: DirectoryStore;
  readonly ledger: UsageLedger;
  /** "embedded (/path/.nara)" or "postgresql (host:5432/db)", for the start-up log line. */
  readonly description: string;
  close(): Promise<void>;
}

/** Files under the data directory: no server needed. */
export function openEmbeddedStores(dataDir: string): Stores {
  const directory = new FileDirectoryStore(dataDir);
  const ledger = new FileUsageLedger(dataDir);
  return {
    directory,
    ledger,
    description: `embedded (${dataDir})`,
    async close() {
      await Promise.allSettled([directory.close(), ledger.close()]);
    },
  };
}

export async function openStores(config: NaraConfig): Promise<Stores> {
  if (config.databaseUrl === undefined) return openEmbeddedStores(config.dataDir);
  const postgres = await openPostgres(config.databaseUrl);
  return {
    directory: postgres.directory,
    ledger: postgres.ledger,
    description: `postgresql (${describeUrl(config.databaseUrl)})`,
    close: () => postgres.close(),
  };
}

/**
 * `currencyOf` names the budget currency of a tenant or key: spending in other currencies is never
 * counted against a cost budget, after a restart either.
 */
export async function openLimiter(
  config: NaraConfig,
  ledger: UsageLedger,
  currencyOf: (scope: ScopeKind, id: string) => string | undefined,
): Promise<{ limiter: Limiter; description: string }> {
  const baseline: BudgetBaseline = (scope, id, period) => {
    const [from, to] = period.kind === 'day' ? [period.id, period.id] : [`${period.id}-01`, `${period.id}-31`];
    return ledger.spent(scope, id, from, to, currencyOf(scope, id) ?? '');
  };
  if (config.redisUrl === undefined) return { limiter: new MemoryLimiter({ baseline }), description: 'in-process' };
  const limiter = await RedisLimiter.connect({ url: config.redisUrl, baseline, keyPrefix: config.redisKeyPrefix, leaseMs: config.redisConcurrencyLeaseMs });
  return { limiter, description: `redis (${describeUrl(config.redisUrl)})` };
}

/** Host, port and database of a URL, never its user name or password. */
export function describeUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return 'an unparseable URL';
  }
}

/**
 * The limiter shared by replicas: every counter lives in Redis, and one Lua script
 * (limiter-scripts.ts) checks and counts a whole reservation atomically, so N replicas admit no
 * more than one process would. Same semantics as src/limits/memory-limiter.ts (see its header);
 * the conformance suite in test/limiter.test.ts runs both.
 *
 * - One round trip per reserve and per settle (EVALSHA through ioredis defineCommand, which falls
 *   back to EVAL after a Redis restart forgets the script).
 * - Windows come from the Redis server clock (TIME inside the script), never from this process, so
 *   replicas with skewed clocks count in the same minute, day and month.
 * - Keys: {prefix}rpm|tpm:{scope}:{id}:{minute} (expire after 120 s), {prefix}tok|cost:day|month:
 *   {scope}:{id}:{period} (2 / 35 days), {prefix}conc:{scope}:{id} (a sorted set of leases, member
 *   requestId, score = expiry), {prefix}res:{requestId} (while the request is open, at most leaseMs; settle acts only if it
 *   deletes it, which makes settle idempotent).
 * - Fails closed: when Redis cannot be reached, reserve throws LimiterUnavailableError at once
 *   (no offline queue, no replay of a command whose reply was lost: a replay could count twice).
 * - settle never throws: it retries a couple of times, then gives up silently. What it leaves is
 *   bounded: the concurrency lease expires after leaseMs, the held tokens and cost stay counted
 *   (the safe side of a budget) until their window ends.
 */
import { Redis } from 'ioredis';
import {
  LimiterUnavailableError,
  type ActualUsage,
  type BudgetBaseline,
  type Limiter,
  type LimitKind,
  type LimitScope,
  type LimitSet,
  type Reservation,
  type ReservationOutcome,
  type ReservationRequest,
} from '../../spec/limits.js';
import { checkOrder, fetchBaseline, normaliseActual, normaliseRequest, periodOf, requestedAmount, scopesInCheckOrder } from '../../limits/windows.js';
import { reserveLua, settleLua } from './limiter-scripts.js';

export interface RedisLimiterOptions {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  readonly url: string;
  readonly baseline?: BudgetBaseline | undefined;
  /** Prepended to every key, so that deployments (and test runs) sharing a Redis never collide. */
  readonly keyPrefix?: string | undefined;
  /** How long a concurrency slot is held when its request is never settled (a crashed replica). */
  readonly leaseMs?: number | undefined;
}

type ScriptArg = string | number;

/** The commands defineCommand adds to the client. */
interface LimiterCommands {
  naraReserve(...args: ScriptArg[]): Promise<unknown>;
  naraSettle(...args: ScriptArg[]): Promise<unknown>;
}

const startupTimeoutMs = 2_000;
/** A Redis that accepts connections but never answers must not hold requests for long either. */
const commandTimeoutMs = 2_000;
/** Rounds of "fetch the baselines, SET them, run again"; more means the keys vanish as fast as they are set. */
const baselineRounds = 3;
const settleAttempts = 3;
/** Settlements kept for Redis while it is unreachable, at most. */
const maxUnsettled = 100_000;
/** Baselines asked for, kept so that each scope and period is asked once; bounded, oldest dropped first. */
const baselineCacheSize = 4_096;

export class RedisLimiter implements Limiter {
  /** Connects and waits until Redis answers; rejects with LimiterUnavailableError within ~2 s when it does not. */
  static async connect(options: RedisLimiterOptions): Promise<RedisLimiter> {
    const limiter = new RedisLimiter(options);
    try {
      await limiter.ready();
    } catch (error) {
      limiter.client.disconnect();
      throw error;
    }
    return limiter;
  }

  private readonly client: Redis & LimiterCommands;
  private readonly endpoint: string;
  private readonly password: string;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly baseline: BudgetBaseline | undefined;
  private readonly baselines = new Map<string, Promise<ActualUsage>>();
  private closed = false;
  private pendingSettles: string[] = [];
  private unsettled: string[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private settleBatch: Promise<void> = Promise.resolve();

  /** Starts connecting in the background; use RedisLimiter.connect to wait for Redis first. */
  constructor(options: RedisLimiterOptions) {
    this.endpoint = endpointOf(options.url);
    this.password = passwordOf(options.url);
    this.prefix = options.keyPrefix ?? 'nara:';
    this.leaseMs = Math.max(1, Math.round(options.leaseMs ?? 600_000));
    this.baseline = options.baseline;
    const redis = new Redis(options.url, {
      connectTimeout: startupTimeoutMs,
      commandTimeout: commandTimeoutMs,
      // 0: a command in flight when the connection drops fails at once instead of being replayed.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      // Commands issued in the same tick (many requests at once) share one write and one read.
      enableAutoPipelining: true,
      // Keep reconnecting in the background, never more than 2 s apart, so service resumes by itself.
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    });
    // Failures reach callers as LimiterUnavailableError; without a listener ioredis would print them.
    redis.on('error', () => undefined);
    redis.defineCommand('naraReserve', { numberOfKeys: 0, lua: reserveLua });
    redis.defineCommand('naraSettle', { numberOfKeys: 0, lua: settleLua });
    this.client = redis as Redis & LimiterCommands;
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const normalised = normaliseRequest(request);
    const scopes = scopesInCheckOrder(normalised.scopes);
    const args = this.reserveArgs(normalised, scopes);
    for (let round = 0; round < baselineRounds; round += 1) {
      const reply = await this.command('reserve', () => this.client.naraReserve(...args));
      const answer = parseReserveReply(reply, scopes);
      if (answer.type === 'ok') return { ok: true, reservation: { request: normalised, windows: answer.windows } };
      if (answer.type === 'deny') {
        const scope = scopes[answer.scopeIndex] ?? fail('a scope index out of range');
        const limit = scope.limits[answer.kind] ?? fail(`a limit the scope does not have (${answer.kind})`);
        const denial = { scope: scope.kind, scopeId: scope.id, kind: answer.kind, limit, requested: requestedAmount(answer.kind, normalised), used: answer.used, retryAfterSeconds: answer.retryAfterSeconds };
        return { ok: false, denial };
      }
      await this.seedBaselines(scopes, answer);
    }
    throw new LimiterUnavailableError(`Redis at ${this.endpoint} lost the budget baselines ${baselineRounds} times in a row`);
  }

  /**
   * Queued and sent with every other settlement of this tick in one script call: settling is off
   * the response path, and one call for many requests halves the work Redis does per request.
   */
  settle(reservation: Reservation, actual: ActualUsage): Promise<void> {
    let args: string;
    try {
      args = this.settleArgs(reservation, actual);
    } catch {
      return Promise.resolve(); // A malformed reservation cannot be settled; its lease expires after leaseMs.
    }
    this.pendingSettles.push(args);
    if (this.pendingSettles.length === 1) this.settleBatch = new Promise((resolve) => setImmediate(() => void this.sendSettles().then(resolve)));
    return this.settleBatch;
  }

  private async sendSettles(): Promise<void> {
    const batch = this.pendingSettles;
    this.pendingSettles = [];
    if (!(await this.trySettle(batch))) this.keepForRetry(batch);
  }

  private async trySettle(batch: readonly string[]): Promise<boolean> {
    for (let attempt = 1; attempt <= settleAttempts && !this.closed; attempt += 1) {
      try {
        await this.client.naraSettle(this.prefix, ...batch);
        return true;
      } catch {
        // The script is idempotent (res:{requestId}), so retrying after a lost reply is safe.
        if (attempt < settleAttempts) await delay(100 * attempt);
      }
    }
    return false;
  }

  /**
   * Settlements Redis could not take are kept and sent again every second until it answers: a
   * short outage must not hold a tenant's concurrency slots until their leases run out. Bounded;
   * beyond the bound the oldest are dropped and their leases expire on their own.
   */
  private keepForRetry(batch: readonly string[]): void {
    this.unsettled.push(...batch);
    if (this.unsettled.length > maxUnsettled) this.unsettled.splice(0, this.unsettled.length - maxUnsettled);
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setInterval(() => {
      if (this.retrying || this.unsettled.length === 0) return;
      this.retrying = true;
      const again = this.unsettled.splice(0, 1_000);
      void this.trySettle(again)
        .then((done) => {
          if (!done) this.unsettled.unshift(...again);
          if (this.unsettled.length === 0 && this.retryTimer !== undefined) {
            clearInterval(this.retryTimer);
            this.retryTimer = undefined;
          }
        })
        .finally(() => {
          this.retrying = false;
        });
    }, 1_000);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    // Settlements of the last requests go out before the connection does.
    await this.settleBatch;
    if (this.unsettled.length > 0) await this.trySettle(this.unsettled.splice(0));
    this.closed = true;
    if (this.retryTimer !== undefined) clearInterval(this.retryTimer);
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // Fall through: drop the connection without waiting for Redis.
      }
    }
    this.client.disconnect();
  }

  private ready(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        if (error === undefined) resolve();
        else reject(new LimiterUnavailableError(`Redis at ${this.endpoint} is unreachable: ${this.reason(error)}`, { cause: error }));
      };
      const onReady = (): void => finish();
      const onError = (error: Error): void => finish(error);
      const timer = setTimeout(() => finish(new Error(`no answer within ${startupTimeoutMs} ms`)), startupTimeoutMs);
      this.client.on('ready', onReady);
      this.client.on('error', onError);
    });
  }

  /** Runs one command; any failure (connection, timeout, script error) means the limiter is unavailable. */
  private async command(what: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (error) {
      throw new LimiterUnavailableError(`Redis at ${this.endpoint} failed to ${what}: ${this.reason(error)}`, { cause: error });
    }
  }

  /** An error's message with the password masked, should a driver ever echo it. */
  private reason(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return this.password === '' ? message : message.split(this.password).join('***');
  }

  private reserveArgs(request: ReservationRequest, scopes: readonly LimitScope[]): ScriptArg[] {
    return [this.prefix, request.requestId, String(request.tokens), String(request.costMicros), String(this.leaseMs), this.baseline === undefined ? '0' : '1', scopes.map(packScope).join(';')];
  }

  private settleArgs(reservation: Reservation, actual: ActualUsage): string {
    const reserved = normaliseRequest(reservation.request);
    const spent = normaliseActual(actual, reserved);
    const { minute, day, month } = reservation.windows;
    let packed = `${reserved.requestId} ${minute} ${day} ${month} ${spent.tokens - reserved.tokens} ${spent.costMicros - reserved.costMicros}`;
    for (const scope of scopesInCheckOrder(reserved.scopes)) packed += ` ${scope.kind} ${scope.id} ${checkOrder.map((kind) => (scope.limits[kind] === undefined ? '0' : '1')).join('')}`;
    return packed;
  }

  /** Fetches what the ledger saw spent (once per scope and period) and seeds the missing counters with it. */
  private async seedBaselines(scopes: readonly LimitScope[], answer: BaselineAnswer): Promise<void> {
    const baseline = this.baseline ?? fail('a baseline request without a baseline source');
    const used = new Set<string>();
    const seeds = await Promise.all(
      answer.missing.map(async ({ scopeIndex, kind, key, ttlSeconds }) => {
        const scope = scopes[scopeIndex] ?? fail('a scope index out of range');
        const period = periodOf(kind) === 'month' ? 'month' : 'day';
        const periodId = period === 'day' ? answer.day : answer.month;
        used.add(baselineCacheKey(scope, period, periodId));
        const spent = await this.baselineOf(baseline, scope, period, periodId);
        return { key, value: requestedAmount(kind, spent), ttlSeconds };
      }),
    );
    // Once seeded, Redis holds the count. Should the key vanish later (evicted, flushed, Redis
    // restarted), the ledger is asked again rather than this old answer reused: it would undercount.
    for (const cacheKey of used) this.baselines.delete(cacheKey);
    const pipeline = this.client.pipeline();
    // NX: another replica (or an earlier round) may have seeded it already, and counted since.
    for (const seed of seeds) pipeline.set(seed.key, String(seed.value), 'EX', seed.ttlSeconds, 'NX');
    const results = await this.command('seed budget baselines', () => pipeline.exec());
    for (const [error] of Array.isArray(results) ? results : []) {
      if (error !== null) throw new LimiterUnavailableError(`Redis at ${this.endpoint} failed to seed budget baselines: ${this.reason(error)}`, { cause: error });
    }
  }

  private baselineOf(baseline: BudgetBaseline, scope: LimitScope, period: 'day' | 'month', id: string): Promise<ActualUsage> {
    const cacheKey = baselineCacheKey(scope, period, id);
    const cached = this.baselines.get(cacheKey);
    if (cached !== undefined) return cached;
    const promise = fetchBaseline(baseline, scope, period, id).catch((error: unknown) => {
      // Forget the failure so that the next request asks again; fail closed meanwhile.
      if (this.baselines.get(cacheKey) === promise) this.baselines.delete(cacheKey);
      throw error;
    });
    this.baselines.set(cacheKey, promise);
    for (const oldest of this.baselines.keys()) {
      if (this.baselines.size <= baselineCacheSize) break;
      this.baselines.delete(oldest);
    }
    return promise;
  }
}

interface BaselineAnswer {
  readonly type: 'baseline';
  readonly day: string;
  readonly month: string;
  readonly missing: readonly { readonly scopeIndex: number; readonly kind: LimitKind; readonly key: string; readonly ttlSeconds: number }[];
}

type ReserveAnswer =
  | { readonly type: 'ok'; readonly windows: { readonly minute: number; readonly day: string; readonly month: string } }
  | { readonly type: 'deny'; readonly scopeIndex: number; readonly kind: LimitKind; readonly used: number; readonly retryAfterSeconds: number }
  | BaselineAnswer;

function baselineCacheKey(scope: LimitScope, period: 'day' | 'month', id: string): string {
  return `${scope.kind} ${scope.id} ${period} ${id}`;
}

/**
 * A scope as the reserve script reads it: "kind id l1 … l7" ('-' for no limit). Ids are
 * identifiers (no spaces or ';'). Built once per scope and limit set: they rarely change.
 */
function packScope(scope: LimitScope): string {
  let byScope = packedScopes.get(scope.limits);
  if (byScope === undefined) {
    byScope = new Map();
    packedScopes.set(scope.limits, byScope);
  }
  const name = `${scope.kind} ${scope.id}`;
  let packed = byScope.get(name);
  if (packed === undefined) {
    if (/[\s;]/.test(scope.id)) throw new RangeError(`scope id ${JSON.stringify(scope.id)} holds a space or ';', which the limiter scripts use as separators`);
    packed = `${name} ${checkOrder.map((kind) => String(scope.limits[kind] ?? '-')).join(' ')}`;
    byScope.set(name, packed);
  }
  return packed;
}

const packedScopes = new WeakMap<LimitSet, Map<string, string>>();

/** Reads the script's reply (see reserveLua); anything else means the script and this code disagree. */
function parseReserveReply(reply: unknown, scopes: readonly LimitScope[]): ReserveAnswer {
  if (!Array.isArray(reply)) return fail('a reply that is not an array');
  const items: readonly unknown[] = reply;
  const at = (index: number): unknown => items[index];
  switch (at(0)) {
    case 'ok':
      return { type: 'ok', windows: { minute: toNumber(at(1)), day: toText(at(2)), month: toText(at(3)) } };
    case 'deny':
      return { type: 'deny', scopeIndex: toIndex(at(1), scopes), kind: toKind(at(2)), used: toNumber(at(3)), retryAfterSeconds: toNumber(at(4)) };
    case 'baseline': {
      const missing: { scopeIndex: number; kind: LimitKind; key: string; ttlSeconds: number }[] = [];
      for (let index = 3; index + 3 < items.length; index += 4) {
        missing.push({ scopeIndex: toIndex(at(index), scopes), kind: toKind(at(index + 1)), key: toText(at(index + 2)), ttlSeconds: toNumber(at(index + 3)) });
      }
      return { type: 'baseline', day: toText(at(1)), month: toText(at(2)), missing };
    }
    default:
      return fail(`an unknown reply ${JSON.stringify(at(0))}`);
  }
}

function toNumber(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return fail(`a number expected, got ${JSON.stringify(value)}`);
  return number;
}

function toText(value: unknown): string {
  return typeof value === 'string' ? value : fail(`a string expected, got ${JSON.stringify(value)}`);
}

function toIndex(value: unknown, scopes: readonly LimitScope[]): number {
  const index = toNumber(value);
  return Number.isInteger(index) && index >= 0 && index < scopes.length ? index : fail(`a scope index out of range: ${index}`);
}

function toKind(value: unknown): LimitKind {
  return checkOrder.find((kind) => kind === value) ?? fail(`an unknown limit kind ${JSON.stringify(value)}`);
}

function fail(what: string): never {
  throw new LimiterUnavailableError(`the limiter script returned ${what}`);
}

/** host:port only: the URL may carry a password, which must never reach a log or an error. */
function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname === '' ? 'localhost' : parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
  } catch {
    return '(the configured address)';
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

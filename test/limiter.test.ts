/**
 * The limiter contract (src/spec/limits.ts), one conformance suite run against both limiters: in
 * memory (a fixed injected clock) and Redis (the real Redis on 127.0.0.1:6379, a random key prefix
 * per test, deleted afterwards). Then what only one of them has: window rollover with an injected
 * clock; and for Redis, replicas, the server clock, lease expiry and Redis going away.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLimiter } from '../src/limits/memory-limiter.js';
import { secondsToNextDay, secondsToNextMinute, secondsToNextMonth, windowsAt } from '../src/limits/windows.js';
import {
  LimiterUnavailableError,
  type ActualUsage,
  type BudgetBaseline,
  type LimitDenial,
  type Limiter,
  type LimitKind,
  type LimitScope,
  type LimitSet,
  type Reservation,
  type ReservationRequest,
} from '../src/spec/limits.js';
import { calendarLua } from '../src/store/redis/limiter-scripts.js';
import { RedisLimiter } from '../src/store/redis/redis-limiter.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const redisPort = 6379;
const redisUrl = `redis://127.0.0.1:${redisPort}`;

// ---------------------------------------------------------------------------------------------
// Helpers

let sequence = 0;

function request(scopes: readonly LimitScope[], tokens = 0, costMicros = 0): ReservationRequest {
  sequence += 1;
  return { requestId: `req-${sequence}-${randomUUID()}`, scopes, tokens, costMicros };
}

const tenant = (limits: LimitSet, id = 'moi'): LimitScope => ({ kind: 'tenant', id, limits });
const key = (limits: LimitSet, id = 'key-1'): LimitScope => ({ kind: 'key', id, limits });

async function admitted(limiter: Limiter, req: ReservationRequest): Promise<Reservation> {
  const outcome = await limiter.reserve(req);
  if (!outcome.ok) throw new Error(`expected admission, got ${JSON.stringify(outcome.denial)}`);
  return outcome.reservation;
}

async function denied(limiter: Limiter, req: ReservationRequest): Promise<LimitDenial> {
  const outcome = await limiter.reserve(req);
  if (outcome.ok) throw new Error(`expected a denial, got ${JSON.stringify(outcome.reservation.windows)}`);
  return outcome.denial;
}

async function countAdmitted(outcomes: Promise<{ ok: boolean }>[]): Promise<number> {
  return (await Promise.all(outcomes)).filter((outcome) => outcome.ok).length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A baseline source that records its calls and answers after a delay (like a real ledger query). */
function recordingBaseline(answer: (period: 'day' | 'month') => ActualUsage, delayMs = 20): { baseline: BudgetBaseline; calls: string[] } {
  const calls: string[] = [];
  const baseline: BudgetBaseline = async (scope, id, period) => {
    calls.push(`${scope}:${id}:${period.kind}:${period.id}`);
    await sleep(delayMs);
    return answer(period.kind);
  };
  return { baseline, calls };
}

// ---------------------------------------------------------------------------------------------
// The two implementations behind one interface

interface Subject {
  /** A limiter counting in this test's counters (for Redis: a fresh replica on this test's prefix). */
  limiter(options?: { baseline?: BudgetBaseline }): Promise<Limiter>;
  /** The limiter's clock, in ms: fixed for memory, Redis TIME for Redis. */
  clockMs(): Promise<number>;
  /** Waits, when needed, so that the next seconds stay inside one UTC minute (Redis runs on the real clock). */
  steadyClock(): Promise<void>;
  end(): Promise<void>;
}

interface Implementation {
  readonly name: string;
  begin(): Subject;
}

/** 2026-11-22T12:00:30Z: 30 s to the next minute, 43 170 s to midnight, 734 370 s to December. */
const fixedNow = Date.UTC(2026, 10, 22, 12, 0, 30);

const memory: Implementation = {
  name: 'MemoryLimiter',
  begin() {
    const limiters: Limiter[] = [];
    return {
      limiter(options = {}) {
        const limiter = new MemoryLimiter({ baseline: options.baseline, now: () => fixedNow });
        limiters.push(limiter);
        return Promise.resolve(limiter);
      },
      clockMs: () => Promise.resolve(fixedNow),
      steadyClock: () => Promise.resolve(),
      async end() {
        await Promise.all(limiters.map((limiter) => limiter.close()));
      },
    };
  },
};

let admin: Redis;

async function redisNowMs(): Promise<number> {
  const [seconds, micros] = await admin.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

async function deletePrefix(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Waits out the last seconds of a minute, so that a test's counters all land in one window. */
async function steadyRedisClock(): Promise<void> {
  const now = await redisNowMs();
  if (now % 60_000 > 55_000) await sleep(60_000 - (now % 60_000) + 50);
}

function newPrefix(): string {
  return `nara-test:${randomUUID()}:`;
}

const redis: Implementation = {
  name: 'RedisLimiter',
  begin() {
    const prefix = newPrefix();
    const limiters: Limiter[] = [];
    return {
      async limiter(options = {}) {
        const limiter = await RedisLimiter.connect({ url: redisUrl, keyPrefix: prefix, baseline: options.baseline });
        limiters.push(limiter);
        return limiter;
      },
      clockMs: redisNowMs,
      steadyClock: steadyRedisClock,
      async end() {
        await Promise.all(limiters.map((limiter) => limiter.close()));
        await deletePrefix(prefix);
      },
    };
  },
};

beforeAll(async () => {
  admin = new Redis(redisUrl, { lazyConnect: true });
  await admin.connect();
});

afterAll(async () => {
  await admin.quit();
});

// ---------------------------------------------------------------------------------------------
// Conformance

const secondsToPeriodEnd = { minute: secondsToNextMinute, day: secondsToNextDay, month: secondsToNextMonth };

describe.each([memory, redis])('$name conforms to the limiter contract', (implementation) => {
  let subject: Subject;

  beforeEach(async () => {
    subject = implementation.begin();
    await subject.steadyClock();
  });

  afterEach(async () => {
    await subject.end();
  });

  /** Denies, and checks Retry-After against the limiter's own clock read around the call. */
  async function deniedWithRetry(limiter: Limiter, req: ReservationRequest, period: 'minute' | 'day' | 'month'): Promise<LimitDenial> {
    const before = await subject.clockMs();
    const denial = await denied(limiter, req);
    const after = await subject.clockMs();
    const toEnd = secondsToPeriodEnd[period];
    expect(denial.retryAfterSeconds).toBeGreaterThanOrEqual(toEnd(after));
    expect(denial.retryAfterSeconds).toBeLessThanOrEqual(toEnd(before));
    return denial;
  }

  it('requestsPerMinute admits up to the limit, then denies until the next minute', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ requestsPerMinute: 3 })];
    for (let index = 0; index < 3; index += 1) await admitted(limiter, request(scopes));
    const denial = await deniedWithRetry(limiter, request(scopes), 'minute');
    expect(denial).toMatchObject({ scope: 'tenant', scopeId: 'moi', kind: 'requestsPerMinute', limit: 3, requested: 1, used: 3 });
  });

  it('tokensPerMinute counts the tokens held and admits exactly up to the limit', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ tokensPerMinute: 100 })];
    await admitted(limiter, request(scopes, 40));
    await admitted(limiter, request(scopes, 40));
    const denial = await deniedWithRetry(limiter, request(scopes, 40), 'minute');
    expect(denial).toMatchObject({ kind: 'tokensPerMinute', limit: 100, requested: 40, used: 80 });
    await admitted(limiter, request(scopes, 20));
    expect(await denied(limiter, request(scopes, 1))).toMatchObject({ kind: 'tokensPerMinute', used: 100 });
  });

  it('concurrentRequests caps requests in flight, and settle frees a slot', async () => {
    const limiter = await subject.limiter();
    const scopes = [key({ concurrentRequests: 2 })];
    const first = await admitted(limiter, request(scopes));
    await admitted(limiter, request(scopes));
    const denial = await denied(limiter, request(scopes));
    expect(denial).toMatchObject({ scope: 'key', scopeId: 'key-1', kind: 'concurrentRequests', limit: 2, requested: 1, used: 2, retryAfterSeconds: 1 });
    await limiter.settle(first, { tokens: 0, costMicros: 0 });
    await admitted(limiter, request(scopes));
    await denied(limiter, request(scopes));
  });

  const budgets: readonly { kind: LimitKind; period: 'day' | 'month'; measure: 'tokens' | 'cost' }[] = [
    { kind: 'tokensPerDay', period: 'day', measure: 'tokens' },
    { kind: 'tokensPerMonth', period: 'month', measure: 'tokens' },
    { kind: 'costMicrosPerDay', period: 'day', measure: 'cost' },
    { kind: 'costMicrosPerMonth', period: 'month', measure: 'cost' },
  ];

  it.each(budgets)('$kind holds the request amount and denies until the $period ends', async ({ kind, period, measure }) => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ [kind]: 100 })];
    const ask = (amount: number): ReservationRequest => (measure === 'tokens' ? request(scopes, amount, 0) : request(scopes, 0, amount));
    await admitted(limiter, ask(60));
    const denial = await deniedWithRetry(limiter, ask(60), period);
    expect(denial).toMatchObject({ scope: 'tenant', kind, limit: 100, requested: 60, used: 60 });
    await admitted(limiter, ask(40));
    expect(await denied(limiter, ask(1))).toMatchObject({ kind, used: 100 });
  });

  it('checks the key scope as well as the tenant', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ requestsPerMinute: 10 }), key({ requestsPerMinute: 1 })];
    await admitted(limiter, request(scopes));
    expect(await denied(limiter, request(scopes))).toMatchObject({ scope: 'key', scopeId: 'key-1', kind: 'requestsPerMinute', limit: 1 });
  });

  it('is all or nothing: a denial by the key leaves no trace in the tenant counters', async () => {
    const limiter = await subject.limiter();
    const tenantScope = tenant({ concurrentRequests: 1, requestsPerMinute: 1, tokensPerMinute: 100, tokensPerDay: 100, tokensPerMonth: 100, costMicrosPerDay: 100, costMicrosPerMonth: 100 });
    const exhausted = key({ tokensPerMonth: 10 }, 'small-key');
    const free = key({}, 'free-key');
    expect(await denied(limiter, request([tenantScope, exhausted], 50, 50))).toMatchObject({ scope: 'key', scopeId: 'small-key', kind: 'tokensPerMonth' });
    // Room for exactly one request of 100 tokens and 100 micro-units: every tenant counter is still 0.
    await admitted(limiter, request([tenantScope, free], 100, 100));
    expect(await denied(limiter, request([tenantScope, free], 0, 0))).toMatchObject({ scope: 'tenant', kind: 'concurrentRequests', used: 1 });
  });

  it('reports the first failing limit: tenant before key, then concurrency, rpm, tpm, budgets', async () => {
    const limiter = await subject.limiter();
    const everything: LimitSet = { concurrentRequests: 0, requestsPerMinute: 0, tokensPerMinute: 0, tokensPerDay: 0, tokensPerMonth: 0, costMicrosPerDay: 0, costMicrosPerMonth: 0 };
    expect(await denied(limiter, request([key(everything), tenant({ costMicrosPerMonth: 0, tokensPerDay: 0 })], 1, 1))).toMatchObject({ scope: 'tenant', kind: 'tokensPerDay' });
    const order: LimitKind[] = ['concurrentRequests', 'requestsPerMinute', 'tokensPerMinute', 'tokensPerDay', 'tokensPerMonth', 'costMicrosPerDay', 'costMicrosPerMonth'];
    for (const [index, kind] of order.entries()) {
      const remaining = Object.fromEntries(order.slice(index).map((name) => [name, 0]));
      expect((await denied(limiter, request([key(remaining)], 1, 1))).kind).toBe(kind);
    }
  });

  it('admits a request whose scopes have no limits, with its windows', async () => {
    const limiter = await subject.limiter();
    const before = windowsAt(await subject.clockMs());
    const reservation = await admitted(limiter, request([tenant({}), key({})], 10, 10));
    expect(reservation.windows.day).toBe(before.day);
    expect(reservation.windows.month).toBe(before.month);
    expect(reservation.windows.minute).toBe(before.minute);
  });

  it('200 concurrent reserves against room for exactly 10 admit exactly 10', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ tokensPerDay: 1_000 }), key({ requestsPerMinute: 1_000 })];
    const outcomes = Array.from({ length: 200 }, () => limiter.reserve(request(scopes, 100)));
    expect(await countAdmitted(outcomes)).toBe(10);
  });

  it('200 concurrent reserves waiting on one baseline still admit exactly the room left', async () => {
    const { baseline, calls } = recordingBaseline(() => ({ tokens: 500, costMicros: 0 }));
    const limiter = await subject.limiter({ baseline });
    const outcomes = Array.from({ length: 200 }, () => limiter.reserve(request([tenant({ tokensPerDay: 1_000 })], 100)));
    expect(await countAdmitted(outcomes)).toBe(5);
    expect(calls).toHaveLength(1);
  });

  it('settle replaces the held tokens and cost with the actual usage', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ tokensPerMinute: 100, tokensPerDay: 100, costMicrosPerDay: 100 })];
    const first = await admitted(limiter, request(scopes, 100, 100));
    expect((await denied(limiter, request(scopes, 1, 0))).kind).toBe('tokensPerMinute');
    await limiter.settle(first, { tokens: 30, costMicros: 40 });
    await admitted(limiter, request(scopes, 70, 60));
    expect(await denied(limiter, request(scopes, 1, 0))).toMatchObject({ kind: 'tokensPerMinute', used: 100 });
    expect(await denied(limiter, request(scopes, 0, 1))).toMatchObject({ kind: 'costMicrosPerDay', used: 100 });
  });

  it('settle charges more than was held when the request used more', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ tokensPerDay: 100 })];
    const first = await admitted(limiter, request(scopes, 10));
    await limiter.settle(first, { tokens: 50, costMicros: 0 });
    await admitted(limiter, request(scopes, 50));
    expect(await denied(limiter, request(scopes, 1))).toMatchObject({ kind: 'tokensPerDay', used: 100 });
  });

  it('settling twice changes nothing the second time', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ concurrentRequests: 2, tokensPerDay: 100 })];
    const first = await admitted(limiter, request(scopes, 100));
    const second = await admitted(limiter, request(scopes, 0));
    await limiter.settle(first, { tokens: 20, costMicros: 0 });
    await limiter.settle(first, { tokens: 0, costMicros: 0 });
    // One slot freed (not two)...
    await admitted(limiter, request(scopes, 80));
    expect(await denied(limiter, request(scopes, 0))).toMatchObject({ kind: 'concurrentRequests', used: 2 });
    // ...and 20 tokens charged (not 0).
    await limiter.settle(second, { tokens: 0, costMicros: 0 });
    expect(await denied(limiter, request(scopes, 1))).toMatchObject({ kind: 'tokensPerDay', used: 100 });
  });

  it('never refunds a request per minute', async () => {
    const limiter = await subject.limiter();
    const scopes = [tenant({ requestsPerMinute: 1 })];
    await limiter.settle(await admitted(limiter, request(scopes)), { tokens: 0, costMicros: 0 });
    expect((await denied(limiter, request(scopes))).kind).toBe('requestsPerMinute');
  });

  it('starts budgets from the baseline, asking once per scope and period even under concurrency', async () => {
    const { baseline, calls } = recordingBaseline((period) => (period === 'day' ? { tokens: 900, costMicros: 5 } : { tokens: 1_000, costMicros: 95 }));
    const limiter = await subject.limiter({ baseline });
    const scopes = [tenant({ tokensPerDay: 1_000, costMicrosPerMonth: 100 }), key({ requestsPerMinute: 100 })];
    const windows = windowsAt(await subject.clockMs());
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => limiter.reserve(request(scopes, 50, 1))));
    // 900 tokens already spent today: room for two requests of 50; 95 of 100 micro-units this month.
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(2);
    expect([...calls].sort()).toEqual([`tenant:moi:day:${windows.day}`, `tenant:moi:month:${windows.month}`]);
    expect(await denied(limiter, request(scopes, 1, 0))).toMatchObject({ kind: 'tokensPerDay', used: 1_000 });
    expect(await denied(limiter, request(scopes, 0, 4))).toMatchObject({ kind: 'costMicrosPerMonth', used: 97 });
    expect(calls).toHaveLength(2);
  });

  it('fails closed with LimiterUnavailableError when the baseline cannot be read, and asks again later', async () => {
    let failing = true;
    const limiter = await subject.limiter({
      baseline: () => (failing ? Promise.reject(new Error('ledger down')) : Promise.resolve({ tokens: 0, costMicros: 0 })),
    });
    const scopes = [tenant({ tokensPerDay: 10 })];
    await expect(limiter.reserve(request(scopes, 1))).rejects.toBeInstanceOf(LimiterUnavailableError);
    failing = false;
    await admitted(limiter, request(scopes, 1));
  });

  it('rejects amounts that are negative or not numbers', async () => {
    const limiter = await subject.limiter();
    await expect(limiter.reserve(request([tenant({ tokensPerDay: 10 })], -1))).rejects.toBeInstanceOf(RangeError);
    await expect(limiter.reserve(request([tenant({ tokensPerDay: 10 })], 0, Number.NaN))).rejects.toBeInstanceOf(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Windows (pure)

describe('limit windows', () => {
  it('names the UTC minute, day and month', () => {
    const at = Date.UTC(2026, 10, 22, 23, 59, 59, 999);
    expect(windowsAt(at)).toEqual({ minute: Math.floor(at / 60_000), day: '2026-11-22', month: '2026-11' });
    expect(windowsAt(Date.UTC(2027, 0, 1)).day).toBe('2027-01-01');
  });

  it('counts whole seconds to the end of each window, rounded up and at least 1', () => {
    expect(secondsToNextMinute(fixedNow)).toBe(30);
    expect(secondsToNextDay(fixedNow)).toBe(43_170);
    expect(secondsToNextMonth(fixedNow)).toBe(734_370);
    expect(secondsToNextMinute(Date.UTC(2026, 0, 1, 0, 0, 59, 999))).toBe(1);
    expect(secondsToNextMinute(Date.UTC(2026, 0, 1, 0, 0, 0))).toBe(60);
    expect(secondsToNextMonth(Date.UTC(2026, 11, 31, 12))).toBe(43_200);
    expect(secondsToNextMonth(Date.UTC(2028, 1, 28))).toBe(2 * 86_400);
  });
});

// ---------------------------------------------------------------------------------------------
// In memory: an injected clock crosses windows

describe('MemoryLimiter windows roll over', () => {
  it('a new minute has a fresh request count', async () => {
    let now = fixedNow;
    const limiter = new MemoryLimiter({ now: () => now });
    const scopes = [tenant({ requestsPerMinute: 1, tokensPerMinute: 10 })];
    await admitted(limiter, request(scopes, 10));
    expect(await denied(limiter, request(scopes))).toMatchObject({ kind: 'requestsPerMinute', retryAfterSeconds: 30 });
    now += 29_500;
    expect((await denied(limiter, request(scopes))).retryAfterSeconds).toBe(1);
    now += 500;
    await admitted(limiter, request(scopes, 10));
  });

  it('a request settled after midnight corrects the day it was counted in, not the new one', async () => {
    let now = Date.UTC(2026, 10, 22, 23, 59, 59);
    const { baseline, calls } = recordingBaseline(() => ({ tokens: 0, costMicros: 0 }), 0);
    const limiter = new MemoryLimiter({ baseline, now: () => now });
    const scopes = [tenant({ tokensPerDay: 100 })];
    const late = await admitted(limiter, request(scopes, 100));
    expect(late.windows.day).toBe('2026-11-22');
    expect(await denied(limiter, request(scopes, 1))).toMatchObject({ retryAfterSeconds: 1 });
    now += 1_000;
    const early = await admitted(limiter, request(scopes, 60));
    expect(early.windows.day).toBe('2026-11-23');
    await limiter.settle(late, { tokens: 0, costMicros: 0 });
    // The refund went to the 22nd: the 23rd still holds 60.
    await admitted(limiter, request(scopes, 40));
    await denied(limiter, request(scopes, 1));
    expect(calls).toEqual(['tenant:moi:day:2026-11-22', 'tenant:moi:day:2026-11-23']);
  });

  it('a new month has a fresh budget, and Retry-After reaches the first of the month', async () => {
    let now = Date.UTC(2026, 11, 31, 12);
    const limiter = new MemoryLimiter({ now: () => now });
    const scopes = [tenant({ costMicrosPerMonth: 10 })];
    await admitted(limiter, request(scopes, 0, 10));
    expect(await denied(limiter, request(scopes, 0, 1))).toMatchObject({ kind: 'costMicrosPerMonth', retryAfterSeconds: 43_200 });
    now = Date.UTC(2027, 0, 1);
    expect((await admitted(limiter, request(scopes, 0, 10))).windows.month).toBe('2027-01');
  });

  it('answers at once (reserveNow) only when it needs to wait for nothing, and counts the same as reserve', async () => {
    const limiter = new MemoryLimiter({ baseline: () => Promise.resolve({ tokens: 90, costMicros: 0 }) });
    const scopes = [tenant({ tokensPerDay: 100 })];
    // The day's baseline is not known yet: reserveNow declines, reserve fetches it.
    expect(limiter.reserveNow(request(scopes, 5))).toBeUndefined();
    await admitted(limiter, request(scopes, 5));
    expect(limiter.reserveNow(request(scopes, 5))?.ok).toBe(true);
    expect(limiter.reserveNow(request(scopes, 1))).toMatchObject({ ok: false, denial: { kind: 'tokensPerDay', used: 100 } });
  });

  it('ignores a reservation it did not issue', async () => {
    const limiter = new MemoryLimiter({ now: () => fixedNow });
    const other = new MemoryLimiter({ now: () => fixedNow });
    const scopes = [tenant({ concurrentRequests: 1 })];
    await admitted(limiter, request(scopes));
    const foreign = await admitted(other, request(scopes));
    await limiter.settle(foreign, { tokens: 0, costMicros: 0 });
    await denied(limiter, request(scopes));
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: replicas, the server clock, leases, outages

describe('RedisLimiter across replicas and outages', () => {
  const prefix = newPrefix();
  const open: Limiter[] = [];

  async function replica(options: { baseline?: BudgetBaseline; leaseMs?: number; url?: string } = {}): Promise<RedisLimiter> {
    const limiter = await RedisLimiter.connect({ url: options.url ?? redisUrl, keyPrefix: prefix, baseline: options.baseline, leaseMs: options.leaseMs });
    open.push(limiter);
    return limiter;
  }

  beforeEach(steadyRedisClock);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((limiter) => limiter.close()));
    await deletePrefix(prefix);
  });

  it('asks the ledger again when a seeded budget counter vanishes from Redis (never reuses the old answer)', async () => {
    let spent = 5;
    const limiter = await replica({ baseline: () => Promise.resolve({ tokens: spent, costMicros: 0 }) });
    const scopes = [tenant({ tokensPerDay: 100 })];
    const first = await admitted(limiter, request(scopes, 10));
    // Redis lost the counter (evicted, flushed, restarted) while the ledger moved on.
    await admin.del(`${prefix}tok:day:${scopes[0]?.kind}:${scopes[0]?.id}:${first.windows.day}`);
    spent = 95;
    const denial = await denied(limiter, request(scopes, 10));
    expect(denial.used).toBe(95);
  });

  it('two replicas (100 concurrent reserves each) admit exactly 10 against room for 10', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const scopes = [tenant({ tokensPerMonth: 1_000 })];
    const outcomes = Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? a : b).reserve(request(scopes, 100)));
    expect(await countAdmitted(outcomes)).toBe(10);
  });

  it('two replicas seed one baseline: the budget is counted once', async () => {
    const first = recordingBaseline(() => ({ tokens: 900, costMicros: 0 }));
    const second = recordingBaseline(() => ({ tokens: 900, costMicros: 0 }));
    const [a, b] = await Promise.all([replica({ baseline: first.baseline }), replica({ baseline: second.baseline })]);
    const scopes = [tenant({ tokensPerDay: 1_000 })];
    const outcomes = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).reserve(request(scopes, 50)));
    expect(await countAdmitted(outcomes)).toBe(2);
    expect(first.calls.length).toBeLessThanOrEqual(1);
    expect(second.calls.length).toBeLessThanOrEqual(1);
  });

  it('takes its windows from the Redis clock, so replicas agree whatever their own clocks say', async () => {
    // RedisLimiter never reads Date.now for windows: the script reads TIME on the Redis server.
    // Two replicas in one process cannot have different local clocks, but both must report the
    // windows of the Redis clock, which is what makes skewed replicas agree.
    const [a, b] = await Promise.all([replica(), replica()]);
    const before = windowsAt(await redisNowMs());
    const [first, second] = await Promise.all([admitted(a, request([tenant({})])), admitted(b, request([tenant({})]))]);
    const after = windowsAt(await redisNowMs());
    expect(first.windows).toEqual(second.windows);
    expect([before, after]).toContainEqual(first.windows);
  });

  it('computes the same UTC calendar in Lua as in TypeScript, 1970 to 2100', async () => {
    const days = 47_847;
    const reply = await admin.eval(
      `${calendarLua}
      local out = {}
      for day = 0, tonumber(ARGV[1]) - 1 do
        local w = windows_at(day * 86400000 + 43200000)
        out[#out + 1] = w.day .. '|' .. w.month .. '|' .. string.format('%d', w.month_end) .. '|' .. string.format('%d', w.day_end)
      end
      return out`,
      0,
      String(days),
    );
    expect(Array.isArray(reply)).toBe(true);
    const lines = Array.isArray(reply) ? reply.map(String) : [];
    const expected = Array.from({ length: days }, (_, day) => {
      const at = day * 86_400_000 + 43_200_000;
      const windows = windowsAt(at);
      const date = new Date(at);
      const monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      return `${windows.day}|${windows.month}|${monthEnd}|${(day + 1) * 86_400_000}`;
    });
    expect(lines).toEqual(expected);
    expect(lines.at(-1)).toMatch(/^2100-12-31\|/);
  });

  it('a lease never settled (a crashed replica) expires after leaseMs', async () => {
    // Long enough that the second call lands inside the lease on a loaded CI machine.
    const limiter = await replica({ leaseMs: 2_000 });
    const scopes = [tenant({ concurrentRequests: 1 })];
    await admitted(limiter, request(scopes));
    await denied(limiter, request(scopes));
    await sleep(2_300);
    await admitted(limiter, request(scopes));
  });

  it('every key it writes expires', async () => {
    const limiter = await replica({ baseline: () => Promise.resolve({ tokens: 1, costMicros: 1 }) });
    const all: LimitSet = { concurrentRequests: 5, requestsPerMinute: 5, tokensPerMinute: 500, tokensPerDay: 500, tokensPerMonth: 500, costMicrosPerDay: 500, costMicrosPerMonth: 500 };
    const reservation = await admitted(limiter, request([tenant(all), key(all)], 10, 10));
    await limiter.settle(reservation, { tokens: 5, costMicros: 5 });
    await admitted(limiter, request([tenant(all), key(all)], 10, 10));
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThanOrEqual(13);
    for (const name of keys) expect(await admin.pttl(name), name).toBeGreaterThan(0);
  });

  it('connect rejects quickly with LimiterUnavailableError when Redis is down at start, never naming the password', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = Date.now();
    const failure = await RedisLimiter.connect({ url: `redis://:s3cret-pw@127.0.0.1:${address.port}` }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LimiterUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_500);
    const message = failure instanceof Error ? failure.message : '';
    expect(message).toContain(`127.0.0.1:${address.port}`);
    expect(message).not.toContain('s3cret');
  });

  it('fails closed when Redis goes away mid-use, settles without throwing, and recovers when it is back', async () => {
    const proxy = await startTcpProxy(redisPort);
    try {
      const limiter = await replica({ url: `redis://127.0.0.1:${proxy.port}` });
      const scopes = [tenant({ concurrentRequests: 5 })];
      const reservation = await admitted(limiter, request(scopes));
      proxy.pause();
      await expect(limiter.reserve(request(scopes))).rejects.toBeInstanceOf(LimiterUnavailableError);
      await expect(limiter.settle(reservation, { tokens: 0, costMicros: 0 })).resolves.toBeUndefined();
      proxy.resume();
      let outcome: Awaited<ReturnType<Limiter['reserve']>> | undefined;
      for (let attempt = 0; attempt < 50 && outcome === undefined; attempt += 1) {
        outcome = await limiter.reserve(request(scopes)).catch(async (error: unknown) => {
          expect(error).toBeInstanceOf(LimiterUnavailableError);
          await sleep(100);
          return undefined;
        });
      }
      expect(outcome?.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('sends a settlement Redis missed once it is back, so a short outage does not hold concurrency slots for the whole lease', async () => {
    const proxy = await startTcpProxy(redisPort);
    try {
      const limiter = await replica({ url: `redis://127.0.0.1:${proxy.port}` });
      const scopes = [tenant({ concurrentRequests: 1 })];
      const reservation = await admitted(limiter, request(scopes));
      proxy.pause();
      await limiter.settle(reservation, { tokens: 0, costMicros: 0 });
      proxy.resume();
      // The lease is 10 minutes; the slot must come back within seconds.
      let outcome: Awaited<ReturnType<Limiter['reserve']>> | undefined;
      for (let attempt = 0; attempt < 60 && outcome?.ok !== true; attempt += 1) {
        outcome = await limiter.reserve(request(scopes)).catch(() => undefined);
        if (outcome?.ok !== true) await sleep(100);
      }
      expect(outcome?.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * Metering as a gateway observer: every request with a tenant becomes one usage record, buffered in
 * memory and written to the ledger in batches every `flushIntervalMs`, off the request path.
 *
 * What can be lost: a crash (SIGKILL, power) loses the records of at most one flush interval. A
 * graceful shutdown loses none: `close()` writes what is pending, and if the ledger cannot be reached
 * then (PostgreSQL down), the records go to a spool file under the data directory, which the next
 * start replays (`replaySpool`). While the ledger is down, records stay buffered and are retried.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayObserver, RequestRecord } from '../gateway/events.js';
import type { UsageLedger, UsageRecord } from '../spec/usage.js';

export interface UsageWriterOptions {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  /** Where pending records go when the ledger is unreachable at shutdown. */
  readonly spoolDir: string;
  readonly onError?: (error: unknown, pending: number) => void;
  /** Buffered records beyond this are written to the spool at once rather than held in memory. */
  readonly maxBuffered?: number;
}

export class UsageWriter implements GatewayObserver {
  private pending: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private writtenCount = 0;
  /** Records at the head of `pending` that an append in progress is writing. */
  private appending = 0;

  constructor(private readonly ledger: UsageLedger, private readonly options: UsageWriterOptions) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushIntervalMs);
    this.timer.unref();
  }

  onRequestEnd(record: RequestRecord): void {
    const usage = toUsageRecord(record);
    if (usage === undefined) return;
    this.pending.push(usage);
    // Spooled from behind the batch being appended, which must stay at the head until it is written.
    if (this.pending.length >= (this.options.maxBuffered ?? 100_000)) this.spool(this.pending.splice(this.appending));
  }

  /** Records written to the ledger by this writer so far. */
  get written(): number {
    return this.writtenCount;
  }

  get buffered(): number {
    return this.pending.length;
  }

  /** Writes what is buffered now, batch by batch; overlapping calls share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Flushes; whatever cannot be written goes to the spool file, so nothing is lost. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing?.catch(() => undefined);
    try {
      await this.drain(true);
    } catch (error) {
      this.options.onError?.(error, this.pending.length);
      this.spool(this.pending.splice(0));
    }
  }

  /**
   * Writes the records buffered when the flush began, batch by batch. Records that arrive meanwhile
   * wait for the next tick: chasing them would turn one large write per interval into a stream of
   * tiny ones (a write and an fsync per handful of requests) whenever the ledger is slower than traffic.
   */
  private async drain(all = false): Promise<void> {
    let remaining = this.pending.length;
    while (this.pending.length > 0 && (all || remaining > 0)) {
      const batch = this.pending.slice(0, Math.min(this.options.batchSize, all ? this.pending.length : remaining));
      this.appending = batch.length;
      try {
        await this.ledger.append(batch);
      } catch (error) {
        if (!this.closed) this.options.onError?.(error, this.pending.length);
        throw error;
      } finally {
        this.appending = 0;
      }
      // Only now are they safe: a failed append leaves them at the head of the queue for the next try.
      this.pending.splice(0, batch.length);
      remaining -= batch.length;
      this.writtenCount += batch.length;
    }
  }

  private spool(records: readonly UsageRecord[]): void {
    if (records.length === 0) return;
    mkdirSync(this.options.spoolDir, { recursive: true, mode: 0o700 });
    const file = join(this.options.spoolDir, `usage-spool-${process.pid}-${Date.now()}.ndjson`);
    appendFileSync(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n', { mode: 0o600 });
  }
}

/**
 * Writes spooled records from an earlier run into the ledger, then removes the spool files. Safe to
 * repeat: the ledger ignores request ids it already holds. Returns how many records were replayed.
 */
export async function replaySpool(ledger: UsageLedger, spoolDir: string, batchSize: number): Promise<number> {
  let files: string[];
  try {
    files = readdirSync(spoolDir).filter((name) => name.startsWith('usage-spool-') && name.endsWith('.ndjson'));
  } catch {
    return 0;
  }
  let replayed = 0;
  for (const name of files.sort()) {
    const path = join(spoolDir, name);
    const records = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line): UsageRecord[] => {
        try {
          return [JSON.parse(line) as UsageRecord];
        } catch {
          return []; // a line cut by a crash while spooling
        }
      });
    for (let start = 0; start < records.length; start += batchSize) await ledger.append(records.slice(start, start + batchSize));
    rmSync(path, { force: true });
    replayed += records.length;
  }
  return replayed;
}

/** The time as ISO 8601, formatted once per millisecond however many requests end in it. */
let lastMs = 0;
let lastIso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

export function toUsageRecord(record: RequestRecord): UsageRecord | undefined {
  if (record.operation === 'models' || record.tenantId === undefined || record.keyId === undefined || record.model === undefined) return undefined;
  const at = isoNow();
  const usage = record.usage;
  return {
    requestId: record.meterId,
    at,
    day: at.slice(0, 10),
    tenantId: record.tenantId,
    keyId: record.keyId,
    model: record.model,
    backendId: record.backendId ?? null,
    jurisdiction: record.jurisdiction ?? null,
    operation: record.operation,
    stream: record.stream,
    status: record.status,
    errorCode: record.errorCode ?? null,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
    estimated: usage?.estimated ?? false,
    costMicros: record.costMicros,
    currency: record.currency ?? '',
    latencyMs: Math.round(record.durationSeconds * 1000),
    attempts: record.attempts,
  };
}

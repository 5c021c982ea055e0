/**
 * The embedded usage ledger: append-only NDJSON, one file per UTC day (`usage/2026-11-22.ndjson`),
 * so a query opens only the days it asks about and old days can be archived by moving files.
 *
 * Each batch is one write followed by fsync. If the write or the fsync fails, the file is cut back
 * to its size before the batch, so a failed batch leaves nothing behind and retrying it never counts
 * a record twice. Request ids of the most recent records (a bounded window, not the whole day: a day
 * at 10,000 requests a second would not fit in memory) are remembered too, so a batch appended again
 * after a lost acknowledgement is ignored. Across a restart only what the ledger itself wrote is
 * known; PostgreSQL checks every request id (its primary key).
 *
 * A crash can leave a half-written last line; readers skip lines that do not parse (counted in
 * `skippedLines`) and the next append starts on a fresh line.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ActualUsage, ScopeKind } from '../../spec/limits.js';
import type { UsageLedger, UsageQuery, UsageRecord, UsageRow } from '../../spec/usage.js';
import { assertDay, assertRecordDay } from '../usage-days.js';
import { UsageAggregator } from './usage-aggregate.js';
import { usageLine } from './usage-line.js';

const dayFilePattern = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
/** Request ids remembered to ignore a batch appended twice; bounded so memory stays flat. */
const rememberedIds = 200_000;

interface DayState {
  /** The file ends without a newline (a torn write), so the next append must start one. */
  needsNewline: boolean;
}

export class FileUsageLedger implements UsageLedger {
  private readonly dir: string;
  private readonly days = new Map<string, DayState>();
  private readonly recentIds = new Set<string>();
  /** recentIds in a ring, oldest overwritten first: O(1) per id however long the window. */
  private readonly recentRing: (string | undefined)[] = new Array<string | undefined>(rememberedIds);
  private ringNext = 0;
  private dirReady = false;
  /** Appends to one day file run one after another, so loading and extending its Set never race. */
  private readonly queues = new Map<string, Promise<void>>();
  private skipped = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'usage');
  }

  /** Lines that queries had to skip because they did not parse, since this ledger was opened. */
  get skippedLines(): number {
    return this.skipped;
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    const byDay = new Map<string, UsageRecord[]>();
    for (const record of records) {
      const day = assertRecordDay(record);
      const list = byDay.get(day);
      if (list === undefined) byDay.set(day, [record]);
      else list.push(record);
    }
    if (byDay.size === 0) return;
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    await Promise.all([...byDay].map(([day, batch]) => this.serially(day, () => this.appendDay(day, batch))));
  }

  async query(query: UsageQuery): Promise<UsageRow[]> {
    const aggregator = new UsageAggregator(query.groupBy);
    const backendId = query.backendId === '' ? null : query.backendId;
    for (const day of await this.daysBetween(query.from, query.to)) {
      await this.scan(day, (record) => {
        if (query.tenantId !== undefined && record.tenantId !== query.tenantId) return;
        if (query.keyId !== undefined && record.keyId !== query.keyId) return;
        if (query.model !== undefined && record.model !== query.model) return;
        if (backendId !== undefined && record.backendId !== backendId) return;
        aggregator.add(record);
      });
    }
    return aggregator.rows();
  }

  async spent(scope: ScopeKind, id: string, from: string, to: string, currency?: string): Promise<ActualUsage> {
    let tokens = 0;
    let costMicros = 0;
    for (const day of await this.daysBetween(from, to)) {
      await this.scan(day, (record) => {
        if ((scope === 'tenant' ? record.tenantId : record.keyId) !== id) return;
        tokens += record.promptTokens + record.completionTokens;
        if (currency === undefined || record.currency === currency) costMicros += record.costMicros;
      });
    }
    return { tokens, costMicros };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    this.days.clear();
  }

  private dayPath(day: string): string {
    return join(this.dir, `${day}.ndjson`);
  }

  private serially(day: string, task: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(day) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.queues.set(day, settled);
    void settled.then(() => {
      if (this.queues.get(day) === settled) this.queues.delete(day);
    });
    return run;
  }

  private async appendDay(day: string, batch: readonly UsageRecord[]): Promise<void> {
    const state = await this.dayState(day);
    const fresh: UsageRecord[] = [];
    const batchIds = new Set<string>();
    for (const record of batch) {
      if (this.recentIds.has(record.requestId) || batchIds.has(record.requestId)) continue;
      batchIds.add(record.requestId);
      fresh.push(record);
    }
    if (fresh.length === 0) return;
    let lines = state.needsNewline ? '\n' : '';
    for (const record of fresh) lines += `${usageLine(record)}\n`;
    const handle = await open(this.dayPath(day), 'a', 0o600).catch((error: unknown) => {
      // The directory went away (moved by an operator): create it again on the retry.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.dirReady = false;
      throw error;
    });
    try {
      const { size } = await handle.stat();
      try {
        await handle.appendFile(lines);
        await handle.sync();
      } catch (error) {
        // Leave nothing of a failed batch, so that the retry is the only copy.
        await handle.truncate(size).catch(() => this.days.delete(day));
        throw error;
      }
    } finally {
      await handle.close();
    }
    state.needsNewline = false;
    this.remember(batchIds);
  }

  private remember(ids: Iterable<string>): void {
    for (const id of ids) {
      const oldest = this.recentRing[this.ringNext];
      if (oldest !== undefined) this.recentIds.delete(oldest);
      this.recentRing[this.ringNext] = id;
      this.ringNext = (this.ringNext + 1) % rememberedIds;
      this.recentIds.add(id);
    }
  }

  /** Whether the day's file ends mid-line, read once per day. */
  private async dayState(day: string): Promise<DayState> {
    let state = this.days.get(day);
    if (state === undefined) {
      state = { needsNewline: await this.endsMidLine(day) };
      this.days.set(day, state);
      // Only the days still being written matter: today and yesterday (late requests).
      for (const oldest of this.days.keys()) {
        if (this.days.size <= 2) break;
        this.days.delete(oldest);
      }
    }
    return state;
  }

  private async endsMidLine(day: string): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.dayPath(day), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      await handle.close();
    }
  }

  /** Day files in [from, to], oldest first; days outside the range are never opened. */
  private async daysBetween(from: string | undefined, to: string | undefined): Promise<string[]> {
    if (from !== undefined) assertDay(from, 'from');
    if (to !== undefined) assertDay(to, 'to');
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => dayFilePattern.exec(name)?.[1])
      .filter((day): day is string => day !== undefined && (from === undefined || day >= from) && (to === undefined || day <= to))
      .sort();
  }

  private async scan(day: string, visit: (record: UsageRecord) => void): Promise<void> {
    const input = createReadStream(this.dayPath(day), { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line === '') continue;
        const record = parseRecord(line);
        if (record === undefined) this.skipped += 1;
        else visit(record);
      }
    } catch (error) {
      // Archived or deleted between the listing and the read: nothing to count.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** A stored line as a record, or undefined for a torn or foreign line. */
function parseRecord(line: string): UsageRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const strings = ['requestId', 'day', 'tenantId', 'keyId', 'model', 'currency'] as const;
  const numbers = ['status', 'promptTokens', 'completionTokens', 'cachedTokens', 'costMicros'] as const;
  if (!strings.every((field) => typeof record[field] === 'string')) return undefined;
  if (!numbers.every((field) => typeof record[field] === 'number')) return undefined;
  return value as UsageRecord;
}

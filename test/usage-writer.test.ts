/**
 * The usage writer loses and duplicates nothing: not when the ledger is slow and the buffer spills
 * to the spool during a write, not when the ledger is down at shutdown.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/gateway/events.js';
import { replaySpool, UsageWriter } from '../src/observability/usage-writer.js';
import type { UsageLedger, UsageRecord } from '../src/spec/usage.js';

/** A ledger in memory whose appends take `delayMs` and fail while `down` is set. */
function slowLedger(delayMs: number) {
  const stored: UsageRecord[] = [];
  const state = { down: false };
  const ledger: UsageLedger = {
    async append(records) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (state.down) throw new Error('ledger down');
      const known = new Set(stored.map((record) => record.requestId));
      for (const record of records) if (!known.has(record.requestId)) stored.push(record);
    },
    query: () => Promise.resolve([]),
    spent: () => Promise.resolve({ tokens: 0, costMicros: 0 }),
    close: () => Promise.resolve(),
  };
  return { ledger, stored, state };
}

let sequence = 0;
function finished(): RequestRecord {
  sequence += 1;
  return {
    requestId: `r${sequence}`,
    meterId: `m${sequence}`,
    operation: 'chat',
    stream: false,
    tenantId: 't',
    keyId: 'k',
    model: 'm',
    backendId: 'b',
    jurisdiction: 'KR',
    status: 200,
    errorCode: undefined,
    attempts: 1,
    durationSeconds: 0.01,
    upstreamSeconds: 0.005,
    usage: { promptTokens: 3, completionTokens: 4, cachedTokens: 0, estimated: false },
    costMicros: 7,
    currency: 'USD',
    trail: [],
    pii: undefined,
    safety: undefined,
  };
}

function spooled(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('usage-spool-'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== ''))
    .map((line) => (JSON.parse(line) as UsageRecord).requestId);
}

describe('UsageWriter', () => {
  it('keeps the batch being written when the buffer spills to the spool meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nara-writer-'));
    const { ledger, stored } = slowLedger(50);
    const writer = new UsageWriter(ledger, { flushIntervalMs: 60_000, batchSize: 10, spoolDir: dir, maxBuffered: 5 });
    const sent: string[] = [];
    const record = () => {
      const next = finished();
      sent.push(next.meterId);
      writer.onRequestEnd(next);
    };
    for (let index = 0; index < 4; index += 1) record();
    const flushing = writer.flush();
    // While those 4 are being appended, 6 more arrive: the buffer reaches 5 and spills.
    for (let index = 0; index < 6; index += 1) record();
    await flushing;
    await writer.close();
    const written = stored.map((row) => row.requestId);
    const all = [...written, ...spooled(dir)];
    expect(all.sort()).toEqual([...sent].sort());
  });

  it('spools at shutdown what the ledger cannot take, and the next start replays it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nara-writer-'));
    const { ledger, stored, state } = slowLedger(1);
    const writer = new UsageWriter(ledger, { flushIntervalMs: 60_000, batchSize: 10, spoolDir: dir });
    const sent = Array.from({ length: 25 }, () => finished());
    for (const record of sent) writer.onRequestEnd(record);
    state.down = true;
    await writer.close();
    expect(stored).toHaveLength(0);
    state.down = false;
    expect(await replaySpool(ledger, dir, 10)).toBe(25);
    expect(stored.map((row) => row.requestId)).toEqual(sent.map((record) => record.meterId));
    expect(spooled(dir)).toEqual([]);
  });
});

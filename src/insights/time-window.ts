/**
 * Finding the rows of a time window [from, to) and laying out its buckets. Rows arrive in time
 * order nearly always, so the window is found by binary search on the time column; when a row came
 * in out of order the search would be wrong, so the whole table is scanned instead. Either way the
 * callers still test each row's time, which makes the range a bound, never a promise.
 */
import type { TableColumns } from './event-table.js';

export type BucketName = 'minute' | 'hour' | 'day';

const bucketMs: Readonly<Record<BucketName, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** A chart has no use for more points than pixels; beyond this the buckets get coarser. */
export const maxBuckets = 2000;

/** Rows [start, end), counted from the oldest held, that may fall in the window. */
export function rowRange(c: TableColumns, from: number, to: number): { readonly start: number; readonly end: number } {
  if (!c.sorted) return { start: 0, end: c.count };
  return { start: firstRowAtOrAfter(c, from), end: firstRowAtOrAfter(c, to) };
}

/**
 * Calls `visit` with the slot (and the row, 0 = oldest) of every row whose time is in [from, to),
 * oldest first: the one walk over the ring that the figures share.
 */
export function forEachRowInWindow(c: TableColumns, from: number, to: number, visit: (slot: number, row: number) => void): void {
  const { start, end } = rowRange(c, from, to);
  const { time, capacity } = c;
  let slot = c.head + start;
  if (slot >= capacity) slot -= capacity;
  for (let row = start; row < end; row++, slot = slot + 1 === capacity ? 0 : slot + 1) {
    const at = time[slot]!;
    if (at >= from && at < to) visit(slot, row);
  }
}

/** The slot of row `row` (0 = oldest). */
export function slotOf(c: TableColumns, row: number): number {
  const slot = c.head + row;
  return slot >= c.capacity ? slot - c.capacity : slot;
}

function firstRowAtOrAfter(c: TableColumns, time: number): number {
  let low = 0;
  let high = c.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (c.time[slotOf(c, middle)]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface BucketLayout {
  readonly sizeMs: number;
  /** Start of the first bucket: `from` rounded down to a whole bucket (UTC). */
  readonly startMs: number;
  readonly count: number;
}

/**
 * Buckets of the window: by default minutes up to 6 hours, hours up to 14 days, else days; a
 * coarser size (hour, day, then several days) when the one asked for would exceed `maxBuckets`.
 */
export function bucketLayout(from: number, to: number, asked: BucketName | undefined): BucketLayout {
  const span = to - from;
  const name = asked ?? (span <= 6 * 3_600_000 ? 'minute' : span <= 14 * 86_400_000 ? 'hour' : 'day');
  const sizes = [bucketMs.minute, bucketMs.hour, bucketMs.day].filter((size) => size >= bucketMs[name]);
  for (const size of sizes) {
    const layout = layoutOf(from, to, size);
    if (layout.count <= maxBuckets) return layout;
  }
  // Past 2,000 days: whole multiples of a day.
  const days = Math.ceil(span / bucketMs.day / (maxBuckets - 1));
  return layoutOf(from, to, days * bucketMs.day);
}

function layoutOf(from: number, to: number, sizeMs: number): BucketLayout {
  const startMs = Math.floor(from / sizeMs) * sizeMs;
  const count = to > from ? Math.ceil((to - startMs) / sizeMs) : 0;
  return { sizeMs, startMs, count };
}

/** Checks a window's bounds; the server turns the RangeError into a 400. */
export function checkWindow(from: number, to: number): void {
  const limit = 8.64e15;
  if (!Number.isFinite(from) || !Number.isFinite(to) || Math.abs(from) > limit || Math.abs(to) > limit) {
    throw new RangeError('from and to must be times (epoch milliseconds)');
  }
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Rules both usage ledgers share, so that the embedded and PostgreSQL ledgers answer alike: what a
 * day looks like, and which requests count as errors.
 */
import type { UsageRecord } from '../spec/usage.js';

const dayPattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Throws on anything but "YYYY-MM-DD" (days 01 to 31 in any month, as a query bound may say "the
 * 31st" for a month's end): days name files, so a stray "../" must never get through.
 */
export function assertDay(value: string, what: string): string {
  if (!dayPattern.test(value)) throw new RangeError(`${what} must be a day like "2026-11-22", got ${JSON.stringify(value)}`);
  return value;
}

/** A record's day must also exist in the calendar. */
export function assertRecordDay(record: Pick<UsageRecord, 'day' | 'requestId'>): string {
  const what = `usage record ${record.requestId} day`;
  if (dateBound(assertDay(record.day, what), 'to') !== record.day) throw new RangeError(`${what} is not a calendar day: ${record.day}`);
  return record.day;
}

/** A request counts as an error when Nara reported one, even if the status line had already gone out as 200 (a broken stream). */
export function isErrorRecord(record: Pick<UsageRecord, 'status' | 'errorCode'>): boolean {
  return record.errorCode !== null || record.status >= 400;
}

/** The SQL twin of isErrorRecord. */
export const errorRecordSql = '(error_code IS NOT NULL OR status >= 400)';

/**
 * A bound PostgreSQL accepts as a date. Callers may name a month's end as day 31 whatever the
 * month ("2026-11-31"), which compares fine as text but is no date: an upper bound becomes the
 * month's last day, a lower bound the next month's first, which select the same days.
 */
export function dateBound(day: string, side: 'from' | 'to'): string {
  assertDay(day, side);
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (Number(day.slice(8, 10)) <= lastDay) return day;
  if (side === 'to') return `${day.slice(0, 8)}${String(lastDay).padStart(2, '0')}`;
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}

/**
 * Rules both usage ledgers share, so that the embedded and PostgreSQL ledgers answer alike: what a
 * day looks like, and which requests count as errors.
 */
import type { UsageRecord } from '../spec/usage.js';

const dayPattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Throws on anything but "YYYY-MM-DD": days name files, so a stray "../" must never get through. */
export function assertDay(value: string, what: string): string {
  if (!dayPattern.test(value)) throw new RangeError(`${what} must be a day like "2026-11-22", got ${JSON.stringify(value)}`);
  return value;
}

/** A request counts as an error when Nara reported one, even if the status line had already gone out as 200 (a broken stream). */
export function isErrorRecord(record: Pick<UsageRecord, 'status' | 'errorCode'>): boolean {
  return record.errorCode !== null || record.status >= 400;
}

/** The SQL twin of isErrorRecord. */
export const errorRecordSql = '(error_code IS NOT NULL OR status >= 400)';

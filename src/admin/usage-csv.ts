/**
 * Usage as CSV (RFC 4180) and as JSON rows. Costs are stored as integer micro-units and printed from
 * them with integer arithmetic, so an invoice never shows 0.30000000000000004.
 * Cells are also made safe for spreadsheets: a model or key name chosen by someone else must not
 * become a formula when an accountant opens the export (CSV injection).
 */
import type { UsageDimension, UsageRow } from '../spec/usage.js';

export interface UsageReport {
  /** The dimensions each row is grouped by, in column order. */
  readonly groupBy: readonly UsageDimension[];
  readonly rows: readonly UsageRow[];
}

/** A usage row as shown: the row itself, plus its cost in currency units as exact text. */
export interface UsageRowView extends UsageRow {
  /** Currency units with six decimals, as text (exact). */
  readonly cost: string;
}

const metricColumns = ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost', 'currency'] as const;

/** 1234567 → "1.234567"; -5 → "-0.000005". */
export function formatMicros(micros: number): string {
  const whole = Math.trunc(micros);
  const sign = whole < 0 ? '-' : '';
  const absolute = Math.abs(whole);
  const units = Math.floor(absolute / 1_000_000);
  const fraction = absolute % 1_000_000;
  return `${sign}${units}.${String(fraction).padStart(6, '0')}`;
}

export function usageRowView(row: UsageRow, groupBy: readonly UsageDimension[]): UsageRowView {
  const dimensions: Partial<Record<UsageDimension, string>> = {};
  for (const dimension of groupBy) dimensions[dimension] = row[dimension] ?? '';
  return {
    ...dimensions,
    requests: row.requests,
    errors: row.errors,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    cost: formatMicros(row.costMicros),
    costMicros: row.costMicros,
    currency: row.currency,
  };
}

/** A row's cells: its dimensions (`empty` for none, e.g. no back end), then the figures, cost exact. */
export function usageCells(row: UsageRow, groupBy: readonly UsageDimension[], empty: string): string[] {
  return [
    ...groupBy.map((dimension) => row[dimension] || empty),
    String(row.requests),
    String(row.errors),
    String(row.promptTokens),
    String(row.completionTokens),
    String(row.cachedTokens),
    formatMicros(row.costMicros),
    row.currency,
  ];
}

export function usageCsv(report: UsageReport): string {
  const lines = [[...report.groupBy, ...metricColumns].map(csvCell).join(',')];
  for (const row of report.rows) {
    const cells = usageCells(row, report.groupBy, '');
    lines.push(cells.map(csvCell).join(','));
  }
  // RFC 4180: CRLF after every record, the last included.
  return `${lines.join('\r\n')}\r\n`;
}

/** Quotes when needed (RFC 4180) and defuses cells a spreadsheet would evaluate. */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) && !isNumber(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Our own negative numbers (a refund, say) stay numbers; "-1+cmd|..." does not pass. */
function isNumber(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}

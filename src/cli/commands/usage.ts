/**
 * `nara usage`: what tenants and keys used, per tenant, key, model, back end and day, read straight
 * from the usage ledger. A table for people, --csv for spreadsheets, --json for scripts.
 * (A running server writes usage about once a second, so the last second may not be there yet.)
 */
import { usageCells, usageCsv, usageRowView } from '../../admin/usage-csv.js';
import { UsageError } from '../cli-error.js';
import { withAdmin, writeJson, type Io, type StoreFlags } from '../admin-session.js';

export interface UsageFlags extends StoreFlags {
  readonly tenant?: string | undefined;
  readonly key?: string | undefined;
  readonly model?: string | undefined;
  readonly backend?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly groupBy?: string | undefined;
  readonly csv?: boolean | undefined;
  readonly json?: boolean | undefined;
}

const usageFlagNames = { tenant: '--tenant', key: '--key', model: '--model', backend: '--backend', from: '--from', to: '--to', groupBy: '--group-by' };

export function usageCommand(flags: UsageFlags, io: Io): Promise<number> {
  if (flags.csv === true && flags.json === true) return Promise.reject(new UsageError('Give --csv or --json, not both.'));
  return withAdmin(
    flags,
    async (session) => {
      const query = { tenant: flags.tenant, key: flags.key, model: flags.model, backend: flags.backend, from: flags.from, to: flags.to, groupBy: flags.groupBy };
      const report = await session.service.queryUsage(Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)));
      if (flags.csv === true) {
        io.out.write(usageCsv(report));
        return 0;
      }
      if (flags.json === true) {
        writeJson(io, { groupBy: report.groupBy, data: report.rows.map((row) => usageRowView(row, report.groupBy)) });
        return 0;
      }
      if (report.rows.length === 0) {
        io.err.write('No usage recorded for this selection.\n');
        return 0;
      }
      const header = [...report.groupBy.map((name) => name.toUpperCase()), 'REQUESTS', 'ERRORS', 'PROMPT', 'COMPLETION', 'CACHED', 'COST', 'CURRENCY'];
      const rows = report.rows.map((row) => usageCells(row, report.groupBy, '-'));
      writeAligned(io, header, rows, report.groupBy.length);
      return 0;
    },
    usageFlagNames,
  );
}

/** Columns padded to their widest cell; numbers (after the dimensions, but not the currency) right-aligned. */
function writeAligned(io: Io, header: readonly string[], rows: readonly (readonly string[])[], dimensionCount: number): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = (column: number) => column >= dimensionCount && column < header.length - 1;
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  io.out.write(`${line(header)}\n`);
  for (const row of rows) io.out.write(`${line(row)}\n`);
}

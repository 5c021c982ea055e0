/** Groups usage records in memory the way the PostgreSQL ledger's GROUP BY does. */
import type { UsageDimension, UsageRecord, UsageRow } from '../../spec/usage.js';
import { isErrorRecord } from '../usage-days.js';

type Totals = { -readonly [K in keyof UsageRow]: UsageRow[K] };

interface Group {
  /** Dimension values in groupBy order, then the currency: the sort key. */
  readonly sortKey: readonly string[];
  readonly row: Totals;
}

function dimensionValue(record: UsageRecord, dimension: UsageDimension): string {
  switch (dimension) {
    case 'tenant':
      return record.tenantId;
    case 'key':
      return record.keyId;
    case 'model':
      return record.model;
    case 'backend':
      return record.backendId ?? '';
    case 'day':
      return record.day;
  }
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const left = a[index] ?? '';
    const right = b[index] ?? '';
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

export class UsageAggregator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly groupBy: readonly UsageDimension[]) {}

  add(record: UsageRecord): void {
    // The currency is always part of the key: amounts in different currencies are never added up.
    const sortKey = [...this.groupBy.map((dimension) => dimensionValue(record, dimension)), record.currency];
    const id = JSON.stringify(sortKey);
    let group = this.groups.get(id);
    if (group === undefined) {
      const row: Totals = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costMicros: 0, currency: record.currency };
      this.groupBy.forEach((dimension, index) => {
        row[dimension] = sortKey[index];
      });
      group = { sortKey, row };
      this.groups.set(id, group);
    }
    const { row } = group;
    row.requests += 1;
    if (isErrorRecord(record)) row.errors += 1;
    row.promptTokens += record.promptTokens;
    row.completionTokens += record.completionTokens;
    row.cachedTokens += record.cachedTokens;
    row.costMicros += record.costMicros;
  }

  rows(): UsageRow[] {
    return [...this.groups.values()].sort((a, b) => compareKeys(a.sortKey, b.sortKey)).map((group) => group.row);
  }
}

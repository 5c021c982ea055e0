/**
 * The audit event list, newest first, one line per event (the full event is read by index).
 * `total` counts every held row that matches the filter, whatever page is shown.
 */
import type { AuditEventList, AuditEventSummary } from '../spec/console-api.js';
import type { EventTable, TableColumns } from './event-table.js';
import { isoTime, slotOf } from './time-window.js';

export interface EventListQuery {
  readonly tenant?: string | undefined;
  /** Exact match. */
  readonly requestId?: string | undefined;
  /** ok: status below 400; error: 400 and above. */
  readonly outcome?: 'ok' | 'error' | undefined;
  /** Only rows whose leaf index is below this (the previous page's `nextBefore`). */
  readonly before?: number | undefined;
  readonly limit?: number | undefined;
}

export function listEvents(table: EventTable, query: EventListQuery): AuditEventList {
  const c = table.columns;
  const limit = query.limit === undefined || !Number.isFinite(query.limit) ? 50 : Math.min(Math.max(Math.floor(query.limit), 1), 500);
  const before = query.before === undefined || Number.isNaN(query.before) ? Infinity : query.before;
  const tenant = query.tenant === undefined ? undefined : (c.tenants.idOf(query.tenant) ?? -1);
  const { requestId, outcome } = query;
  const matches = (slot: number): boolean =>
    (tenant === undefined || c.dim.tenant[c.dims[slot]!] === tenant) &&
    (outcome === undefined || (c.status[slot]! >= 400) === (outcome === 'error')) &&
    (requestId === undefined || c.requestIdIs(slot, requestId));
  const data: AuditEventSummary[] = [];
  // Leaf indices rise with the rows: rows [0, first) are below `before`, the rest only count.
  const first = firstRowAtOrAbove(c, before);
  let total = 0;
  let more = false;
  if (tenant === undefined && requestId === undefined && outcome === undefined) {
    total = c.count;
    for (let row = first - 1; row >= 0 && data.length < limit; row--) data.push(summaryOf(c, slotOf(c, row)));
    more = first > data.length;
  } else {
    for (let row = c.count - 1; row >= first; row--) if (matches(slotOf(c, row))) total++;
    for (let row = first - 1; row >= 0; row--) {
      const slot = slotOf(c, row);
      if (!matches(slot)) continue;
      total++;
      if (data.length < limit) data.push(summaryOf(c, slot));
      else more = true;
    }
  }
  return { data, nextBefore: more ? (data[data.length - 1]?.index ?? null) : null, total };
}

/** The first row (from the oldest) whose leaf index is at or above `index`. */
function firstRowAtOrAbove(c: TableColumns, index: number): number {
  let low = 0;
  let high = c.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (c.indexAt(slotOf(c, middle)) < index) low = middle + 1;
    else high = middle;
  }
  return low;
}

function summaryOf(c: TableColumns, slot: number): AuditEventSummary {
  const d = c.dims[slot]!;
  return {
    index: c.indexAt(slot),
    time: isoTime(c.time[slot]!),
    requestId: c.requestIdAt(slot),
    tenant: c.tenants.valueOf(c.dim.tenant[d]!),
    model: c.models.valueOf(c.dim.model[d]!),
    backend: c.backends.valueOf(c.dim.backend[d]!),
    jurisdiction: c.places.valueOf(c.dim.jurisdiction[d]!),
    crossBorder: c.dim.crossBorder[d] === 1,
    status: c.status[slot]!,
    code: c.codes.valueOf(c.dim.code[d]!),
    latencyMs: c.latencyUs[slot]! / 1000,
  };
}

/**
 * The overview page: traffic over time (every bucket of the window, empty ones as zeros so the
 * chart's axis is continuous), totals, the top tenants, models and back ends, and error codes.
 */
import type { OverviewAnswer } from '../spec/console-api.js';
import type { Dictionary } from './dictionary.js';
import type { EventTable, TableColumns } from './event-table.js';
import { FigureSlots, GroupedFigures } from './figures.js';
import { bucketLayout, checkWindow, forEachRowInWindow, isoTime, type BucketName } from './time-window.js';

export interface OverviewQuery {
  /** Epoch milliseconds, window [from, to). */
  readonly from: number;
  readonly to: number;
  readonly bucket?: BucketName | undefined;
  readonly tenant?: string | undefined;
  readonly model?: string | undefined;
  readonly backend?: string | undefined;
}

const topGroups = 50;

/** Throws a RangeError when `from` or `to` is not a time. */
export function overview(table: EventTable, query: OverviewQuery): OverviewAnswer {
  const { from, to } = query;
  checkWindow(from, to);
  const c = table.columns;
  const layout = bucketLayout(from, to, query.bucket);
  const currencies = c.currencies.size;
  const buckets = new FigureSlots(layout.count, currencies);
  const byTenant = new GroupedFigures(c.tenants.size, currencies);
  const byModel = new GroupedFigures(c.models.size, currencies);
  const byBackend = new GroupedFigures(c.backends.size, currencies);
  const codeCounts = new Float64Array(c.codes.size);
  const keep = filterMask(c, query);
  const { time, dims, status, tokensIn, tokensOut, costMicros, latencyBin } = c;
  const { tenant, model, backend, code, currency } = c.dim;
  const { startMs, sizeMs } = layout;
  forEachRowInWindow(c, from, to, (slot) => {
    const d = dims[slot]!;
    if (keep[d] === 0) return;
    const at = time[slot]!;
    // Read once, added four times: to the bucket and to the tenant's, model's and back end's figures.
    const error = status[slot]! >= 400 ? 1 : 0;
    const used = tokensIn[slot]!;
    const made = tokensOut[slot]!;
    const cost = costMicros[slot]!;
    const priced = currency[d]!;
    const bin = latencyBin[slot]!;
    buckets.add(Math.floor((at - startMs) / sizeMs), error, used, made, cost, priced, bin);
    byTenant.add(tenant[d]!, error, used, made, cost, priced, bin);
    byModel.add(model[d]!, error, used, made, cost, priced, bin);
    byBackend.add(backend[d]!, error, used, made, cost, priced, bin);
    // Every request with an error code counts, and so does a failure that has none ("(none)").
    if (code[d] !== 0 || error === 1) codeCounts[code[d]!]! += 1;
  });
  // Totals are the buckets' sum: the buckets cover the whole window.
  const totals = new FigureSlots(1, currencies);
  for (let at = 0; at < layout.count; at++) totals.merge(0, buckets, at);
  const series = Array.from({ length: layout.count }, (_, at) => ({ t: isoTime(startMs + at * sizeMs), ...buckets.figures(at, c.currencies) }));
  const errorCodes: { code: string; count: number }[] = [];
  codeCounts.forEach((count, id) => {
    if (count > 0) errorCodes.push({ code: c.codes.valueOf(id) ?? '(none)', count });
  });
  errorCodes.sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    from: isoTime(from),
    to: isoTime(to),
    bucketSeconds: sizeMs / 1000,
    series,
    totals: totals.figures(0, c.currencies),
    byTenant: byTenant.top(topGroups, c.tenants, c.currencies),
    byModel: byModel.top(topGroups, c.models, c.currencies),
    byBackend: byBackend.top(topGroups, c.backends, c.currencies),
    errorCodes,
    eventsIndexed: table.size,
  };
}

/** 1 for each combination of facts the query's tenant, model and back end filters let through. */
function filterMask(c: TableColumns, query: OverviewQuery): Uint8Array {
  const keep = new Uint8Array(c.dimCount).fill(1);
  const filters: [string | undefined, Dictionary, Uint32Array][] = [
    [query.tenant, c.tenants, c.dim.tenant],
    [query.model, c.models, c.dim.model],
    [query.backend, c.backends, c.dim.backend],
  ];
  for (const [value, dictionary, ids] of filters) {
    if (value === undefined) continue;
    // A value never seen matches no row.
    const wanted = dictionary.idOf(value) ?? -1;
    for (let d = 0; d < keep.length; d++) if (ids[d] !== wanted) keep[d] = 0;
  }
  return keep;
}

/**
 * The residency page: per tenant, where its requests were served, how many crossed a border and how
 * many were refused for want of an allowed jurisdiction; and the home → served flows of every
 * matching tenant (not only the page shown). Requests with no tenant (refused before one was known)
 * belong to no one's residency and are left out.
 */
import type { ResidencyAnswer, ResidencyTenant } from '../spec/console-api.js';
import type { EventTable, TableColumns } from './event-table.js';
import { checkWindow, forEachRowInWindow, isoTime } from './time-window.js';

/** A tenant's residency policy as configured today. */
export interface TenantPolicyFacts {
  readonly id: string;
  readonly home: string | null;
  readonly allowed: readonly string[];
}

export interface ResidencyQuery {
  readonly from: number;
  readonly to: number;
  /** Exactly this tenant. */
  readonly tenant?: string | undefined;
  /** Tenants whose id contains this, any case. */
  readonly q?: string | undefined;
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
}

const deniedCode = 'jurisdiction_not_allowed';
const unknownHome = '??';

/** What the window's rows say of each tenant (arrays indexed by tenant id). */
interface Tally {
  readonly requests: Float64Array;
  readonly denials: Float64Array;
  /** The latest home the tenant's events named (place id), for tenants no longer configured. */
  readonly home: Uint32Array;
  /** tenant id → (home place id, served place id) packed by `pair` → [requests, requests flagged cross-border]. */
  readonly served: Map<number, Map<number, [number, number]>>;
}

/** Throws a RangeError when `from` or `to` is not a time. */
export function residency(table: EventTable, query: ResidencyQuery, tenants: readonly TenantPolicyFacts[]): ResidencyAnswer {
  checkWindow(query.from, query.to);
  const c = table.columns;
  const tally = tallyWindow(c, query.from, query.to);
  const needle = query.q?.toLowerCase();
  const matches = (id: string): boolean => (query.tenant === undefined || id === query.tenant) && (needle === undefined || id.toLowerCase().includes(needle));
  const rows: ResidencyTenant[] = [];
  const configured = new Set<string>();
  for (const policy of tenants) {
    if (configured.has(policy.id)) continue;
    configured.add(policy.id);
    if (matches(policy.id)) rows.push(tenantRow(c, tally, policy.id, c.tenants.idOf(policy.id), policy.home, [...policy.allowed]));
  }
  tally.requests.forEach((requests, id) => {
    const name = c.tenants.valueOf(id);
    if (requests === 0 || name === null || configured.has(name) || !matches(name)) return;
    rows.push(tenantRow(c, tally, name, id, c.places.valueOf(tally.home[id]!), []));
  });
  rows.sort((a, b) => b.requests - a.requests || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  const offset = whole(query.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = whole(query.limit, 0, 500, 50);
  const totals = { requests: 0, crossBorder: 0, denials: 0 };
  for (const row of rows) {
    totals.requests += row.requests;
    totals.crossBorder += row.crossBorder;
    totals.denials += row.denials;
  }
  return {
    from: isoTime(query.from),
    to: isoTime(query.to),
    tenants: rows.slice(offset, offset + limit),
    page: { offset, limit, total: rows.length },
    flows: flowsOf(c, tally, rows),
    totals,
  };
}

/**
 * Counts the window's rows per combination of facts (one increment a row), then folds the
 * combinations into tenants: everything residency needs (tenant, place, home, code, the
 * cross-border flag) is a part of the combination.
 */
function tallyWindow(c: TableColumns, from: number, to: number): Tally {
  const perDim = new Float64Array(c.dimCount);
  // The newest row of each combination, to tell which home a tenant's events named last.
  const newest = new Float64Array(c.dimCount).fill(-1);
  const { dims } = c;
  forEachRowInWindow(c, from, to, (slot, row) => {
    const d = dims[slot]!;
    perDim[d]! += 1;
    newest[d] = row;
  });
  const size = c.tenants.size;
  const tally: Tally = { requests: new Float64Array(size), denials: new Float64Array(size), home: new Uint32Array(size), served: new Map() };
  const homeSeenAt = new Float64Array(size).fill(-1);
  const denied = c.codes.idOf(deniedCode) ?? -1;
  const dim = c.dim;
  perDim.forEach((requests, d) => {
    const tenant = dim.tenant[d]!;
    if (requests === 0 || tenant === 0) return;
    tally.requests[tenant]! += requests;
    if (dim.code[d] === denied) tally.denials[tenant]! += requests;
    if (dim.home[d] !== 0 && newest[d]! > homeSeenAt[tenant]!) {
      homeSeenAt[tenant] = newest[d]!;
      tally.home[tenant] = dim.home[d]!;
    }
    const place = dim.jurisdiction[d]!;
    if (place === 0) return;
    const flagged = dim.crossBorder[d] === 1 ? requests : 0;
    let places = tally.served.get(tenant);
    if (places === undefined) tally.served.set(tenant, (places = new Map()));
    const key = pair(dim.home[d]!, place);
    const counts = places.get(key);
    if (counts === undefined) places.set(key, [requests, flagged]);
    else {
      counts[0] += requests;
      counts[1] += flagged;
    }
  });
  return tally;
}

/** Two place ids in one number: the event's home and where it was served. */
const pairBase = 1 << 20;
function pair(home: number, place: number): number {
  return home * pairBase + place;
}

/**
 * One tenant's line. Whether a request crossed a border is what its own signed event says
 * (`crossBorder`, judged against the home in force when it was served), not today's policy: a
 * tenant that moves its home does not rewrite its history.
 */
function tenantRow(c: TableColumns, tally: Tally, tenant: string, id: number | undefined, home: string | null, allowed: string[]): ResidencyTenant {
  const byPlace = new Map<number, [number, number]>();
  for (const [key, [requests, flagged]] of (id === undefined ? undefined : tally.served.get(id)) ?? []) {
    const place = key % pairBase;
    const counts = byPlace.get(place);
    if (counts === undefined) byPlace.set(place, [requests, flagged]);
    else {
      counts[0] += requests;
      counts[1] += flagged;
    }
  }
  const served: { jurisdiction: string; requests: number; crossBorder: boolean }[] = [];
  let crossBorder = 0;
  for (const [place, [requests, flagged]] of byPlace) {
    served.push({ jurisdiction: c.places.valueOf(place) ?? '', requests, crossBorder: flagged > 0 });
    crossBorder += flagged;
  }
  served.sort((a, b) => b.requests - a.requests || compare(a.jurisdiction, b.jurisdiction));
  return {
    tenant,
    home,
    allowed,
    requests: id === undefined ? 0 : tally.requests[id]!,
    served,
    crossBorder,
    denials: id === undefined ? 0 : tally.denials[id]!,
  };
}

/** Home (as each event recorded it; "??" where none) → served, summed over the tenants given. */
function flowsOf(c: TableColumns, tally: Tally, rows: readonly ResidencyTenant[]): ResidencyAnswer['flows'] {
  const flows = new Map<string, { from: string; to: string; requests: number; crossBorder: boolean }>();
  for (const row of rows) {
    const id = c.tenants.idOf(row.tenant);
    for (const [key, [requests, flagged]] of (id === undefined ? undefined : tally.served.get(id)) ?? []) {
      const from = c.places.valueOf(Math.floor(key / pairBase)) ?? unknownHome;
      const to = c.places.valueOf(key % pairBase) ?? '';
      const name = `${from}\u0000${to}`;
      const flow = flows.get(name);
      if (flow === undefined) flows.set(name, { from, to, requests, crossBorder: flagged > 0 });
      else {
        flow.requests += requests;
        flow.crossBorder ||= flagged > 0;
      }
    }
  }
  return [...flows.values()].sort((a, b) => b.requests - a.requests || compare(a.from, b.from) || compare(a.to, b.to));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A whole number within [min, max]; `fallback` when absent or not a number. */
function whole(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(Math.floor(value), min), max);
}

/**
 * The safety page: requests, blocks and redactions in the window, hazards by language, action and
 * place, PII entities by type and language. Rows carry a profile id; the window's rows are counted
 * per profile and each profile expanded once, so the cost is one pass plus the distinct profiles.
 * Counts only: no value, prompt or answer text can appear in the answer.
 */
import type { SafetyAnswer } from '../spec/console-api.js';
import type { EventTable } from './event-table.js';
import { checkWindow, forEachRowInWindow, isoTime } from './time-window.js';

export interface SafetyQuery {
  readonly from: number;
  readonly to: number;
  readonly tenant?: string | undefined;
}

const blockedCode = 'safety_blocked';

/** Throws a RangeError when `from` or `to` is not a time. */
export function safetyCounts(table: EventTable, query: SafetyQuery): SafetyAnswer {
  const { from, to } = query;
  checkWindow(from, to);
  const c = table.columns;
  const tenant = query.tenant === undefined ? undefined : (c.tenants.idOf(query.tenant) ?? -1);
  const blockedId = c.codes.idOf(blockedCode) ?? -1;
  const hits = new Float64Array(c.profiles.length);
  let requests = 0;
  let blocked = 0;
  const { dims, profile } = c;
  forEachRowInWindow(c, from, to, (slot) => {
    const d = dims[slot]!;
    if (tenant !== undefined && c.dim.tenant[d] !== tenant) return;
    requests++;
    if (c.dim.code[d] === blockedId) blocked++;
    hits[profile[slot]!]! += 1;
  });
  let redacted = 0;
  const hazards = new Map<string, { hazard: string; language: string; action: string; where: 'request' | 'answer'; count: number }>();
  const pii = new Map<string, { entity: string; language: string; where: 'request' | 'answer'; count: number }>();
  hits.forEach((events, id) => {
    const profile = c.profiles[id];
    if (events === 0 || profile === undefined) return;
    if (profile.redacted) redacted += events;
    for (const fact of profile.hazards) {
      const key = `${fact.where} ${fact.hazard} ${fact.language} ${fact.action}`;
      const found = hazards.get(key);
      if (found === undefined) hazards.set(key, { ...fact, count: events });
      else found.count += events;
    }
    for (const fact of profile.pii) {
      const key = `${fact.where} ${fact.entity}`;
      const found = pii.get(key);
      if (found === undefined) pii.set(key, { ...fact, count: fact.count * events });
      else found.count += fact.count * events;
    }
  });
  return {
    from: isoTime(from),
    to: isoTime(to),
    requests,
    blocked,
    redacted,
    hazards: [...hazards.values()].sort((a, b) => b.count - a.count || byText(a.hazard, b.hazard) || byText(a.where, b.where) || byText(a.language, b.language) || byText(a.action, b.action)),
    pii: [...pii.values()].sort((a, b) => b.count - a.count || byText(a.entity, b.entity) || byText(a.where, b.where)),
  };
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

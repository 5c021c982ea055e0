/**
 * What the safety page needs of one event, reduced at ingest to a shared "profile": the hazards the
 * guard found (with action, language and where), the PII entity counts and whether anything was
 * redacted. Most events share a handful of profiles (most share "nothing found"), so rows hold a
 * profile id and a query counts ids before expanding each profile once. Counts and ids only: no
 * value and no text of the request is ever kept.
 */
import type { AuditEvent } from '../spec/audit.js';
import { entityLanguage } from './entity-language.js';
import { parseSafetyNote } from './safety-note.js';

export type Where = 'request' | 'answer';

export interface HazardFact {
  readonly hazard: string;
  readonly language: string;
  readonly action: string;
  readonly where: Where;
}

export interface PiiFact {
  readonly entity: string;
  readonly language: string;
  readonly where: Where;
  readonly count: number;
}

export interface SafetyProfile {
  readonly hazards: readonly HazardFact[];
  readonly pii: readonly PiiFact[];
  readonly redacted: boolean;
}

const entityShape = /^[A-Z][A-Z0-9_]{0,63}$/;
/** PII modes that change what reaches the back end (detect sends it unchanged; block refuses it). */
const rewritingModes = new Set(['pseudonymise', 'pseudonymize', 'redact']);

/**
 * Profiles kept at most. Hazards and entity types are few, but entity counts come from traffic: a
 * tenant sending 1, 2, 3 … n identifiers would make n profiles. Past this many, a new profile keeps
 * each entity type counted once (what was found, not how many), so memory stays bounded.
 */
export const maxProfiles = 100_000;

/** Interns profiles; id 0 is the empty profile, held by most rows. */
export class ProfileBook {
  readonly #ids = new Map<string, number>();
  readonly #profiles: SafetyProfile[] = [{ hazards: [], pii: [], redacted: false }];

  constructor(private readonly limit = maxProfiles) {}

  idFor(event: AuditEvent): number {
    const found = profileOf(event);
    if (found === undefined) return 0;
    const full = this.#profiles.length >= this.limit;
    const profile = full ? { ...found, pii: found.pii.map((fact) => ({ ...fact, count: 1 })) } : found;
    const key = JSON.stringify(profile);
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    // Full even of reduced profiles (types × hazards × places, a few thousand at most in practice): the last one stands in.
    if (full && this.#profiles.length >= this.limit * 2) return this.#profiles.length - 1;
    const id = this.#profiles.length;
    this.#profiles.push(profile);
    this.#ids.set(key, id);
    return id;
  }

  get profiles(): readonly SafetyProfile[] {
    return this.#profiles;
  }
}

/** The event's profile, or undefined when it has nothing to count. */
export function profileOf(event: AuditEvent): SafetyProfile | undefined {
  const hazards = hazardsOf(event);
  const pii = [...piiFacts(event.pii?.entities, 'request'), ...piiFacts(event.pii?.answerEntities, 'answer')];
  const redacted = hazards.redacted || piiRewritten(event);
  if (hazards.facts.length === 0 && pii.length === 0 && !redacted) return undefined;
  return { hazards: hazards.facts, pii, redacted };
}

/** Each hazard once per event and place; a later verdict (the parallel guard's) replaces an earlier one. */
function hazardsOf(event: AuditEvent): { facts: HazardFact[]; redacted: boolean } {
  const found = new Map<string, HazardFact>();
  let redacted = false;
  for (const record of event.stages) {
    if (record.stage !== 'safety' && record.stage !== 'safety-answer') continue;
    const where: Where = record.stage === 'safety' ? 'request' : 'answer';
    const note = parseSafetyNote(record.note);
    const action = note.action ?? (!record.ok && record.code === 'safety_blocked' ? 'block' : 'unknown');
    if (action === 'redact') redacted = true;
    for (const hazard of note.hazards) found.set(`${where} ${hazard}`, { hazard, language: note.language, action, where });
  }
  const facts = [...found.values()].sort((a, b) => a.where.localeCompare(b.where) || a.hazard.localeCompare(b.hazard));
  return { facts, redacted };
}

function piiFacts(counts: Readonly<Record<string, number>> | undefined, where: Where): PiiFact[] {
  if (counts === undefined) return [];
  const facts: PiiFact[] = [];
  for (const entity of Object.keys(counts).sort()) {
    const count = counts[entity];
    if (!entityShape.test(entity) || typeof count !== 'number' || !(count > 0)) continue;
    facts.push({ entity, language: entityLanguage(entity), where, count });
  }
  return facts;
}

/** True when PII was replaced before the prompt left, or in the answer by a redacting answer policy. */
function piiRewritten(event: AuditEvent): boolean {
  const pii = event.pii;
  if (pii === null) return false;
  if (rewritingModes.has(pii.action) && total(pii.entities) > 0) return true;
  const answerNote = event.stages.find((record) => record.stage === 'pii-answer')?.note ?? '';
  return /(?:^|\s)answers=redact(?:\s|$)/.test(answerNote) && total(pii.answerEntities) > 0;
}

function total(counts: Readonly<Record<string, number>>): number {
  let sum = 0;
  for (const count of Object.values(counts)) if (typeof count === 'number' && count > 0) sum += count;
  return sum;
}

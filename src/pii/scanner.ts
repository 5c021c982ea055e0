/**
 * `scan(text)`: every national identifier, phone number, e-mail address, payment card, IBAN and IP
 * address in a text, with exact UTF-16 offsets into it. One linear pass finds digit windows (any
 * digit script, any glue to Hangul, Thai or Arabic letters); each is tried against the validators
 * its digit count and grouping allow. Lettered entities come from separate linear scans.
 */
import { creditCard } from './check-digits.js';
import { forEachDigitWindow, type DigitWindow } from './candidates.js';
import { countriesByScript, hasContext } from './context-words.js';
import type { CountryCode, Entity, EntityType } from './entity-types.js';
import { hasCardPrefix, idRulesByGrouping, isCardGrouping, type IdRule } from './id-rules.js';
import { findIpv6, isIpv4 } from './ip-addresses.js';
import { resolveOverlaps } from './overlaps.js';
import { internationalPhone, nationalPhoneCountries } from './phones.js';
import { findEmails, findIbans, findKrPassports, findNrics } from './text-scans.js';

export type { Entity, EntityType, CountryCode } from './entity-types.js';

const scores = {
  validated: 0.95,
  validatedInContext: 0.99,
  structural: 0.5,
  inContext: 0.9,
  phoneGrouped: 0.6,
  phoneCompact: 0.45,
  phoneInternational: 0.85,
  phoneUnplanned: 0.6,
  email: 0.95,
  ip: 0.8,
  iban: 0.95,
} as const;

type Found = (entity: Entity) => void;

function entity(text: string, type: EntityType, start: number, end: number, score: number, validated: boolean, country?: CountryCode): Entity {
  const base = { type, start, end, text: text.slice(start, end), score, validated };
  return country === undefined ? base : { ...base, country };
}

function idScore(text: string, window: DigitWindow, rule: IdRule, validated: boolean): number {
  const context = hasContext(text, window.start, rule.type);
  if (validated) {
    if (context) return scores.validatedInContext;
    return window.groups.length > 1 ? scores.validated : (rule.compactScore ?? scores.validated);
  }
  return context ? scores.inContext : (rule.structuralScore ?? scores.structural);
}

function tryIds(text: string, window: DigitWindow, found: Found): void {
  if (window.plus) return;
  for (const rule of idRulesByGrouping.get(window.groupingKey) ?? []) {
    const verdict = rule.validate(window.digits);
    if (!verdict.valid) continue;
    const score = idScore(text, window, rule, verdict.checkDigitValidated);
    found(entity(text, rule.type, window.start, window.end, score, verdict.checkDigitValidated, rule.country));
  }
}

function tryCard(text: string, window: DigitWindow, found: Found): void {
  if (window.plus || window.digits.length < 12) return;
  if (!isCardGrouping(window.groups.map((group) => group.digits.length)) || !hasCardPrefix(window.digits)) return;
  if (!creditCard(window.digits).valid) return;
  const score = hasContext(text, window.start, 'CREDIT_CARD') ? scores.validatedInContext : scores.validated;
  found(entity(text, 'CREDIT_CARD', window.start, window.end, score, true));
}

/** One country when the plan or the script around tells it; none when still ambiguous. */
function pickCountry(text: string, window: DigitWindow, countries: readonly CountryCode[]): CountryCode | undefined {
  if (countries.length <= 1) return countries[0];
  const byScript = countriesByScript(text, window.start, window.end).filter((country) => countries.includes(country));
  return byScript.length === 1 ? byScript[0] : undefined;
}

function tryPhone(text: string, window: DigitWindow, found: Found): void {
  const groups = window.groups;
  if (window.plus) {
    const reading = internationalPhone(window.digits);
    if (reading === undefined) return;
    const context = hasContext(text, window.start, 'PHONE');
    const score = context ? scores.inContext : reading.planned ? scores.phoneInternational : scores.phoneUnplanned;
    found(entity(text, 'PHONE', window.start, window.end, score, false, reading.countries[0]));
    return;
  }
  if (!window.digits.startsWith('0') || window.digits.length < 9 || window.digits.length > 13 || groups.length > 4 || groups.some((group) => group.digits.length < 2)) return;
  const countries = nationalPhoneCountries(window.digits);
  if (countries.length === 0) return;
  const context = hasContext(text, window.start, 'PHONE');
  const base = groups.length > 1 ? scores.phoneGrouped : scores.phoneCompact;
  found(entity(text, 'PHONE', window.start, window.end, context ? scores.inContext : base, false, pickCountry(text, window, countries)));
}

function tryIpv4(text: string, window: DigitWindow, found: Found): void {
  if (window.plus || window.groups.length !== 4) return;
  if (!window.groups.slice(1).every((group) => group.separatorBefore === 0x2e)) return;
  // Only ASCII digits: an address is not written in Thai or Arabic digits.
  if (!/^[0-9.]+$/.test(text.slice(window.start, window.end))) return;
  if (isIpv4(window.groups.map((group) => group.digits))) found(entity(text, 'IP_ADDRESS', window.start, window.end, scores.ip, false));
}

/** Every entity found in `text`, without overlaps, in text order. Never throws on any string. */
export function scan(text: string): Entity[] {
  const candidates: Entity[] = [];
  const found: Found = (value) => candidates.push(value);
  forEachDigitWindow(text, (window) => {
    tryIds(text, window, found);
    tryCard(text, window, found);
    tryPhone(text, window, found);
    tryIpv4(text, window, found);
  });
  for (const span of findEmails(text)) found(entity(text, 'EMAIL', span.start, span.end, scores.email, false));
  for (const span of findIpv6(text)) found(entity(text, 'IP_ADDRESS', span.start, span.end, scores.ip, false));
  for (const match of findIbans(text)) found(entity(text, 'IBAN', match.start, match.end, scores.iban, true));
  for (const match of findNrics(text)) {
    const score = hasContext(text, match.start, 'SG_NRIC') ? scores.validatedInContext : scores.validated;
    found(entity(text, 'SG_NRIC', match.start, match.end, score, true, 'SG'));
  }
  for (const match of findKrPassports(text)) {
    const score = hasContext(text, match.start, 'KR_PASSPORT') ? scores.inContext : scores.structural;
    found(entity(text, 'KR_PASSPORT', match.start, match.end, score, false, 'KR'));
  }
  return resolveOverlaps(candidates);
}

/**
 * `scan(text)`: every national identifier, phone number, e-mail address, payment card, IBAN and IP
 * address in a text, with exact UTF-16 offsets into it. One linear pass finds digit windows (any
 * digit script, any glue to Hangul, Thai or Arabic letters); each is tried against the validators
 * its digit count and grouping allow, and the lettered identifiers (NRIC, passports, IBANs) are read
 * around its digit groups. E-mail and IPv6 come from scans anchored on `@` and `:`.
 */
import { creditCard } from './check-digits.js';
import { forEachDigitWindow, type DigitGroup, type DigitWindow } from './candidates.js';
import { contextBefore, contextWordEnds, countriesByScript } from './context-words.js';
import { entityTypes, type CountryCode, type Entity, type EntityType } from './entity-types.js';
import { hasCardPrefix, idRulesByGrouping, isCardGrouping, type IdRule } from './id-rules.js';
import { findIpv6, isIpv4 } from './ip-addresses.js';
import { resolveOverlaps } from './overlaps.js';
import { internationalPhone, nationalPhoneCountries, singaporePhone } from './phones.js';
import { findEmails, letteredAround, type LetteredType } from './text-scans.js';

export type { Entity, EntityType, CountryCode } from './entity-types.js';

const scores = {
  validated: 0.95,
  validatedInContext: 0.99,
  structural: 0.5,
  inContext: 0.9,
  /** A weak check digit on digits that spell a phone number, without its own context word. */
  yieldedToPhone: 0.44,
  phoneGrouped: 0.6,
  phoneCompact: 0.45,
  phoneInternational: 0.85,
  phoneUnplanned: 0.6,
  /** After a phone context word but outside every numbering plan: a longer reading must not beat a planned one. */
  phoneUnplannedInContext: 0.7,
  email: 0.95,
  ip: 0.8,
  iban: 0.95,
} as const;

type Found = (entity: Entity) => void;

function entity(text: string, type: EntityType, start: number, end: number, score: number, validated: boolean, country?: CountryCode): Entity {
  // Two literal shapes rather than a spread: this runs for every candidate.
  if (country === undefined) return { type, start, end, text: text.slice(start, end), score, validated };
  return { type, start, end, text: text.slice(start, end), score, validated, country };
}

const phoneIndex = entityTypes.indexOf('PHONE');
const typeIndex: ReadonlyMap<EntityType, number> = new Map(entityTypes.map((type, index) => [type, index]));

/** The context of the window being tried, read once however many validators ask. */
class WindowContext {
  #text = '';
  #start = -1;
  #floor = -1;
  #read = false;
  /** End of the nearest context word of each type, -1 where none (see `contextWordEnds`). */
  readonly #ends = new Int32Array(entityTypes.length);
  #otherThanPhone = -1;

  /** Forget everything read (and the text, so a large input is not kept alive between scans). */
  begin(): void {
    this.#text = '';
    this.#start = -1;
    this.#read = false;
  }

  reset(text: string, start: number, floor: number): void {
    // Windows of one run that start at the same group share their context: keep what was read.
    if (text === this.#text && start === this.#start && floor === this.#floor) return;
    this.#text = text;
    this.#start = start;
    this.#floor = floor;
    this.#read = false;
  }

  #load(): void {
    this.#read = true;
    contextWordEnds(contextBefore(this.#text, this.#start, this.#floor), this.#ends);
    let other = -1;
    for (let index = 0; index < this.#ends.length; index += 1) {
      const end = this.#ends[index] as number;
      if (index !== phoneIndex && end > other) other = end;
    }
    this.#otherThanPhone = other;
  }

  /**
   * Whether a context word labels the window as `type`. A phone word and an identifier word both
   * before it ("identity check, mobile: 0812…"): the nearer one says what the number is.
   */
  has(type: EntityType): boolean {
    if (!this.#read) this.#load();
    const index = typeIndex.get(type) as number;
    const end = this.#ends[index] as number;
    if (end < 0) return false;
    return index === phoneIndex ? end >= this.#otherThanPhone : end >= (this.#ends[phoneIndex] as number);
  }
}

/** One for all scans: `scan` is synchronous, and allocating the context per call cost more than a small prompt's scan. */
const sharedContext = new WindowContext();

/** Whether all groups after the first `from` are joined by the same separator (spaces of both kinds alike). */
function consistentSeparators(window: DigitWindow, from: number): boolean {
  const groups = window.groups;
  if (groups.length <= from + 1) return true;
  const first = (groups[from + 1] as DigitGroup).separatorBefore;
  const space = first === 0x20 || first === 0xa0;
  for (let index = from + 2; index < groups.length; index += 1) {
    const separator = (groups[index] as DigitGroup).separatorBefore;
    if (separator !== first && !(space && (separator === 0x20 || separator === 0xa0))) return false;
  }
  return true;
}

/** A national phone number's groups: two to four digits each when it is grouped at all. */
function phoneGroupsOk(window: DigitWindow, from: number): boolean {
  const groups = window.groups;
  if (groups.length === 1) return true;
  for (let index = from; index < groups.length; index += 1) {
    const length = (groups[index] as DigitGroup).digits.length;
    if (length < 2 || length > 4) return false;
  }
  return consistentSeparators(window, from);
}

/** Whether the digits also read as a national phone number written as people write them. */
function spellsPhone(window: DigitWindow): boolean {
  const digits = window.digits;
  return digits.startsWith('0') && digits.length >= 9 && digits.length <= 13 && window.groups.length <= 4 && phoneGroupsOk(window, 0) && nationalPhoneCountries(digits).length > 0;
}

/**
 * Whether digits that spell both a phone number and `rule`'s identifier read as the phone: unless
 * the script or words around name the identifier's country (in Japanese text 0823-6831-9135 with a
 * valid check digit is a My Number), or name another country than the phone's (a 9-digit TIN in
 * Japanese text is not a Thai landline).
 */
function phoneRatherThan(text: string, window: DigitWindow, rule: IdRule): boolean {
  const local = countriesByScript(text, window.start, window.end);
  if (local.includes(rule.country)) return false;
  return local.length === 0 || nationalPhoneCountries(window.digits).some((country) => local.includes(country));
}

function idScore(text: string, window: DigitWindow, rule: IdRule, validated: boolean, context: WindowContext): number {
  const own = context.has(rule.type);
  const yields = rule.yieldsToPhone === 'always' || (rule.yieldsToPhone === 'compact' && window.groups.length === 1);
  if (yields && !own && spellsPhone(window) && (context.has('PHONE') || phoneRatherThan(text, window, rule))) return scores.yieldedToPhone;
  if (validated) {
    if (own) return scores.validatedInContext;
    return window.groups.length > 1 ? scores.validated : (rule.compactScore ?? scores.validated);
  }
  return own ? scores.inContext : (rule.structuralScore ?? scores.structural);
}

function tryIds(text: string, window: DigitWindow, context: WindowContext, found: Found): void {
  const rules = idRulesByGrouping.get(window.groupingKey);
  if (rules === undefined || !consistentSeparators(window, 0)) return;
  for (const rule of rules) {
    const verdict = rule.validate(window.digits);
    if (!verdict.valid) continue;
    if (rule.needsContext === 'always' || (rule.needsContext === 'compact' && window.groups.length === 1)) {
      if (!context.has(rule.type)) continue;
    }
    const score = idScore(text, window, rule, verdict.checkDigitValidated, context);
    found(entity(text, rule.type, window.start, window.end, score, verdict.checkDigitValidated, rule.country));
  }
}

function tryCard(text: string, window: DigitWindow, context: WindowContext, found: Found): void {
  if (window.digits.length < 12 || !consistentSeparators(window, 0)) return;
  if (!isCardGrouping(window.groups.map((group) => group.digits.length)) || !hasCardPrefix(window.digits)) return;
  if (!creditCard(window.digits).valid) return;
  const score = context.has('CREDIT_CARD') ? scores.validatedInContext : scores.validated;
  found(entity(text, 'CREDIT_CARD', window.start, window.end, score, true));
}

/** One country when the plan or the script around tells it; none when still ambiguous. */
function pickCountry(text: string, window: DigitWindow, countries: readonly CountryCode[]): CountryCode | undefined {
  if (countries.length <= 1) return countries[0];
  const byScript = countriesByScript(text, window.start, window.end).filter((country) => countries.includes(country));
  return byScript.length === 1 ? byScript[0] : undefined;
}

function tryInternationalPhone(text: string, window: DigitWindow, context: WindowContext, found: Found): void {
  const groups = window.groups;
  // +CC then the national groups: a one-digit area code may follow the calling code (+66 2-…).
  if (groups.length > 1) {
    if ((groups[0]?.digits.length ?? 0) > 4) return;
    for (let index = 2; index < groups.length; index += 1) {
      const length = (groups[index] as DigitGroup).digits.length;
      if (length < 2 || length > 4) return;
    }
    if (!consistentSeparators(window, 1)) return;
  }
  const reading = internationalPhone(window.digits);
  if (reading === undefined) return;
  const score = context.has('PHONE') ? (reading.planned ? scores.inContext : scores.phoneUnplannedInContext) : reading.planned ? scores.phoneInternational : scores.phoneUnplanned;
  found(entity(text, 'PHONE', window.start, window.end, score, false, reading.countries[0]));
}

function tryPhone(text: string, window: DigitWindow, context: WindowContext, found: Found): void {
  if (window.plus) {
    tryInternationalPhone(text, window, context, found);
    return;
  }
  const groups = window.groups;
  // Singapore numbers have no trunk 0: a whole run grouped 4-4 is a phone; eight bare digits only after a phone word.
  // Not a slice of a space-separated row ("P/N 13 6189 9570", "010 6165 5185").
  const spaced = groups.length > 1 && (groups[1]?.separatorBefore === 0x20 || groups[1]?.separatorBefore === 0xa0);
  const wholeRun = (groups[0]?.index === 0 || !spaced) && (window.runEnds || !spaced);
  if (window.digits.length === 8 && wholeRun && singaporePhone(window.digits) && (groups.length === 1 ? context.has('PHONE') : groups.length === 2 && groups[0]?.digits.length === 4)) {
    found(entity(text, 'PHONE', window.start, window.end, context.has('PHONE') ? scores.inContext : scores.phoneGrouped, false, 'SG'));
    return;
  }
  if (!spellsPhone(window)) return;
  const countries = nationalPhoneCountries(window.digits);
  const base = groups.length > 1 ? scores.phoneGrouped : scores.phoneCompact;
  found(entity(text, 'PHONE', window.start, window.end, context.has('PHONE') ? scores.inContext : base, false, pickCountry(text, window, countries)));
}

/** A dotted quad of valid octets in ASCII digits (an address is not written in Thai or Arabic digits). */
function isIpv4Window(text: string, window: DigitWindow): boolean {
  if (window.plus || window.groups.length !== 4) return false;
  for (let index = 0; index < 4; index += 1) {
    const group = window.groups[index] as DigitGroup;
    if (index > 0 && group.separatorBefore !== 0x2e) return false;
    if (text.charCodeAt(group.start) > 0x39 || text.charCodeAt(group.end - 1) > 0x39) return false;
  }
  return /^[0-9.]+$/.test(text.slice(window.start, window.end)) && isIpv4(window.groups.map((group) => group.digits));
}

/** Every entity found in `text`, without overlaps, in text order. Never throws on any string. */
export function scan(text: string): Entity[] {
  const candidates: Entity[] = [];
  const found: Found = (value) => candidates.push(value);
  const context = sharedContext;
  context.begin();
  let ibanStart = -1;
  let ibanEnd = -1;
  const lettered = (type: LetteredType, start: number, end: number, validated: boolean): void => {
    if (type === 'IBAN') {
      ibanStart = start;
      found(entity(text, 'IBAN', start, end, scores.iban, true));
      return;
    }
    context.reset(text, start, -1);
    if (type === 'SG_NRIC') found(entity(text, 'SG_NRIC', start, end, context.has('SG_NRIC') ? scores.validatedInContext : scores.validated, validated, 'SG'));
    else found(entity(text, 'KR_PASSPORT', start, end, context.has('KR_PASSPORT') ? scores.inContext : scores.structural, validated, 'KR'));
  };
  const visitWindow = (window: DigitWindow): void => {
    // The digit groups of an IBAN are not numbers of their own.
    if (window.start < ibanEnd && window.end > ibanStart) return;
    context.reset(text, window.start, window.contextFloor);
    if (isIpv4Window(text, window)) {
      found(entity(text, 'IP_ADDRESS', window.start, window.end, scores.ip, false));
      return;
    }
    // After "+CC " the groups belong to the phone number, not to an identifier of their own.
    const afterCallingCode = window.callingCodeRun && window.groups[0]?.index === 1;
    if (!window.plus && !afterCallingCode) {
      tryIds(text, window, context, found);
      tryCard(text, window, context, found);
    }
    if (!afterCallingCode) tryPhone(text, window, context, found);
  };
  const visitGroup = (start: number, end: number): void => {
    if (start < ibanEnd) return;
    const consumed = letteredAround(text, start, end, lettered);
    if (consumed > ibanEnd) ibanEnd = consumed;
  };
  try {
    forEachDigitWindow(text, visitWindow, visitGroup);
  } finally {
    context.begin();
  }
  for (const span of findEmails(text)) found(entity(text, 'EMAIL', span.start, span.end, scores.email, false));
  for (const span of findIpv6(text)) found(entity(text, 'IP_ADDRESS', span.start, span.end, scores.ip, false));
  return resolveOverlaps(candidates);
}

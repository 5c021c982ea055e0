/**
 * Which validator to try for a digit window, by how its groups are written. Each identifier is
 * accepted compact or in its printed grouping only (RRN 6-7, Thai 1-4-5-2-1, Emirates 3-4-7-1…):
 * a 13-digit window made of a date and an order number is not tried as a Thai ID at all, which
 * keeps the chance hits of one-digit checksums off ordinary numbers.
 */
import {
  aeEmiratesId,
  idNik,
  jpMyNumber,
  krBusinessNumber,
  krForeignerNumber,
  krResidentNumber,
  phCardNumber,
  phTaxNumber,
  saNationalId,
  thNationalId,
  vnCitizenId,
  type IdVerdict,
} from './check-digits.js';
import { groupingKey } from './candidates.js';
import type { CountryCode, EntityType } from './entity-types.js';

export interface IdRule {
  readonly type: EntityType;
  readonly country: CountryCode;
  readonly validate: (digits: string) => IdVerdict;
  /** Accepted groupings; a single length is the compact form. */
  readonly groupings: readonly (readonly number[])[];
  /** Score when only the structure holds (no check digit), before context. */
  readonly structuralScore?: number;
  /** Score of a check-digit-validated compact number without context; weak checksums get less. */
  readonly compactScore?: number;
  /**
   * Reported only next to a context word: always, or only when written compact. Numbers with no
   * check digit and little structure (a PhilSys card number is any 16 digits) are otherwise every
   * mistyped card number, and a compact driver licence is any 12 digits starting 11–28.
   */
  readonly needsContext?: 'always' | 'compact';
  /**
   * A single check digit passes one number in ten or eleven: without its own context word such an
   * identifier gives way to a phone number the same digits spell (0812-3456-7890 is a mobile, not
   * a My Number). 'compact' when the identifier's own grouping (a TIN's 3-3-3) is not how phones
   * are written.
   */
  readonly yieldsToPhone?: 'always' | 'compact';
}

const krDriverRegions = new Set([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28]);

/** Korean driver licence, RR-YY-NNNNNN-CC: a region code and a two-digit year, no check digit. */
function krDriverLicense(digits: string): IdVerdict {
  if (!/^[0-9]{12}$/.test(digits) || !krDriverRegions.has(Number(digits.slice(0, 2)))) return { valid: false };
  return { valid: true, checkDigitValidated: false };
}

export const idRules: readonly IdRule[] = [
  { type: 'KR_RRN', country: 'KR', validate: krResidentNumber, groupings: [[13], [6, 7]] },
  { type: 'KR_ARN', country: 'KR', validate: krForeignerNumber, groupings: [[13], [6, 7]] },
  { type: 'KR_BRN', country: 'KR', validate: krBusinessNumber, groupings: [[10], [3, 2, 5]], compactScore: 0.7, yieldsToPhone: 'compact' },
  { type: 'KR_DRIVER_LICENSE', country: 'KR', validate: krDriverLicense, groupings: [[12], [2, 2, 6, 2]], needsContext: 'compact' },
  { type: 'TH_ID', country: 'TH', validate: thNationalId, groupings: [[13], [1, 4, 5, 2, 1]] },
  { type: 'ID_NIK', country: 'ID', validate: idNik, groupings: [[16], [6, 6, 4], [4, 4, 4, 4]] },
  // 3-3-6 follows the number's fields (province, century and year, serial).
  { type: 'VN_CCCD', country: 'VN', validate: vnCitizenId, groupings: [[12], [3, 3, 6], [3, 3, 3, 3], [4, 4, 4]], yieldsToPhone: 'always' },
  { type: 'PH_PCN', country: 'PH', validate: phCardNumber, groupings: [[16], [4, 4, 4, 4]], structuralScore: 0.4, needsContext: 'always' },
  { type: 'PH_TIN', country: 'PH', validate: phTaxNumber, groupings: [[9], [12], [3, 3, 3], [3, 3, 3, 3]], compactScore: 0.6, yieldsToPhone: 'compact' },
  { type: 'SA_NID', country: 'SA', validate: saNationalId, groupings: [[10]] },
  { type: 'AE_EID', country: 'AE', validate: aeEmiratesId, groupings: [[15], [3, 4, 7, 1]] },
  { type: 'JP_MY_NUMBER', country: 'JP', validate: jpMyNumber, groupings: [[12], [4, 4, 4]], yieldsToPhone: 'always' },
];

/** The rules to try for each grouping key. */
export const idRulesByGrouping: ReadonlyMap<number, readonly IdRule[]> = (() => {
  const byKey = new Map<number, IdRule[]>();
  for (const rule of idRules) {
    for (const grouping of rule.groupings) {
      const key = groupingKey(grouping);
      const list = byKey.get(key) ?? [];
      list.push(rule);
      byKey.set(key, list);
    }
  }
  return byKey;
})();

/** Payment-card groupings: compact, fours (the last group shorter), and Amex/Diners 4-6-5, 4-6-4. */
export function isCardGrouping(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  const fours = lengths.slice(0, -1).every((length) => length === 4) && (lengths[lengths.length - 1] ?? 0) <= 4;
  const amex = lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (lengths[2] === 5 || lengths[2] === 4);
  return fours || amex;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay, Maestro). */
export function hasCardPrefix(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  return digits.startsWith('4') || (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720) || two === 34 || two === 37 || (two === 30 && Number(digits.slice(0, 3)) <= 305) || two === 36 || two === 38 || two === 39 || (four >= 3528 && four <= 3589) || two === 50 || (two >= 56 && two <= 69);
}

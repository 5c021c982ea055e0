/**
 * Phone numbers of the region, read from compact digits: national format (trunk 0) per country,
 * and international format (+CC). Patterns follow libphonenumber's metadata for mobile and the
 * main fixed-line ranges (../shared/docs/national-ids.md); they are anchored and have no nested
 * quantifiers, and run only on strings of at most 19 digits.
 */
import type { CountryCode } from './entity-types.js';

/** National numbers with their trunk 0, per country. */
const nationalPatterns: Readonly<Record<CountryCode, readonly RegExp[]>> = {
  KR: [/^01[016789][0-9]{7,8}$/, /^02[1-9][0-9]{6,7}$/, /^0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])[1-9][0-9]{6,7}$/, /^070[0-9]{8}$/],
  TH: [/^0[689][0-9]{8}$/, /^0[2-7][0-9]{7}$/],
  ID: [/^08[1-9][0-9]{7,10}$/, /^0(?:21|22|24|31|61)[0-9]{7,8}$/],
  VN: [/^0[35789][0-9]{8}$/, /^02[0-9]{9}$/],
  PH: [/^09[0-9]{9}$/, /^02[0-9]{8}$/],
  SG: [],
  SA: [/^05[0-9]{8}$/],
  AE: [/^05[024568][0-9]{7}$/, /^0[2-79][0-9]{7}$/],
  JP: [/^0[789]0[0-9]{8}$/, /^0[1-9][0-9]{8}$/],
};

/** Singapore has no trunk prefix: its 8-digit numbers are only recognised after +65. */
const singapore = /^[689][0-9]{7}$/;

const callingCodes: readonly (readonly [string, CountryCode])[] = [
  ['82', 'KR'], ['66', 'TH'], ['62', 'ID'], ['84', 'VN'], ['63', 'PH'], ['65', 'SG'], ['966', 'SA'], ['971', 'AE'], ['81', 'JP'],
];

export interface PhoneReading {
  /** Countries whose plan the number fits; one when it is unambiguous. */
  readonly countries: readonly CountryCode[];
  /** Whether it fits a national plan (not only the E.164 length). */
  readonly planned: boolean;
}

function fitsNational(country: CountryCode, national: string): boolean {
  if (country === 'SG') return singapore.test(national);
  return nationalPatterns[country].some((pattern) => pattern.test(national));
}

/** A Singapore number as written at home, without the +65: eight digits starting 6, 8 or 9. */
export function singaporePhone(digits: string): boolean {
  return singapore.test(digits);
}

const countryCodes = Object.keys(nationalPatterns) as CountryCode[];
const noCountries: readonly CountryCode[] = [];
/** The last answer: a scanner asks about the same window several times (as an ID's rival, as a phone). */
let lastDigits = '';
let lastCountries: readonly CountryCode[] = noCountries;

/** The countries a national-format number (starting with 0) may belong to. */
export function nationalPhoneCountries(digits: string): readonly CountryCode[] {
  if (digits === lastDigits) return lastCountries;
  let countries: CountryCode[] | undefined;
  if (digits.charCodeAt(0) === 0x30) {
    for (const country of countryCodes) if (fitsNational(country, digits)) (countries ??= []).push(country);
  }
  lastDigits = digits;
  lastCountries = countries ?? noCountries;
  return lastCountries;
}

/** A number written after `+`: its country by calling code, and whether it fits that plan. */
export function internationalPhone(digits: string): PhoneReading | undefined {
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) return undefined;
  for (const [code, country] of callingCodes) {
    if (!digits.startsWith(code)) continue;
    const rest = digits.slice(code.length);
    // Some write the trunk 0 after the calling code: +82 010-…
    const national = country === 'SG' ? rest : rest.startsWith('0') ? rest : `0${rest}`;
    return { countries: [country], planned: fitsNational(country, national) };
  }
  return { countries: [], planned: false };
}

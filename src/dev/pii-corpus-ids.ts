/**
 * Identifiers for the corpus, valid by construction. Check digits are not computed here: each
 * candidate digit (or letter) is tried against the validators of src/pii/check-digits.ts, so the
 * algorithms live in one place and a generator bug cannot agree with a validator bug.
 */
import {
  aeEmiratesId,
  creditCard,
  iban,
  idNik,
  jpMyNumber,
  krBusinessNumber,
  krForeignerNumber,
  krResidentNumber,
  phCardNumber,
  phTaxNumber,
  saNationalId,
  sgNric,
  thNationalId,
  vnCitizenId,
  type IdVerdict,
} from '../pii/check-digits.js';
import { nationalPhoneCountries } from '../pii/phones.js';
import type { Separator } from './pii-corpus-format.js';
import { pad, type Random } from './pii-corpus-random.js';
import type { GroupedIdType, WrongCheckType } from './pii-corpus-types.js';

export type Validator = (compact: string) => IdVerdict;

/** Validators by type; the types missing here (passport, driver licence) have no check or structure rule. */
export const idValidators: Readonly<Partial<Record<GroupedIdType, Validator>>> = {
  KR_RRN: krResidentNumber,
  KR_ARN: krForeignerNumber,
  KR_BRN: krBusinessNumber,
  TH_ID: thNationalId,
  ID_NIK: idNik,
  VN_CCCD: vnCitizenId,
  PH_PCN: phCardNumber,
  PH_TIN: phTaxNumber,
  SG_NRIC: sgNric,
  SA_NID: saNationalId,
  AE_EID: aeEmiratesId,
  JP_MY_NUMBER: jpMyNumber,
  CREDIT_CARD: creditCard,
  IBAN: iban,
};

/** A generated identifier: compact ASCII plus how it may be grouped when written. */
export interface RawId {
  readonly compact: string;
  readonly groups: readonly number[];
  readonly separators: readonly Separator[];
  /** Sub-format worth reporting separately, e.g. a Korean number issued before or after October 2020. */
  readonly variant?: string;
}

const digitsAlphabet = '0123456789';
const letterAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The first completion whose check digit the validator proves, or undefined when none does. */
function solve(build: (candidate: string) => string, candidates: readonly string[], validator: Validator): string | undefined {
  for (const candidate of candidates) {
    const text = build(candidate);
    const verdict = validator(text);
    if (verdict.valid && verdict.checkDigitValidated) return text;
  }
  return undefined;
}

const singleDigits = [...digitsAlphabet];
const twoDigits = Array.from({ length: 100 }, (_, index) => pad(index, 2));

/** A birth date as YYMMDD with its four-digit year; days capped at 28 so every month accepts them. */
function birthDate(random: Random, fromYear: number, toYear: number): { year: number; yymmdd: string; day: number; month: number } {
  const year = random.int(fromYear, toYear);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  return { year, day, month, yymmdd: pad(year % 100, 2) + pad(month, 2) + pad(day, 2) };
}

function koreanNumber(random: Random, foreigner: boolean): { body: string } {
  const { year, yymmdd } = birthDate(random, 1940, 2019);
  const female = random.chance(0.5) ? 1 : 0;
  const base = foreigner ? 5 : 1;
  const gender = base + (year >= 2000 ? 2 : 0) + female;
  return { body: yymmdd + String(gender) };
}

const nikProvinces = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 94];
const cccdProvinces = [1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96];

/** Regional codes of Korean driver licences: 11–26 and 28 (27 is not issued; 28 is northern Gyeonggi). */
const krDriverRegions = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28];

/** IBAN layouts of the region's banks and two the English texts quote. */
const ibanLayouts: readonly { country: string; bban: (random: Random) => string }[] = [
  { country: 'SA', bban: (random) => random.pick(['10', '20', '45', '55', '80']) + random.digits(18) },
  { country: 'AE', bban: (random) => random.pick(['033', '035', '026', '044']) + random.digits(16) },
  { country: 'GB', bban: (random) => random.pick(['NWBK', 'BARC', 'HBUK']) + random.digits(14) },
  { country: 'DE', bban: (random) => random.digits(18) },
];

const cardBrands: readonly { prefix: (random: Random) => string; length: number; groups: readonly number[] }[] = [
  { prefix: () => '4', length: 16, groups: [4, 4, 4, 4] },
  { prefix: (random) => String(random.int(51, 55)), length: 16, groups: [4, 4, 4, 4] },
  { prefix: (random) => random.pick(['34', '37']), length: 15, groups: [4, 6, 5] },
  { prefix: (random) => '35' + String(random.int(28, 89)), length: 16, groups: [4, 4, 4, 4] },
  { prefix: () => '62', length: 16, groups: [4, 4, 4, 4] },
];

const digitSeparators: readonly Separator[] = ['', '-', ' ', '.'];

/** One attempt at a valid identifier; undefined when the random body admits no check digit. */
function attempt(type: GroupedIdType, random: Random): RawId | undefined {
  switch (type) {
    case 'KR_RRN': {
      const { body } = koreanNumber(random, false);
      if (random.chance(0.5)) {
        const stem = body + random.digits(5);
        const compact = solve((digit) => stem + digit, singleDigits, krResidentNumber);
        return compact === undefined ? undefined : { compact, groups: [6, 7], separators: ['-', '', ' '], variant: 'pre-2020' };
      }
      // Since October 2020 the tail is random; force a failing check so the variant tests the structural path.
      const tail = random.digits(5);
      for (const digit of singleDigits) {
        const compact = body + tail + digit;
        const verdict = krResidentNumber(compact);
        if (verdict.valid && !verdict.checkDigitValidated) return { compact, groups: [6, 7], separators: ['-', '', ' '], variant: 'post-2020' };
      }
      return undefined;
    }
    case 'KR_ARN': {
      const stem = koreanNumber(random, true).body + random.digits(5);
      const compact = solve((digit) => stem + digit, singleDigits, krForeignerNumber);
      return compact === undefined ? undefined : { compact, groups: [6, 7], separators: ['-', '', ' '] };
    }
    case 'KR_BRN': {
      const prefix = String(random.int(101, 899)) + pad(random.int(1, 99), 2) + random.digits(4);
      const compact = solve((digit) => prefix + digit, singleDigits, krBusinessNumber);
      return compact === undefined ? undefined : { compact, groups: [3, 2, 5], separators: ['-', '', ' '] };
    }
    case 'KR_PASSPORT': {
      const letter = random.pick([...'MSROD']);
      const current = random.chance(0.6);
      const compact = current ? letter + random.digits(3) + random.pick([...letterAlphabet]) + random.digits(4) : letter + random.digits(8);
      return { compact, groups: [9], separators: [''], variant: current ? 'current' : 'previous' };
    }
    case 'KR_DRIVER_LICENSE': {
      const compact = String(random.pick(krDriverRegions)) + pad(random.int(0, 99), 2) + random.digits(6) + random.digits(2);
      return { compact, groups: [2, 2, 6, 2], separators: ['-', '', ' '] };
    }
    case 'TH_ID': {
      const prefix = String(random.int(1, 8)) + random.digits(11);
      const compact = solve((digit) => prefix + digit, singleDigits, thNationalId);
      return compact === undefined ? undefined : { compact, groups: [1, 4, 5, 2, 1], separators: digitSeparators };
    }
    case 'ID_NIK': {
      const { year, day, month } = birthDate(random, 1950, 2008);
      const female = random.chance(0.5);
      const region = pad(random.pick(nikProvinces), 2) + pad(random.int(1, 79), 2) + pad(random.int(1, 40), 2);
      const compact = region + pad(day + (female ? 40 : 0), 2) + pad(month, 2) + pad(year % 100, 2) + pad(random.int(1, 9999), 4);
      return { compact, groups: random.chance(0.5) ? [6, 6, 4] : [4, 4, 4, 4], separators: ['', '', ' ', '.'], variant: female ? 'female' : 'male' };
    }
    case 'VN_CCCD': {
      const year = random.int(1945, 2010);
      const century = (year >= 2000 ? 2 : 0) + random.int(0, 1);
      const compact = pad(random.pick(cccdProvinces), 3) + String(century) + pad(year % 100, 2) + random.digits(6);
      return { compact, groups: random.chance(0.5) ? [3, 3, 6] : [4, 4, 4], separators: ['', '', ' ', '.'] };
    }
    case 'PH_PCN':
      return { compact: String(random.int(1, 9)) + random.digits(15), groups: [4, 4, 4, 4], separators: ['-', ' ', ''] };
    case 'PH_TIN': {
      const prefix = random.digits(8);
      const branch = random.chance(0.5) ? (random.chance(0.7) ? '000' : random.digits(3)) : '';
      const compact = solve((digit) => prefix + digit + branch, singleDigits, phTaxNumber);
      return compact === undefined ? undefined : { compact, groups: [3, 3, 3, 3], separators: ['-', ' ', ''], variant: branch === '' ? 'nine-digit' : 'with-branch' };
    }
    case 'SG_NRIC': {
      const prefix = random.pick([...'STFGM']) + random.digits(7);
      const compact = solve((letter) => prefix + letter, [...letterAlphabet], sgNric);
      return compact === undefined ? undefined : { compact, groups: [9], separators: [''], variant: prefix[0] };
    }
    case 'SA_NID': {
      const prefix = random.pick(['1', '2']) + random.digits(8);
      const compact = solve((digit) => prefix + digit, singleDigits, saNationalId);
      return compact === undefined ? undefined : { compact, groups: [10], separators: [''], variant: prefix[0] === '1' ? 'citizen' : 'iqama' };
    }
    case 'AE_EID': {
      const prefix = '784' + String(random.int(1960, 2010)) + random.digits(7);
      const compact = solve((digit) => prefix + digit, singleDigits, aeEmiratesId);
      return compact === undefined ? undefined : { compact, groups: [3, 4, 7, 1], separators: ['-', '', ' '] };
    }
    case 'JP_MY_NUMBER': {
      const prefix = random.digits(11);
      const compact = solve((digit) => prefix + digit, singleDigits, jpMyNumber);
      return compact === undefined ? undefined : { compact, groups: [4, 4, 4], separators: ['', ' ', '-'] };
    }
    case 'CREDIT_CARD': {
      const brand = random.pick(cardBrands);
      const start = brand.prefix(random);
      const prefix = start + random.digits(brand.length - start.length - 1);
      const compact = solve((digit) => prefix + digit, singleDigits, creditCard);
      return compact === undefined ? undefined : { compact, groups: brand.groups, separators: ['', ' ', '-'] };
    }
    case 'IBAN': {
      const layout = random.pick(ibanLayouts);
      const bban = layout.bban(random);
      const compact = solve((check) => layout.country + check + bban, twoDigits, iban);
      return compact === undefined ? undefined : { compact, groups: [4, 4, 4, 4, 4, 4, 4, 4], separators: [' ', ''], variant: layout.country };
    }
  }
}

/**
 * Emirates IDs are 15 Luhn-valid digits, so every one passes as a card number too; the prefix 784
 * and the context tell them apart, not the check digit.
 */
function inseparable(type: GroupedIdType, other: string): boolean {
  return type === 'AE_EID' && other === 'CREDIT_CARD';
}

/**
 * True when another type's check digit also proves `compact`: such a value would be labelled one
 * type while a correct detector could fairly call it another, so the corpus draws again.
 */
function provenAsOther(type: GroupedIdType, compact: string): boolean {
  for (const [other, validator] of Object.entries(idValidators)) {
    if (other === type || validator === undefined || inseparable(type, other)) continue;
    const verdict = validator(compact);
    if (verdict.valid && verdict.checkDigitValidated) return true;
  }
  return false;
}

export function generateId(type: GroupedIdType, random: Random): RawId {
  for (let tries = 0; tries < 1000; tries += 1) {
    const id = attempt(type, random);
    if (id !== undefined && !provenAsOther(type, id.compact)) return id;
  }
  throw new Error(`no valid ${type} after 1000 draws`);
}

/** True when any validator but the structure-only PhilSys card number accepts `compact`. */
export function validForAnyType(compact: string): boolean {
  for (const validator of Object.values(idValidators)) {
    if (validator === phCardNumber || validator === undefined) continue;
    if (validator(compact).valid) return true;
  }
  return false;
}

/**
 * A number shaped like `type` whose mandatory check digit is wrong, and which no other type accepts
 * (16 digits always pass as a PhilSys card number by structure, so that one is allowed).
 */
export function generateWrongCheck(type: WrongCheckType, random: Random): RawId {
  const validator = idValidators[type] as Validator;
  for (let tries = 0; tries < 1000; tries += 1) {
    const id = generateId(type, random);
    const stem = id.compact.slice(0, -1);
    const right = id.compact.slice(-1);
    const wrong = random.pick(singleDigits.filter((digit) => digit !== right));
    const compact = stem + wrong;
    // A wrong My Number starting 08 can be a well-formed Indonesian mobile: that is a phone, not a
    // negative, so such draws are skipped (the national phone plans come from the detector's table).
    if (!validator(compact).valid && !validForAnyType(compact) && nationalPhoneCountries(compact).length === 0) return { ...id, compact, variant: type };
  }
  throw new Error(`no wrong-check ${type} after 1000 draws`);
}

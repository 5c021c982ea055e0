/**
 * Structure and check digits of the identifiers Nara protects, one function per type, each taking
 * the identifier in compact ASCII (see `compactIdentifier`). Hand-written because no maintained npm
 * package covers the region (the one that knows Asian IDs rejects every Korean number issued since
 * 2020); the algorithms and the examples the tests use come from python-stdnum, Presidio, FormSG and
 * the national agencies (docs/decisions/0009-national-identifiers.md).
 *
 * A verdict says whether the text is such an identifier, and whether a check digit proved it
 * (some types have none, and Korean numbers issued since October 2020 no longer carry one).
 */

export type IdVerdict = { readonly valid: false } | { readonly valid: true; readonly checkDigitValidated: boolean };

const invalid: IdVerdict = { valid: false };
const validated: IdVerdict = { valid: true, checkDigitValidated: true };
const structural: IdVerdict = { valid: true, checkDigitValidated: false };

function digitsOf(text: string): number[] {
  const digits: number[] = [];
  for (let index = 0; index < text.length; index += 1) digits.push(text.charCodeAt(index) - 48);
  return digits;
}

/** ASCII digits only, of the length (or one of the lengths) given. A plain loop: the scanner calls this for every candidate. */
function isDigits(text: string, length: number | readonly number[]): boolean {
  if (typeof length === 'number' ? text.length !== length : !length.includes(text.length)) return false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Σ weight·digit over the first weights.length digits. */
function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index += 1) sum += (weights[index] as number) * (digits[index] as number);
  return sum;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : (monthDays[month - 1] as number));
}

/** Luhn (ISO/IEC 7812): credit cards, Saudi and Emirati IDs. */
export function luhnValid(digitsText: string): boolean {
  if (!/^[0-9]{2,}$/.test(digitsText)) return false;
  let sum = 0;
  let double = false;
  for (let index = digitsText.length - 1; index >= 0; index -= 1) {
    let digit = digitsText.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

const rrnWeights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
/** Century of birth by the 7th digit (sex and century; 5–8 are foreigners). */
const rrnCentury: Readonly<Record<number, number>> = { 9: 1800, 0: 1800, 1: 1900, 2: 1900, 3: 2000, 4: 2000, 5: 1900, 6: 1900, 7: 2000, 8: 2000 };

/** 5–8 as the sex/century digit: a foreigner's registration number, not a resident's. */
function isForeigner(digits: readonly number[]): boolean {
  const sex = digits[6] as number;
  return sex >= 5 && sex <= 8;
}

function krDateAndGender(digits: readonly number[]): boolean {
  const century = rrnCentury[digits[6] as number];
  if (century === undefined) return false;
  const year = century + (digits[0] as number) * 10 + (digits[1] as number);
  return isDate(year, (digits[2] as number) * 10 + (digits[3] as number), (digits[4] as number) * 10 + (digits[5] as number));
}

/**
 * Korean resident registration number, YYMMDD-GNNNNNN. Before October 2020 the last digit is a
 * mod-11 check digit; numbers issued since fill the last six digits at random, so a number whose
 * date and sex/century digit are valid is accepted, with `checkDigitValidated` telling which.
 */
export function krResidentNumber(text: string): IdVerdict {
  if (!isDigits(text, 13)) return invalid;
  const digits = digitsOf(text);
  if (!krDateAndGender(digits) || isForeigner(digits)) return invalid;
  const check = (11 - (weightedSum(digits, rrnWeights) % 11)) % 10;
  return check === digits[12] ? validated : structural;
}

/**
 * Korean foreigner (alien) registration number: the same layout with 5–8 as the 7th digit. Sources
 * disagree on its check digit ((13 − S mod 11) mod 10, or the resident number's), so either proves it.
 */
export function krForeignerNumber(text: string): IdVerdict {
  if (!isDigits(text, 13)) return invalid;
  const digits = digitsOf(text);
  if (!krDateAndGender(digits) || !isForeigner(digits)) return invalid;
  const sum = weightedSum(digits, rrnWeights);
  const last = digits[12];
  return (13 - (sum % 11)) % 10 === last || (11 - (sum % 11)) % 10 === last ? validated : structural;
}

/** Korean business registration number, AAA-BB-CCCCC, with its weighted check digit. */
export function krBusinessNumber(text: string): IdVerdict {
  if (!isDigits(text, 10)) return invalid;
  const digits = digitsOf(text);
  const sum = weightedSum(digits, [1, 3, 7, 1, 3, 7, 1, 3, 5]) + Math.floor(((digits[8] as number) * 5) / 10);
  return (10 - (sum % 10)) % 10 === digits[9] ? validated : invalid;
}

/** Thai national ID: 13 digits, not starting with 0 or 9, mod-11 check digit. */
export function thNationalId(text: string): IdVerdict {
  if (!isDigits(text, 13) || text[0] === '0' || text[0] === '9') return invalid;
  const digits = digitsOf(text);
  const sum = weightedSum(digits, [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return (11 - (sum % 11)) % 10 === digits[12] ? validated : invalid;
}

/**
 * Indonesian NIK: PPRRSS DDMMYY XXXX, no check digit. Province codes run 11–94; women have 40 added
 * to the day; the two-digit year may be of either century.
 */
export function idNik(text: string): IdVerdict {
  if (!isDigits(text, 16)) return invalid;
  const province = Number(text.slice(0, 2));
  if (province < 11 || province > 94) return invalid;
  let day = Number(text.slice(6, 8));
  if (day > 40) day -= 40;
  const month = Number(text.slice(8, 10));
  const year = Number(text.slice(10, 12));
  if (!isDate(1900 + year, month, day) && !isDate(2000 + year, month, day)) return invalid;
  if (text.slice(12) === '0000') return invalid;
  return structural;
}

/**
 * Vietnamese citizen ID (CCCD): 3-digit province code (001–096), a century-and-sex digit, the
 * two-digit birth year and 6 random digits. No check digit. Century digits 0–3 cover people born
 * 1900–2099.
 */
export function vnCitizenId(text: string): IdVerdict {
  if (!isDigits(text, 12)) return invalid;
  const province = Number(text.slice(0, 3));
  if (province < 1 || province > 96) return invalid;
  if (Number(text[3]) > 3) return invalid;
  return structural;
}

/** Philippine tax identification number: 9 digits (+3 branch digits); the 9th is a mod-11 check digit. */
export function phTaxNumber(text: string): IdVerdict {
  if (!isDigits(text, [9, 12])) return invalid;
  const digits = digitsOf(text);
  const check = weightedSum(digits, [9, 8, 7, 6, 5, 4, 3, 2]) % 11;
  return check === digits[8] ? validated : invalid;
}

/** Philippine national ID card number (PCN): 16 digits, no public check digit. */
export function phCardNumber(text: string): IdVerdict {
  return isDigits(text, 16) && !/^0+$/.test(text) ? structural : invalid;
}

const nricWeights = [2, 7, 6, 5, 4, 3, 2];
const nricLetters: Readonly<Record<string, { readonly offset: number; readonly table: string }>> = {
  S: { offset: 0, table: 'JZIHGFEDCBA' },
  T: { offset: 4, table: 'JZIHGFEDCBA' },
  F: { offset: 0, table: 'XWUTRQPNMLK' },
  G: { offset: 4, table: 'XWUTRQPNMLK' },
  M: { offset: 3, table: 'XWUTRQPNJLK' },
};

/** Singapore NRIC/FIN: prefix S, T, F, G or M, seven digits, a check letter from the prefix's table. */
export function sgNric(text: string): IdVerdict {
  if (!/^[STFGM][0-9]{7}[A-Z]$/.test(text)) return invalid;
  const rule = nricLetters[text[0] as string];
  if (rule === undefined) return invalid;
  const sum = weightedSum(digitsOf(text.slice(1, 8)), nricWeights) + rule.offset;
  return rule.table[sum % 11] === text[8] ? validated : invalid;
}

/** Saudi national ID (1…) or Iqama (2…): 10 digits, Luhn. */
export function saNationalId(text: string): IdVerdict {
  return isDigits(text, 10) && (text[0] === '1' || text[0] === '2') && luhnValid(text) ? validated : invalid;
}

/** Emirates ID: 784-YYYY-NNNNNNN-C, Luhn over all 15 digits. */
export function aeEmiratesId(text: string): IdVerdict {
  if (!isDigits(text, 15) || !text.startsWith('784')) return invalid;
  const year = Number(text.slice(3, 7));
  if (year < 1900 || year > 2099) return invalid;
  return luhnValid(text) ? validated : invalid;
}

/** Japanese My Number: 12 digits, the last a mod-11 check digit. */
export function jpMyNumber(text: string): IdVerdict {
  if (!isDigits(text, 12)) return invalid;
  const digits = digitsOf(text);
  const remainder = weightedSum(digits, [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
  return (remainder <= 1 ? 0 : 11 - remainder) === digits[11] ? validated : invalid;
}

/** Payment card numbers: 12–19 digits, Luhn. */
export function creditCard(text: string): IdVerdict {
  return isDigits(text, [12, 13, 14, 15, 16, 17, 18, 19]) && luhnValid(text) ? validated : invalid;
}

/** IBAN: country letters, two check digits, up to 30 letters or digits; mod 97 = 1 (ISO 13616). */
export function iban(text: string): IdVerdict {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(text)) return invalid;
  // Country and check digits moved to the end, letters read as 10–35: mod 97 digit by digit, without building the number.
  let remainder = 0;
  for (let offset = 0; offset < text.length; offset += 1) {
    const code = text.charCodeAt((offset + 4) % text.length);
    remainder = code >= 65 ? (remainder * 100 + (code - 55)) % 97 : (remainder * 10 + (code - 48)) % 97;
  }
  return remainder === 1 ? validated : invalid;
}

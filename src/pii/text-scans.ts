/**
 * Entities that contain letters: e-mail addresses, Singapore NRIC/FIN, Korean passports and IBANs.
 * Each is a hand scan around an anchor (an `@`, a digit group) that reads a bounded number of
 * characters, so the time stays linear on hostile input.
 */
import { sgNric } from './check-digits.js';
import { asciiCode } from './digits.js';
import type { Span } from './ip-addresses.js';

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isLocalChar(code: number): boolean {
  return isAsciiAlnum(code) || code === 0x2e || code === 0x5f || code === 0x25 || code === 0x2b || code === 0x2d;
}

function isDomainChar(code: number): boolean {
  return isAsciiAlnum(code) || code === 0x2e || code === 0x2d;
}

/** E-mail addresses: from each `@`, at most 64 local characters back and 253 domain characters on. */
export function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start -= 1;
    while (start < at && text.charCodeAt(start) === 0x2e) start += 1;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomainChar(text.charCodeAt(end))) end += 1;
    // A sentence's full stop or a dash after the address is not part of it.
    while (end > at + 1 && (text.charCodeAt(end - 1) === 0x2e || text.charCodeAt(end - 1) === 0x2d)) end -= 1;
    const domain = text.slice(at + 1, end);
    const labels = domain.split('.');
    const wellFormed = labels.length >= 2 && labels.every((label) => /^[A-Za-z0-9-]{1,63}$/.test(label)) && /^[A-Za-z]{2,}$/.test(labels[labels.length - 1] ?? '');
    if (start === at || !wellFormed) continue;
    spans.push({ start, end });
  }
  return spans;
}

/** Upper-case ASCII letter a character reads as (full-width too), or -1. */
function upperLetterAt(text: string, at: number): number {
  if (at < 0 || at >= text.length) return -1;
  const code = asciiCode(text.charCodeAt(at));
  return code >= 0x41 && code <= 0x5a ? code : -1;
}

/** ASCII letter or digit a character reads as (any digit script, full-width), or -1. */
function alnumAt(text: string, at: number): number {
  if (at < 0 || at >= text.length) return -1;
  const code = asciiCode(text.charCodeAt(at));
  return isAsciiAlnum(code) ? code : -1;
}

function digitsAt(text: string, start: number, end: number): string {
  let digits = '';
  for (let index = start; index < end; index += 1) digits += String.fromCharCode(asciiCode(text.charCodeAt(index)));
  return digits;
}

/** Whether the `count` characters from `start` are digits (any script) and the one after is not a letter or digit. */
function digitRunOf(text: string, start: number, count: number): boolean {
  for (let index = start; index < start + count; index += 1) {
    const code = alnumAt(text, index);
    if (code < 0x30 || code > 0x39) return false;
  }
  return alnumAt(text, start + count) < 0;
}

export type LetteredType = 'SG_NRIC' | 'KR_PASSPORT' | 'IBAN';

/**
 * IBAN lengths of the countries whose banks the region's texts quote (ISO 13616 registry); other
 * countries take any length from 15 to 34. A known length stops a trailing word ("… 2312 AED") from
 * being read into the number when mod 97 happens to hold.
 */
const ibanLengths: Readonly<Record<string, number>> = {
  SA: 24, AE: 23, QA: 29, KW: 30, BH: 22, JO: 30, EG: 29, TR: 26, PK: 24, IL: 23,
  GB: 22, DE: 22, FR: 27, NL: 18, ES: 24, IT: 27, CH: 21, BE: 16, AT: 20, IE: 22, LU: 20, PT: 25, SE: 24, NO: 15, DK: 18, FI: 18, PL: 28,
};

/**
 * The lettered identifiers around one digit group, found by looking at its neighbours rather than
 * by separate regular-expression passes over the whole text: Singapore NRIC/FIN (letter, seven
 * digits, check letter), Korean passports (M12345678 or M123A4567) and IBANs (two letters, two check
 * digits, letters and digits in groups). Digits of any script and full-width letters are read.
 * Returns the end of an IBAN found, so the caller skips the groups inside it; else -1.
 */
export function letteredAround(text: string, start: number, end: number, found: (type: LetteredType, start: number, end: number, validated: boolean) => void): number {
  const length = end - start;
  const before = alnumAt(text, start - 1);
  // NRICs are typed in either case; passports and IBANs are printed in capitals only.
  const nricPrefix = before >= 0x61 ? before - 0x20 : before;
  const prefix = upperLetterAt(text, start - 1);
  const alone = alnumAt(text, start - 2) < 0;
  if (length === 7 && alone && nricPrefix >= 0x41 && 'STFGM'.includes(String.fromCharCode(nricPrefix))) {
    const check = alnumAt(text, end);
    const letter = check >= 0x61 ? check - 0x20 : check;
    if (letter >= 0x41 && letter <= 0x5a && alnumAt(text, end + 1) < 0) {
      const value = String.fromCharCode(nricPrefix) + digitsAt(text, start, end) + String.fromCharCode(letter);
      if (sgNric(value).valid) found('SG_NRIC', start - 1, end + 1, true);
    }
  }
  if (prefix < 0) return -1;
  if (alone && 'MSROD'.includes(String.fromCharCode(prefix))) {
    if (length === 8 && alnumAt(text, end) < 0) found('KR_PASSPORT', start - 1, end, false);
    else if (length === 3 && upperLetterAt(text, end) >= 0 && digitRunOf(text, end + 1, 4)) found('KR_PASSPORT', start - 1, end + 5, false);
  }
  const country = upperLetterAt(text, start - 2);
  if (length >= 2 && country >= 0 && alnumAt(text, start - 3) < 0) return ibanFrom(text, start - 2, found);
  return -1;
}

/**
 * From a country-and-check prefix, letters and digits with single spaces up to 34, and the longest
 * stretch ending on a group whose mod 97 (ISO 13616) holds. The remainder is carried character by
 * character, so each candidate end costs O(1) and hostile input ("AB12 AB12 …") stays cheap.
 */
function ibanFrom(text: string, start: number, found: (type: LetteredType, start: number, end: number, validated: boolean) => void): number {
  // The prefix moves to the end: its value as the digits it stands for (two letters 10–35, two digits).
  const prefix = (asciiCode(text.charCodeAt(start)) - 55) * 10_000 + (asciiCode(text.charCodeAt(start + 1)) - 55) * 100 + (asciiCode(text.charCodeAt(start + 2)) - 48) * 10 + (asciiCode(text.charCodeAt(start + 3)) - 48);
  const expected = ibanLengths[String.fromCharCode(asciiCode(text.charCodeAt(start)), asciiCode(text.charCodeAt(start + 1)))];
  let length = 0;
  let remainder = 0;
  let best = -1;
  let index = start;
  while (index < text.length && length < 34) {
    const code = asciiCode(text.charCodeAt(index));
    const digit = code >= 0x30 && code <= 0x39;
    if (digit || (code >= 0x41 && code <= 0x5a)) {
      if (length >= 4) remainder = digit ? (remainder * 10 + code - 48) % 97 : (remainder * 100 + code - 55) % 97;
      length += 1;
      index += 1;
      const fits = expected !== undefined ? length === expected : length >= 15;
      if (fits && alnumAt(text, index) < 0 && (remainder * 1_000_000 + prefix) % 97 === 1) best = index;
    } else if (code === 0x20 && length >= 4 && alnumAt(text, index + 1) >= 0) {
      index += 1;
    } else break;
  }
  if (best < 0) return -1;
  found('IBAN', start, best, true);
  return best;
}

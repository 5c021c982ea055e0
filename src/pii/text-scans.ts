/**
 * Entities that contain letters: e-mail addresses, Singapore NRIC/FIN, Korean passports and IBANs.
 * Each is a bounded pattern without nested quantifiers or a hand scan around an anchor character,
 * so the time stays linear on hostile input.
 */
import { iban, sgNric } from './check-digits.js';
import type { Span } from './ip-addresses.js';

export interface LetteredMatch extends Span {
  readonly validated: boolean;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function standsAlone(text: string, start: number, end: number): boolean {
  return !isAsciiAlnum(start > 0 ? text.charCodeAt(start - 1) : -1) && !isAsciiAlnum(end < text.length ? text.charCodeAt(end) : -1);
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

function findPattern(text: string, pattern: RegExp, accept: (value: string) => boolean | undefined): LetteredMatch[] {
  const found: LetteredMatch[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (!standsAlone(text, start, end)) continue;
    const verdict = accept(match[0]);
    if (verdict !== undefined) found.push({ start, end, validated: verdict });
  }
  return found;
}

/** Singapore NRIC/FIN: the check letter must match. */
export function findNrics(text: string): LetteredMatch[] {
  return findPattern(text, /[STFGMstfgm][0-9]{7}[A-Za-z]/g, (value) => (sgNric(value.toUpperCase()).valid ? true : undefined));
}

/** Korean passports, M123A4567 (current) or M12345678 (previous); no check digit. */
export function findKrPassports(text: string): LetteredMatch[] {
  return findPattern(text, /[MSROD][0-9]{3}[A-Z0-9][0-9]{4}/g, () => false);
}

/**
 * IBANs, compact or in groups of four: from each country-and-check prefix, take letters and digits
 * with single spaces up to 34 characters, then the longest prefix ending on a group that validates.
 */
export function findIbans(text: string): LetteredMatch[] {
  const found: LetteredMatch[] = [];
  const prefixes = /[A-Z]{2}[0-9]{2}/g;
  for (let match = prefixes.exec(text); match !== null; match = prefixes.exec(text)) {
    const start = match.index;
    if (isAsciiAlnum(start > 0 ? text.charCodeAt(start - 1) : -1)) continue;
    let compact = '';
    const ends: { end: number; compact: string }[] = [];
    let index = start;
    while (index < text.length && compact.length < 34) {
      const code = text.charCodeAt(index);
      if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a)) {
        compact += text[index];
        index += 1;
        const next = index < text.length ? text.charCodeAt(index) : -1;
        if (!isAsciiAlnum(next)) ends.push({ end: index, compact });
      } else if (code === 0x20 && compact.length >= 4 && index + 1 < text.length && isAsciiAlnum(text.charCodeAt(index + 1))) {
        index += 1;
      } else break;
    }
    for (let candidate = ends.length - 1; candidate >= 0; candidate -= 1) {
      const option = ends[candidate];
      if (option !== undefined && iban(option.compact).valid) {
        found.push({ start, end: option.end, validated: true });
        prefixes.lastIndex = option.end;
        break;
      }
    }
  }
  return found;
}

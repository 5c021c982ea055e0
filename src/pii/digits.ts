/**
 * Digits as people type them across the region: ASCII, full-width (Japanese and Korean input
 * methods), Thai (๐–๙), Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹, Persian and Urdu
 * keyboards). JavaScript's `\d` matches only ASCII and NFKC leaves Thai and Arabic digits alone, so
 * validators read digits through this map.
 */

/** First code point of each run of ten digits we read. */
const digitBlocks = [0x30, 0xff10, 0x0e50, 0x0660, 0x06f0] as const;

/**
 * Digit value by UTF-16 code unit, -1 for anything else: one typed-array load per character is far
 * cheaper than comparing against each block, and scanners call it for every code unit they read.
 */
const digitTable: Int8Array = (() => {
  const table = new Int8Array(0x10000).fill(-1);
  for (const zero of digitBlocks) for (let value = 0; value <= 9; value += 1) table[zero + value] = value;
  return table;
})();

/** The value 0–9 of a digit code point, or -1 when it is not one we read. */
export function digitValue(codePoint: number): number {
  return codePoint >= 0 && codePoint < 0x10000 ? (digitTable[codePoint] as number) : -1;
}

/** A regular expression source matching one digit of any script we read (a single character class). */
export const anyDigitClass = '[0-9\\uff10-\\uff19\\u0e50-\\u0e59\\u0660-\\u0669\\u06f0-\\u06f9]';

/**
 * The ASCII code unit a character stands for when identifiers are read: digits of every script
 * become 0–9 and full-width Latin letters become ASCII; anything else is returned unchanged.
 */
export function asciiCode(code: number): number {
  const digit = code < 0x10000 && code >= 0 ? (digitTable[code] as number) : -1;
  if (digit >= 0) return 0x30 + digit;
  if ((code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a)) return code - 0xfee0;
  return code;
}

/** Separators allowed between digit groups of an identifier: space, no-break space, hyphens, dot. */
export function isGroupSeparator(codePoint: number): boolean {
  return codePoint === 0x20 || codePoint === 0xa0 || codePoint === 0x2d || codePoint === 0x2010 || codePoint === 0x2011 || codePoint === 0x2012 || codePoint === 0x2013 || codePoint === 0x2212 || codePoint === 0x2e || codePoint === 0xff0d;
}

/**
 * The identifier in compact ASCII: digits of any script mapped to 0–9, Latin letters upper-cased
 * (full-width ones too), group separators dropped. Undefined when anything else is in the text.
 */
export function compactIdentifier(text: string): string | undefined {
  let compact = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    const digit = digitValue(codePoint);
    if (digit >= 0) compact += String(digit);
    else if ((codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a)) compact += char.toUpperCase();
    else if ((codePoint >= 0xff21 && codePoint <= 0xff3a) || (codePoint >= 0xff41 && codePoint <= 0xff5a)) compact += String.fromCharCode(codePoint - 0xfee0).toUpperCase();
    else if (!isGroupSeparator(codePoint)) return undefined;
  }
  return compact;
}

/**
 * Digits as people type them across the region: ASCII, full-width (Japanese and Korean input
 * methods), Thai (๐–๙), Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹, Persian and Urdu
 * keyboards). JavaScript's `\d` matches only ASCII and NFKC leaves Thai and Arabic digits alone, so
 * validators read digits through this map.
 */

/** First code point of each run of ten digits we read. */
const digitBlocks = [0x30, 0xff10, 0x0e50, 0x0660, 0x06f0] as const;

/** The value 0–9 of a digit code point, or -1 when it is not one we read. */
export function digitValue(codePoint: number): number {
  for (const zero of digitBlocks) {
    const value = codePoint - zero;
    if (value >= 0 && value <= 9) return value;
  }
  return -1;
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

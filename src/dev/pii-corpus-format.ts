/**
 * How a planted value is written: which digit script, which separator between groups. The corpus
 * writes the same identifier in the ways people in each language actually type it, so a benchmark can
 * report recall per variant.
 */
import type { Random } from './pii-corpus-random.js';
import type { CorpusLanguage } from './pii-corpus-types.js';

export type DigitScript = 'ascii' | 'fullwidth' | 'thai' | 'arabic-indic' | 'extended-arabic-indic';
export type Separator = '' | '-' | ' ' | '.';

const zeroOf: Readonly<Record<DigitScript, number>> = {
  ascii: 0x30,
  fullwidth: 0xff10,
  thai: 0x0e50,
  'arabic-indic': 0x0660,
  'extended-arabic-indic': 0x06f0,
};

/** Scripts in use per language, ASCII first: weights below favour it, as keyboards do. */
const scriptsOf: Readonly<Record<CorpusLanguage, readonly DigitScript[]>> = {
  ko: ['ascii', 'ascii', 'fullwidth'],
  ja: ['ascii', 'fullwidth'],
  th: ['ascii', 'thai'],
  ar: ['ascii', 'arabic-indic', 'extended-arabic-indic'],
  id: ['ascii'],
  vi: ['ascii'],
  tl: ['ascii'],
  en: ['ascii'],
};

export function pickScript(language: CorpusLanguage, random: Random): DigitScript {
  return random.pick(scriptsOf[language]);
}

/**
 * ASCII digits rewritten in `script`. Full-width also widens Latin letters and the hyphen, as a
 * Japanese or Korean input method in full-width mode does; other scripts keep Latin letters.
 */
export function toScript(text: string, script: DigitScript): string {
  if (script === 'ascii') return text;
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) out += String.fromCharCode(zeroOf[script] + code - 0x30);
    else if (script === 'fullwidth' && ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))) out += String.fromCharCode(code + 0xfee0);
    else if (script === 'fullwidth' && char === '-') out += '\uff0d';
    else out += char;
  }
  return out;
}

/** `compact` cut into groups of the given lengths (the last takes any rest) joined by `separator`. */
export function grouped(compact: string, groups: readonly number[], separator: Separator): string {
  const parts: string[] = [];
  let at = 0;
  groups.forEach((length, index) => {
    const end = index === groups.length - 1 ? compact.length : Math.min(compact.length, at + length);
    if (at < end) parts.push(compact.slice(at, end));
    at = end;
  });
  return parts.join(separator);
}

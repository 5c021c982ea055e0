/**
 * The "skeleton" of a text that term lists are matched against, built so that the usual ways of
 * slipping a phrase past a filter change nothing:
 *   - invisible characters (zero-width spaces and joiners, soft hyphens, variation selectors, tag
 *     characters) are dropped;
 *   - compatibility forms are folded (full-width Latin and digits, Hangul compatibility jamo: NFKC),
 *     letters lower-cased, Latin diacritics, Arabic tashkeel and tatweel and Thai marks removed,
 *     Arabic alef and yeh variants unified, look-alike digits and symbols read as letters (0→o, 1→i,
 *     3→e, 4→a, 5→s, 7→t, @→a, $→s);
 *   - Korean spelled out in jamo is composed back into syllables (ㅈㅏㅅㅏㄹ → 자살);
 *   - punctuation, symbols and whitespace become one space, and spaces next to Hangul, Thai or CJK
 *     characters vanish (Korean spacing is free; Thai and Chinese use none);
 *   - letters spelled out one by one ("k i l l", "k.i.l.l") are joined.
 * Every skeleton character keeps the offset of the original character it came from, so a match can
 * be mapped back to the text (for redaction) without the skeleton ever leaving this module's callers.
 *
 * Written by hand (decision 13): it runs on every prompt and every streamed token, so it works on
 * character codes with lookup tables instead of a regex or `normalize()` per character.
 */

export interface Skeleton {
  readonly text: string;
  /** For each UTF-16 unit of `text`, the offset in the original text it came from. */
  readonly origin: Int32Array;
}

const leet: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** Hangul syllables, Thai, CJK ideographs, kana, conjoining jamo: scripts where spaces do not separate words reliably. */
export function isSpacelessScript(code: number): boolean {
  return (code >= 0xac00 && code <= 0xd7a3) || (code >= 0x0e00 && code <= 0x0e7f) || (code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0x1100 && code <= 0x11ff);
}

function isInvisible(code: number): boolean {
  return (
    code === 0x00ad ||
    code === 0x034f ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff ||
    (code >= 0xfe00 && code <= 0xfe0f)
  );
}

/** Arabic harakat, superscript alef and tatweel: optional marks users write or leave out. */
function isArabicMark(code: number): boolean {
  return (code >= 0x064b && code <= 0x065f) || code === 0x0670 || code === 0x0640 || (code >= 0x06d6 && code <= 0x06ed);
}

/** Thai vowel and tone marks written above or below the consonant. */
function isThaiMark(code: number): boolean {
  return code === 0x0e31 || (code >= 0x0e34 && code <= 0x0e3a) || (code >= 0x0e47 && code <= 0x0e4e);
}

const arabicLetters: Readonly<Record<number, number>> = { 0x0622: 0x0627, 0x0623: 0x0627, 0x0625: 0x0627, 0x0671: 0x0627, 0x0649: 0x064a, 0x06cc: 0x064a };

const letterOrDigit = /[\p{L}\p{N}]/u;
/** Folded forms of characters outside the fast paths, computed once each. */
const folded = new Map<string, string>();

/** What one character becomes: '' (dropped), ' ' (a separator) or letters. */
function fold(char: string): string {
  const cached = folded.get(char);
  if (cached !== undefined) return cached;
  let result: string;
  const code = char.codePointAt(0) ?? 0;
  if (isInvisible(code) || (code >= 0xe0000 && code <= 0xe01ef) || isArabicMark(code) || isThaiMark(code)) result = '';
  else if (arabicLetters[code] !== undefined) result = String.fromCharCode(arabicLetters[code]);
  else {
    // NFKC folds compatibility forms; NFD then drops the combining marks (Latin and Vietnamese diacritics).
    const compatible = char.normalize('NFKC').toLowerCase();
    const stripped = /[\u1100-\u11ff]/.test(compatible) ? compatible : compatible.normalize('NFD').replace(/\p{M}/gu, '');
    result = [...stripped].map((part) => leet[part] ?? (letterOrDigit.test(part) ? part : ' ')).join('');
    if (result.trim() === '') result = ' ';
  }
  folded.set(char, result);
  return result;
}

// Conjoining jamo: leading consonants (choseong) U+1100–1112, vowels U+1161–1175, trailing U+11A8–11C2.
const leadToTrail: Readonly<Record<number, number>> = {
  0x1100: 0x11a8, 0x1101: 0x11a9, 0x1102: 0x11ab, 0x1103: 0x11ae, 0x1105: 0x11af, 0x1106: 0x11b7, 0x1107: 0x11b8,
  0x1109: 0x11ba, 0x110a: 0x11bb, 0x110b: 0x11bc, 0x110c: 0x11bd, 0x110e: 0x11be, 0x110f: 0x11bf, 0x1110: 0x11c0, 0x1111: 0x11c1, 0x1112: 0x11c2,
};
const isLead = (code: number) => code >= 0x1100 && code <= 0x1112;
const isVowel = (code: number) => code >= 0x1161 && code <= 0x1175;

export function skeletonOf(text: string): Skeleton {
  const units: number[] = [];
  const origin: number[] = [];
  for (let at = 0; at < text.length; ) {
    const code = text.charCodeAt(at);
    const width = code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? 2 : 1;
    if (code < 0x80) {
      // ASCII, the common case, without a lookup.
      const lower = code >= 0x41 && code <= 0x5a ? code + 32 : code;
      const isWord = (lower >= 0x61 && lower <= 0x7a) || (lower >= 0x30 && lower <= 0x39 && leet[String.fromCharCode(lower)] === undefined) || lower === 0x5f;
      const mapped = isWord ? lower : (leet[String.fromCharCode(lower)]?.charCodeAt(0) ?? 0x20);
      units.push(lower === 0x5f ? 0x20 : mapped);
      origin.push(at);
    } else if (code >= 0xac00 && code <= 0xd7a3) {
      units.push(code);
      origin.push(at);
    } else {
      const result = fold(text.slice(at, at + width));
      for (let index = 0; index < result.length; index += 1) {
        units.push(result.charCodeAt(index));
        origin.push(at);
      }
    }
    at += width;
  }
  composeJamo(units, origin);
  return squeeze(units, origin);
}

/** Composes leading consonant + vowel (+ trailing consonant) jamo into Hangul syllables, in place. */
function composeJamo(units: number[], origin: number[]): void {
  if (!units.some((code) => code >= 0x1100 && code <= 0x11ff)) return;
  let write = 0;
  for (let read = 0; read < units.length; read += 1) {
    const lead = units[read] as number;
    const vowel = units[read + 1];
    const at = origin[read] as number;
    if (isLead(lead) && vowel !== undefined && isVowel(vowel)) {
      let syllable = 0xac00 + ((lead - 0x1100) * 21 + (vowel - 0x1161)) * 28;
      read += 1;
      const next = units[read + 1];
      const after = units[read + 2];
      // A consonant followed by no vowel closes this syllable rather than starting the next.
      const trail = next === undefined ? undefined : next >= 0x11a8 && next <= 0x11c2 ? next : isLead(next) && !(after !== undefined && isVowel(after)) ? leadToTrail[next] : undefined;
      if (trail !== undefined) {
        syllable += trail - 0x11a7;
        read += 1;
      }
      units[write] = syllable;
    } else units[write] = lead;
    origin[write] = at;
    write += 1;
  }
  units.length = write;
  origin.length = write;
}

/**
 * One space for each run of separators, none beside space-less scripts or at the ends, and letters
 * spelled one by one joined into a word.
 */
function squeeze(units: readonly number[], origin: readonly number[]): Skeleton {
  const out: number[] = [];
  const from: number[] = [];
  for (let index = 0; index < units.length; index += 1) {
    const code = units[index] as number;
    if (code !== 0x20) {
      out.push(code);
      from.push(origin[index] as number);
      continue;
    }
    const before = out[out.length - 1];
    let next = index + 1;
    while (next < units.length && units[next] === 0x20) next += 1;
    const after = units[next];
    if (before === undefined || after === undefined || before === 0x20) continue;
    if (isSpacelessScript(before) || isSpacelessScript(after)) continue;
    out.push(0x20);
    from.push(origin[index] as number);
  }
  joinSpelledLetters(out, from);
  // In slices: spreading a long prompt's codes into one call would exceed the argument limit.
  let text = '';
  for (let at = 0; at < out.length; at += 8192) text += String.fromCharCode(...out.slice(at, at + 8192));
  return { text, origin: Int32Array.from(from) };
}

/** "k i l l" → "kill": three or more one-letter words in a row are one word spelled out. */
function joinSpelledLetters(out: number[], from: number[]): void {
  // Words as [start, end) ranges of `out`, which holds single spaces between them.
  const words: [number, number][] = [];
  for (let start = 0; start < out.length; ) {
    let end = start;
    while (end < out.length && out[end] !== 0x20) end += 1;
    words.push([start, end]);
    start = end + 1;
  }
  const drop = new Set<number>();
  for (let first = 0; first < words.length; ) {
    let last = first;
    while (last < words.length && (words[last] as [number, number])[1] - (words[last] as [number, number])[0] === 1) last += 1;
    if (last - first >= 3) for (let index = first; index < last - 1; index += 1) drop.add((words[index] as [number, number])[1]);
    first = Math.max(last, first + 1);
  }
  if (drop.size === 0) return;
  let write = 0;
  for (let read = 0; read < out.length; read += 1) {
    if (drop.has(read)) continue;
    out[write] = out[read] as number;
    from[write] = from[read] as number;
    write += 1;
  }
  out.length = write;
  from.length = write;
}

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
 * character codes with a lookup table filled as characters are first seen, in reused typed arrays,
 * instead of a regex or `normalize()` per character.
 */

/** A text's skeleton as UTF-16 code units (matching reads these; a string is made only when asked for). */
export class Skeleton {
  /** The skeleton's code units. */
  readonly codes: Uint16Array;
  /** For each code unit, the offset in the original text it came from. */
  readonly origin: Int32Array;
  /**
   * Where letters spelled out one by one were joined ("h i t m a n" → "hitman"): 1 at each joined
   * letter, since any of them may start a word ("a h i t m a n" → "ahitman" holds "hitman").
   * Absent when nothing was joined.
   */
  readonly joinedLetters: Uint8Array | undefined;

  constructor(codes: Uint16Array, origin: Int32Array, joinedLetters?: Uint8Array) {
    this.codes = codes;
    this.origin = origin;
    this.joinedLetters = joinedLetters;
  }

  get text(): string {
    return Buffer.from(this.codes.buffer, this.codes.byteOffset, this.codes.length * 2).toString('utf16le');
  }
}

const leet: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** Hangul syllables, Thai, CJK ideographs, kana, conjoining jamo: scripts where spaces do not separate words reliably. */
export function isSpacelessScript(code: number): boolean {
  if (code < 0x0e00) return false;
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

/** What one character becomes: '' (dropped), ' ' (a separator) or letters. */
function fold(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (isInvisible(code) || (code >= 0xe0000 && code <= 0xe01ef) || isArabicMark(code) || isThaiMark(code)) return '';
  // Hangul syllables stay whole (NFD below would split them into jamo).
  if (code >= 0xac00 && code <= 0xd7a3) return char;
  const arabic = arabicLetters[code];
  if (arabic !== undefined) return String.fromCharCode(arabic);
  // NFKC folds compatibility forms; NFD then drops the combining marks (Latin and Vietnamese diacritics).
  const compatible = char.normalize('NFKC').toLowerCase();
  const stripped = /[\u1100-\u11ff]/.test(compatible) ? compatible : compatible.normalize('NFD').replace(/\p{M}/gu, '');
  const result = [...stripped].map((part) => leet[part] ?? (letterOrDigit.test(part) ? part : ' ')).join('');
  return result.trim() === '' ? ' ' : result;
}

// What each UTF-16 unit folds to, filled in as characters are first seen: one typed-array read per
// character on the hot path. A character that folds to several units keeps its result in `foldedLong`.
const unknown = -1;
const dropped = -2;
const long = -3;
const foldedUnit = new Int32Array(0x10000).fill(unknown);
const foldedLong = new Map<string, string>();

/** What fold gives for a character that folds to several units: read them with `foldedLongOf`. */
export const foldsLong = long;

/**
 * What the UTF-16 unit `code` folds to, alone (not half of a surrogate pair): a unit (≥ 0), a
 * negative number when it is dropped, or `foldsLong`. For skeleton-stream.ts, which folds as text arrives.
 */
export function foldedUnitOf(code: number): number {
  const value = foldedUnit[code] as number;
  return value === unknown ? foldedCodeOf(code) : value;
}

function foldedCodeOf(code: number): number {
  const result = fold(String.fromCharCode(code));
  const value = result === '' ? dropped : result.length === 1 ? result.charCodeAt(0) : long;
  if (value === long) foldedLong.set(String.fromCharCode(code), result);
  foldedUnit[code] = value;
  return value;
}

/** Characters outside the table whose folds are remembered; past this many, new ones are folded each time (a text of random astral characters must not grow memory). */
const foldedLongLimit = 4096;

/** The units a character folds to when they are several (or it is astral): a string of them, maybe spaces. */
export function foldedLongOf(char: string): string {
  let result = foldedLong.get(char);
  if (result === undefined) {
    result = fold(char);
    if (foldedLong.size < foldedLongLimit) foldedLong.set(char, result);
  }
  return result;
}

/** A high surrogate followed by a low one: one astral character in two code units. */
function isPairAt(text: string, at: number, code: number): boolean {
  if (code < 0xd800 || code > 0xdbff || at + 1 >= text.length) return false;
  const next = text.charCodeAt(at + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

/**
 * The skeleton being written, into buffers reused by every call (the checks run synchronously, one
 * at a time; the buffers grow to the longest text seen): no per-character allocation. Separators
 * are squeezed as they arrive, and words spelled out letter by letter are noticed on the way.
 */
class SkeletonWriter {
  codes = new Uint16Array(4096);
  from = new Int32Array(4096);
  length = 0;
  sawJamo = false;
  /** Where the word being written starts; -1 when it joined a previous word (it is not one letter). */
  wordStart = 0;
  singleLetterRun = 0;
  spelledOut = false;

  reset(size: number): void {
    this.room(size);
    this.length = 0;
    this.sawJamo = false;
    this.wordStart = 0;
    this.singleLetterRun = 0;
    this.spelledOut = false;
  }

  room(size: number): void {
    if (size <= this.codes.length) return;
    const capacity = Math.max(size, this.codes.length * 2);
    const codes = new Uint16Array(capacity);
    codes.set(this.codes);
    const from = new Int32Array(capacity);
    from.set(this.from);
    this.codes = codes;
    this.from = from;
  }

  /** One space for each run of separators, none beside space-less scripts or at the ends. */
  push(code: number, at: number): void {
    const codes = this.codes;
    let length = this.length;
    if (code === 0x20) {
      if (length === 0) return;
      const before = codes[length - 1] as number;
      if (before === 0x20 || isSpacelessScript(before)) return;
      this.endWord(length);
      this.wordStart = length + 1;
    } else {
      if (code >= 0x1100 && code <= 0x11ff) this.sawJamo = true;
      if (length > 0 && codes[length - 1] === 0x20 && isSpacelessScript(code)) {
        length -= 1;
        this.wordStart = -1;
      }
    }
    codes[length] = code;
    this.from[length] = at;
    this.length = length + 1;
  }

  endWord(end: number): void {
    this.singleLetterRun = this.wordStart >= 0 && end - this.wordStart === 1 ? this.singleLetterRun + 1 : 0;
    if (this.singleLetterRun >= 3) this.spelledOut = true;
  }

  finish(): void {
    if (this.length > 0 && this.codes[this.length - 1] === 0x20) this.length -= 1;
    this.endWord(this.length);
  }
}

const writer = new SkeletonWriter();

/** The input's code units, copied natively: reading a typed array is several times faster than charCodeAt here. */
let input = new Uint16Array(4096);
/** The same memory as bytes, to write strings into (made once per size: a Buffer per call costs more than a short text's skeleton). */
let inputBytes = Buffer.from(input.buffer);

/** The skeleton of `text`, in arrays of its own. */
export function skeletonOf(text: string): Skeleton {
  const view = skeletonView(text);
  return new Skeleton(view.codes.slice(), view.origin.slice(), view.joinedLetters?.slice());
}

/**
 * The skeleton of `text` as views of buffers the next call overwrites: for a check that reads it at
 * once (copying two typed arrays costs as much as building the skeleton of a 2 KB prompt).
 */
export function skeletonView(text: string): Skeleton {
  writer.reset(text.length + 16);
  if (input.length < text.length) {
    input = new Uint16Array(Math.max(text.length, input.length * 2));
    inputBytes = Buffer.from(input.buffer);
  }
  const source = input;
  inputBytes.write(text, 0, 'utf16le');
  const table = foldedUnit;
  for (let at = 0; at < text.length; ) {
    const code = source[at] as number;
    const pair = isPairAt(text, at, code);
    let value = pair ? long : (table[code] as number);
    if (value === unknown) value = foldedCodeOf(code);
    if (value >= 0) writer.push(value, at);
    else if (value === long) {
      const result = foldedLongOf(text.slice(at, at + (pair ? 2 : 1)));
      writer.room(writer.length + result.length + (text.length - at) + 16);
      for (let index = 0; index < result.length; index += 1) writer.push(result.charCodeAt(index), at);
    }
    at += pair ? 2 : 1;
  }
  writer.finish();
  const { codes, from } = writer;
  let length = writer.length;
  if (writer.sawJamo) length = composeJamo(codes, from, length);
  let joined: Uint8Array | undefined;
  if (writer.spelledOut) ({ length, joined } = joinSpelledLetters(codes, from, length));
  return new Skeleton(codes.subarray(0, length), from.subarray(0, length), joined);
}

// Conjoining jamo: leading consonants (choseong) U+1100–1112, vowels U+1161–1175, trailing U+11A8–11C2.
const leadToTrail: Readonly<Record<number, number>> = {
  0x1100: 0x11a8, 0x1101: 0x11a9, 0x1102: 0x11ab, 0x1103: 0x11ae, 0x1105: 0x11af, 0x1106: 0x11b7, 0x1107: 0x11b8,
  0x1109: 0x11ba, 0x110a: 0x11bb, 0x110b: 0x11bc, 0x110c: 0x11bd, 0x110e: 0x11be, 0x110f: 0x11bf, 0x1110: 0x11c0, 0x1111: 0x11c1, 0x1112: 0x11c2,
};
export const isLead = (code: number) => code >= 0x1100 && code <= 0x1112;
export const isVowel = (code: number) => code >= 0x1161 && code <= 0x1175;

/**
 * The trailing consonant a syllable of `lead` + vowel takes from the jamo after it (`next`, then
 * `after`; -1 past the end), or undefined: a trailing jamo, or a leading consonant no vowel follows
 * (which closes this syllable rather than starting the next).
 */
export function trailOf(next: number, after: number): number | undefined {
  return next >= 0x11a8 && next <= 0x11c2 ? next : isLead(next) && !isVowel(after) ? leadToTrail[next] : undefined;
}

/** The Hangul syllable of conjoining jamo: a leading consonant, a vowel and maybe a trailing consonant. */
export function syllableOf(lead: number, vowel: number, trail: number | undefined): number {
  const syllable = 0xac00 + ((lead - 0x1100) * 21 + (vowel - 0x1161)) * 28;
  return trail === undefined ? syllable : syllable + trail - 0x11a7;
}

/** Composes leading consonant + vowel (+ trailing consonant) jamo into Hangul syllables, in place; returns the new length. */
function composeJamo(units: Uint16Array, origins: Int32Array, length: number): number {
  let write = 0;
  for (let read = 0; read < length; read += 1) {
    const lead = units[read] as number;
    const at = origins[read] as number;
    const vowel = read + 1 < length ? (units[read + 1] as number) : -1;
    if (isLead(lead) && isVowel(vowel)) {
      read += 1;
      const next = read + 1 < length ? (units[read + 1] as number) : -1;
      const after = read + 2 < length ? (units[read + 2] as number) : -1;
      const trail = trailOf(next, after);
      if (trail !== undefined) read += 1;
      units[write] = syllableOf(lead, vowel, trail);
    } else units[write] = lead;
    origins[write] = at;
    write += 1;
  }
  return write;
}

/** "k i l l" → "kill": three or more one-letter words in a row are one word spelled out; returns the new length. */
function joinSpelledLetters(units: Uint16Array, origins: Int32Array, length: number): { length: number; joined: Uint8Array } {
  const drop = new Uint8Array(length);
  const letters = new Uint8Array(length);
  let first = -1;
  let count = 0;
  const close = () => {
    // Spaces between the letters of a run of three or more go.
    if (count >= 3) {
      for (let letter = 0; letter < count - 1; letter += 1) drop[first + letter * 2 + 1] = 1;
      for (let letter = 0; letter < count; letter += 1) letters[first + letter * 2] = 1;
    }
    count = 0;
  };
  for (let at = 0; at < length; at += 1) {
    if (units[at] === 0x20) continue;
    const single = (at === 0 || units[at - 1] === 0x20) && (at + 1 === length || units[at + 1] === 0x20);
    if (!single) {
      close();
      continue;
    }
    if (count === 0) first = at;
    count += 1;
  }
  close();
  let write = 0;
  const joined = new Uint8Array(length);
  for (let read = 0; read < length; read += 1) {
    if (drop[read] === 1) continue;
    units[write] = units[read] as number;
    origins[write] = origins[read] as number;
    joined[write] = letters[read] as number;
    write += 1;
  }
  return { length: write, joined: joined.subarray(0, write) };
}

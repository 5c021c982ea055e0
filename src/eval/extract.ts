/**
 * Reading which choice a model picked from what it wrote. Chat models answer multiple-choice
 * questions in prose, in the question's language: "정답: B", "คำตอบคือ ข้อ 2", "Jawaban: (C)",
 * "Đáp án đúng là A", "Sagot: D", "الإجابة: ب", or by repeating a choice's text. SEA-HELM-style
 * regex extraction, extended to the letters, digits and markers each language writes.
 *
 * Order of trust: a marker followed by a letter or number ("Answer: B") over a lone letter or
 * number on its own line, over a choice's text written out; an answer that names two different
 * choices the same way is not guessed at (`ambiguous`).
 */

/**
 * How each language introduces its answer. A marker is a noun ("answer", "정답") that must stand
 * as a word and be followed by a colon, a copula ("is", "là", "คือ") or, in Korean, a topic
 * particle (은/는): a noun in passing ("To answer a question…", "Đáp án A sai vì…", the 답 in
 * 아름답다 or 오답) is not a marker. A bare noun and a space is a weaker marker: on a line of its own
 * in every language ("Answer B"), anywhere in Korean and Thai ("정답 B"), whose nouns are not verbs.
 */
interface MarkerLanguage {
  /** Longest first is not needed: each noun is tried where it starts. */
  readonly nouns: readonly string[];
  readonly copulas: readonly string[];
  /** Particles written straight after the noun (Korean 은/는). */
  readonly particles?: readonly string[];
  /** Whether "noun label" with only a space between is a (weaker) marker anywhere, not only as a line of its own. */
  readonly bareNoun?: boolean;
  /** Thai has no spaces between words: a marker there cannot require one before it. */
  readonly noBoundaryBefore?: boolean;
  /** Letters that attach to the front of a word (Arabic و "and", ف "so"). */
  readonly proclitics?: string;
}

const markerLanguages: Readonly<Record<string, MarkerLanguage>> = {
  en: { nouns: ['answer'], copulas: ['is', 'would be', 'should be'] },
  ko: { nouns: ['정답', '답'], copulas: [], particles: ['은', '는'], bareNoun: true },
  th: { nouns: ['คำตอบที่ถูกต้อง', 'คำตอบ', 'ตอบ'], copulas: ['คือ'], bareNoun: true, noBoundaryBefore: true },
  id: { nouns: ['jawaban yang benar', 'jawaban yang tepat', 'jawabannya', 'jawaban'], copulas: ['adalah', 'ialah', 'yaitu'] },
  vi: { nouns: ['đáp án đúng', 'đáp án', 'câu trả lời đúng', 'câu trả lời'], copulas: ['là'] },
  tl: { nouns: ['tamang sagot', 'sagot'], copulas: ['ay'] },
  ar: { nouns: ['الإجابة الصحيحة', 'الإجابة', 'الاجابة الصحيحة', 'الاجابة', 'الجواب الصحيح', 'الجواب'], copulas: ['هي', 'هو'], proclitics: '[وف]' },
};

/** The marker words of each language (for reference and documentation). */
export const answerMarkers: Readonly<Record<string, readonly string[]>> = Object.fromEntries(Object.entries(markerLanguages).map(([language, spec]) => [language, spec.nouns]));

/** How each language writes "Answer: B": the form few-shot examples show and built-in prompts ask for. */
export const canonicalMarker: Readonly<Record<string, string>> = { en: 'Answer:', ko: '정답:', th: 'คำตอบ:', id: 'Jawaban:', vi: 'Đáp án:', tl: 'Sagot:', ar: 'الإجابة:' };

/** How prompts and examples letter choices: A … J, then numbers. */
export const choiceLetters = 'ABCDEFGHIJ';

export function choiceLabel(index: number): string {
  return choiceLetters.charAt(index) || String(index + 1);
}

/** Letters that name choices: Latin A–J, Thai ก ข ค ง …, Arabic أ ب ج د …, Korean 가 나 다 라 … (full-width Latin is folded by NFKC first). */
const letterSets: readonly (readonly string[])[] = [
  choiceLetters.split(''),
  'ＡＢＣＤＥＦＧＨＩＪ'.split(''),
  ['ก', 'ข', 'ค', 'ง', 'จ', 'ฉ', 'ช', 'ซ', 'ฌ', 'ญ'],
  ['أ', 'ب', 'ج', 'د', 'ه', 'و', 'ز', 'ح', 'ط', 'ي'],
  ['가', '나', '다', '라', '마', '바', '사', '아', '자', '차'],
];

export type ExtractionMethod = 'marker' | 'line' | 'text' | 'none' | 'ambiguous';

export interface Extraction {
  /** 0-based choice index, when one could be read. */
  readonly choice: number | undefined;
  readonly method: ExtractionMethod;
}

export interface ExtractOptions {
  readonly choices: readonly string[];
  /** How choices are labelled in the prompt: letters (A, B, …) or numbers (1, 2, …). */
  readonly labels?: 'letters' | 'numbers';
  /**
   * The question's language (ISO 639-1). Its markers are read first: when they name a choice, a
   * marker of another language elsewhere in the answer (an English "Answer: …" quoted in a Thai
   * explanation) does not make it ambiguous. Without it, or when they name none, every language's
   * markers are read together.
   */
  readonly language?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isDecimalDigit = (code: number) => /\p{Nd}/u.test(String.fromCodePoint(code));

/**
 * The value of a decimal digit of any script. Unicode lays every script's digits out as runs of
 * ten from its zero, so the count of digits just before this one, modulo 10, is its value — no
 * table of scripts to keep up to date.
 */
function digitValue(code: number): number {
  let before = 0;
  while (before < 60 && isDecimalDigit(code - before - 1)) before += 1;
  return before % 10;
}

/** Digits of every script as ASCII: "๑๕", "١٥" and "15" are the same number. */
export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => (digit >= '0' && digit <= '9' ? digit : String(digitValue(digit.codePointAt(0) as number))));
}

/** The choice a label names ("B", "๒", "(3)", "ب"), or undefined. Digits count from 1. */
export function labelIndex(label: string, count: number, labels: 'letters' | 'numbers' = 'letters'): number | undefined {
  const text = asciiDigits(label.trim().normalize('NFKC'));
  if (text.length === 0) return undefined;
  // Leading digits only: "2번", "3." and "٢)" read as 2, 3, 2.
  const digits = /^\d+/.exec(text);
  if (digits !== null) {
    // Numbered prompts count from 1; a digit after lettered choices also means the n-th choice.
    const index = Number(digits[0]) - 1;
    return index >= 0 && index < count ? index : undefined;
  }
  if (labels === 'numbers') return undefined;
  const upper = text.toUpperCase();
  for (const set of letterSets) {
    const index = set.indexOf(upper);
    if (index >= 0) return index < count ? index : undefined;
  }
  return undefined;
}

/** Signs that make a number negative: ASCII hyphen-minus, U+2212 minus, figure and en dashes, small hyphen-minus. */
const minusSigns = '-\u2212\u2012\u2013\ufe63';
/** Stands in for a kept sign while punctuation is removed (a private-use character: neither punctuation nor symbol). */
const keptMinus = '\ue000';
const keptPlusMinus = '\ue001';

/**
 * Normalised for comparing written-out answers: NFKC, digits of every script as ASCII, lower case,
 * no punctuation, single spaces — but a sign in front of a number is kept ("-5" is not "5"; "−5",
 * "－５" and "-٥" are "-5"; "±2" stays "±2"). A hyphen inside a word or between numbers ("COVID-19",
 * "1-2") is punctuation; a "+" adds nothing to a number and goes.
 */
export function normalizeAnswerText(text: string): string {
  return asciiDigits(text.normalize('NFKC'))
    .toLowerCase()
    .replace(new RegExp(`(^|[^\\p{L}\\p{N}\\p{M}])([${minusSigns}±])(?=\\d)`, 'gu'), (_, before: string, sign: string) => `${before}${sign === '±' ? keptPlusMinus : keptMinus}`)
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replaceAll(keptMinus, '-')
    .replaceAll(keptPlusMinus, '±');
}

/**
 * A number in canonical form ("-5", "15", "3.5"), or undefined when the text is not one number.
 * Digits of any script; "1,000" is a thousand, "3,5" three and a half (as Indonesian and
 * Vietnamese write it); "15.0" is "15".
 */
export function canonicalNumber(text: string): string | undefined {
  let written = asciiDigits(text.normalize('NFKC').trim()).replace(new RegExp(`^[${minusSigns}]`, 'u'), '-').replace(/^\+/, '');
  if (!/^-?\d+(?:[.,]\d+)*$/.test(written)) return undefined;
  if (/^-?\d{1,3}(?:,\d{3})+$/.test(written)) written = written.replaceAll(',', '');
  else if (/^-?\d+,\d+$/.test(written)) written = written.replace(',', '.');
  if (!/^-?\d+(?:\.\d+)?$/.test(written)) return written;
  const value = Number(written);
  return Object.is(value, -0) ? '0' : String(value);
}

/** "B입니다", "B번", "B예요": a label with a Korean ending is the label. */
const koreanEnding = /(?<![\p{L}\p{N}])([A-J1-9])(?:번입니다|입니다|이에요|예요|번)/gu;

/** An answer longer than this is read from its start (a multiple-choice answer is short; the rest is explanation). */
const maxAnswerChars = 4000;

/** Words that may stand between a marker and its label: "Answer: option B", "คำตอบคือ ข้อ ค", "Đáp án: phương án C". */
const connectors = ['option', 'choice', 'pilihan', 'opsi', 'phương án', 'lựa chọn', 'câu', 'ข้อ', 'الخيار', '선택지', '보기'];

/** A label: a number (any script, with a sign) or one letter, optionally bracketed. */
const labelSource = `([(\\[（]?)\\s*((?:[${minusSigns}+])?\\p{Nd}+(?:[.,]\\p{Nd}+)*|\\p{L})\\s*[)\\]）]?`;
/** After a label: a Korean ending ("3번입니다", "나예요"), then no letter or digit (a label is not the start of a word). */
const afterLabel = '(?:번째|번)?(?:입니다|이에요|예요|이다|요)?(?![\\p{L}\\p{N}\\p{M}])';

const alternation = (words: readonly string[]) => words.map((word) => escapeRegExp(word).replace(/ /g, '\\s+')).join('|');

interface MarkerPattern {
  readonly language: string;
  readonly pattern: RegExp;
  /** Whether the bare noun and a space is a marker anywhere (Korean, Thai), or only on a line of its own ("Answer B"). */
  readonly bareNoun: boolean;
}

/**
 * One pattern per language: groups 1 (strong tail: colon, copula, particle) and 2 (a bare noun then
 * a space), then the opening bracket (3) and the label (4).
 */
const markerPatterns: readonly MarkerPattern[] = Object.entries(markerLanguages).map(([language, spec]) => {
  const before = spec.noBoundaryBefore === true ? '' : '(?<![\\p{L}\\p{N}\\p{M}])';
  const proclitic = spec.proclitics === undefined ? '' : `${spec.proclitics}?`;
  // A copula of a spaced script is a word of its own ("is", not "island"); Thai writes คือ joined to what follows.
  const copulaEnd = spec.noBoundaryBefore === true ? '' : '(?![\\p{L}\\p{M}])';
  const strong = [
    '\\s*[:：]',
    ...(spec.copulas.length > 0 ? [`\\s*(?:${alternation(spec.copulas)})${copulaEnd}\\s*[:：]?`] : []),
    ...(spec.particles !== undefined ? [`(?:${alternation(spec.particles)})\\s*[:：]?`] : []),
  ].join('|');
  const weak = '(?=\\s)';
  const source = `${before}${proclitic}(?:${alternation(spec.nouns)})(?:(${strong})|(${weak}))\\s*(?:(?:${alternation(connectors)})\\s*)?${labelSource}${afterLabel}`;
  return { language, pattern: new RegExp(source, 'giu'), bareNoun: spec.bareNoun === true };
});

interface LabelContext {
  readonly count: number;
  readonly labels: 'letters' | 'numbers';
  /** Choices whose text is a number, by that number; undefined when no choice is one. */
  readonly numeric: ReadonlyMap<string, readonly number[]> | undefined;
}

/**
 * The choices a label could name. A number is a choice's text where some choice is a number
 * ("12", "15", "18" — an arithmetic question); with lettered choices it is then only that, and with
 * numbered ones it may also be a position: "2" naming both choice 2 and the choice whose text is 2
 * (a different one) names two choices, and the answer is ambiguous.
 */
function labelCandidates(label: string, context: LabelContext): number[] {
  const number = canonicalNumber(label);
  if (number !== undefined) {
    const byText = context.numeric?.get(number) ?? [];
    const byPosition = (context.labels === 'numbers' || context.numeric === undefined) && /^\d+$/.test(number) ? Number(number) - 1 : -1;
    return distinct([...byText, byPosition >= 0 && byPosition < context.count ? byPosition : undefined]);
  }
  if (context.labels === 'numbers') return [];
  const index = labelIndex(label, context.count, 'letters');
  return index === undefined ? [] : [index];
}

interface MarkerMatch {
  readonly language: string;
  readonly strong: boolean;
  readonly candidates: readonly number[];
}

function markerMatches(text: string, context: LabelContext): MarkerMatch[] {
  const matches: MarkerMatch[] = [];
  for (const { language, pattern, bareNoun } of markerPatterns) {
    for (const match of text.matchAll(pattern)) {
      const bracket = match[3] ?? '';
      const label = match[4] ?? '';
      const start = match.index ?? 0;
      const rest = text.slice(start + match[0].length);
      // A lower-case letter running on into a sentence is a word, not a label: "The answer is a port city".
      if (bracket === '' && /^[a-z]$/.test(label) && /^[^\S\n]+\p{L}/u.test(rest)) continue;
      // Elsewhere a bare noun is a marker only as a line of its own, "Answer B" or "Answer (B).":
      // in a sentence it is a verb or a subject ("To answer a question…", "Answer A is wrong…").
      const weak = match[1] === undefined;
      if (weak && !bareNoun && !(/(?:^|\n)[^\S\n]*$/u.test(text.slice(0, start)) && /^[^\S\n]*[.)）]?[^\S\n]*(?:\n|$)/u.test(rest))) continue;
      const candidates = labelCandidates(label, context);
      if (candidates.length > 0) matches.push({ language, strong: !weak, candidates });
    }
  }
  return matches;
}

/**
 * What the markers say: only the strongest kind present counts (a "정답: B" over a later "답 A"),
 * so a marker-led answer is not undone by choices its explanation mentions; two markers of the
 * same strength naming different choices ("Answer: A. No wait, Answer: C") are ambiguous.
 */
function decideMarkers(matches: readonly MarkerMatch[]): Extraction | undefined {
  if (matches.length === 0) return undefined;
  const strong = matches.filter((match) => match.strong);
  const named = distinct((strong.length > 0 ? strong : matches).flatMap((match) => match.candidates));
  if (named.length === 1) return { choice: named[0], method: 'marker' };
  return { choice: undefined, method: 'ambiguous' };
}

/** A label alone, or opening a line: "B", "B.", "(B) Seoul", "2) …" — not "A common mistake". */
const linePattern = new RegExp(`^\\s*[(\\[（]?\\s*((?:[${minusSigns}+])?\\p{Nd}+(?:[.,]\\p{Nd}+)*|\\p{L})\\s*(?:[)\\]）.:：]|$)`, 'u');

export function extractChoice(answer: string, options: ExtractOptions): Extraction {
  const count = options.choices.length;
  const labels = options.labels ?? 'letters';
  // Runs of spaces collapsed and the answer capped before any pattern runs: a pattern's optional
  // spaces could otherwise share a long run between them (cubic time on "답" + 2,000 spaces).
  const text = answer.normalize('NFKC').slice(0, maxAnswerChars).replace(/[^\S\n]+/g, ' ').replace(/\n\s*/g, '\n').replace(/[*_`]+/g, '').replace(koreanEnding, '$1').trim();
  if (text.length === 0) return { choice: undefined, method: 'none' };

  const numeric = new Map<string, number[]>();
  options.choices.forEach((choice, index) => {
    const number = canonicalNumber(choice);
    if (number !== undefined) numeric.set(number, [...(numeric.get(number) ?? []), index]);
  });
  const context: LabelContext = { count, labels, numeric: numeric.size > 0 ? numeric : undefined };

  const matches = markerMatches(text, context);
  const byMarker = decideMarkers(matches.filter((match) => match.language === options.language)) ?? decideMarkers(matches);
  if (byMarker !== undefined) return byMarker;

  const byLine = distinct(
    text.split(/\n+/).flatMap((line) => {
      const match = linePattern.exec(line);
      return match === null ? [] : labelCandidates(match[1] ?? '', context);
    }),
  );
  if (byLine.length === 1) return { choice: byLine[0], method: 'line' };
  if (byLine.length > 1) return { choice: undefined, method: 'ambiguous' };

  const written = normalizeAnswerText(text);
  const normalizedChoices = options.choices.map(normalizeAnswerText);
  const exact = normalizedChoices.findIndex((choice) => choice.length > 0 && choice === written);
  if (exact >= 0) return { choice: exact, method: 'text' };
  const contained = distinct(normalizedChoices.map((choice, index) => (choice.length > 0 && containsPhrase(written, choice) ? index : undefined)));
  // A choice inside another ("Seoul" in "Seoul Station") is not evidence for both: keep the longest.
  const longest = removeContained(contained, normalizedChoices);
  if (longest.length === 1) return { choice: longest[0], method: 'text' };
  return { choice: undefined, method: longest.length > 1 ? 'ambiguous' : 'none' };
}

function distinct(values: readonly (number | undefined)[]): number[] {
  return [...new Set(values.filter((value): value is number => value !== undefined))];
}

/** Whole-phrase containment for spaced scripts; plain containment for Thai, Korean and CJK. */
function containsPhrase(text: string, phrase: string): boolean {
  const at = text.indexOf(phrase);
  if (at < 0) return false;
  if (/[\u0e00-\u0e7f\uac00-\ud7a3\u3040-\u9fff]/u.test(phrase)) return true;
  const before = at === 0 ? ' ' : text.charAt(at - 1);
  const after = text.charAt(at + phrase.length) || ' ';
  return before === ' ' && after === ' ';
}

function removeContained(indexes: readonly number[], choices: readonly string[]): number[] {
  return indexes.filter((index) => !indexes.some((other) => other !== index && (choices[other] as string).length > (choices[index] as string).length && (choices[other] as string).includes(choices[index] as string)));
}

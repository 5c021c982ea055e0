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

/** Words that introduce the answer, per language; matched case-insensitively, colon optional. */
export const answerMarkers: Readonly<Record<string, readonly string[]>> = {
  en: ['the answer is', 'the correct answer is', 'answer', 'correct answer'],
  ko: ['정답은', '정답', '답은', '답'],
  th: ['คำตอบที่ถูกต้องคือ', 'คำตอบคือ', 'คำตอบ', 'ตอบ'],
  id: ['jawaban yang benar adalah', 'jawabannya adalah', 'jawabannya', 'jawaban'],
  vi: ['đáp án đúng là', 'đáp án là', 'đáp án', 'câu trả lời là', 'câu trả lời'],
  tl: ['ang tamang sagot ay', 'ang sagot ay', 'sagot'],
  ar: ['الإجابة الصحيحة هي', 'الإجابة هي', 'الإجابة', 'الجواب الصحيح هو', 'الجواب', 'الاجابة'],
};

/** How each language writes "Answer: B": the form few-shot examples show and built-in prompts ask for. */
export const canonicalMarker: Readonly<Record<string, string>> = { en: 'Answer:', ko: '정답:', th: 'คำตอบ:', id: 'Jawaban:', vi: 'Đáp án:', tl: 'Sagot:', ar: 'الإجابة:' };

/** How prompts and examples letter choices: A … J, then numbers. */
export const choiceLetters = 'ABCDEFGHIJ';

export function choiceLabel(index: number): string {
  return choiceLetters.charAt(index) || String(index + 1);
}

/** Letters that name choices: Latin A–J (and full-width), Thai ก ข ค ง …, Arabic أ ب ج د …, Korean 가 나 다 라 … */
const letterSets: readonly (readonly string[])[] = [
  choiceLetters.split(''),
  'ＡＢＣＤＥＦＧＨＩＪ'.split(''),
  ['ก', 'ข', 'ค', 'ง', 'จ', 'ฉ', 'ช', 'ซ', 'ฌ', 'ญ'],
  ['أ', 'ب', 'ج', 'د', 'ه', 'و', 'ز', 'ح', 'ط', 'ي'],
  ['가', '나', '다', '라', '마', '바', '사', '아', '자', '차'],
];

/** Digits of each script, so "๒" and "٢" read as 2. */
const digitZeros = [0x30, 0xff10, 0x0e50, 0x0660, 0x06f0];

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
  /** The question's language (ISO 639-1), whose markers are tried first; every language's are tried. */
  readonly language?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const allMarkers = [...new Set(Object.values(answerMarkers).flat())].sort((a, b) => b.length - a.length);
const markerPattern = new RegExp(`(?:${allMarkers.map(escapeRegExp).join('|')})\\s*[:：]?\\s*(?:is\\s+|là\\s+|ay\\s+|adalah\\s+|คือ\\s*|هي\\s*|هو\\s*)?(?:ข้อ\\s*|option\\s+|choice\\s+|pilihan\\s+|câu\\s+|phương án\\s+|الخيار\\s*)?[(\\[（]?\\s*([^\\s)\\]）.,:;、。]{1,2})`, 'giu');

/** The choice a label names ("B", "๒", "(3)", "ب"), or undefined. */
export function labelIndex(label: string, count: number, labels: 'letters' | 'numbers' = 'letters'): number | undefined {
  const text = label.trim();
  if (text.length === 0) return undefined;
  const first = text.codePointAt(0) as number;
  for (const zero of digitZeros) {
    if (first >= zero && first <= zero + 9) {
      let value = 0;
      // Leading digits of that script only: "2번", "3." and "٢)" read as 2, 3, 2.
      for (const char of text) {
        const code = char.codePointAt(0) as number;
        if (code < zero || code > zero + 9) break;
        value = value * 10 + (code - zero);
      }
      // Numbered prompts count from 1; a digit after lettered choices also means the n-th choice.
      const index = value - 1;
      return index >= 0 && index < count ? index : undefined;
    }
  }
  if (labels === 'numbers') return undefined;
  const upper = text.toUpperCase();
  for (const set of letterSets) {
    const index = set.indexOf(upper);
    if (index >= 0) return index < count ? index : undefined;
  }
  return undefined;
}

/** Normalised for comparing written-out choices: NFKC, lower case, no punctuation, single spaces. */
export function normalizeAnswerText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "B입니다", "B번", "B예요": a label with a Korean ending is the label. */
const koreanEnding = /(?<![\p{L}\p{N}])([A-J1-9])(?:번입니다|입니다|이에요|예요|번)/gu;

/** An answer longer than this is read from its start (a multiple-choice answer is short; the rest is explanation). */
const maxAnswerChars = 4000;

export function extractChoice(answer: string, options: ExtractOptions): Extraction {
  const count = options.choices.length;
  const labels = options.labels ?? 'letters';
  // Runs of spaces collapsed and the answer capped before any pattern runs: the marker pattern's
  // optional spaces could otherwise share a long run between them (cubic time on "답" + 2,000 spaces).
  const text = answer.normalize('NFKC').slice(0, maxAnswerChars).replace(/[^\S\n]+/g, ' ').replace(/\n\s*/g, '\n').replace(/[*_`]+/g, '').replace(koreanEnding, '$1').trim();
  if (text.length === 0) return { choice: undefined, method: 'none' };

  const byMarker = distinct([...text.matchAll(markerPattern)].map((match) => labelIndex(match[1] ?? '', count, labels)));
  if (byMarker.length === 1) return { choice: byMarker[0], method: 'marker' };
  if (byMarker.length > 1) return { choice: undefined, method: 'ambiguous' };

  // A label alone, or opening a line: "B", "B.", "(B) Seoul", "2) …".
  const byLine = distinct(
    text.split(/\n+/).map((line) => {
      // A label then a delimiter or the line's end: "B", "B.", "(B) Seoul", "2) …" — not "A common mistake".
      const match = /^\s*[([（]?\s*([^\s)\]）.:：]{1,2})\s*(?:[)\]）.:：]|$)/u.exec(line);
      return match === null ? undefined : labelIndex(match[1] ?? '', count, labels);
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

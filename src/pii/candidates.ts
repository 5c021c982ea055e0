/**
 * One linear pass over the text finding runs of digits (any script we read) joined by single group
 * separators, and offering every window of whole "tokens" of a run as a candidate. A token is a
 * sequence of groups joined by hyphens or dots; tokens are joined by spaces. Windows never split a
 * token and never include a group too long for any identifier, so a number inside a longer digit
 * run is never offered. No regular expressions: nothing can backtrack.
 */
import { digitValue, isGroupSeparator } from './digits.js';

/** Longest digit string of any identifier we validate (payment cards: 19). */
export const maxWindowDigits = 19;
/** Most groups of any grouping we accept (Thai ID: 1-4-5-2-1). */
export const maxWindowGroups = 5;
/** Base of the numeric grouping key: group lengths are below it. */
const keyBase = 20;

export interface DigitGroup {
  readonly start: number;
  readonly end: number;
  /** Compact ASCII digits. */
  readonly digits: string;
  /** Code unit of the separator before the group; -1 at the start of a run. */
  readonly separatorBefore: number;
}

export interface DigitWindow {
  readonly groups: readonly DigitGroup[];
  /** Compact ASCII digits of all groups. */
  readonly digits: string;
  /** Group lengths packed into one number (see `groupingKey`), for table look-ups without strings. */
  readonly groupingKey: number;
  /** Offset of the first code unit: the `+` when the window starts with one. */
  readonly start: number;
  readonly end: number;
  /** Written with a leading `+` (international format). */
  readonly plus: boolean;
}

/** The key `DigitWindow.groupingKey` has for these group lengths. */
export function groupingKey(lengths: readonly number[]): number {
  let key = 0;
  for (const length of lengths) key = key * keyBase + length;
  return key;
}

function isDigitCode(code: number): boolean {
  if (code >= 0x30 && code <= 0x39) return true;
  return code >= 0x660 && digitValue(code) >= 0;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0xa0;
}

function isLatinWordChar(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    (code >= 0xff21 && code <= 0xff3a) ||
    (code >= 0xff41 && code <= 0xff5a)
  );
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * Whether the run starting at `start` is part of a Latin code (ORD-2026…, abc123): those are order
 * numbers and identifiers of other systems. Hangul, Thai or Arabic letters do not glue: people type
 * numbers straight after their own words.
 */
function gluedBefore(text: string, start: number): boolean {
  const previous = start > 0 ? text.charCodeAt(start - 1) : -1;
  if (isLatinWordChar(previous)) return true;
  const joiner = previous === 0x2d || previous === 0x2f || previous === 0x23 || previous === 0x2e;
  return joiner && start > 1 && isAsciiAlnum(text.charCodeAt(start - 2));
}

function compactDigits(text: string, start: number, end: number): string {
  let digits = '';
  for (let index = start; index < end; index += 1) digits += String.fromCharCode(48 + digitValue(text.charCodeAt(index)));
  return digits;
}

/** Calls `visit` for every candidate window, in order of their last group. */
export function forEachDigitWindow(text: string, visit: (window: DigitWindow) => void): void {
  const length = text.length;
  let index = 0;
  while (index < length) {
    if (!isDigitCode(text.charCodeAt(index))) {
      index += 1;
      continue;
    }
    const before = index > 0 ? text.charCodeAt(index - 1) : -1;
    const plusAt = before === 0x2b || before === 0xff0b ? index - 1 : -1;
    const runGlued = gluedBefore(text, plusAt >= 0 ? plusAt : index);
    // The last few groups of the run; a window never reaches further back.
    const recent: DigitGroup[] = [];
    let separatorBefore = -1;
    for (;;) {
      let end = index;
      while (end < length && isDigitCode(text.charCodeAt(end))) end += 1;
      const next = end < length ? text.charCodeAt(end) : -1;
      const continues = isGroupSeparator(next) && end + 1 < length && isDigitCode(text.charCodeAt(end + 1));
      if (end - index > maxWindowDigits) {
        recent.length = 0;
      } else {
        recent.push({ start: index, end, digits: compactDigits(text, index, end), separatorBefore });
        if (recent.length > maxWindowGroups) recent.shift();
        const rightOk = continues ? isSpace(next) : !isLatinWordChar(next);
        const nextLength = continues && isSpace(next) ? digitRunLength(text, end + 1) : 0;
        if (rightOk) visitWindowsEndingAt(recent, runGlued, plusAt, nextLength, visit);
      }
      if (!continues) {
        index = end;
        break;
      }
      separatorBefore = next;
      index = end + 1;
    }
  }
}

function digitRunLength(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start <= maxWindowDigits && isDigitCode(text.charCodeAt(end))) end += 1;
  return end - start;
}

/**
 * Whether the window is a slice of a longer row of equal groups (4111 1111 1111 of a 16-digit
 * card): such a slice is not a number of its own.
 */
function sliceOfUniformRow(recent: readonly DigitGroup[], first: number, nextLength: number): boolean {
  const length = (recent[first] as DigitGroup).digits.length;
  for (let index = first + 1; index < recent.length; index += 1) if ((recent[index] as DigitGroup).digits.length !== length) return false;
  if (recent.length - first < 2) return false;
  const previous = recent[first - 1];
  return nextLength === length || (previous !== undefined && previous.digits.length === length);
}

function visitWindowsEndingAt(recent: readonly DigitGroup[], runGlued: boolean, plusAt: number, nextLength: number, visit: (window: DigitWindow) => void): void {
  const last = recent[recent.length - 1] as DigitGroup;
  let digits = '';
  let key = 0;
  let weight = 1;
  for (let first = recent.length - 1; first >= 0; first -= 1) {
    const group = recent[first] as DigitGroup;
    digits = group.digits + digits;
    if (digits.length > maxWindowDigits) return;
    key += group.digits.length * weight;
    weight *= keyBase;
    const runStart = group.separatorBefore === -1;
    const leftOk = runStart ? !runGlued : isSpace(group.separatorBefore);
    if (!leftOk || sliceOfUniformRow(recent, first, nextLength)) continue;
    const plus = runStart && plusAt >= 0;
    visit({ groups: recent.slice(first), digits, groupingKey: key, start: plus ? plusAt : group.start, end: last.end, plus });
    // A run start has nothing before it in this run.
    if (runStart) return;
  }
}

/**
 * One linear pass over the text finding runs of digits (any script we read) joined by single group
 * separators, and offering every window of whole "tokens" of a run as a candidate. A token is a
 * sequence of groups joined by hyphens or dots; tokens are joined by spaces. Windows never split a
 * token and never include a group too long for any identifier, so a number inside a longer digit
 * run is never offered. The only regular expression is one character class used to jump to the
 * next digit: nothing can backtrack.
 */
import { anyDigitClass, digitValue, isGroupSeparator } from './digits.js';

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
  /** Position of the group in its run, 0 for the first. */
  readonly index: number;
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
  /** The run this window belongs to starts with `+` and a calling code alone (+84 328-633-410). */
  readonly callingCodeRun: boolean;
  /** The window's last group ends its run: nothing but a line's text follows. */
  readonly runEnds: boolean;
  /**
   * End of the previous number (the group before the window in its run, or the previous run), -1
   * if none: a context word written before it labels that number, not this window ("CCCD: 067…;
   * SĐT 0812…"). CSV rows take their column's header instead.
   */
  readonly contextFloor: number;
}

/** The key `DigitWindow.groupingKey` has for these group lengths. */
export function groupingKey(lengths: readonly number[]): number {
  let key = 0;
  for (const length of lengths) key = key * keyBase + length;
  return key;
}

function isDigitCode(code: number): boolean {
  return digitValue(code) >= 0;
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

/** ASCII digits of a group; a plain slice when the text already has ASCII digits (the usual case). */
function compactDigits(text: string, start: number, end: number): string {
  let ascii = true;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0x39) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.slice(start, end);
  let digits = '';
  for (let index = start; index < end; index += 1) digits += String.fromCharCode(48 + digitValue(text.charCodeAt(index)));
  return digits;
}

/** What `forEachDigitWindow` reports besides windows: every maximal run of digits, for lettered identifiers anchored on them. */
export type GroupVisitor = (start: number, end: number) => void;

/**
 * Jumping from digit to digit with one character class skips prose at native speed. One shared
 * instance: the pass is synchronous and sets `lastIndex` before every use.
 */
const nextDigit = new RegExp(anyDigitClass, 'g');

/** Calls `visit` for every candidate window, in order of their last group, and `visitGroup` for every digit group. */
export function forEachDigitWindow(text: string, visit: (window: DigitWindow) => void, visitGroup?: GroupVisitor): void {
  const length = text.length;
  let index = 0;
  let previousRunEnd = -1;
  const recent: DigitGroup[] = [];
  while (index < length) {
    nextDigit.lastIndex = index;
    // test() rather than exec(): no match array to allocate for each of the many short numbers in prose.
    if (!nextDigit.test(text)) return;
    index = nextDigit.lastIndex - 1;
    let runEnd = index + 1;
    while (runEnd < length && isDigitCode(text.charCodeAt(runEnd))) runEnd += 1;
    // A lone short number ("12%", "3:45") can be no window: only its neighbours may make it an NRIC or IBAN part.
    if (runEnd - index < 8 && !(runEnd + 1 < length && isGroupSeparator(text.charCodeAt(runEnd)) && isDigitCode(text.charCodeAt(runEnd + 1)))) {
      visitGroup?.(index, runEnd);
      previousRunEnd = runEnd;
      index = runEnd;
      continue;
    }
    const before = index > 0 ? text.charCodeAt(index - 1) : -1;
    const plusAt = before === 0x2b || before === 0xff0b ? index - 1 : -1;
    const runGlued = gluedBefore(text, plusAt >= 0 ? plusAt : index);
    let callingCodeRun = false;
    const contextFloor = previousRunEnd;
    // The last few groups of the run; a window never reaches further back.
    recent.length = 0;
    let separatorBefore = -1;
    let groupIndex = 0;
    for (;;) {
      let end = index + 1;
      while (end < length && isDigitCode(text.charCodeAt(end))) end += 1;
      visitGroup?.(index, end);
      const next = end < length ? text.charCodeAt(end) : -1;
      const continues = isGroupSeparator(next) && end + 1 < length && isDigitCode(text.charCodeAt(end + 1));
      if (end - index > maxWindowDigits) {
        recent.length = 0;
      } else {
        if (groupIndex === 0) callingCodeRun = plusAt >= 0 && end - index <= 3;
        recent.push({ start: index, end, digits: compactDigits(text, index, end), separatorBefore, index: groupIndex });
        if (recent.length > maxWindowGroups) recent.shift();
        const rightOk = continues ? isSpace(next) : !isLatinWordChar(next);
        const nextLength = continues && isSpace(next) ? loneGroupLength(text, end + 1) : 0;
        if (rightOk) visitWindowsEndingAt(recent, { runGlued, plusAt, nextLength, contextFloor, callingCodeRun, runEnds: !continues }, visit);
      }
      groupIndex += 1;
      if (!continues) {
        index = end;
        break;
      }
      separatorBefore = next;
      index = end + 1;
    }
    previousRunEnd = index;
  }
}

/**
 * Length of the digit group at `start` when it stands alone as a token (followed by a space or
 * the end of the run), else 0: "…1765 5419-5353-1268" does not continue a row of fours.
 */
function loneGroupLength(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start <= maxWindowDigits && isDigitCode(text.charCodeAt(end))) end += 1;
  const next = end < text.length ? text.charCodeAt(end) : -1;
  if (isGroupSeparator(next) && !isSpace(next) && end + 1 < text.length && isDigitCode(text.charCodeAt(end + 1))) return 0;
  return end - start;
}

/**
 * Whether the window is a slice of a longer row of equal space-joined groups (4111 1111 1111 of a
 * 16-digit card): such a slice is not a number of its own. A neighbour only continues the row when
 * it is a lone group itself, not the end or start of a hyphenated token.
 */
function sliceOfUniformRow(recent: readonly DigitGroup[], first: number, nextLength: number): boolean {
  if (recent.length - first < 2) return false;
  const length = (recent[first] as DigitGroup).digits.length;
  for (let index = first + 1; index < recent.length; index += 1) {
    const group = recent[index] as DigitGroup;
    if (group.digits.length !== length || !isSpace(group.separatorBefore)) return false;
  }
  const previous = recent[first - 1];
  const previousLone = previous !== undefined && previous.digits.length === length && (previous.separatorBefore === -1 || isSpace(previous.separatorBefore));
  return nextLength === length || previousLone;
}

interface RunState {
  readonly runGlued: boolean;
  readonly plusAt: number;
  readonly nextLength: number;
  readonly contextFloor: number;
  readonly callingCodeRun: boolean;
  readonly runEnds: boolean;
}

function visitWindowsEndingAt(recent: readonly DigitGroup[], run: RunState, visit: (window: DigitWindow) => void): void {
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
    const leftOk = runStart ? !run.runGlued : isSpace(group.separatorBefore);
    if (!leftOk || sliceOfUniformRow(recent, first, run.nextLength)) continue;
    const plus = runStart && run.plusAt >= 0;
    // Nothing we read is shorter than eight digits (a Singapore phone) but a dotted IPv4 address.
    if (digits.length < 8 && recent.length - first !== 4) {
      if (runStart) return;
      continue;
    }
    visit({ groups: recent.slice(first), digits, groupingKey: key, start: plus ? run.plusAt : group.start, end: last.end, plus, callingCodeRun: run.callingCodeRun, runEnds: run.runEnds, contextFloor: runStart ? run.contextFloor : (recent[first - 1]?.end ?? group.start - 1) });
    // A run start has nothing before it in this run.
    if (runStart) return;
  }
}

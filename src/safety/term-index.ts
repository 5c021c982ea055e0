/**
 * Term lists compiled for matching skeletons (skeleton.ts): a trie over the terms' skeletons. In
 * scripts that separate words with spaces a term matches only whole words ("kill" is not found in
 * "skill"); in Hangul, Thai and CJK it matches anywhere. A multi-word term also matches with its
 * spaces removed, which is what spelling it out letter by letter leaves. Hand-written (decision 13):
 * the trie walks character codes, a 2 KB prompt in tens of microseconds.
 */
import type { Hazard } from './hazards.js';
import { isSpacelessScript, skeletonOf } from './skeleton.js';
import type { UnitBuffer, UnitSink } from './skeleton-stream.js';

export type Severity = 'low' | 'medium' | 'high';

export const severityRank: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };

export interface Term {
  readonly term: string;
  readonly category: Hazard;
  readonly severity: Severity;
  readonly variants?: readonly string[];
}

export interface TermMatch {
  readonly category: Hazard;
  readonly severity: Severity;
  /** Offsets in the skeleton. */
  readonly start: number;
  readonly end: number;
}

interface Entry {
  readonly category: Hazard;
  readonly severity: Severity;
  /** Must start and end at word boundaries (the term is written in a script with spaces). */
  readonly whole: boolean;
}

const startsWord = 1;
const startsAnywhere = 2;

class Node {
  readonly next = new Map<number, Node>();
  entry: Entry | undefined;
}

/**
 * The trie laid out in typed arrays for matching: the root's children in a direct table, every
 * other edge (parent, code) → child in an open-addressing hash table. A step is one or two array
 * reads instead of a Map lookup per node.
 */
interface FlatTrie {
  readonly rootChild: Int32Array;
  readonly edgeParent: Int32Array;
  readonly edgeCode: Uint16Array;
  readonly edgeChild: Int32Array;
  readonly mask: number;
  /** Index into `entries`, or -1. */
  readonly entryOf: Int32Array;
  readonly entries: readonly Entry[];
}

const slotOf = (parent: number, code: number, mask: number) => Math.imul(parent * 0x10001 + code, 0x9e3779b1) >>> 7 & mask;

function flatten(root: Node): FlatTrie {
  const nodes: Node[] = [root];
  for (let index = 0; index < nodes.length; index += 1) for (const child of (nodes[index] as Node).next.values()) nodes.push(child);
  const ids = new Map(nodes.map((node, id) => [node, id]));
  let slots = 1024;
  while (slots < nodes.length * 2) slots *= 2;
  const mask = slots - 1;
  const edgeParent = new Int32Array(slots).fill(-1);
  const edgeCode = new Uint16Array(slots);
  const edgeChild = new Int32Array(slots);
  const rootChild = new Int32Array(65536).fill(-1);
  const entryOf = new Int32Array(nodes.length).fill(-1);
  const entries: Entry[] = [];
  nodes.forEach((node, parent) => {
    for (const [code, childNode] of node.next) {
      const child = ids.get(childNode) as number;
      if (parent === 0) rootChild[code] = child;
      else {
        let slot = slotOf(parent, code, mask);
        while (edgeParent[slot] !== -1) slot = (slot + 1) & mask;
        edgeParent[slot] = parent;
        edgeCode[slot] = code;
        edgeChild[slot] = child;
      }
    }
    if (node.entry !== undefined) {
      entryOf[parent] = entries.length;
      entries.push(node.entry);
    }
  });
  return { rootChild, edgeParent, edgeCode, edgeChild, mask, entryOf, entries };
}

function childOf(trie: FlatTrie, parent: number, code: number): number {
  for (let slot = slotOf(parent, code, trie.mask); ; slot = (slot + 1) & trie.mask) {
    const owner = trie.edgeParent[slot] as number;
    if (owner === -1) return -1;
    if (owner === parent && trie.edgeCode[slot] === code) return trie.edgeChild[slot] as number;
  }
}

export class TermIndex {
  readonly #root = new Node();
  /**
   * For each code unit, whether some term starts with it: `wordStart` for terms that must start a
   * word, `anywhere` for the others. Most positions of a text are rejected by this one lookup; in
   * spaced scripts only word starts get further.
   */
  readonly #starts = new Uint8Array(65536);
  #longest = 0;
  /** Built on the first search after terms were added. */
  #flat: FlatTrie | undefined;

  static of(terms: readonly Term[]): TermIndex {
    const index = new TermIndex();
    for (const term of terms) for (const spelling of [term.term, ...(term.variants ?? [])]) index.add(spelling, term.category, term.severity);
    return index;
  }

  /** The longest skeleton of any term: how far back a match can begin before new text. */
  get longest(): number {
    return this.#longest;
  }

  add(spelling: string, category: Hazard, severity: Severity): void {
    const skeleton = skeletonOf(spelling).text;
    if (skeleton === '') return;
    const whole = !isSpacelessScript(skeleton.charCodeAt(0)) && !isSpacelessScript(skeleton.charCodeAt(skeleton.length - 1));
    this.#insert(skeleton, { category, severity, whole });
    if (whole && skeleton.includes(' ')) this.#insert(skeleton.replaceAll(' ', ''), { category, severity, whole });
  }

  #insert(skeleton: string, entry: Entry): void {
    let node = this.#root;
    for (let at = 0; at < skeleton.length; at += 1) {
      const code = skeleton.charCodeAt(at);
      let child = node.next.get(code);
      if (child === undefined) {
        child = new Node();
        node.next.set(code, child);
      }
      node = child;
    }
    // The more severe reading wins when two lists spell the same term.
    if (node.entry === undefined || severityRank[entry.severity] > severityRank[node.entry.severity]) node.entry = entry;
    this.#starts[skeleton.charCodeAt(0)]! |= entry.whole ? startsWord : startsAnywhere;
    this.#longest = Math.max(this.#longest, skeleton.length);
    this.#flat = undefined;
  }

  /** A matcher for a skeleton given unit by unit (skeleton-stream.ts): the terms of a streamed answer. */
  stream(): TermStream {
    return new TermStream((this.#flat ??= flatten(this.#root)), this.#starts);
  }

  /**
   * Every term found in a skeleton's code units, longest at each position. `joinedLetters`
   * (Skeleton.joinedLetters) marks letters that were spelled out one by one: each may start or end a word.
   */
  find(codes: Uint16Array, joinedLetters?: Uint8Array): TermMatch[] {
    const trie = (this.#flat ??= flatten(this.#root));
    const matches: TermMatch[] = [];
    const starts = this.#starts;
    const length = codes.length;
    for (let start = 0; start < length; start += 1) {
      const first = codes[start] as number;
      const startsHere = starts[first] as number;
      if (startsHere === 0) continue;
      const previous = start === 0 ? 0x20 : (codes[start - 1] as number);
      const joined = joinedLetters !== undefined && joinedLetters[start] === 1;
      // Inside a word of a spaced script (the common case in Latin text): only word-start terms begin with this code.
      if (!joined && startsHere === startsWord && previous !== 0x20 && previous < 0x0e00 && first < 0x0e00) continue;
      const atBoundary = joined || previous === 0x20 || isSpacelessScript(previous) !== isSpacelessScript(first);
      if (!atBoundary && (startsHere & startsAnywhere) === 0) continue;
      let node = trie.rootChild[first] as number;
      let found: TermMatch | undefined;
      for (let at = start; node >= 0; ) {
        const entryIndex = trie.entryOf[node] as number;
        if (entryIndex >= 0) {
          const entry = trie.entries[entryIndex] as Entry;
          const next = at + 1 === length ? 0x20 : (codes[at + 1] as number);
          const endsWord = next === 0x20 || isSpacelessScript(next) || (joinedLetters !== undefined && joinedLetters[at + 1] === 1);
          if (!entry.whole || (atBoundary && endsWord)) found = { category: entry.category, severity: entry.severity, start, end: at + 1 };
        }
        at += 1;
        if (at === length) break;
        node = childOf(trie, node, codes[at] as number);
      }
      if (found !== undefined) matches.push(found);
    }
    return matches;
  }
}

/** A term found in a streamed skeleton, at offsets of the text (its first character, and just past its last). */
export interface TermHit {
  readonly category: Hazard;
  readonly severity: Severity;
  readonly start: number;
  readonly end: number;
}

/** Fields of one walk in TermStream's table: its trie node, start offset, whether it began at a word boundary, its best match so far and that match's end. */
const walkFields = 5;

/**
 * `TermIndex.find` for a skeleton that arrives unit by unit: the walk down the trie from each
 * position that may start a term is carried from unit to unit, so each unit is read once by each
 * walk still going (a few), whichever check it arrives before. A walk ends when the trie has no
 * edge for the next unit; its match (the longest, as `find` keeps) is then known for good and
 * kept for `take`. `take` also gives what the walks still going have found so far, reading the
 * end of the text as the end of a word (as `find` does at a text's end), and likewise for units
 * not decided yet — so that what it gives equals `find` on the skeleton so far, for every start
 * whose walk had not ended before the previous `take`.
 */
export class TermStream implements UnitSink {
  readonly #trie: FlatTrie;
  readonly #starts: Uint8Array;
  /** The unit before the next one (a space before the first: the text's start is a word boundary), and its origin. */
  #previous = 0x20;
  #previousOrigin = 0;
  /** The walks going, in order of their start: `walkFields` numbers each. */
  #walks = new Int32Array(3 * walkFields);
  #count = 0;
  /** Matches of walks that ended since the last `take`. */
  readonly #ended: TermHit[] = [];

  constructor(trie: FlatTrie, starts: Uint8Array) {
    this.#trie = trie;
    this.#starts = starts;
  }

  unit(code: number, origin: number, joined: boolean): void {
    if (this.#count > 0) this.#advance(code, joined);
    const startsHere = this.#starts[code] as number;
    // Most units start no term: one table read.
    if (startsHere !== 0) {
      const atBoundary = startsAt(startsHere, this.#previous, code, joined);
      if (atBoundary >= 0) this.#begin(this.#trie.rootChild[code] as number, origin, atBoundary);
    }
    this.#previous = code;
    this.#previousOrigin = origin;
  }

  /** Takes each walk one unit further; those the trie has no edge for end, with the match they found. */
  #advance(code: number, joined: boolean): void {
    const trie = this.#trie;
    const walks = this.#walks;
    const count = this.#count;
    const lastEnd = this.#previousOrigin + 1;
    const endsWord = code === 0x20 || isSpacelessScript(code) || joined;
    let kept = 0;
    for (let walk = 0; walk < count; walk += 1) {
      const at = walk * walkFields;
      const node = walks[at] as number;
      const entryIndex = trie.entryOf[node] as number;
      // A term ending at the previous unit: this unit says whether its word ends there.
      if (entryIndex >= 0 && accepts(trie.entries[entryIndex] as Entry, walks[at + 2] === 1, endsWord)) {
        walks[at + 3] = entryIndex;
        walks[at + 4] = lastEnd;
      }
      const child = childOf(trie, node, code);
      if (child < 0) {
        this.#end(walks[at + 1] as number, walks[at + 3] as number, walks[at + 4] as number);
        continue;
      }
      const to = kept * walkFields;
      walks[to] = child;
      if (to !== at) {
        walks[to + 1] = walks[at + 1] as number;
        walks[to + 2] = walks[at + 2] as number;
        walks[to + 3] = walks[at + 3] as number;
        walks[to + 4] = walks[at + 4] as number;
      }
      kept += 1;
    }
    this.#count = kept;
  }

  /**
   * The matches found since the last call: those of walks that ended, then those the walks still
   * going and the units not decided yet (`pending`, from SkeletonStream.end) give if the text ends
   * there. In order of their start, except that walks that ended come first.
   */
  take(pending: UnitBuffer, into: TermHit[]): void {
    const ended = this.#ended;
    if (ended.length > 0) {
      for (const hit of ended) into.push(hit);
      ended.length = 0;
    }
    const trie = this.#trie;
    const walks = this.#walks;
    for (let walk = 0; walk < this.#count; walk += 1) {
      const at = walk * walkFields;
      this.#walkOn(walks[at] as number, walks[at + 1] as number, walks[at + 2] === 1, walks[at + 3] as number, walks[at + 4] as number, pending, 0, this.#previousOrigin, into);
    }
    const codes = pending.codes;
    for (let index = 0; index < pending.length; index += 1) {
      const code = codes[index] as number;
      const startsHere = this.#starts[code] as number;
      if (startsHere === 0) continue;
      const previous = index === 0 ? this.#previous : (codes[index - 1] as number);
      const atBoundary = startsAt(startsHere, previous, code, pending.joined[index] === 1);
      if (atBoundary < 0) continue;
      const origin = pending.origins[index] as number;
      this.#walkOn(trie.rootChild[code] as number, origin, atBoundary === 1, -1, 0, pending, index + 1, origin, into);
    }
  }

  /** Walks on over pending units from `from`, without changing the stream, then to the text's end: the match it gives. */
  #walkOn(node: number, start: number, atBoundary: boolean, best: number, bestEnd: number, pending: UnitBuffer, from: number, lastOrigin: number, into: TermHit[]): void {
    const trie = this.#trie;
    let last = lastOrigin;
    for (let index = from; index < pending.length && node >= 0; index += 1) {
      const code = pending.codes[index] as number;
      const entryIndex = trie.entryOf[node] as number;
      if (entryIndex >= 0 && accepts(trie.entries[entryIndex] as Entry, atBoundary, code === 0x20 || isSpacelessScript(code) || pending.joined[index] === 1)) {
        best = entryIndex;
        bestEnd = last + 1;
      }
      node = childOf(trie, node, code);
      last = pending.origins[index] as number;
    }
    if (node >= 0) {
      const entryIndex = trie.entryOf[node] as number;
      if (entryIndex >= 0 && accepts(trie.entries[entryIndex] as Entry, atBoundary, true)) {
        best = entryIndex;
        bestEnd = last + 1;
      }
    }
    if (best >= 0) into.push(hitOf(trie, best, start, bestEnd));
  }

  #begin(node: number, origin: number, atBoundary: number): void {
    if ((this.#count + 1) * walkFields > this.#walks.length) {
      const walks = new Int32Array(this.#walks.length * 2);
      walks.set(this.#walks);
      this.#walks = walks;
    }
    const at = this.#count * walkFields;
    const walks = this.#walks;
    walks[at] = node;
    walks[at + 1] = origin;
    walks[at + 2] = atBoundary;
    walks[at + 3] = -1;
    walks[at + 4] = 0;
    this.#count += 1;
  }

  #end(start: number, best: number, end: number): void {
    if (best >= 0) this.#ended.push(hitOf(this.#trie, best, start, end));
  }
}

/**
 * Whether a term may start at a unit `code` after `previous` (as `find` decides): -1 when not, else
 * 1 when it starts at a word boundary and 0 when inside a word (where only terms of space-less
 * scripts match).
 */
function startsAt(startsHere: number, previous: number, code: number, joined: boolean): number {
  // Inside a word of a spaced script (the common case in Latin text): only word-start terms begin with this code.
  if (!joined && startsHere === startsWord && previous !== 0x20 && previous < 0x0e00 && code < 0x0e00) return -1;
  const atBoundary = joined || previous === 0x20 || isSpacelessScript(previous) !== isSpacelessScript(code);
  if (!atBoundary && (startsHere & startsAnywhere) === 0) return -1;
  return atBoundary ? 1 : 0;
}

/** Whether a term ending here counts: anywhere, or for whole-word terms only from a boundary to a word's end. */
function accepts(entry: Entry, atBoundary: boolean, endsWord: boolean): boolean {
  return !entry.whole || (atBoundary && endsWord);
}

function hitOf(trie: FlatTrie, entryIndex: number, start: number, end: number): TermHit {
  const entry = trie.entries[entryIndex] as Entry;
  return { category: entry.category, severity: entry.severity, start, end };
}

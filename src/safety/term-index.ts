/**
 * Term lists compiled for matching skeletons (skeleton.ts): a trie over the terms' skeletons. In
 * scripts that separate words with spaces a term matches only whole words ("kill" is not found in
 * "skill"); in Hangul, Thai and CJK it matches anywhere. A multi-word term also matches with its
 * spaces removed, which is what spelling it out letter by letter leaves. Hand-written (decision 13):
 * the trie walks character codes, a 2 KB prompt in tens of microseconds.
 */
import type { Hazard } from './hazards.js';
import { isSpacelessScript, skeletonOf } from './skeleton.js';

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

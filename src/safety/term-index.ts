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

class Node {
  readonly next = new Map<number, Node>();
  entry: Entry | undefined;
}

export class TermIndex {
  readonly #root = new Node();
  /** First code units some term starts with: most positions of a text are rejected by one lookup. */
  readonly #starts = new Uint8Array(65536);
  #size = 0;

  static of(terms: readonly Term[]): TermIndex {
    const index = new TermIndex();
    for (const term of terms) for (const spelling of [term.term, ...(term.variants ?? [])]) index.add(spelling, term.category, term.severity);
    return index;
  }

  get size(): number {
    return this.#size;
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
    this.#starts[skeleton.charCodeAt(0)] = 1;
    this.#size += 1;
  }

  /** Every term found in the skeleton `text`, longest at each position. */
  find(text: string): TermMatch[] {
    const matches: TermMatch[] = [];
    const starts = this.#starts;
    for (let start = 0; start < text.length; start += 1) {
      const first = text.charCodeAt(start);
      if (starts[first] === 0) continue;
      const atBoundary = start === 0 || text.charCodeAt(start - 1) === 0x20 || isSpacelessScript(text.charCodeAt(start - 1)) !== isSpacelessScript(first);
      let node: Node | undefined = this.#root;
      let found: TermMatch | undefined;
      for (let at = start; at < text.length; at += 1) {
        node = node.next.get(text.charCodeAt(at));
        if (node === undefined) break;
        const entry = node.entry;
        if (entry === undefined) continue;
        if (entry.whole) {
          const after = at + 1 === text.length || text.charCodeAt(at + 1) === 0x20 || isSpacelessScript(text.charCodeAt(at + 1));
          if (!atBoundary || !after) continue;
        }
        found = { category: entry.category, severity: entry.severity, start, end: at + 1 };
      }
      if (found !== undefined) matches.push(found);
    }
    return matches;
  }
}

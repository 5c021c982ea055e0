/**
 * Local checks over a streamed answer, incrementally: each time at least `checkEveryChars` more
 * characters have arrived, the new text plus the longest a match can reach back is checked. A term
 * in the answer is therefore caught at most `checkEveryChars` characters after its last character
 * arrives (a few tokens), and `finish` checks what is left at the end. Only that tail is kept, so a
 * long answer costs memory and time in proportion to its length, once.
 *
 * The reach back is counted in skeleton letters (the longest term's skeleton, so padding a term
 * with invisible characters or spaces cannot push its start out of reach), and for tenants with
 * regular-expression rules also in characters as written (`patternReach`).
 */
import { decide, localFindings, type SafetyDecision } from './moderation.js';
import type { SafetyRuleSet } from './safety-policy.js';
import { startOfLastLetters } from './skeleton.js';

/** How far back, in characters as written, a tenant's regular expression may match before new text. */
export const patternReach = 96;

/** How far back a cut may move to reach the start of its word (Thai and Chinese have no spaces to find). */
const wordStartLimit = 64;

function wordStartBefore(text: string, at: number): number {
  let start = at;
  while (start > 0 && at - start < wordStartLimit && !/[\s\p{P}\p{S}]/u.test(text.charAt(start - 1))) start -= 1;
  return start;
}

export class StreamModerator {
  readonly #set: SafetyRuleSet;
  /** Skeleton letters kept before new text: the longest term or keyword, and a letter either side for word boundaries. */
  readonly #letterReach: number;
  /** Characters kept for regular-expression rules (0 without any). */
  readonly #patternReach: number;
  readonly #checkEveryChars: number;
  /** What a match could still reach back into from the last check, then everything not checked yet. */
  #tail = '';
  #checkedInTail = 0;
  #total = 0;

  constructor(set: SafetyRuleSet, checkEveryChars = 32) {
    this.#set = set;
    let longest = set.terms?.longest ?? 0;
    for (const rule of set.rules) if (rule.kind === 'keywords') longest = Math.max(longest, rule.index.longest);
    this.#letterReach = longest + 2;
    this.#patternReach = set.rules.some((rule) => rule.kind === 'pattern') ? patternReach : 0;
    this.#checkEveryChars = checkEveryChars;
  }

  /** Characters of the answer so far. */
  get length(): number {
    return this.#total;
  }

  /** Adds streamed text; returns a decision when a check ran and found something. */
  push(delta: string): SafetyDecision | undefined {
    this.#tail += delta;
    this.#total += delta.length;
    if (this.#tail.length - this.#checkedInTail < this.#checkEveryChars) return undefined;
    return this.#check();
  }

  /** Checks whatever arrived since the last check: the stream's end. */
  finish(): SafetyDecision | undefined {
    return this.#tail.length > this.#checkedInTail ? this.#check() : undefined;
  }

  #check(): SafetyDecision | undefined {
    const findings = localFindings(this.#tail, this.#set, 'output', this.#total);
    // Keep only what a later match could still reach back into, from the start of a word: a tail
    // cut inside "skill" would start with "kill" and read it as a word.
    const tail = this.#tail;
    this.#tail = tail.slice(wordStartBefore(tail, Math.min(startOfLastLetters(tail, this.#letterReach), Math.max(0, tail.length - this.#patternReach))));
    this.#checkedInTail = this.#tail.length;
    if (findings.length === 0) return undefined;
    const decision = decide(findings, this.#set);
    return decision.hazards.length === 0 ? undefined : decision;
  }
}

/**
 * Local checks over a streamed answer, incrementally: each time at least `checkEveryChars` more
 * characters have arrived, the new text plus the longest a match can reach back is checked. A term
 * in the answer is therefore caught at most `checkEveryChars` characters after its last character
 * arrives (a few tokens), and `finish` checks what is left at the end. Only that tail is kept, so a
 * long answer costs memory and time in proportion to its length, once.
 */
import { decide, localFindings, type SafetyDecision } from './moderation.js';
import type { SafetyRuleSet } from './safety-policy.js';

export class StreamModerator {
  readonly #set: SafetyRuleSet;
  readonly #reach: number;
  readonly #checkEveryChars: number;
  /** The last `reach` characters already checked, then everything not checked yet. */
  #tail = '';
  #checkedInTail = 0;
  #total = 0;

  /** `reach`: how far back a match may start before new text (the longest term's length and then some). */
  constructor(set: SafetyRuleSet, reach: number, checkEveryChars = 32) {
    this.#set = set;
    this.#reach = reach;
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
    const from = Math.max(0, this.#checkedInTail - this.#reach);
    const decision = decide(localFindings(this.#tail.slice(from), this.#set, 'output', this.#total), this.#set);
    // Keep only what a later match could still reach back into.
    this.#tail = this.#tail.slice(Math.max(0, this.#tail.length - this.#reach));
    this.#checkedInTail = this.#tail.length;
    return decision.hazards.length === 0 ? undefined : decision;
  }
}

/**
 * Local checks over a streamed answer, incrementally. Text is folded into its skeleton as it
 * arrives, once (skeleton-stream.ts), and term lists are walked over that skeleton unit by unit
 * (TermStream), the walks carried from one piece to the next: the cost per character does not
 * depend on how often checks run or how long terms are. Each time at least `checkEveryChars` more
 * characters have arrived a check reports what was found: terms whose walk ended since the last
 * check, and what the walks still going, and the few units the skeleton has not decided yet, give
 * if the text ended there — `localFindings` on the answer so far, for every place a term could
 * still begin. A term in the answer is therefore caught at most `checkEveryChars` characters after
 * its last character arrives (a few tokens), and `finish` checks what is left at the end. However
 * far back a term begins (padded with invisible characters or spaces, spelled out, in jamo), its
 * walk is still going: nothing is cut off. Nothing of the text is kept for term lists.
 *
 * Tenants' regular-expression rules need the text as written: for those the last `patternReach`
 * characters (from a word's start) before new text are kept and matched again at each check.
 * Findings carry offsets in the whole answer.
 */
import type { Hazard } from './hazards.js';
import { decide, type Finding, type FindingSource, type SafetyDecision } from './moderation.js';
import type { SafetyRuleSet } from './safety-policy.js';
import { SkeletonStream, UnitBuffer, type UnitSink } from './skeleton-stream.js';
import { severityRank, type TermHit, type TermStream } from './term-index.js';
import type { RulePattern } from './tenant-rules.js';

/** How far back, in characters as written, a tenant's regular expression may match before new text. */
export const patternReach = 96;

/** How far back a cut may move to reach the start of its word (Thai and Chinese have no spaces to find). */
const wordStartLimit = 64;

function wordStartBefore(text: string, at: number): number {
  let start = at;
  while (start > 0 && at - start < wordStartLimit && !/[\s\p{P}\p{S}]/u.test(text.charAt(start - 1))) start -= 1;
  return start;
}

/** A term list walked over the answer's skeleton: the prefilter's lists, or a tenant's keywords. */
interface TermRule {
  readonly stream: TermStream;
  readonly source: FindingSource;
  readonly minRank: number;
}

type Rule = { readonly kind: 'terms'; readonly terms: TermRule } | { readonly kind: 'pattern'; readonly hazard: Hazard; readonly pattern: RulePattern } | { readonly kind: 'max-length'; readonly hazard: Hazard; readonly maxChars: number };

/** Hands each skeleton unit to every term list. */
class FanOut implements UnitSink {
  readonly #sinks: readonly UnitSink[];

  constructor(sinks: readonly UnitSink[]) {
    this.#sinks = sinks;
  }

  unit(code: number, origin: number, joined: boolean): void {
    for (const sink of this.#sinks) sink.unit(code, origin, joined);
  }
}

export class StreamModerator {
  readonly #set: SafetyRuleSet;
  readonly #checkEveryChars: number;
  /** The checks, in the order `localFindings` runs them: the term lists first, then the tenant's rules that read answers. */
  readonly #rules: readonly Rule[];
  /** The answer's skeleton as it arrives; undefined when no term list reads it. */
  readonly #skeleton: SkeletonStream | undefined;
  /** A copy of it that ends the text at each check, into `#pending`, so that the stream itself goes on. */
  readonly #ending: SkeletonStream | undefined;
  readonly #pending = new UnitBuffer();
  /** For regular-expression rules: the end of the answer as written, from `#patternStart` (empty without any). */
  readonly #patterns: boolean;
  #patternText = '';
  #patternStart = 0;
  /** Pieces pushed since the last check: the first `#unreadCount` of an array reused from check to check. */
  readonly #unread: string[] = [];
  #unreadCount = 0;
  #sinceCheck = 0;
  #total = 0;
  /** Reused by each check: nothing is allocated unless something is found. */
  readonly #hits: TermHit[] = [];

  constructor(set: SafetyRuleSet, checkEveryChars = 32) {
    this.#set = set;
    this.#checkEveryChars = checkEveryChars;
    const rules: Rule[] = [];
    const streams: TermStream[] = [];
    const termRule = (stream: TermStream, source: FindingSource, minRank: number) => {
      streams.push(stream);
      rules.push({ kind: 'terms', terms: { stream, source, minRank } });
    };
    if (set.terms !== null) termRule(set.terms.stream(), 'terms', severityRank[set.minSeverity]);
    for (const rule of set.rules) {
      if (rule.where === 'input') continue;
      if (rule.kind === 'keywords') termRule(rule.index.stream(), 'rule', 0);
      else if (rule.kind === 'pattern') rules.push({ kind: 'pattern', hazard: rule.hazard, pattern: rule.pattern });
      else rules.push({ kind: 'max-length', hazard: rule.hazard, maxChars: rule.maxChars });
    }
    this.#rules = rules;
    this.#patterns = rules.some((rule) => rule.kind === 'pattern');
    if (streams.length > 0) {
      this.#skeleton = new SkeletonStream(streams.length === 1 ? (streams[0] as TermStream) : new FanOut(streams));
      this.#ending = new SkeletonStream(this.#pending);
    }
  }

  /** Characters of the answer so far. */
  get length(): number {
    return this.#total;
  }

  /** Adds streamed text; returns a decision when a check ran and found something. */
  push(delta: string): SafetyDecision | undefined {
    // Folded at the check, all together: one tight pass over a few pieces costs less than one per token.
    this.#unread[this.#unreadCount++] = delta;
    this.#total += delta.length;
    this.#sinceCheck += delta.length;
    if (this.#sinceCheck < this.#checkEveryChars) return undefined;
    return this.#check();
  }

  /** Checks whatever arrived since the last check: the stream's end. */
  finish(): SafetyDecision | undefined {
    return this.#sinceCheck > 0 ? this.#check() : undefined;
  }

  #check(): SafetyDecision | undefined {
    this.#sinceCheck = 0;
    const unread = this.#unread;
    for (let index = 0; index < this.#unreadCount; index += 1) {
      const piece = unread[index] as string;
      // Not kept past its check (a long piece would stay in memory as long as the stream).
      unread[index] = '';
      this.#skeleton?.write(piece);
      if (this.#patterns) this.#patternText += piece;
    }
    this.#unreadCount = 0;
    this.#pending.length = 0;
    if (this.#skeleton !== undefined && this.#ending !== undefined && !this.#skeleton.settled) {
      this.#ending.copyFrom(this.#skeleton);
      this.#ending.end();
    }
    let findings: Finding[] | undefined;
    for (const rule of this.#rules) {
      if (rule.kind === 'terms') {
        const hits = this.#hits;
        rule.terms.stream.take(this.#pending, hits);
        if (hits.length === 0) continue;
        // As `localFindings` gives them: in order of their start.
        if (hits.length > 1) hits.sort((a, b) => a.start - b.start || a.end - b.end);
        for (const hit of hits) {
          if (severityRank[hit.severity] >= rule.terms.minRank) (findings ??= []).push({ hazard: hit.category, source: rule.terms.source, start: hit.start, end: hit.end });
        }
        hits.length = 0;
      } else if (rule.kind === 'pattern') {
        const found = rule.pattern.find(this.#patternText);
        if (found !== undefined) (findings ??= []).push({ hazard: rule.hazard, source: 'rule', start: this.#patternStart + found.start, end: this.#patternStart + found.end });
      } else if (this.#total > rule.maxChars) (findings ??= []).push({ hazard: rule.hazard, source: 'rule' });
    }
    if (this.#patterns) {
      // Keep only what a later match could still reach back into, from the start of a word: a text
      // cut inside a word would let a rule read its end as a word of its own.
      const text = this.#patternText;
      const cut = wordStartBefore(text, Math.max(0, text.length - patternReach));
      this.#patternText = text.slice(cut);
      this.#patternStart += cut;
    }
    if (findings === undefined) return undefined;
    const decision = decide(findings, this.#set);
    return decision.hazards.length === 0 ? undefined : decision;
  }
}

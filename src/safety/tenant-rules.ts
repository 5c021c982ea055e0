/**
 * A tenant's own rules: regular expressions, keyword lists, topic deny-lists (keywords under a name)
 * and maximum lengths, each flagging a hazard — a standard one or the tenant's own `custom:<name>`.
 * Keywords are matched on skeletons like the term lists (spacing and look-alike tricks included);
 * regular expressions on the text as written, and only ones that cannot backtrack without bound.
 */
import type { Hazard } from './hazards.js';
import { TermIndex } from './term-index.js';

export type RuleScope = 'input' | 'output' | 'both';

export type CompiledRule =
  | { readonly id: string; readonly kind: 'pattern'; readonly hazard: Hazard; readonly where: RuleScope; readonly pattern: RegExp }
  | { readonly id: string; readonly kind: 'keywords'; readonly hazard: Hazard; readonly where: RuleScope; readonly index: TermIndex }
  | { readonly id: string; readonly kind: 'max-length'; readonly hazard: Hazard; readonly where: RuleScope; readonly maxChars: number };

export interface RuleSource {
  readonly id: string;
  readonly hazard: Hazard;
  readonly where?: RuleScope | undefined;
  readonly pattern?: string | undefined;
  readonly flags?: string | undefined;
  readonly keywords?: readonly string[] | undefined;
  readonly maxChars?: number | undefined;
}

export type RuleCompilation = { readonly ok: true; readonly rule: CompiledRule } | { readonly ok: false; readonly reason: string };

/**
 * Nested quantifiers ("(a+)+", "(\w*)*", "(a|aa)+") and back-references are what make a regular
 * expression take exponential time on a crafted prompt: they are refused when the rule is loaded.
 */
const nestedQuantifier = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;
const quantifiedAlternation = /\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*[+*{]/;
const backReference = /\\[1-9]|\\k</;

export function compileRule(source: RuleSource): RuleCompilation {
  const where = source.where ?? 'both';
  const given = [source.pattern, source.keywords, source.maxChars].filter((value) => value !== undefined).length;
  if (given !== 1) return { ok: false, reason: 'give exactly one of pattern, keywords or maxChars' };
  if (source.pattern !== undefined) {
    if (source.pattern.length > 500) return { ok: false, reason: 'pattern longer than 500 characters' };
    if (nestedQuantifier.test(source.pattern) || quantifiedAlternation.test(source.pattern) || backReference.test(source.pattern)) {
      return { ok: false, reason: 'pattern has a repeated group or a back-reference, which can take exponential time on a crafted prompt: rewrite it without one, or use keywords' };
    }
    const flags = source.flags ?? 'iu';
    if (!/^[imsu]*$/.test(flags)) return { ok: false, reason: `flags may be i, m, s and u, not ${JSON.stringify(flags)}` };
    try {
      return { ok: true, rule: { id: source.id, kind: 'pattern', hazard: source.hazard, where, pattern: new RegExp(source.pattern, flags.includes('u') ? flags : `${flags}u`) } };
    } catch (error) {
      return { ok: false, reason: `not a valid regular expression: ${(error as Error).message}` };
    }
  }
  if (source.keywords !== undefined) {
    if (source.keywords.length === 0) return { ok: false, reason: 'keywords is empty' };
    return { ok: true, rule: { id: source.id, kind: 'keywords', hazard: source.hazard, where, index: TermIndex.of(source.keywords.map((term) => ({ term, category: source.hazard, severity: 'high' as const }))) } };
  }
  const maxChars = source.maxChars as number;
  if (!Number.isSafeInteger(maxChars) || maxChars < 1) return { ok: false, reason: 'maxChars must be a positive whole number' };
  return { ok: true, rule: { id: source.id, kind: 'max-length', hazard: source.hazard, where, maxChars } };
}

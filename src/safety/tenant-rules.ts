/**
 * A tenant's own rules: regular expressions, keyword lists, topic deny-lists (keywords under a name)
 * and maximum lengths, each flagging a hazard — a standard one or the tenant's own `custom:<name>`.
 * Keywords are matched on skeletons like the term lists (spacing and look-alike tricks included);
 * regular expressions on the text as written, by RE2 (re2js): matching takes time linear in the
 * text whatever the pattern, so a tenant's rule cannot stall the gateway on a crafted prompt
 * (JavaScript's own engine backtracks: "((a)+)+$" takes seconds on 27 characters). RE2 has no
 * back-references or look-around; such patterns are refused when the configuration is read.
 */
import { RE2JS } from 're2js';
import type { Hazard } from './hazards.js';
import { TermIndex } from './term-index.js';

/** A compiled tenant pattern: where it first matches, in UTF-16 offsets. */
export interface RulePattern {
  find(text: string): { readonly start: number; readonly end: number } | undefined;
}

export type RuleScope = 'input' | 'output' | 'both';

export type CompiledRule =
  | { readonly id: string; readonly kind: 'pattern'; readonly hazard: Hazard; readonly where: RuleScope; readonly pattern: RulePattern }
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

function compilePattern(pattern: string, flags: string): RulePattern {
  let options = 0;
  if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) options |= RE2JS.MULTILINE;
  if (flags.includes('s')) options |= RE2JS.DOTALL;
  const compiled = RE2JS.compile(pattern, options);
  return {
    find(text) {
      const matcher = compiled.matcher(text);
      return matcher.find() ? { start: matcher.start(), end: matcher.end() } : undefined;
    },
  };
}

export function compileRule(source: RuleSource): RuleCompilation {
  const where = source.where ?? 'both';
  const given = [source.pattern, source.keywords, source.maxChars].filter((value) => value !== undefined).length;
  if (given !== 1) return { ok: false, reason: 'give exactly one of pattern, keywords or maxChars' };
  if (source.pattern !== undefined) {
    if (source.pattern.length > 500) return { ok: false, reason: 'pattern longer than 500 characters' };
    const flags = source.flags ?? 'iu';
    if (!/^[imsu]*$/.test(flags)) return { ok: false, reason: `flags may be i, m, s and u, not ${JSON.stringify(flags)}` };
    try {
      return { ok: true, rule: { id: source.id, kind: 'pattern', hazard: source.hazard, where, pattern: compilePattern(source.pattern, flags) } };
    } catch (error) {
      return { ok: false, reason: `not a valid RE2 regular expression (${(error as Error).message}); back-references and look-around are not supported, as they can take exponential time` };
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

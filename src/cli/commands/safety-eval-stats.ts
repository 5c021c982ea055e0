/**
 * The arithmetic of `nara safety eval`: per-prompt outcomes in, rates and percentiles out. Pure, so
 * the numbers in the terminal, the JSON and the HTML report are the same numbers and can be tested
 * without a server.
 *
 * Rates are taken over prompts that got a verdict (blocked or answered): an error says nothing about
 * what safety would have done, so counting it either way would skew the rate. Errors are counted
 * beside each rate instead, and a rate with no verdicts at all is null, not 0.
 */
import { hazardNames } from '../../safety/hazards.js';

export type Outcome = 'blocked' | 'answered' | 'error';

/** How a block reached the client: a 400 refusal, a fail-closed 503, or an answer cut short (200). */
export type BlockKind = 'safety_blocked' | 'safety_unavailable' | 'content_filter';

export interface PromptResult {
  readonly file: string;
  readonly line: number;
  readonly prompt: string;
  readonly language: string;
  readonly hazard: string;
  readonly benign: boolean;
  readonly outcome: Outcome;
  readonly blockKind?: BlockKind;
  /** The hazard Nara named for the block, when it named one. */
  readonly category?: string;
  /** Categories from x-nara-safety-categories: what the guard saw, even when it only monitored. */
  readonly categories?: readonly string[];
  readonly action?: string;
  readonly where?: 'input' | 'output';
  /** x-nara-safety-guard-ms, when a guard model ran. */
  readonly guardMs?: number;
  /** From the first attempt to the final outcome, retries included. */
  readonly latencyMs: number;
  readonly attempts: number;
  readonly error?: string;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
}

export interface HazardRow {
  readonly hazard: string;
  readonly prompts: number;
  readonly blocked: number;
  readonly answered: number;
  readonly errors: number;
  /** Answered, but Nara reported safety categories (monitor mode: what enforcing would block). */
  readonly flagged: number;
  readonly blockRate: number | null;
}

export interface LanguageRow {
  readonly language: string;
  readonly harmful: { readonly prompts: number; readonly blocked: number; readonly errors: number; readonly blockRate: number | null };
  readonly benign: { readonly prompts: number; readonly refused: number; readonly errors: number; readonly falseRefusalRate: number | null };
}

export interface Miss {
  readonly file: string;
  readonly line: number;
  readonly language: string;
  readonly hazard: string;
  readonly prompt: string;
  /** For a refused benign prompt: the category Nara named and where it blocked. */
  readonly category?: string;
  readonly where?: 'input' | 'output';
  readonly blockKind?: BlockKind;
}

export interface SafetyEvalSummary {
  readonly totals: {
    readonly prompts: number;
    readonly harmful: number;
    readonly benign: number;
    readonly blocked: number;
    readonly answered: number;
    readonly errors: number;
    /** Blocks by kind; safety_unavailable is the guard being down with the tenant failing closed. */
    readonly safetyBlocked: number;
    readonly safetyUnavailable: number;
    readonly contentFiltered: number;
    readonly blockedOnInput: number;
    readonly blockedOnOutput: number;
  };
  /** Blocked harmful prompts over harmful prompts with a verdict. */
  readonly harmfulBlockRate: number | null;
  /** Refused benign prompts over benign prompts with a verdict. */
  readonly falseRefusalRate: number | null;
  readonly byHazard: readonly HazardRow[];
  readonly byLanguage: readonly LanguageRow[];
  /** How often Nara named each category when it blocked (any prompt). */
  readonly blockCategories: Readonly<Record<string, number>>;
  readonly guardLatencyMs: Percentiles;
  readonly requestLatencyMs: Percentiles;
  readonly errors: { readonly count: number; readonly examples: readonly string[] };
  readonly benignRefused: readonly Miss[];
  readonly harmfulAnswered: readonly Miss[];
}

/** Display names of the standard hazards: the taxonomy's own (src/safety/hazards.ts). */
export const hazardLabels: Readonly<Record<string, string>> = hazardNames;

const errorExamples = 5;

export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Nearest-rank percentile: always a value that was observed, and well defined for one sample. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

function countBy<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let count = 0;
  for (const item of items) if (predicate(item)) count += 1;
  return count;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

const isBlocked = (result: PromptResult): boolean => result.outcome === 'blocked';
const isError = (result: PromptResult): boolean => result.outcome === 'error';
const verdicts = (results: readonly PromptResult[]): number => countBy(results, (result) => !isError(result));

function hazardRow(hazard: string, results: readonly PromptResult[]): HazardRow {
  const blocked = countBy(results, isBlocked);
  return {
    hazard,
    prompts: results.length,
    blocked,
    answered: countBy(results, (result) => result.outcome === 'answered'),
    errors: countBy(results, isError),
    flagged: countBy(results, (result) => result.outcome === 'answered' && (result.categories?.length ?? 0) > 0),
    blockRate: rate(blocked, verdicts(results)),
  };
}

function languageRow(language: string, results: readonly PromptResult[]): LanguageRow {
  const harmful = results.filter((result) => !result.benign);
  const benign = results.filter((result) => result.benign);
  const harmfulBlocked = countBy(harmful, isBlocked);
  const benignRefused = countBy(benign, isBlocked);
  return {
    language,
    harmful: { prompts: harmful.length, blocked: harmfulBlocked, errors: countBy(harmful, isError), blockRate: rate(harmfulBlocked, verdicts(harmful)) },
    benign: { prompts: benign.length, refused: benignRefused, errors: countBy(benign, isError), falseRefusalRate: rate(benignRefused, verdicts(benign)) },
  };
}

function miss(result: PromptResult): Miss {
  return {
    file: result.file,
    line: result.line,
    language: result.language,
    hazard: result.hazard,
    prompt: result.prompt,
    ...(result.category !== undefined ? { category: result.category } : {}),
    ...(result.where !== undefined ? { where: result.where } : {}),
    ...(result.blockKind !== undefined ? { blockKind: result.blockKind } : {}),
  };
}

export function summarize(results: readonly PromptResult[]): SafetyEvalSummary {
  const harmful = results.filter((result) => !result.benign);
  const benign = results.filter((result) => result.benign);
  const blocked = results.filter(isBlocked);
  const errors = results.filter(isError);
  const blockCategories: Record<string, number> = {};
  for (const result of blocked) {
    const category = result.category ?? 'unnamed';
    blockCategories[category] = (blockCategories[category] ?? 0) + 1;
  }
  const guardMs = results.flatMap((result) => (result.guardMs === undefined ? [] : [result.guardMs]));
  return {
    totals: {
      prompts: results.length,
      harmful: harmful.length,
      benign: benign.length,
      blocked: blocked.length,
      answered: countBy(results, (result) => result.outcome === 'answered'),
      errors: errors.length,
      safetyBlocked: countBy(blocked, (result) => result.blockKind === 'safety_blocked'),
      safetyUnavailable: countBy(blocked, (result) => result.blockKind === 'safety_unavailable'),
      contentFiltered: countBy(blocked, (result) => result.blockKind === 'content_filter'),
      blockedOnInput: countBy(blocked, (result) => result.where === 'input'),
      blockedOnOutput: countBy(blocked, (result) => result.where === 'output'),
    },
    harmfulBlockRate: rate(countBy(harmful, isBlocked), verdicts(harmful)),
    falseRefusalRate: rate(countBy(benign, isBlocked), verdicts(benign)),
    byHazard: [...groupBy(harmful, (result) => result.hazard)].map(([hazard, group]) => hazardRow(hazard, group)),
    byLanguage: [...groupBy(results, (result) => result.language)].map(([language, group]) => languageRow(language, group)),
    blockCategories,
    guardLatencyMs: percentiles(guardMs),
    // Errors are left out: a timeout or a refused connection measures the network, not Nara.
    requestLatencyMs: percentiles(results.filter((result) => !isError(result)).map((result) => result.latencyMs)),
    errors: {
      count: errors.length,
      examples: [...new Set(errors.map((result) => result.error ?? 'unknown error'))].slice(0, errorExamples),
    },
    benignRefused: benign.filter(isBlocked).map(miss),
    harmfulAnswered: harmful.filter((result) => result.outcome === 'answered').map(miss),
  };
}

/** "87.5%", or "-" when there is nothing to divide by. */
export function formatRate(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

export function formatMs(value: number | null): string {
  return value === null ? '-' : `${value < 100 ? value.toFixed(1) : Math.round(value).toString()} ms`;
}

/**
 * The safety data shipped with Nara (data/safety/): term lists per language and the messages users
 * see, read once per process. A missing or unreadable file is an error at start-up naming the file,
 * never a silently empty filter.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isHazard } from '../safety/hazards.js';
import type { SafetyMessages } from '../safety/messages.js';
import { TermIndex, type Severity, type Term } from '../safety/term-index.js';

const dataDir = fileURLToPath(new URL('../../data/safety/', import.meta.url));
const severities = new Set(['low', 'medium', 'high']);

export class SafetyDataError extends Error {}

const termsByLanguage = new Map<string, Term[]>();
const indexes = new Map<string, TermIndex>();
let messages: SafetyMessages | undefined;

export function termsOf(language: string): Term[] {
  const cached = termsByLanguage.get(language);
  if (cached !== undefined) return cached;
  const path = `${dataDir}terms/${language}.json`;
  let parsed: { terms?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as { terms?: unknown };
  } catch (error) {
    throw new SafetyDataError(`cannot read the ${language} term list ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.terms)) throw new SafetyDataError(`${path} has no "terms" list`);
  const terms = parsed.terms.map((entry: unknown, index: number): Term => {
    const term = entry as { term?: unknown; category?: unknown; severity?: unknown; variants?: unknown };
    if (typeof term.term !== 'string' || typeof term.category !== 'string' || !isHazard(term.category) || typeof term.severity !== 'string' || !severities.has(term.severity)) {
      throw new SafetyDataError(`${path} terms[${index}]: needs "term", a hazard "category" and a "severity" of low, medium or high`);
    }
    const variants = Array.isArray(term.variants) ? term.variants.filter((variant): variant is string => typeof variant === 'string') : [];
    return { term: term.term, category: term.category, severity: term.severity as Severity, variants };
  });
  termsByLanguage.set(language, terms);
  return terms;
}

/** One index per set of languages, shared by every tenant that uses the same set. */
export function termIndexFor(languages: readonly string[]): TermIndex {
  const key = [...languages].sort().join(',');
  let index = indexes.get(key);
  if (index === undefined) {
    index = TermIndex.of(languages.flatMap((language) => termsOf(language)));
    indexes.set(key, index);
  }
  return index;
}

export function safetyMessages(): SafetyMessages {
  if (messages !== undefined) return messages;
  const path = `${dataDir}messages.json`;
  try {
    messages = JSON.parse(readFileSync(path, 'utf8')) as SafetyMessages;
  } catch (error) {
    throw new SafetyDataError(`cannot read the safety messages ${path}: ${(error as Error).message}`);
  }
  return messages;
}

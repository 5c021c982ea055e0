/**
 * Prompt templates over a dataset record: `{{ question }}`, `{{ choices[0] }}`, `{{ choices[answer] }}`,
 * `{{ metadata.subject }}`, `{{ ["Option 1"] }}` (a field whose name has spaces), with filters
 * `| trim`, `| upper`, `| lower`, `| lettered` (a list as "A. …" lines), `| join` (a list, one per
 * line), `| default` (an absent or empty field as nothing) and Python's `.strip()`
 * (lm-evaluation-harness task files write it). Blocks (`{% … %}`) are refused with a clear message
 * rather than half-supported: a task needing loops builds its choices with `choices:` instead.
 *
 * Compiled once per task; rendering is string concatenation, so a run of 100,000 instances spends
 * its time on the model, not here.
 */

import { choiceLabel } from './extract.js';

export class TemplateError extends Error {}

type Step = { readonly kind: 'key'; readonly name: string } | { readonly kind: 'index'; readonly at: number } | { readonly kind: 'lookup'; readonly path: readonly Step[] };
type Filter = 'trim' | 'upper' | 'lower' | 'lettered' | 'join' | 'default';
type Part = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'value'; readonly source: string; readonly path: readonly Step[]; readonly filters: readonly Filter[] };

export interface Template {
  readonly source: string;
  /** Top-level fields the template reads (to check a dataset before running it). */
  readonly fields: readonly string[];
  render(record: Readonly<Record<string, unknown>>): string;
}

const filterNames = new Set<Filter>(['trim', 'upper', 'lower', 'lettered', 'join', 'default']);

function parsePath(expression: string, source: string): Step[] {
  const steps: Step[] = [];
  const pattern = /\s*(?:\.?([\p{L}_][\p{L}\p{N}_]*)|\[\s*(-?\d+)\s*\]|\[\s*([\p{L}_][\p{L}\p{N}_.]*)\s*\]|\[\s*(?:"([^"]*)"|'([^']*)')\s*\])/uy;
  let at = 0;
  // A field named by digits alone ("1", "2": KoBEST COPA's choice columns) is a field here: templates have no literals.
  const digits = /^\s*(\d+)(?=\s*(?:$|[.[]))/u.exec(expression);
  if (digits !== null) {
    steps.push({ kind: 'key', name: digits[1] as string });
    at = digits[0].length;
  }
  while (at < expression.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (match === null || match[0].length === 0) throw new TemplateError(`cannot read ${JSON.stringify(expression)} in {{ ${source} }}: write a field name, a.b, a[0] or a[b]`);
    if (match[1] !== undefined) steps.push({ kind: 'key', name: match[1] });
    else if (match[2] !== undefined) steps.push({ kind: 'index', at: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ kind: 'lookup', path: parsePath(match[3], source) });
    // A quoted key: at the start, a top-level field whose name a bare word cannot spell.
    else steps.push({ kind: 'key', name: (match[4] ?? match[5]) as string });
    at = pattern.lastIndex;
  }
  if (steps.length === 0 || steps[0]?.kind !== 'key') throw new TemplateError(`{{ ${source} }} must start with a field name`);
  return steps;
}

function parseExpression(inner: string): Part {
  const source = inner.trim();
  const [head, ...filters] = source.split('|').map((part) => part.trim());
  let expression = head ?? '';
  const applied: Filter[] = [];
  // Python's str.strip(), as lm-evaluation-harness templates write it.
  while (expression.endsWith('.strip()')) {
    expression = expression.slice(0, -'.strip()'.length);
    applied.push('trim');
  }
  for (const filter of filters) {
    if (!filterNames.has(filter as Filter)) throw new TemplateError(`unknown filter "${filter}" in {{ ${source} }}: use trim, upper, lower, lettered, join or default`);
    applied.push(filter as Filter);
  }
  return { kind: 'value', source, path: parsePath(expression, source), filters: applied };
}

export function compileTemplate(source: string): Template {
  const block = /\{%/.exec(source);
  if (block !== null) throw new TemplateError(`template blocks ({% … %}) are not supported (at character ${block.index + 1}); give the choices with "choices:" and use {{ field }} only`);
  const parts: Part[] = [];
  let at = 0;
  for (const match of source.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    if (match.index > at) parts.push({ kind: 'text', text: source.slice(at, match.index) });
    parts.push(parseExpression(match[1] ?? ''));
    at = match.index + match[0].length;
  }
  if (at < source.length) parts.push({ kind: 'text', text: source.slice(at) });
  if (source.slice(at).includes('{{')) throw new TemplateError(`unclosed {{ in template: ${JSON.stringify(source.slice(at, at + 40))}`);
  const fields = [...new Set(parts.flatMap((part) => (part.kind === 'value' ? topFields(part.path) : [])))];
  return {
    source,
    fields,
    render(record) {
      let text = '';
      for (const part of parts) text += part.kind === 'text' ? part.text : renderValue(record, part);
      return text;
    },
  };
}

function topFields(path: readonly Step[]): string[] {
  const fields: string[] = [];
  for (const step of path) {
    if (step === path[0] && step.kind === 'key') fields.push(step.name);
    if (step.kind === 'lookup') fields.push(...topFields(step.path));
  }
  return fields;
}

/** The value a path names in a record; a missing field is an error naming it. */
export function resolve(record: Readonly<Record<string, unknown>>, path: readonly Step[], source: string): unknown {
  let value: unknown = record;
  for (const step of path) {
    const key = step.kind === 'key' ? step.name : step.kind === 'index' ? step.at : resolve(record, step.path, source);
    if (Array.isArray(value)) {
      const index = typeof key === 'number' ? key : typeof key === 'string' && /^-?\d+$/.test(key) ? Number(key) : Number.NaN;
      if (!Number.isInteger(index)) throw new TemplateError(`{{ ${source} }}: a list is indexed by a number, not ${JSON.stringify(key)}`);
      const element: unknown = value[index < 0 ? value.length + index : index];
      if (element === undefined) throw new TemplateError(`{{ ${source} }}: index ${index} is outside the list of ${value.length}`);
      value = element;
    } else if (value !== null && typeof value === 'object') {
      const name = String(key);
      if (!Object.hasOwn(value, name)) throw new TemplateError(`{{ ${source} }}: the record has no field "${name}"`);
      value = (value as Record<string, unknown>)[name];
    } else {
      throw new TemplateError(`{{ ${source} }}: cannot look up ${JSON.stringify(key)} in ${JSON.stringify(value)}`);
    }
  }
  return value;
}

function renderValue(record: Readonly<Record<string, unknown>>, part: Extract<Part, { kind: 'value' }>): string {
  let value: unknown;
  try {
    value = resolve(record, part.path, part.source);
  } catch (error) {
    // `| default`: an optional field (CLIcK's paragraph) renders as nothing when absent.
    if (part.filters.includes('default') && error instanceof TemplateError) return '';
    throw error;
  }
  if ((value === null || value === undefined || value === '') && part.filters.includes('default')) return '';
  if (Array.isArray(value) && (part.filters.includes('lettered') || part.filters.includes('join'))) {
    const items = value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    value = part.filters.includes('lettered') ? items.map((item, index) => `${choiceLabel(index)}. ${item}`).join('\n') : items.join('\n');
  }
  return applyFilters(stringOf(value, part.source), part.filters);
}

function stringOf(value: unknown, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) throw new TemplateError(`{{ ${source} }} is empty in this record`);
  return JSON.stringify(value);
}

function applyFilters(text: string, filters: readonly Filter[]): string {
  let result = text;
  for (const filter of filters) result = filter === 'trim' ? result.trim() : filter === 'upper' ? result.toUpperCase() : filter === 'lower' ? result.toLowerCase() : result;
  return result;
}

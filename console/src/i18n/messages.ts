/**
 * Messages are defined next to the page or area that shows them, one `defineMessages` call each, so
 * that no two pages share a file. English is the reference: every other language must have exactly
 * its keys, or the typecheck fails. `{name}` in a message is replaced by `vars.name`;
 * `{count, plural, one {# event} other {# events}}` picks a form by the language's plural rules
 * (Intl.PluralRules: one, two, few, many, other, or an exact `=0`), `#` standing for the value.
 */
import { useCallback } from 'react';
import { useLang, type Lang } from './lang.js';
import { interpolate } from './interpolate.js';

export { interpolate };

export type Translations<M extends Record<string, string>> = { en: M } & Record<Exclude<Lang, 'en'>, { [K in keyof M]: string }>;

export function defineMessages<M extends Record<string, string>>(messages: { en: M } & Record<Exclude<Lang, 'en'>, { [K in keyof M]: string }>): Translations<M> {
  return messages;
}

export type Translate<M> = (key: keyof M, vars?: Record<string, string | number>) => string;

export function translate<M extends Record<string, string>>(defined: Translations<M>, lang: Lang, key: keyof M, vars?: Record<string, string | number>): string {
  const table: Partial<Record<keyof M, string>> = defined[lang];
  const template = table[key] ?? defined.en[key] ?? String(key);
  return interpolate(template, vars, lang);
}

export function useMessages<M extends Record<string, string>>(defined: Translations<M>): Translate<M> {
  const { lang } = useLang();
  return useCallback((key: keyof M, vars?: Record<string, string | number>) => translate(defined, lang, key, vars), [defined, lang]);
}

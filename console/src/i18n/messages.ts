/**
 * Messages are defined next to the page or area that shows them, one `defineMessages` call each, so
 * that no two pages share a file. English is the reference: every other language must have exactly
 * its keys, or the typecheck fails. `{name}` in a message is replaced by `vars.name`.
 */
import { useCallback } from 'react';
import { useLang, type Lang } from './lang.js';

export type Translations<M extends Record<string, string>> = { en: M } & Record<Exclude<Lang, 'en'>, { [K in keyof M]: string }>;

export function defineMessages<M extends Record<string, string>>(messages: { en: M } & Record<Exclude<Lang, 'en'>, { [K in keyof M]: string }>): Translations<M> {
  return messages;
}

export type Translate<M> = (key: keyof M, vars?: Record<string, string | number>) => string;

/** Fills `{name}` placeholders; an unknown placeholder stays as written, so a mistake shows. */
export function interpolate(template: string, vars: Record<string, string | number> | undefined): string {
  if (vars === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

export function translate<M extends Record<string, string>>(defined: Translations<M>, lang: Lang, key: keyof M, vars?: Record<string, string | number>): string {
  const table: Partial<Record<keyof M, string>> = defined[lang];
  const template = table[key] ?? defined.en[key] ?? String(key);
  return interpolate(template, vars);
}

export function useMessages<M extends Record<string, string>>(defined: Translations<M>): Translate<M> {
  const { lang } = useLang();
  return useCallback((key: keyof M, vars?: Record<string, string | number>) => translate(defined, lang, key, vars), [defined, lang]);
}

/**
 * The console's language: one of six, chosen by the user (kept in localStorage `nara.lang`) or taken
 * from the browser. Switching it sets <html lang dir> so that fonts, line breaking and the direction
 * of the whole layout (Arabic is right to left) follow.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'en' | 'ko' | 'th' | 'id' | 'vi' | 'ar';

export const languages: readonly Lang[] = ['en', 'ko', 'th', 'id', 'vi', 'ar'];

/** Each language's name in itself, for the selector (never translated: people look for their own). */
export const languageNames: Readonly<Record<Lang, string>> = {
  en: 'English',
  ko: '한국어',
  th: 'ไทย',
  id: 'Bahasa Indonesia',
  vi: 'Tiếng Việt',
  ar: 'العربية',
};

const storageKey = 'nara.lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(storageKey);
    if (isLang(stored)) return stored;
  } catch {
    // Storage can be disabled; the browser's languages still tell.
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    // "in" is the old code for Indonesian, still sent by some systems.
    const lang = base === 'in' ? 'id' : base;
    if (isLang(lang)) return lang;
  }
  return 'en';
}

export function directionOf(lang: Lang): 'ltr' | 'rtl' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

interface LangState {
  readonly lang: Lang;
  setLang(lang: Lang): void;
  readonly dir: 'ltr' | 'rtl';
}

const LangContext = createContext<LangState | undefined>(undefined);

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const dir = directionOf(lang);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
  }, [lang, dir]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // Not kept across visits; the choice still holds for this one.
    }
  }, []);

  const state = useMemo(() => ({ lang, setLang, dir }), [lang, setLang, dir]);
  return <LangContext.Provider value={state}>{children}</LangContext.Provider>;
}

export function useLang(): LangState {
  const state = useContext(LangContext);
  if (state === undefined) throw new Error('useLang() outside <LangProvider>');
  return state;
}

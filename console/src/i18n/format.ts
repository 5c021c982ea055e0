/**
 * Numbers, money, times and names written the way the current language writes them, through Intl
 * (nothing to download: the browser carries the locale data).
 */
import { useLang, type Lang } from './lang.js';

/**
 * Arabic is written with Latin digits here ("ar-u-nu-latn"), not Arabic-Indic ones. The console is
 * mostly tables read down their columns and compared with what sits beside them: request ids, ISO
 * times, error codes, CLI and log output, all in Latin digits. One digit set keeps columns aligned
 * and figures comparable at a glance, and Latin digits are the usual choice in Gulf administrations'
 * technical documents. Words, month names and the right-to-left layout stay Arabic.
 */
export function localeOf(lang: Lang): string {
  return lang === 'ar' ? 'ar-u-nu-latn' : lang;
}

export interface Format {
  number(n: number | null | undefined): string;
  /** 1.2K, 3.4M, in the language's own abbreviations. */
  compact(n: number | null | undefined): string;
  /** `x` is a ratio: 0.05 → 5%. */
  percent(x: number | null | undefined): string;
  /** Micro-units (integers, as Nara stores cost) of an ISO 4217 currency. */
  money(micros: number, currency: string): string;
  /** Whole currency units (prices, limits). */
  moneyUnits(units: number, currency: string): string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** A calendar day written YYYY-MM-DD (a UTC day, as Nara's usage and budgets count them). */
  day(text: string | null | undefined): string;
  time(iso: string | null | undefined): string;
  duration(ms: number | null | undefined): string;
  /** "KR" → "South Korea" in the current language (the code itself when unknown). */
  region(code: string | null | undefined): string;
  /** "ko" → "Korean"; "und" and unknown tags come back as given. */
  language(code: string): string;
}

const missing = '—';

export function makeFormat(lang: Lang): Format {
  const locale = localeOf(lang);
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
  const utcDay = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const ms = new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 });
  const seconds = new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 2 });
  const minutes = new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 });
  const regions = displayNames(locale, 'region');
  const languageNames = displayNames(locale, 'language');
  const currencies = new Map<string, Intl.NumberFormat>();

  const currencyFormat = (currency: string, small: boolean): Intl.NumberFormat | undefined => {
    const key = `${currency}:${small}`;
    let format = currencies.get(key);
    if (format === undefined) {
      try {
        // Fractions of a cent are real here (one request costs little): show two significant digits of them.
        format = new Intl.NumberFormat(locale, small ? { style: 'currency', currency, maximumSignificantDigits: 2 } : { style: 'currency', currency });
      } catch {
        return undefined;
      }
      currencies.set(key, format);
    }
    return format;
  };

  const moneyUnits = (units: number, currency: string): string => {
    const standard = currencyFormat(currency, false);
    if (standard === undefined) return `${integer.format(units)} ${currency}`;
    // An amount below the currency's smallest unit (₩0.054, $0.0003) would round to zero: show it.
    const smallest = 10 ** -(standard.resolvedOptions().maximumFractionDigits ?? 2);
    if (units !== 0 && Math.abs(units) < smallest) return (currencyFormat(currency, true) ?? standard).format(units);
    return standard.format(units);
  };

  const parse = (iso: string | null | undefined): Date | undefined => {
    if (iso === null || iso === undefined || iso === '') return undefined;
    const parsed = new Date(iso);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  };

  return {
    number: (n) => (n === null || n === undefined || !Number.isFinite(n) ? missing : integer.format(n)),
    compact: (n) => (n === null || n === undefined || !Number.isFinite(n) ? missing : compact.format(n)),
    percent: (x) => (x === null || x === undefined || !Number.isFinite(x) ? missing : percent.format(x)),
    money: (micros, currency) => moneyUnits(micros / 1_000_000, currency),
    moneyUnits,
    dateTime: (iso) => {
      const parsed = parse(iso);
      return parsed === undefined ? missing : dateTime.format(parsed);
    },
    date: (iso) => {
      const parsed = parse(iso);
      return parsed === undefined ? missing : date.format(parsed);
    },
    day: (text) => {
      const parsed = text === null || text === undefined ? undefined : parse(`${text.slice(0, 10)}T00:00:00Z`);
      return parsed === undefined ? missing : utcDay.format(parsed);
    },
    time: (iso) => {
      const parsed = parse(iso);
      return parsed === undefined ? missing : time.format(parsed);
    },
    duration: (value) => {
      if (value === null || value === undefined || !Number.isFinite(value)) return missing;
      if (Math.abs(value) < 1000) return ms.format(value);
      if (Math.abs(value) < 60_000) return seconds.format(value / 1000);
      return minutes.format(value / 60_000);
    },
    region: (code) => {
      if (code === null || code === undefined || code === '') return missing;
      return nameOf(regions, code.toUpperCase()) ?? code;
    },
    language: (code) => nameOf(languageNames, code) ?? code,
  };
}

function displayNames(locale: string, type: 'region' | 'language'): Intl.DisplayNames | undefined {
  try {
    return new Intl.DisplayNames([locale], { type, fallback: 'none' });
  } catch {
    return undefined;
  }
}

function nameOf(names: Intl.DisplayNames | undefined, code: string): string | undefined {
  if (names === undefined || code === 'und') return undefined;
  try {
    return names.of(code) ?? undefined;
  } catch {
    // A malformed code (RangeError) is shown as it is.
    return undefined;
  }
}

/** One Format per language: building Intl formatters is slow, and every table cell asks for one. */
const formats = new Map<Lang, Format>();

export function formatFor(lang: Lang): Format {
  let format = formats.get(lang);
  if (format === undefined) {
    format = makeFormat(lang);
    formats.set(lang, format);
  }
  return format;
}

export function useFormat(): Format {
  const { lang } = useLang();
  return formatFor(lang);
}

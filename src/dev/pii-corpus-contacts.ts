/**
 * Phones, e-mail addresses and IP addresses for the corpus. Phone layouts follow each country's
 * numbering plan (libphonenumber metadata, as summarised in docs/national-ids.md): the national form
 * with its trunk 0, the international form, and bare E.164.
 */
import { grouped, type Separator } from './pii-corpus-format.js';
import type { Random } from './pii-corpus-random.js';
import type { CorpusLanguage } from './pii-corpus-types.js';

export type PhoneCountry = 'KR' | 'TH' | 'ID' | 'VN' | 'PH' | 'SG' | 'SA' | 'AE' | 'JP';

interface PhoneLine {
  /** Leading digits of the national number, trunk 0 included. */
  readonly prefixes: readonly string[];
  /** Total national digits, trunk included. */
  readonly length: number;
  readonly national: readonly number[];
  readonly international: readonly number[];
}

interface PhonePlan {
  readonly code: string;
  /** Whether national numbers start with a trunk 0 that the international form drops. */
  readonly trunk: boolean;
  readonly lines: readonly PhoneLine[];
}

const plans: Readonly<Record<PhoneCountry, PhonePlan>> = {
  KR: {
    code: '82',
    trunk: true,
    lines: [
      { prefixes: ['010'], length: 11, national: [3, 4, 4], international: [2, 4, 4] },
      { prefixes: ['02'], length: 10, national: [2, 4, 4], international: [1, 4, 4] },
      { prefixes: ['031', '051', '062'], length: 10, national: [3, 3, 4], international: [2, 3, 4] },
    ],
  },
  TH: {
    code: '66',
    trunk: true,
    lines: [
      { prefixes: ['06', '08', '09'], length: 10, national: [3, 3, 4], international: [2, 3, 4] },
      { prefixes: ['02'], length: 9, national: [2, 3, 4], international: [1, 3, 4] },
    ],
  },
  ID: {
    code: '62',
    trunk: true,
    lines: [
      { prefixes: ['0812', '0813', '0857', '0878'], length: 12, national: [4, 4, 4], international: [3, 4, 4] },
      { prefixes: ['021'], length: 11, national: [3, 4, 4], international: [2, 4, 4] },
    ],
  },
  VN: {
    code: '84',
    trunk: true,
    lines: [{ prefixes: ['090', '091', '098', '032', '070', '086'], length: 10, national: [4, 3, 3], international: [3, 3, 3] }],
  },
  PH: {
    code: '63',
    trunk: true,
    lines: [
      { prefixes: ['0917', '0918', '0927', '0995'], length: 11, national: [4, 3, 4], international: [3, 3, 4] },
      { prefixes: ['028'], length: 10, national: [2, 4, 4], international: [1, 4, 4] },
    ],
  },
  SG: {
    code: '65',
    trunk: false,
    lines: [{ prefixes: ['8', '9', '6'], length: 8, national: [4, 4], international: [4, 4] }],
  },
  SA: {
    code: '966',
    trunk: true,
    lines: [
      { prefixes: ['050', '053', '055', '056', '059'], length: 10, national: [3, 3, 4], international: [2, 3, 4] },
      { prefixes: ['011', '012'], length: 10, national: [3, 3, 4], international: [2, 3, 4] },
    ],
  },
  AE: {
    code: '971',
    trunk: true,
    lines: [
      { prefixes: ['050', '052', '054', '055', '056', '058'], length: 10, national: [3, 3, 4], international: [2, 3, 4] },
      { prefixes: ['04', '02'], length: 9, national: [2, 3, 4], international: [1, 3, 4] },
    ],
  },
  JP: {
    code: '81',
    trunk: true,
    lines: [
      { prefixes: ['090', '080', '070'], length: 11, national: [3, 4, 4], international: [2, 4, 4] },
      { prefixes: ['03', '06'], length: 10, national: [2, 4, 4], international: [1, 4, 4] },
    ],
  },
};

/** Where a language's phone numbers come from; Arabic texts quote Saudi and Emirati numbers. */
export const phoneCountriesOf: Readonly<Record<CorpusLanguage, readonly PhoneCountry[]>> = {
  ko: ['KR'],
  th: ['TH'],
  id: ['ID'],
  vi: ['VN'],
  tl: ['PH'],
  ar: ['SA', 'AE'],
  ja: ['JP'],
  en: ['SG', 'KR', 'TH', 'ID', 'VN', 'PH', 'SA', 'AE', 'JP'],
};

export interface PlantedPhone {
  /** ASCII text; the caller rewrites its digits in the document's script. */
  readonly text: string;
  readonly country: PhoneCountry;
  readonly variant: 'national' | 'international' | 'e164';
}

export function generatePhone(country: PhoneCountry, random: Random): PlantedPhone {
  const plan = plans[country];
  const line = random.pick(plan.lines);
  const prefix = random.pick(line.prefixes);
  const national = prefix + String(random.int(1, 9)) + random.digits(line.length - prefix.length - 1);
  const subscriber = plan.trunk ? national.slice(1) : national;
  const form = random.pick(['national', 'national', 'international', 'e164'] as const);
  if (form === 'e164') return { text: `+${plan.code}${subscriber}`, country, variant: form };
  const separator: Separator = random.pick(['-', '-', ' ', '', '.']);
  if (form === 'international') return { text: `+${plan.code} ${grouped(subscriber, line.international, separator === '' ? ' ' : separator)}`, country, variant: form };
  return { text: grouped(national, line.national, separator), country, variant: form };
}

const mailboxes = ['minjun.kim', 'seoyeon', 'somchai.j', 'suda_s', 'budi.santoso', 'siti.r', 'an.nguyen', 'bich.tran', 'juan.delacruz', 'mreyes', 'm.alotaibi', 'fatima.z', 'taro.yamada', 'hanako', 'sarah.lim', 'weiming.tan'];
/** Reserved or clearly synthetic domains, so no planted address belongs to anyone. */
const domainsOf: Readonly<Record<CorpusLanguage, readonly string[]>> = {
  ko: ['example.co.kr', 'mail.example.kr'],
  th: ['example.co.th', 'example.in.th'],
  id: ['example.co.id', 'example.id'],
  vi: ['example.com.vn', 'example.vn'],
  tl: ['example.com.ph', 'example.ph'],
  ar: ['example.sa', 'example.ae', 'example.com.sa'],
  ja: ['example.co.jp', 'example.ne.jp'],
  en: ['example.com', 'example.org', 'example.com.sg'],
};

export function generateEmail(language: CorpusLanguage, random: Random): string {
  const suffix = random.chance(0.4) ? String(random.int(1, 99)) : '';
  return `${random.pick(mailboxes)}${suffix}@${random.pick(domainsOf[language])}`;
}

export function generateIpAddress(random: Random): { text: string; variant: 'v4' | 'v6' } {
  if (random.chance(0.6)) {
    const first = random.pick([1, 14, 27, 49, 58, 103, 110, 121, 175, 180, 182, 203, 211, 222]);
    return { text: [first, random.int(0, 255), random.int(0, 255), random.int(1, 254)].join('.'), variant: 'v4' };
  }
  const hex = (): string => random.int(0, 0xffff).toString(16);
  const head = random.pick(['2001:db8', '2400:cb00', '2403:6200', '2404:6800', '2a00:1450']);
  const tail = Array.from({ length: 6 }, hex);
  // Half compressed with "::" (the form logs print), half written out.
  const text = random.chance(0.5) ? `${head}::${tail.slice(3).join(':')}` : `${head}:${tail.join(':')}`;
  return { text, variant: 'v6' };
}

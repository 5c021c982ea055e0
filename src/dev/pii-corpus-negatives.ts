/**
 * Hard negatives: numbers that look like personal data and are not. Dates, amounts, order, invoice
 * and tracking numbers, phone-like product codes, and identifiers whose mandatory check digit is
 * wrong. None of them is accepted by any identifier validator, so any detection on one is a false
 * positive the benchmark can charge to its kind.
 */
import { compactIdentifier } from '../pii/digits.js';
import { grouped } from './pii-corpus-format.js';
import { generateWrongCheck, validForAnyType } from './pii-corpus-ids.js';
import { pad, type Random } from './pii-corpus-random.js';
import { wrongCheckTypes, type CorpusEntityType, type CorpusLanguage, type NegativeKind } from './pii-corpus-types.js';

export interface PlantedNegative {
  /** ASCII digits; the caller rewrites them in the document's script. */
  readonly text: string;
  readonly kind: NegativeKind;
  /** For a wrong check digit: the type it imitates. */
  readonly resembles?: CorpusEntityType;
}

function date(language: CorpusLanguage, random: Random): string {
  const year = random.int(2015, 2026);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  const iso = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
  const dmy = `${pad(day, 2)}/${pad(month, 2)}/${year}`;
  const compact = `${year}${pad(month, 2)}${pad(day, 2)}`;
  const local: Readonly<Record<CorpusLanguage, readonly string[]>> = {
    ko: [`${year}년 ${month}월 ${day}일`, `${year}.${pad(month, 2)}.${pad(day, 2)}`],
    ja: [`${year}年${month}月${day}日`, `${year}/${pad(month, 2)}/${pad(day, 2)}`],
    // Thai dates count years in the Buddhist era.
    th: [`${day}/${month}/${year + 543}`, `${pad(day, 2)}/${pad(month, 2)}/${year + 543}`],
    vi: [`ngày ${day} tháng ${month} năm ${year}`, dmy],
    id: [dmy, `${day}-${month}-${year}`],
    tl: [`${month}/${day}/${year}`, dmy],
    ar: [dmy, `${year}/${pad(month, 2)}/${pad(day, 2)}`],
    en: [`${month}/${day}/${year}`, dmy],
  };
  return random.pick([iso, compact, ...local[language]]);
}

/** A log timestamp, counted as a date negative. */
export function timestamp(random: Random): string {
  const time = `${pad(random.int(0, 23), 2)}:${pad(random.int(0, 59), 2)}:${pad(random.int(0, 59), 2)}`;
  return `${random.int(2023, 2026)}-${pad(random.int(1, 12), 2)}-${pad(random.int(1, 28), 2)}T${time}Z`;
}

/** Thousands grouped with `mark`, as each locale writes money. */
function thousands(value: number, mark: string): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, mark);
}

function amount(language: CorpusLanguage, random: Random): string {
  const value = random.int(1, 99_999) * random.pick([1, 10, 100, 1000]);
  const cents = pad(random.int(0, 99), 2);
  const forms: Readonly<Record<CorpusLanguage, readonly string[]>> = {
    ko: [`₩${thousands(value, ',')}`, `${thousands(value, ',')}원`, `${value}원`],
    ja: [`¥${thousands(value, ',')}`, `${thousands(value, ',')}円`],
    th: [`฿${thousands(value, ',')}.${cents}`, `${thousands(value, ',')} บาท`],
    id: [`Rp ${thousands(value, '.')}`, `Rp${thousands(value, '.')},${cents}`],
    vi: [`${thousands(value, '.')} ₫`, `${thousands(value, '.')}đ`, `${value} VND`],
    tl: [`₱${thousands(value, ',')}.${cents}`, `PHP ${thousands(value, ',')}`],
    ar: [`${thousands(value, ',')} ر.س`, `SAR ${thousands(value, ',')}.${cents}`, `AED ${value}`],
    en: [`$${thousands(value, ',')}.${cents}`, `SGD ${thousands(value, ',')}`, `USD ${value}.${cents}`],
  };
  return random.pick(forms[language]);
}

function orderNumber(random: Random): string {
  return random.pick([
    () => `ORD-${random.int(2019, 2026)}-${random.digits(8)}`,
    () => `#${random.int(1, 9)}${random.digits(random.int(8, 10))}`,
    () => `SO${random.int(1, 9)}${random.digits(7)}`,
    () => `${random.int(2019, 2026)}${pad(random.int(1, 12), 2)}${pad(random.int(1, 28), 2)}-${random.digits(6)}`,
  ])();
}

function invoiceNumber(random: Random): string {
  const year = random.int(2019, 2026);
  return random.pick([
    () => `INV-${year}${pad(random.int(1, 12), 2)}${pad(random.int(1, 28), 2)}-${random.digits(4)}`,
    () => `INV/${year}/${pad(random.int(1, 12), 2)}/${random.digits(5)}`,
    () => `${random.digits(6)}/${year}`,
    // Japan's qualified-invoice registration number: T and thirteen digits.
    () => `T${random.int(1, 9)}${random.digits(12)}`,
  ])();
}

function trackingNumber(random: Random): string {
  const alnum = (count: number): string => Array.from({ length: count }, () => random.pick([...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'])).join('');
  return random.pick([
    // UPU S10 postal items, as Korea Post, Thailand Post and Japan Post print them.
    () => `${random.pick(['EE', 'RR', 'CP', 'LX'])}${random.digits(9)}${random.pick(['KR', 'TH', 'JP', 'VN', 'SA'])}`,
    () => `1Z${alnum(6)}${random.digits(10)}`,
    () => grouped(`7${random.digits(11)}`, [4, 4, 4], random.pick([' ', ''])),
    () => `JX${random.digits(10)}`,
  ])();
}

/** Grouped like a phone number, but never with a trunk 0, a plus sign or a mobile's leading digit. */
function productCode(random: Random): string {
  const groups = random.pick([[4, 3, 3], [3, 4, 3], [2, 4, 4], [4, 4, 2]]);
  const digits = String(random.pick([1, 2, 3, 4, 5, 7])) + random.digits(9);
  const code = grouped(digits, groups, random.pick(['-', '-', ' ', '.']));
  return random.chance(0.4) ? `${random.pick(['SKU ', 'P/N ', 'model '])}${code}` : code;
}

/** Every number the text holds, as runs and as a whole, so no part of it is a valid identifier. */
function acceptedSomewhere(text: string): boolean {
  const candidates: string[] = [...(text.match(/[0-9]+/g) ?? [])];
  const whole = compactIdentifier(text.replace(/[#/,]/g, ''));
  if (whole !== undefined) candidates.push(whole);
  for (const candidate of text.match(/[0-9][0-9 .-]*[0-9]/g) ?? []) {
    const compact = compactIdentifier(candidate);
    if (compact !== undefined) candidates.push(compact);
  }
  return candidates.some((candidate) => validForAnyType(candidate));
}

export function generateNegative(kind: NegativeKind, language: CorpusLanguage, random: Random): PlantedNegative {
  for (let tries = 0; tries < 1000; tries += 1) {
    if (kind === 'bad-check-digit') {
      const type = random.pick(wrongCheckTypes);
      const id = generateWrongCheck(type, random);
      return { text: grouped(id.compact, id.groups, random.pick(id.separators)), kind, resembles: type };
    }
    const text = kind === 'date' ? date(language, random) : kind === 'amount' ? amount(language, random) : kind === 'order-number' ? orderNumber(random) : kind === 'invoice-number' ? invoiceNumber(random) : kind === 'tracking-number' ? trackingNumber(random) : productCode(random);
    if (!acceptedSomewhere(text)) return { text, kind };
  }
  throw new Error(`no ${kind} negative after 1000 draws`);
}

/**
 * Words that, written shortly before a number, say what it is: in the languages of the countries
 * whose identifiers we read, and in English. Identifiers without a check digit (Indonesian NIK,
 * Vietnamese CCCD, PhilSys card numbers, Korean numbers issued since 2020) are only trusted with
 * one of them nearby.
 */
import { entityTypes, type CountryCode, type EntityType } from './entity-types.js';

/** How far before a span, in UTF-16 code units, a context word still counts. */
export const contextReach = 40;

const idWords = ['id', 'id no', 'identity', 'national id', 'id card'];

const wordsByType: Readonly<Record<EntityType, readonly string[]>> = {
  KR_RRN: ['주민등록번호', '주민번호', '주민등록', ...idWords],
  KR_ARN: ['외국인등록번호', '외국인등록', '외국인번호', 'alien registration', ...idWords],
  KR_BRN: ['사업자등록번호', '사업자번호', '사업자', 'business registration'],
  KR_PASSPORT: ['여권', 'passport'],
  KR_DRIVER_LICENSE: ['운전면허', '면허번호', '면허', 'driver', 'licence', 'license'],
  TH_ID: ['เลขบัตรประชาชน', 'บัตรประชาชน', 'เลขประจำตัวประชาชน', 'บัตรปชช', ...idWords],
  ID_NIK: ['nik', 'ktp', 'nomor induk', 'no. ktp', ...idWords],
  VN_CCCD: ['cccd', 'căn cước', 'can cuoc', 'cmnd', 'số định danh', ...idWords],
  PH_PCN: ['philsys', 'philid', 'pcn', 'national id'],
  PH_TIN: ['tin', 'tax identification', 'bir'],
  SG_NRIC: ['nric', 'fin', ...idWords],
  SA_NID: ['رقم الهوية', 'الهوية', 'الإقامة', 'هوية', 'إقامة', 'iqama', ...idWords],
  AE_EID: ['رقم الهوية', 'الهوية', 'emirates id', 'eid', ...idWords],
  JP_MY_NUMBER: ['マイナンバー', '個人番号', 'my number'],
  PHONE: [
    '휴대폰', '핸드폰', '연락처', '전화', '폰번호',
    'เบอร์โทร', 'เบอร์', 'โทร', 'มือถือ',
    'nomor hp', 'no hp', 'no. hp', 'hp', 'telepon', 'wa', 'whatsapp',
    'telepono', 'cellphone', 'cp no',
    'số điện thoại', 'điện thoại', 'sđt', 'sdt', 'đt',
    'جوال', 'هاتف', 'رقم الجوال', 'موبايل',
    '電話', '携帯', 'でんわ',
    'phone', 'tel', 'mobile', 'cell', 'contact', 'call',
  ],
  EMAIL: ['email', 'e-mail', '이메일', 'อีเมล', 'メール', 'البريد'],
  CREDIT_CARD: ['card', '카드', 'บัตรเครดิต', 'kartu', 'thẻ', 'بطاقة', 'カード'],
  IBAN: ['iban'],
  IP_ADDRESS: ['ip'],
};

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

interface ContextWord {
  readonly word: string;
  readonly ascii: boolean;
  /** Indexes into `entityTypes` of the types the word labels (shared words such as "id" label several). */
  readonly types: readonly number[];
}

/** Every context word once, with the types it labels, so one pass over a context serves all types. */
const contextWords: readonly ContextWord[] = (() => {
  const byWord = new Map<string, number[]>();
  entityTypes.forEach((type, index) => {
    for (const word of wordsByType[type]) {
      const types = byWord.get(word) ?? [];
      if (!types.includes(index)) types.push(index);
      byWord.set(word, types);
    }
  });
  return [...byWord].map(([word, types]) => ({ word, ascii: /^[\x20-\x7e]+$/.test(word), types }));
})();

/**
 * Context words by their first two code units (every word has at least two): one look-up per
 * position of a context finds the one or two words that can start there.
 */
const wordsByPair: ReadonlyMap<number, readonly ContextWord[]> = (() => {
  const map = new Map<number, ContextWord[]>();
  for (const entry of contextWords) {
    const pair = entry.word.charCodeAt(0) * 0x10000 + entry.word.charCodeAt(1);
    const list = map.get(pair) ?? [];
    list.push(entry);
    map.set(pair, list);
  }
  return map;
})();

/** Code units some context word starts with, so most characters cost one typed-array load. */
const startsWord: Uint8Array = (() => {
  const table = new Uint8Array(0x10000);
  for (const entry of contextWords) table[entry.word.charCodeAt(0)] = 1;
  return table;
})();

/**
 * End of the last context word of each type in `context` (lower-cased, from `contextBefore`), -1
 * where none, indexed like `entityTypes`.
 */
export function contextWordEnds(context: string, ends: Int32Array): void {
  ends.fill(-1);
  for (let at = 0; at < context.length; at += 1) {
    const code = context.charCodeAt(at);
    if (startsWord[code] === 0) continue;
    const before = at > 0 ? context.charCodeAt(at - 1) : -1;
    // No word starting with a Latin letter starts inside a Latin word: most of a Latin context is skipped here.
    if (isAsciiLetter(code) && isAsciiLetter(before)) continue;
    // ASCII words start at a word boundary, never after "." or "@" (part of an address, "example.id").
    const asciiStart = !isAsciiLetter(before) && before !== 0x2e && before !== 0x40;
    const candidates = wordsByPair.get(code * 0x10000 + context.charCodeAt(at + 1));
    if (candidates === undefined) continue;
    for (const entry of candidates) {
      if ((entry.ascii && !asciiStart) || !context.startsWith(entry.word, at)) continue;
      const end = at + entry.word.length;
      if (entry.ascii && end < context.length && isAsciiLetter(context.charCodeAt(end))) continue;
      for (const type of entry.types) if (end > (ends[type] as number)) ends[type] = end;
    }
  }
}

/** How far back a CSV header line is looked for; keeps hostile long lines linear. */
const headerReach = 300;

/** Index of the CSV field at `to` in the line from `from`: commas counted outside double quotes (quoted amounts). */
function fieldIndex(text: string, from: number, to: number): number {
  let field = 0;
  let quoted = false;
  for (let index = from; index < to; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) quoted = !quoted;
    else if (code === 0x2c && !quoted) field += 1;
  }
  return field;
}

/** The `wanted`-th comma-separated field of the line `from`–`to`, quotes dropped; undefined past the last. */
function fieldAt(text: string, from: number, to: number, wanted: number): string | undefined {
  let field = 0;
  let quoted = false;
  let fieldStart = from;
  for (let index = from; index <= to; index += 1) {
    const code = index < to ? text.charCodeAt(index) : 0x2c;
    if (code === 0x22) quoted = !quoted;
    else if (code === 0x2c && (!quoted || index === to)) {
      if (field === wanted) return text.slice(fieldStart, index).replaceAll('"', '');
      field += 1;
      fieldStart = index + 1;
    }
  }
  return undefined;
}

/** Offset of the last line break before `at`, looking back at most `headerReach` code units; -1 if none. */
function newlineBefore(text: string, at: number): number {
  for (let index = at - 1; index >= 0 && at - index <= headerReach; index -= 1) if (text.charCodeAt(index) === 0x0a) return index;
  return -1;
}

/**
 * The header of the CSV column a value at `start` sits in, or undefined when the value does not
 * start a CSV field under a header line. In a CSV row every value's label is its column's header,
 * not whatever the 40 code units before it happen to hold.
 */
function csvHeader(text: string, start: number): string | undefined {
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  if (before !== 0x2c && before !== 0x0a && before !== 0x22) return undefined;
  const lineStart = newlineBefore(text, start);
  if (lineStart < 0) return undefined;
  const headerStart = newlineBefore(text, lineStart) + 1;
  if (headerStart === 0 && lineStart > headerReach) return undefined;
  if (fieldIndex(text, headerStart, lineStart) === 0) return undefined;
  return fieldAt(text, headerStart, lineStart, fieldIndex(text, lineStart + 1, start));
}

/**
 * The lower-cased text whose words label a number starting at `start`: its CSV column header, or
 * up to `contextReach` code units before it, cut at `floor` (the end of an earlier number on the
 * same line, which those words belong to) when `floor` is not -1.
 */
export function contextBefore(text: string, start: number, floor: number): string {
  const header = csvHeader(text, start);
  if (header !== undefined) return header.toLowerCase();
  return text.slice(Math.max(0, start - contextReach, floor), start).toLowerCase();
}

/** Countries whose script is written around a span, to tell apart phone plans that overlap. */
export function countriesByScript(text: string, start: number, end: number): readonly CountryCode[] {
  const around = text.slice(Math.max(0, start - contextReach), Math.min(text.length, end + contextReach));
  if (/[\uac00-\ud7a3]/.test(around)) return ['KR'];
  if (/[\u0e01-\u0e4f]/.test(around)) return ['TH'];
  if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(around)) return ['JP'];
  if (/[\u0600-\u06ff]/.test(around)) return ['SA', 'AE'];
  if (/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(around)) return ['VN'];
  if (/\b(?:nomor|saya|hubungi|dengan)\b/i.test(around)) return ['ID'];
  if (/\b(?:po|ako|ang|ng|sa|si|ko|tawagan|pangalan|numero)\b/i.test(around)) return ['PH'];
  return [];
}

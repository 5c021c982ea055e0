/**
 * Words that, written shortly before a number, say what it is: in the languages of the countries
 * whose identifiers we read, and in English. Identifiers without a check digit (Indonesian NIK,
 * Vietnamese CCCD, PhilSys card numbers, Korean numbers issued since 2020) are only trusted with
 * one of them nearby.
 */
import type { CountryCode, EntityType } from './entity-types.js';

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
    'số điện thoại', 'điện thoại', 'sđt', 'sdt',
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

/** ASCII words must stand alone ("id" is not in "valid"); words in other scripts need not. */
function occursAsWord(window: string, word: string): boolean {
  const ascii = /^[\x20-\x7e]+$/.test(word);
  let from = 0;
  for (;;) {
    const at = window.indexOf(word, from);
    if (at < 0) return false;
    if (!ascii) return true;
    const before = at > 0 ? window.charCodeAt(at - 1) : -1;
    const after = at + word.length < window.length ? window.charCodeAt(at + word.length) : -1;
    if (!isAsciiLetter(before) && !isAsciiLetter(after)) return true;
    from = at + 1;
  }
}

/** Whether a context word for `type` is written within `contextReach` code units before `start`. */
export function hasContext(text: string, start: number, type: EntityType): boolean {
  const window = text.slice(Math.max(0, start - contextReach), start).toLowerCase();
  return wordsByType[type].some((word) => occursAsWord(window, word));
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
  if (/\b(?:po|ako|ang|ng|sa|tawagan)\b/i.test(around)) return ['PH'];
  return [];
}

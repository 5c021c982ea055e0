/**
 * Format-preserving surrogates: a fake value of the same type that keeps the original's length,
 * digit script, letter case and separators, and passes the type's validator when the original did,
 * so a model (or a downstream checker) sees something that still looks and validates like an RRN.
 * Randomness is keyed (HMAC of the scope's secret and the original), so it is reproducible per
 * secret but reveals nothing of the original without the secret.
 */
import { createHmac } from 'node:crypto';
import { creditCard, iban, sgNric, type IdVerdict } from './check-digits.js';
import { compactIdentifier, digitValue } from './digits.js';
import type { EntityType } from './entity-types.js';
import { idRules } from './id-rules.js';

/** A uniform integer in [0, bound), bound at most 256. */
export type RandomInt = (bound: number) => number;

/**
 * An endless keyed byte stream: one HMAC-SHA256 of the secret and the seed (the original value)
 * seeds a small fast generator (sfc32) that draws the rest. HMAC keeps the originals unguessable
 * without the secret; the generator only stretches its output, so that a surrogate costs one HMAC
 * (about 3 µs) instead of one per 32 bytes drawn. Whoever reverses the generator from a surrogate
 * learns only HMAC output, which says nothing of the original without the secret.
 */
export function keyedRandom(secret: Uint8Array, seed: string): RandomInt {
  const digest = createHmac('sha256', secret).update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  let word = 0;
  let bytesLeft = 0;
  const nextByte = (): number => {
    if (bytesLeft === 0) {
      // sfc32 (Chris Doty-Humphrey's Small Fast Counting generator).
      a >>>= 0;
      b >>>= 0;
      c >>>= 0;
      d >>>= 0;
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      word = t >>> 0;
      bytesLeft = 4;
    }
    const byte = word & 0xff;
    word >>>= 8;
    bytesLeft -= 1;
    return byte;
  };
  // The first outputs of sfc32 are still close to its seed: discard a few, as its author advises.
  for (let index = 0; index < 48; index += 1) nextByte();
  return (bound) => {
    const limit = 256 - (256 % bound);
    for (;;) {
      const byte = nextByte();
      if (byte < limit) return byte % bound;
    }
  };
}

type Validator = (compact: string) => IdVerdict;

const validators: ReadonlyMap<EntityType, Validator> = new Map<EntityType, Validator>([
  ...idRules.map((rule): [EntityType, Validator] => [rule.type, rule.validate]),
  ['CREDIT_CARD', creditCard],
  ['SG_NRIC', sgNric],
  ['IBAN', iban],
]);

/**
 * Leading letters and digits kept as they are: the parts that say what the value is rather than
 * whose it is (Emirates 784, Saudi citizen/resident digit, card network, driver-licence region,
 * IBAN country, NRIC and passport prefix letters), which validators and readers expect.
 */
const keptPrefix: Partial<Record<EntityType, number>> = { AE_EID: 3, SA_NID: 1, CREDIT_CARD: 2, KR_DRIVER_LICENSE: 2, IBAN: 2, SG_NRIC: 1, KR_PASSPORT: 1 };

const callingCodes = ['966', '971', '82', '66', '62', '84', '63', '65', '81'];

/** Phones keep their country: the calling code (or trunk 0) and the next two digits (mobile or area prefix). */
function phonePrefix(original: string): number {
  const compact = Array.from(original).filter((char) => digitValue(char.codePointAt(0) as number) >= 0).map((char) => digitValue(char.codePointAt(0) as number)).join('');
  if (!original.trimStart().startsWith('+')) return 3;
  const code = callingCodes.find((prefix) => compact.startsWith(prefix));
  return (code?.length ?? 2) + 2;
}

interface CharClass {
  readonly first: number;
  readonly size: number;
}

const letterBlocks = [0x41, 0x61, 0xff21, 0xff41] as const;

/** The run a character is drawn from: ten digits of its own script, or 26 letters of its own case and width. */
function classOf(char: string): CharClass | undefined {
  const codePoint = char.codePointAt(0) as number;
  const digit = digitValue(codePoint);
  if (digit >= 0) return { first: codePoint - digit, size: 10 };
  const first = letterBlocks.find((block) => codePoint >= block && codePoint < block + 26);
  return first === undefined ? undefined : { first, size: 26 };
}

/**
 * Where a birth date sits among a type's letters and digits. Drawing those digits uniformly makes a
 * valid date about one try in thirty (hundreds of validations per surrogate); drawing a plausible
 * date instead (any year, month 01-12, day 01-28) makes nearly every try pass. The date is drawn,
 * never copied: a birth date is personal data too.
 */
interface DateField {
  readonly start: number;
  readonly layout: 'YYMMDD' | 'DDMMYY' | 'YYYY';
}

const dateFields: Partial<Record<EntityType, DateField>> = {
  KR_RRN: { start: 0, layout: 'YYMMDD' },
  KR_ARN: { start: 0, layout: 'YYMMDD' },
  ID_NIK: { start: 6, layout: 'DDMMYY' },
  AE_EID: { start: 3, layout: 'YYYY' },
};

/** Two-digit strings, zero-padded. */
function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

/** Digits of a plausible date for `field`; an Indonesian woman's day keeps its +40, as in the original. */
function drawDate(field: DateField, original: readonly number[], random: RandomInt): string {
  if (field.layout === 'YYYY') return `${1950 + random(80)}`;
  const year = twoDigits(random(100));
  const month = twoDigits(1 + random(12));
  const dayAt = field.layout === 'DDMMYY' ? field.start : field.start + 4;
  const originalDay = (original[dayAt] ?? 0) * 10 + (original[dayAt + 1] ?? 0);
  const day = twoDigits(1 + random(28) + (originalDay > 40 ? 40 : 0));
  return field.layout === 'YYMMDD' ? `${year}${month}${day}` : `${day}${month}${year}`;
}

type Requirement = 'checked' | 'valid' | 'none';

function requirementOf(validate: Validator | undefined, original: string): Requirement {
  const compact = compactIdentifier(original);
  if (validate === undefined || compact === undefined) return 'none';
  const verdict = validate(compact);
  if (!verdict.valid) return 'none';
  return verdict.checkDigitValidated ? 'checked' : 'valid';
}

function meetsCompact(validate: Validator | undefined, compact: string, requirement: Requirement): boolean {
  if (requirement === 'none' || validate === undefined) return true;
  const verdict = validate(compact);
  return verdict.valid && (requirement === 'valid' || verdict.checkDigitValidated);
}

/**
 * Enough tries that the rarest acceptance (a valid RRN date, sex digit and check digit, about 2%
 * per try) fails with probability below e^-40; the caller falls back to a token if it ever does.
 */
const attempts = 2000;

/**
 * A surrogate for `original` of `type`, or undefined when the value has nothing to vary or no
 * acceptable candidate came up. Each try draws every free position, then walks the last one
 * through its whole class: check digits and check letters sit last, so one walk finds the
 * value that makes the checksum hold whenever the rest of the structure does.
 */
export function formatPreservingSurrogate(type: EntityType, original: string, random: RandomInt, isFree: (candidate: string) => boolean): string | undefined {
  const chars = Array.from(original);
  const variable = chars.flatMap((char, index) => (classOf(char) === undefined ? [] : [index]));
  const count = variable.length;
  if (count === 0) return undefined;
  const classes = variable.map((position) => classOf(chars[position] as string) as CharClass);
  const originalValues = variable.map((position, index) => (chars[position]?.codePointAt(0) ?? 0) - (classes[index] as CharClass).first);
  const kept = Math.min(type === 'PHONE' ? phonePrefix(original) : (keptPrefix[type] ?? 0), count - 1);
  const validate = validators.get(type);
  const requirement = requirementOf(validate, original);
  const dateField = dateFields[type];
  const lastClass = classes[count - 1] as CharClass;
  // The compact ASCII form validators read, built from the drawn values without a string per try.
  const asciiOf = (index: number, value: number): string => String.fromCharCode(((classes[index] as CharClass).size === 10 ? 0x30 : 0x41) + value);
  const values = originalValues.slice();
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    for (let index = kept; index < count - 1; index += 1) values[index] = random((classes[index] as CharClass).size);
    if (dateField !== undefined) {
      const date = drawDate(dateField, originalValues, random);
      for (let offset = 0; offset < date.length; offset += 1) {
        const index = dateField.start + offset;
        // Only positions drawn anyway: kept prefixes and the walked last character stay as they are.
        if (index >= kept && index < count - 1 && (classes[index] as CharClass).size === 10) values[index] = date.charCodeAt(offset) - 48;
      }
    }
    let prefix = '';
    for (let index = 0; index < count - 1; index += 1) prefix += asciiOf(index, values[index] as number);
    const offset = random(lastClass.size);
    for (let step = 0; step < lastClass.size; step += 1) {
      values[count - 1] = (offset + step) % lastClass.size;
      if (!meetsCompact(validate, prefix + asciiOf(count - 1, values[count - 1] as number), requirement)) continue;
      const candidate = chars.slice();
      for (let index = 0; index < count; index += 1) candidate[variable[index] as number] = String.fromCodePoint((classes[index] as CharClass).first + (values[index] as number));
      const text = candidate.join('');
      if (text !== original && isFree(text)) return text;
    }
  }
  return undefined;
}

/** Documentation addresses (RFC 5737, RFC 3849), never routed; three-digit last octets so none is a prefix of another. */
export function ipSurrogate(original: string, serial: number): string | undefined {
  if (original.includes(':')) return `2001:db8::${serial.toString(16)}:1`;
  const blocks = ['192.0.2', '198.51.100', '203.0.113'];
  const block = blocks[Math.floor((serial - 1) / 154)];
  return block === undefined ? undefined : `${block}.${100 + ((serial - 1) % 154) + 1}`;
}

/** `.invalid` is reserved (RFC 2606): the address can never reach anyone. */
export function emailSurrogate(serial: number): string {
  return `user-${serial}@example.invalid`;
}

/**
 * Opaque tokens: mathematical angle brackets (U+27E8, U+27E9) rarely appear in model output, and
 * the closing bracket means no token is the prefix of another.
 */
export function tokenSurrogate(type: EntityType, serial: number): string {
  return `\u27e8${type}_${serial}\u27e9`;
}

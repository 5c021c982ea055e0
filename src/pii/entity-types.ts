/**
 * What the PII scanner reports: the entity types it knows and the span it found. Offsets are
 * JavaScript string offsets (UTF-16 code units) into the text as given, so callers can slice,
 * redact or replace without re-normalising the input.
 */

export const entityTypes = [
  'KR_RRN',
  'KR_ARN',
  'KR_BRN',
  'KR_PASSPORT',
  'KR_DRIVER_LICENSE',
  'TH_ID',
  'ID_NIK',
  'VN_CCCD',
  'PH_PCN',
  'PH_TIN',
  'SG_NRIC',
  'SA_NID',
  'AE_EID',
  'JP_MY_NUMBER',
  'PHONE',
  'EMAIL',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
] as const;

export type EntityType = (typeof entityTypes)[number];

/** ISO 3166-1 alpha-2 codes of the countries whose identifiers and phone plans we read. */
export type CountryCode = 'KR' | 'TH' | 'ID' | 'VN' | 'PH' | 'SG' | 'SA' | 'AE' | 'JP';

export interface Entity {
  readonly type: EntityType;
  /** UTF-16 offset of the first code unit, into the original input. */
  readonly start: number;
  /** UTF-16 offset just past the last code unit. */
  readonly end: number;
  /** `input.slice(start, end)`, as written (digits in their own script, separators kept). */
  readonly text: string;
  /** 0–1: how sure the scanner is; check digits and context words raise it. */
  readonly score: number;
  /** True when a check digit (or checksum) proved the value, not only its shape. */
  readonly validated: boolean;
  /** The issuing country, when the type or the phone number tells it. */
  readonly country?: CountryCode;
}

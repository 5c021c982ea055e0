/** The vocabulary of the labelled PII corpus: languages, document kinds, entity and negative kinds. */

export const corpusLanguages = ['ko', 'th', 'id', 'vi', 'tl', 'ar', 'ja', 'en'] as const;
export type CorpusLanguage = (typeof corpusLanguages)[number];

export const documentKinds = ['chat', 'form', 'csv', 'log'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/**
 * The entity types the corpus plants. Kept here rather than imported from src/pii so the corpus
 * states the list on its own and a detector is measured against it, not against itself.
 */
export const corpusEntityTypes = [
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
export type CorpusEntityType = (typeof corpusEntityTypes)[number];

/** Identifier types written as digit (and letter) groups, as opposed to phones, e-mails and IPs. */
export type GroupedIdType = Exclude<CorpusEntityType, 'PHONE' | 'EMAIL' | 'IP_ADDRESS'>;

/** Types whose check digit is mandatory, planted with a wrong one as hard negatives. */
export const wrongCheckTypes = ['TH_ID', 'SA_NID', 'JP_MY_NUMBER', 'CREDIT_CARD'] as const;
export type WrongCheckType = (typeof wrongCheckTypes)[number];

export const negativeKinds = ['date', 'amount', 'order-number', 'invoice-number', 'tracking-number', 'product-code', 'bad-check-digit'] as const;
export type NegativeKind = (typeof negativeKinds)[number];

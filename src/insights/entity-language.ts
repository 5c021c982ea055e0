/**
 * The language of a PII entity type, from the country that issues it (KR_RRN → ko). Types that
 * belong to no one country (phone numbers, e-mail, cards, IBAN, IP addresses) are "und". The map is
 * held here rather than read from src/pii: insights sit below the scanner and only see type names
 * in audit events.
 */
const languageOfPrefix: ReadonlyMap<string, string> = new Map([
  ['KR', 'ko'],
  ['TH', 'th'],
  ['ID', 'id'],
  ['VN', 'vi'],
  ['PH', 'tl'],
  ['SA', 'ar'],
  ['AE', 'ar'],
  ['SG', 'en'],
  ['JP', 'ja'],
]);

export function entityLanguage(entityType: string): string {
  const cut = entityType.indexOf('_');
  if (cut <= 0) return 'und';
  return languageOfPrefix.get(entityType.slice(0, cut)) ?? 'und';
}

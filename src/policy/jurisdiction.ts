/**
 * Jurisdiction codes are ISO 3166-1 alpha-2. Node ships full ICU, whose region display names know
 * every assigned code, so no country list has to be kept here.
 */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** "KR" → "South Korea"; undefined for codes ISO 3166-1 does not assign. */
export function jurisdictionName(code: string): string | undefined {
  const upper = code.toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper)) return undefined;
  let name: string | undefined;
  try {
    name = regionNames.of(upper);
  } catch {
    return undefined;
  }
  // ICU echoes unknown codes back, and names the user-assigned ZZ "Unknown Region".
  if (name === undefined || name === upper || upper === 'ZZ') return undefined;
  return name;
}

export function isJurisdiction(code: string): boolean {
  return jurisdictionName(code) !== undefined;
}

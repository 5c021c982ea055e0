/**
 * IP addresses without node:net, so the PII layer stays usable outside Node. IPv4 comes from the
 * digit scanner's dotted windows; IPv6 from runs of hex digits and colons.
 */

/** An IPv4 octet as written: 0–255 without a leading zero (leading zeros read as octal to some parsers). */
function isOctet(part: string): boolean {
  if (!/^[0-9]{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return false;
  return Number(part) <= 255;
}

export function isIpv4(parts: readonly string[]): boolean {
  return parts.length === 4 && parts.every(isOctet);
}

/** Full or `::`-compressed IPv6 of hex groups (no embedded IPv4). */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] | undefined => {
    if (half === '') return [];
    const groups = half.split(':');
    return groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group)) ? groups : undefined;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export interface Span {
  readonly start: number;
  readonly end: number;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** IPv6 addresses standing alone (not inside a word, a time like 12:30:45 is not one). */
export function findIpv6(text: string): Span[] {
  const spans: Span[] = [];
  // One character class, no nesting: each match is consumed once, linear in the input.
  const runs = /[0-9A-Fa-f:]{3,}/g;
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    const value = match[0];
    const start = match.index;
    const end = start + value.length;
    if (value.length > 39 || !value.includes(':')) continue;
    if (!/[0-9A-Fa-f]{2}/.test(value) || (value.match(/:/g) ?? []).length < 2) continue;
    if (isAsciiAlnum(start > 0 ? text.charCodeAt(start - 1) : -1) || isAsciiAlnum(end < text.length ? text.charCodeAt(end) : -1)) continue;
    if (isIpv6(value)) spans.push({ start, end });
  }
  return spans;
}

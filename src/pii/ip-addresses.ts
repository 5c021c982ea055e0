/**
 * IP addresses without node:net, so the PII layer stays usable outside Node. IPv4 comes from the
 * digit scanner's dotted windows; IPv6 from runs of hex digits and colons around each colon.
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

function isHexOrColon(code: number): boolean {
  return (code >= 0x30 && code <= 0x3a) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Longest IPv6 text we read (eight groups of four and seven colons). */
const maxIpv6 = 39;

/**
 * IPv6 addresses standing alone (not inside a word; a time like 12:30:45 is not one). Anchored on
 * each `:` (prose has few; English words made of hex letters have none), reading at most 39
 * characters either way, and resuming after what was read: linear on any input.
 */
export function findIpv6(text: string): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (let colon = text.indexOf(':', from); colon >= 0; colon = text.indexOf(':', from)) {
    let start = colon;
    while (start > 0 && colon - start < maxIpv6 && isHexOrColon(text.charCodeAt(start - 1))) start -= 1;
    let end = colon + 1;
    while (end < text.length && end - start <= maxIpv6 && isHexOrColon(text.charCodeAt(end))) end += 1;
    from = end;
    // A label's colon ("IP:2001:db8::1") or a sentence's ("…::1: done") is not part of the address.
    if (text.charCodeAt(start) === 0x3a && text.charCodeAt(start + 1) !== 0x3a) start += 1;
    if (end - start > 1 && text.charCodeAt(end - 1) === 0x3a && text.charCodeAt(end - 2) !== 0x3a) end -= 1;
    if (end - start < 3 || end - start > maxIpv6) continue;
    if (isAsciiAlnum(start > 0 ? text.charCodeAt(start - 1) : -1) || isAsciiAlnum(end < text.length ? text.charCodeAt(end) : -1)) continue;
    const value = text.slice(start, end);
    let colons = 0;
    for (let index = 0; index < value.length; index += 1) if (value.charCodeAt(index) === 0x3a) colons += 1;
    if (colons < 2 || !/[0-9A-Fa-f]{2}/.test(value)) continue;
    if (isIpv6(value)) spans.push({ start, end });
  }
  return spans;
}

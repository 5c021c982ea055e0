/**
 * An invisible reference to an output's provenance manifest, carried in the text itself: the
 * manifest id written as Unicode variation selectors after the last character, in the spirit of
 * the C2PA draft for unstructured text. Variation selectors render as nothing and survive copy and
 * paste in most editors, so a text pasted elsewhere can still be traced; they can also surprise
 * software that counts or compares characters, which is why tenants opt in.
 *
 * Layout: the bytes "NARA", a version byte (1), a length byte, then the id's ASCII bytes; each byte
 * is one selector: 0–15 as U+FE00–U+FE0F, 16–255 as U+E0100–U+E01EF.
 */

const magic = [0x4e, 0x41, 0x52, 0x41];
const version = 1;

function selectorOf(byte: number): string {
  return String.fromCodePoint(byte < 16 ? 0xfe00 + byte : 0xe0100 + byte - 16);
}

function byteOf(codePoint: number): number {
  if (codePoint >= 0xfe00 && codePoint <= 0xfe0f) return codePoint - 0xfe00;
  if (codePoint >= 0xe0100 && codePoint <= 0xe01ef) return codePoint - 0xe0100 + 16;
  return -1;
}

/** The selectors that carry `id` (printable ASCII, at most 255 characters). */
export function embeddingOf(id: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(id)) throw new RangeError('a provenance id to embed is 1-255 printable ASCII characters');
  const bytes = [...magic, version, id.length, ...Buffer.from(id, 'ascii')];
  return bytes.map(selectorOf).join('');
}

export interface ExtractedReference {
  readonly id: string;
  /** The text with the reference removed: what the manifest's digest is over. */
  readonly text: string;
}

/** The first embedded reference in `text`, if any, and the text without it. Never throws. */
export function extractReference(text: string): ExtractedReference | undefined {
  const codePoints = Array.from(text);
  for (let start = 0; start < codePoints.length; start += 1) {
    if (byteOf(codePoints[start]?.codePointAt(0) ?? 0) !== magic[0]) continue;
    const bytes: number[] = [];
    let end = start;
    for (; end < codePoints.length; end += 1) {
      const byte = byteOf(codePoints[end]?.codePointAt(0) ?? 0);
      if (byte < 0) break;
      bytes.push(byte);
    }
    const length = bytes[5] ?? -1;
    if (magic.every((value, index) => bytes[index] === value) && bytes[4] === version && length > 0 && bytes.length >= 6 + length) {
      const id = Buffer.from(bytes.slice(6, 6 + length)).toString('ascii');
      const stripped = codePoints.slice(0, start).join('') + codePoints.slice(start + 6 + length).join('');
      return { id, text: stripped };
    }
    start = end;
  }
  return undefined;
}

/**
 * What verification needs from each stored line, taken out in one pass over a segment's bytes:
 * the leaf hash, the index the line states and the previous-leaf hash it links to. Packed into
 * typed arrays, so a segment's facts can be computed in a worker thread and handed back without
 * copying, and checked without keeping the lines.
 */
import { hash } from 'node:crypto';
import { hashSize } from './merkle.js';

export interface SegmentFacts {
  readonly count: number;
  /** `count` leaf hashes, 32 bytes each. */
  readonly hashes: Uint8Array;
  /** The index each line states; -1 where the line does not start with one. */
  readonly statedIndex: Float64Array;
  /** The previous-leaf hash each line links to, 32 bytes each. */
  readonly statedPrev: Uint8Array;
  /** 1 where the line's link was readable. */
  readonly prevReadable: Uint8Array;
  /** The segment ends in a partial line. */
  readonly tornTail: boolean;
  /** Removed by retention: only the hashes are known, nothing can be checked about the lines. */
  readonly pruned: boolean;
}

/** The facts of a pruned segment: its kept leaf hashes (32 bytes each, back to back). */
export function prunedFacts(hashes: Uint8Array): SegmentFacts {
  const count = Math.floor(hashes.length / hashSize);
  return {
    count,
    hashes: hashes.slice(0, count * hashSize),
    statedIndex: new Float64Array(count),
    statedPrev: new Uint8Array(count * hashSize),
    prevReadable: new Uint8Array(count),
    tornTail: hashes.length % hashSize !== 0,
    pruned: true,
  };
}

const prefix = [0x7b, 0x22, 0x69, 0x22, 0x3a]; // {"i":
const prevMarker = Buffer.from(',"prev":"');

/** Value of an ASCII lowercase hex digit, or -1. */
function nibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** Decodes 64 lowercase hex digits at `from` into `target` at `at`; false (target untouched beyond) if any is not one. */
function readHash(text: Uint8Array, from: number, target: Uint8Array, at: number): boolean {
  for (let byte = 0; byte < hashSize; byte += 1) {
    const high = nibble(text[from + 2 * byte] as number);
    const low = nibble(text[from + 2 * byte + 1] as number);
    if (high < 0 || low < 0) return false;
    target[at + byte] = (high << 4) | low;
  }
  return true;
}

/** The facts of a whole segment's bytes (copied once, so the caller's buffer is left as it was). */
export function segmentFacts(data: Uint8Array): SegmentFacts {
  const lines = new Uint8Array(data.length + 1);
  lines[0] = 0x0a;
  lines.set(data, 1);
  return factsOfLines(lines, 1);
}

/**
 * The facts of the lines in `lines` from `first` on, where every line is preceded by one byte (its
 * predecessor's newline, or a placeholder before a segment's first line). That byte is overwritten
 * with 0x00 so that each leaf hash, SHA-256(0x00 || line), is one call over bytes already in place:
 * no copy per line. `lines` is the caller's to give up. A last line without a newline is a torn tail.
 */
export function factsOfLines(lines: Uint8Array, first: number): SegmentFacts {
  const bytes = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
  let count = 0;
  for (let at = bytes.indexOf(0x0a, first); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  const hashes = new Uint8Array(count * hashSize);
  const statedIndex = new Float64Array(count);
  const statedPrev = new Uint8Array(count * hashSize);
  const prevReadable = new Uint8Array(count);
  let start = first;
  for (let line = 0; line < count; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    bytes[start - 1] = 0x00;
    hashes.set(hash('sha256', bytes.subarray(start - 1, end), 'buffer'), line * hashSize);
    const text = bytes.subarray(start, end);
    statedIndex[line] = indexOf(text);
    const marker = text.indexOf(prevMarker);
    if (marker >= 0 && marker <= 40 && text.length >= marker + prevMarker.length + 64) {
      if (readHash(text, marker + prevMarker.length, statedPrev, line * hashSize)) prevReadable[line] = 1;
      else statedPrev.fill(0, line * hashSize, (line + 1) * hashSize);
    }
    start = end + 1;
  }
  return { count, hashes, statedIndex, statedPrev, prevReadable, tornTail: start < bytes.length, pruned: false };
}

/** The facts of no lines: a piece of a segment in which no line starts. */
export function emptyFacts(): SegmentFacts {
  return { count: 0, hashes: new Uint8Array(0), statedIndex: new Float64Array(0), statedPrev: new Uint8Array(0), prevReadable: new Uint8Array(0), tornTail: false, pruned: false };
}

function indexOf(text: Uint8Array): number {
  for (let at = 0; at < prefix.length; at += 1) if (text[at] !== prefix[at]) return -1;
  let value = 0;
  let at = prefix.length;
  for (; at < text.length && at < prefix.length + 16; at += 1) {
    const code = text[at] as number;
    if (code < 0x30 || code > 0x39) break;
    value = value * 10 + (code - 0x30);
  }
  return at === prefix.length || text[at] !== 0x2c ? -1 : value;
}

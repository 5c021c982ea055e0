/**
 * What verification needs from each stored line, taken out in one pass over a segment's bytes:
 * the leaf hash, the index the line states and the previous-leaf hash it links to. Packed into
 * typed arrays, so a segment's facts can be computed in a worker thread and handed back without
 * copying, and checked without keeping the lines.
 */
import { leafHash, hashSize } from './merkle.js';

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

export function segmentFacts(data: Uint8Array): SegmentFacts {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  const hashes = new Uint8Array(count * hashSize);
  const statedIndex = new Float64Array(count);
  const statedPrev = new Uint8Array(count * hashSize);
  const prevReadable = new Uint8Array(count);
  let start = 0;
  for (let line = 0; line < count; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    const text = bytes.subarray(start, end);
    hashes.set(leafHash(text), line * hashSize);
    statedIndex[line] = indexOf(text);
    const marker = text.indexOf(prevMarker);
    if (marker >= 0 && marker <= 40 && text.length >= marker + prevMarker.length + 64) {
      const hex = text.toString('latin1', marker + prevMarker.length, marker + prevMarker.length + 64);
      if (/^[0-9a-f]{64}$/.test(hex)) {
        statedPrev.set(Buffer.from(hex, 'hex'), line * hashSize);
        prevReadable[line] = 1;
      }
    }
    start = end + 1;
  }
  return { count, hashes, statedIndex, statedPrev, prevReadable, tornTail: start < bytes.length, pruned: false };
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

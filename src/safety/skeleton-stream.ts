/**
 * The skeleton (skeleton.ts) of a text that arrives in pieces, built as it arrives: each character
 * is folded once, instead of the tail of a streamed answer being folded again at every check.
 *
 * Three steps of the skeleton depend on what comes next: a space is kept or dropped by the unit
 * after it (none beside Hangul, Thai or CJK, none at the end); jamo compose with up to three units
 * after a leading consonant; a one-letter word joins a spelled-out run by the words around it. So
 * each step holds back the few units it cannot decide yet, and gives them out when later text
 * decides them. `end` decides them as if the text ended now — on a copy, so the stream goes on.
 * The units given out, then those `end` gives, are exactly `skeletonOf` of the text so far, whatever
 * the pieces (test/safety-stream.test.ts checks this on random texts cut at random places).
 */
import { foldedLongOf, foldedUnitOf, foldsLong, isLead, isSpacelessScript, isVowel, syllableOf, trailOf } from './skeleton.js';

/** Takes skeleton units as they are decided. */
export interface UnitSink {
  /**
   * One unit: its code, the offset in the whole text of the character it came from, and whether it
   * is a letter of a word spelled out one by one (Skeleton.joinedLetters).
   */
  unit(code: number, origin: number, joined: boolean): void;
}

/** Units collected in arrays (those `end` gives, say). */
export class UnitBuffer implements UnitSink {
  codes = new Uint16Array(16);
  origins = new Int32Array(16);
  joined = new Uint8Array(16);
  length = 0;

  unit(code: number, origin: number, joined: boolean): void {
    if (this.length === this.codes.length) this.#grow();
    this.codes[this.length] = code;
    this.origins[this.length] = origin;
    this.joined[this.length] = joined ? 1 : 0;
    this.length += 1;
  }

  #grow(): void {
    const codes = new Uint16Array(this.codes.length * 2);
    codes.set(this.codes);
    const origins = new Int32Array(this.origins.length * 2);
    origins.set(this.origins);
    const joined = new Uint8Array(this.joined.length * 2);
    joined.set(this.joined);
    this.codes = codes;
    this.origins = origins;
    this.joined = joined;
  }
}

const space = 0x20;

export class SkeletonStream {
  readonly #sink: UnitSink;
  /** Offset in the whole text of the next character written. */
  #offset = 0;
  /** A high surrogate that ended the last piece (the next may start with its low half), or -1. */
  #high = -1;

  // Separators: the last unit kept (-1 before the first) and the origin of a space waiting for the unit after it (-1: none).
  #last = -1;
  #space = -1;

  // Jamo: units (code, origin pairs) held while the syllable they start may still take more; four at most.
  readonly #held = new Int32Array(8);
  #heldCount = 0;

  // Spelled-out letters. The word being written: 0 units yet, 1 (which may be a spelled letter, held), 2 or more.
  #word = 0;
  #wordCode = 0;
  #wordOrigin = 0;
  /** One-letter words in the current run. Up to two are held (code, origin, then the space's origin, code, origin); from three on they go out joined. */
  #run = 0;
  readonly #runUnits = new Int32Array(5);
  /** The origin of the space after the run's last letter, dropped if another one-letter word follows (-1: none). */
  #runSpace = -1;

  constructor(sink: UnitSink) {
    this.#sink = sink;
  }

  /** Adds the next piece of text. */
  write(text: string): void {
    const length = text.length;
    if (length === 0) return;
    const base = this.#offset;
    let at = 0;
    if (this.#high >= 0) {
      const high = this.#high;
      this.#high = -1;
      const next = text.charCodeAt(0);
      if (next >= 0xdc00 && next <= 0xdfff) {
        this.#long(String.fromCharCode(high, next), base - 1);
        at = 1;
      } else this.#fold(high, base - 1);
    }
    for (; at < length; at += 1) {
      const code = text.charCodeAt(at);
      if (code >= 0xd800 && code <= 0xdbff) {
        // One astral character in two units, maybe split between pieces: the low half decides.
        if (at + 1 === length) {
          this.#high = code;
          break;
        }
        const next = text.charCodeAt(at + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          this.#long(text.slice(at, at + 2), base + at);
          at += 1;
          continue;
        }
      }
      this.#fold(code, base + at);
    }
    this.#offset = base + length;
  }

  /** Gives out every unit still held, as if the text ended here. Meant for a copy (`copyFrom`): nothing can follow. */
  end(): void {
    if (this.#high >= 0) {
      this.#fold(this.#high, this.#offset - 1);
      this.#high = -1;
    }
    // A space at the end goes.
    this.#space = -1;
    this.#drainJamo(true);
    if (this.#word === 1) this.#addLetter();
    this.#closeRun();
  }

  /** Whether `end` would give no unit: nothing is held but maybe a space, which the end drops. The usual case at a check. */
  get settled(): boolean {
    return this.#high < 0 && this.#heldCount === 0 && this.#word !== 1 && this.#run === 0 && this.#runSpace < 0;
  }

  /** Takes on the state of `other` (whose sink stays its own). */
  copyFrom(other: SkeletonStream): void {
    this.#offset = other.#offset;
    this.#high = other.#high;
    this.#last = other.#last;
    this.#space = other.#space;
    // Element by element: a few numbers, for which TypedArray.set costs more than the copy.
    const held = other.#held;
    for (let index = 0; index < other.#heldCount * 2; index += 1) this.#held[index] = held[index] as number;
    this.#heldCount = other.#heldCount;
    this.#word = other.#word;
    this.#wordCode = other.#wordCode;
    this.#wordOrigin = other.#wordOrigin;
    this.#run = other.#run;
    const run = other.#runUnits;
    for (let index = 0; index < run.length; index += 1) this.#runUnits[index] = run[index] as number;
    this.#runSpace = other.#runSpace;
  }

  #fold(code: number, origin: number): void {
    // Hangul syllables stay as they are (most of a Korean answer): no table to read.
    const value = code >= 0xac00 && code <= 0xd7a3 ? code : foldedUnitOf(code);
    if (value >= 0) this.#separate(value, origin);
    else if (value === foldsLong) this.#long(String.fromCharCode(code), origin);
  }

  #long(char: string, origin: number): void {
    const folded = foldedLongOf(char);
    for (let index = 0; index < folded.length; index += 1) this.#separate(folded.charCodeAt(index), origin);
  }

  /** One space for each run of separators, none beside space-less scripts or at the ends. */
  #separate(code: number, origin: number): void {
    if (code === space) {
      const last = this.#last;
      if (last < 0 || last === space || isSpacelessScript(last)) return;
      this.#space = origin;
      this.#last = space;
      return;
    }
    if (this.#space >= 0) {
      if (!isSpacelessScript(code)) this.#compose(space, this.#space);
      this.#space = -1;
    }
    this.#last = code;
    this.#compose(code, origin);
  }

  #compose(code: number, origin: number): void {
    if (this.#heldCount === 0 && !isLead(code)) {
      this.#join(code, origin);
      return;
    }
    const held = this.#held;
    held[this.#heldCount * 2] = code;
    held[this.#heldCount * 2 + 1] = origin;
    this.#heldCount += 1;
    this.#drainJamo(false);
  }

  /** Composes held jamo as far as what follows them is known (all of it at the end), as composeJamo does. */
  #drainJamo(atEnd: boolean): void {
    const held = this.#held;
    const count = this.#heldCount;
    let read = 0;
    while (read < count) {
      const lead = held[read * 2] as number;
      const origin = held[read * 2 + 1] as number;
      // Up to three units after a leading consonant decide its syllable: wait for them, unless at the end.
      const known = count - read - 1;
      if (isLead(lead) && !atEnd && known < 3) {
        const vowel = held[read * 2 + 2] as number;
        if (known === 0 || (isVowel(vowel) && (known === 1 || isLead(held[read * 2 + 4] as number)))) break;
      }
      const vowel = known >= 1 ? (held[read * 2 + 2] as number) : -1;
      if (!isLead(lead) || !isVowel(vowel)) {
        this.#join(lead, origin);
        read += 1;
        continue;
      }
      const trail = trailOf(known >= 2 ? (held[read * 2 + 4] as number) : -1, known >= 3 ? (held[read * 2 + 6] as number) : -1);
      read += trail === undefined ? 2 : 3;
      this.#join(syllableOf(lead, vowel, trail), origin);
    }
    if (read === 0) return;
    held.copyWithin(0, read * 2, count * 2);
    this.#heldCount = count - read;
  }

  /** Joins words spelled out one letter at a time, as joinSpelledLetters does, and gives units out. */
  #join(code: number, origin: number): void {
    if (code === space) {
      if (this.#word === 1) {
        this.#addLetter();
        this.#runSpace = origin;
      } else this.#sink.unit(space, origin, false);
      this.#word = 0;
      return;
    }
    if (this.#word === 0) {
      this.#word = 1;
      this.#wordCode = code;
      this.#wordOrigin = origin;
      return;
    }
    if (this.#word === 1) {
      // Two letters: not spelled out. Whatever the run held goes out as it was written.
      this.#closeRun();
      this.#sink.unit(this.#wordCode, this.#wordOrigin, false);
      this.#word = 2;
    }
    this.#sink.unit(code, origin, false);
  }

  /** The held one-letter word ended (a space or the end followed): it joins the run. */
  #addLetter(): void {
    const code = this.#wordCode;
    const origin = this.#wordOrigin;
    const run = this.#run;
    const units = this.#runUnits;
    const sink = this.#sink;
    if (run >= 2) {
      // Three or more: the letters go out joined, the spaces between them dropped.
      if (run === 2) {
        sink.unit(units[0] as number, units[1] as number, true);
        sink.unit(units[3] as number, units[4] as number, true);
      }
      sink.unit(code, origin, true);
    } else if (run === 1) {
      units[2] = this.#runSpace;
      units[3] = code;
      units[4] = origin;
    } else {
      units[0] = code;
      units[1] = origin;
    }
    this.#run = run + 1;
    this.#runSpace = -1;
  }

  /** The run of one-letter words ended: fewer than three go out as written, then the space after them. */
  #closeRun(): void {
    const run = this.#run;
    const units = this.#runUnits;
    const sink = this.#sink;
    if (run >= 1 && run <= 2) sink.unit(units[0] as number, units[1] as number, false);
    if (run === 2) {
      sink.unit(space, units[2] as number, false);
      sink.unit(units[3] as number, units[4] as number, false);
    }
    this.#run = 0;
    if (this.#runSpace >= 0) {
      sink.unit(space, this.#runSpace, false);
      this.#runSpace = -1;
    }
  }
}

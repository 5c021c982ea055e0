/**
 * Scanning a text that arrives in pieces (a large file, stdin) without holding all of it. Each
 * window is a little already-settled context, the text not yet settled, and the new piece; it is
 * scanned whole, and only the part that the next piece can no longer change is settled: everything
 * up to `overlap` code units before the window's end, moved back so that no entity straddles the
 * cut. The rest is carried into the next window. Entities therefore come out once each, in order,
 * with offsets into the whole input, and the settled text can be transformed piece by piece.
 */
import type { Entity } from './entity-types.js';
import { scan } from './scanner.js';

export interface ChunkedScannerOptions {
  /** Code units held back at a window's end; must exceed the longest entity. Default 512. */
  readonly overlap?: number;
  /** Settled code units kept before the unsettled text, so context words ("주민번호") still count. Default 512. */
  readonly context?: number;
}

/** One settled stretch of the input. */
export interface SettledPart {
  /** The settled text, exactly as it was in the input. */
  readonly text: string;
  /** Offset of `text` in the whole input. */
  readonly offset: number;
  /** Entities inside `text`, with offsets into the whole input. */
  readonly entities: readonly Entity[];
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

export class ChunkedScanner {
  readonly #overlap: number;
  readonly #contextLength: number;
  #context = '';
  #pending = '';
  /** Offset of `#pending` in the whole input. */
  #offset = 0;

  constructor(options: ChunkedScannerOptions = {}) {
    this.#overlap = Math.max(1, Math.floor(options.overlap ?? 512));
    this.#contextLength = Math.max(0, Math.floor(options.context ?? 512));
  }

  /** Adds the next piece; returns what is now settled (possibly nothing). */
  push(piece: string): SettledPart {
    this.#pending += piece;
    // Rescanning a window costs its length, so wait until a useful amount can settle.
    if (this.#pending.length <= 2 * this.#overlap) return { text: '', offset: this.#offset, entities: [] };
    return this.#settle(false);
  }

  /** The input ended: settles the rest. */
  end(): SettledPart {
    return this.#settle(true);
  }

  #settle(final: boolean): SettledPart {
    const window = this.#context + this.#pending;
    const base = this.#context.length;
    // Entities starting in the context were settled with an earlier window.
    const found = scan(window).filter((entity) => entity.start >= base);
    const cut = final ? window.length : safeCut(window, window.length - this.#overlap, found);
    if (cut <= base) return { text: '', offset: this.#offset, entities: [] };

    const offset = this.#offset;
    const shift = offset - base;
    const entities = found.filter((entity) => entity.end <= cut).map((entity) => ({ ...entity, start: entity.start + shift, end: entity.end + shift }));
    const text = window.slice(base, cut);

    let contextStart = Math.max(0, cut - this.#contextLength);
    if (contextStart > 0 && isLowSurrogate(window.charCodeAt(contextStart))) contextStart += 1;
    this.#context = window.slice(contextStart, cut);
    this.#pending = window.slice(cut);
    this.#offset += cut - base;
    return { text, offset, entities };
  }
}

/** `cut`, moved back until no entity straddles it and it does not split a surrogate pair. */
function safeCut(window: string, cut: number, entities: readonly Entity[]): number {
  let position = Math.max(0, cut);
  for (let moved = true; moved && position > 0; ) {
    moved = false;
    if (isHighSurrogate(window.charCodeAt(position - 1))) {
      position -= 1;
      moved = true;
    }
    for (const entity of entities) {
      if (entity.start < position && entity.end > position) {
        position = entity.start;
        moved = true;
      }
    }
  }
  return position;
}

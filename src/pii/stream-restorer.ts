/**
 * Restoring originals in the model's answer: `restore` for a whole text, `StreamRestorer` for an
 * answer arriving in chunks, where a surrogate may be split anywhere (even inside a UTF-16 pair).
 * Both replace the longest live surrogate at each position, left to right, so a streamed answer
 * restores to exactly what `restore` gives on the joined text.
 */
import type { PseudonymScope } from './surrogates.js';

/**
 * Restores `text` from its start and stops where the rest might still grow into a surrogate
 * (never when `final`). `held` is that undecided rest, shorter than the longest surrogate.
 */
function restoreUntilUndecided(scope: PseudonymScope, text: string, final: boolean): { readonly done: string; readonly held: string } {
  let done = '';
  let plainFrom = 0;
  let index = 0;
  while (index < text.length) {
    const match = scope.matchAt(text, index, final);
    if (match.kind === 'partial') return { done: done + text.slice(plainFrom, index), held: text.slice(index) };
    if (match.kind === 'match') {
      done += text.slice(plainFrom, index) + match.original;
      index += match.length;
      plainFrom = index;
    } else {
      index += 1;
    }
  }
  return { done: done + text.slice(plainFrom), held: '' };
}

/** `text` with every live surrogate of `scope` replaced by its original. */
export function restore(text: string, scope: PseudonymScope): string {
  scope.purge();
  return restoreUntilUndecided(scope, text, true).done;
}

export class StreamRestorer {
  readonly #scope: PseudonymScope;
  #held = '';

  constructor(scope: PseudonymScope) {
    this.#scope = scope;
  }

  /** What of the answer so far can be emitted now: everything but a suffix that may be the start of a surrogate. */
  push(chunk: string): string {
    this.#scope.purge();
    const { done, held } = restoreUntilUndecided(this.#scope, this.#held + chunk, false);
    this.#held = held;
    return done;
  }

  /** The answer is over: whatever was held back, restored as far as it goes. */
  end(): string {
    const held = this.#held;
    this.#held = '';
    return restore(held, this.#scope);
  }
}

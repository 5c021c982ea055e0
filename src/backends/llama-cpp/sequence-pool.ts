/**
 * A fixed set of context sequences handed out first come, first served. A llama.cpp context has a
 * bounded number of sequences (each holds its own KV cache), so calls beyond that wait here in FIFO
 * order; a waiter whose signal fires leaves the queue at once without taking a sequence.
 */

interface Waiter<T> {
  readonly resolve: (item: T) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

export class SequencePool<T> {
  private readonly idle: T[];
  private readonly waiters: Waiter<T>[] = [];
  private closedReason: unknown = undefined;

  /**
   * @param items the sequences, all idle at first.
   * @param reset called on every returned item before anyone else gets it (clears its state so no
   *   request ever sees another's tokens); an item whose reset fails is dropped from the pool.
   */
  constructor(
    items: readonly T[],
    private readonly reset: (item: T) => Promise<void>,
  ) {
    this.idle = [...items];
  }

  get size(): { readonly idle: number; readonly waiting: number } {
    return { idle: this.idle.length, waiting: this.waiters.length };
  }

  acquire(signal: AbortSignal): Promise<T> {
    if (this.closedReason !== undefined) return Promise.reject(this.closedReason);
    if (signal.aborted) return Promise.reject(signal.reason);
    const item = this.idle.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Clears the item, then gives it to the oldest waiter (or back to the idle list). */
  async release(item: T): Promise<void> {
    try {
      await this.reset(item);
    } catch {
      return; // A sequence that cannot be cleared is never reused.
    }
    if (this.closedReason !== undefined) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.idle.push(item);
      return;
    }
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(item);
  }

  /** Refuses every waiter and future acquire with `reason`. */
  close(reason: unknown): void {
    this.closedReason = reason;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(reason);
    }
    this.idle.length = 0;
  }
}

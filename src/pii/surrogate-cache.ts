/**
 * Format-preserving surrogates already drawn, shared by the scopes of one secret. A surrogate is
 * a pure function of (secret, type, original) as long as it collides with nothing in its scope, so
 * a value seen again (a conversation re-sends its history every turn) need not be drawn again:
 * drawing a valid RRN takes tens of validations. Bounded, least recently used out first; it holds
 * originals in memory no longer than the scopes that asked for them would anyway, at most `limit`.
 */
export class SurrogateCache {
  readonly #entries = new Map<string, string>();

  constructor(readonly limit = 4096) {}

  get(type: string, original: string): string | undefined {
    const key = `${type}\u0000${original}`;
    const surrogate = this.#entries.get(key);
    if (surrogate !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, surrogate);
    }
    return surrogate;
  }

  set(type: string, original: string, surrogate: string): void {
    this.#entries.set(`${type}\u0000${original}`, surrogate);
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

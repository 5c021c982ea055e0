/**
 * Pseudonymisation scopes: the two-way map between originals and their surrogates for one request
 * or one tenant. The same original always gets the same surrogate within a scope, no two originals
 * share one, and entries unused for `ttlMs` are forgotten. The scope also answers the question the
 * restorers ask at each position of an answer: does a surrogate start here, or might one?
 */
import { randomBytes } from 'node:crypto';
import type { EntityType } from './entity-types.js';
import { replaceEntities, type EntityCounts, type SelectOptions } from './entity-selection.js';
import type { SurrogateCache } from './surrogate-cache.js';
import { emailSurrogate, formatPreservingSurrogate, ipSurrogate, keyedRandom, tokenSurrogate } from './format-preserving.js';

export interface PseudonymScopeOptions {
  /** Key for the surrogates' randomness; a tenant scope passes its own to get the same surrogates across restarts. Default: 32 random bytes. */
  readonly secret?: Uint8Array | string;
  /** Entries unused for this long are forgotten; default never (a request scope dies with the request). */
  readonly ttlMs?: number;
  /** Clock in milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /**
   * Format-preserving surrogates drawn by other scopes with the same secret, reused when free here.
   * Only share one between scopes whose `secret` is the same.
   */
  readonly cache?: SurrogateCache;
}

export interface PseudonymiseOptions extends SelectOptions {
  /** Surrogates that look and validate like the original (default), or opaque `⟨TYPE_n⟩` tokens. */
  readonly formatPreserving?: boolean;
}

interface Entry {
  readonly key: string;
  readonly original: string;
  readonly surrogate: string;
  expiresAt: number;
}

/** What starts at a position of an answer. `partial`: the rest of the text so far is the beginning of a surrogate. */
export type SurrogateMatch = { readonly kind: 'none' } | { readonly kind: 'partial' } | { readonly kind: 'match'; readonly length: number; readonly original: string };

const none: SurrogateMatch = { kind: 'none' };
const partial: SurrogateMatch = { kind: 'partial' };

export class PseudonymScope {
  readonly #secret: Uint8Array;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache: SurrogateCache | undefined;
  /** By mode and original, in order of last use, so expiry only looks at the front. */
  readonly #byKey = new Map<string, Entry>();
  readonly #bySurrogate = new Map<string, Entry>();
  readonly #originals = new Map<string, number>();
  /** Every proper prefix of a live surrogate, counted, so a restorer can tell in O(1) whether to keep reading. */
  readonly #prefixes = new Map<string, number>();
  /** First code units of live surrogates, counted: most positions of an answer are rejected on this alone. */
  readonly #firstUnits = new Map<number, number>();
  readonly #serials = new Map<string, number>();
  #longest = 0;

  constructor(options: PseudonymScopeOptions = {}) {
    const secret = options.secret ?? randomBytes(32);
    this.#secret = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    this.#ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
    this.#cache = options.cache;
  }

  /** Every selected entity replaced by its surrogate, created on first sight. */
  pseudonymise(text: string, options: PseudonymiseOptions = {}): { text: string; counts: EntityCounts } {
    this.purge();
    const formatPreserving = options.formatPreserving ?? true;
    return replaceEntities(text, options, (value, entity) => this.surrogateFor(entity.type, value, formatPreserving));
  }

  /** The surrogate of one value, reusing the live one when there is one. */
  surrogateFor(type: EntityType, original: string, formatPreserving = true): string {
    const key = `${formatPreserving ? 'f' : 't'}\u0000${original}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) {
      this.#touch(known);
      return known.surrogate;
    }
    const surrogate = (formatPreserving ? this.#formatPreserving(type, original) : undefined) ?? this.#token(type);
    this.#add({ key, original, surrogate, expiresAt: this.#now() + this.#ttlMs });
    return surrogate;
  }

  /** The original behind a live surrogate. */
  originalOf(surrogate: string): string | undefined {
    return this.#bySurrogate.get(surrogate)?.original;
  }

  /** Whether `value` is the original of a live surrogate (the scope has seen it in a request). */
  knowsOriginal(value: string): boolean {
    return this.#originals.has(value);
  }

  /** Length of the longest live surrogate: the most a stream restorer ever holds back. */
  get longestSurrogate(): number {
    return this.#longest;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /**
   * The longest surrogate starting at `index`. Unless `final`, running out of text while still
   * inside a possible surrogate answers `partial`, even if a shorter one already matched: the
   * longer one could still complete.
   */
  matchAt(text: string, index: number, final: boolean): SurrogateMatch {
    if (!this.#firstUnits.has(text.charCodeAt(index))) return none;
    let best: Entry | undefined;
    let length = 1;
    for (; index + length <= text.length; length += 1) {
      const piece = text.slice(index, index + length);
      best = this.#bySurrogate.get(piece) ?? best;
      if (!this.#prefixes.has(piece)) break;
    }
    if (!final && index + length > text.length && length > 1) return partial;
    if (best === undefined) return none;
    this.#touch(best);
    return { kind: 'match', length: best.surrogate.length, original: best.original };
  }

  /** Forget entries past their TTL. */
  purge(): void {
    const now = this.#now();
    for (const entry of this.#byKey.values()) {
      if (entry.expiresAt > now) break;
      this.#remove(entry);
    }
  }

  #touch(entry: Entry): void {
    if (this.#ttlMs === Number.POSITIVE_INFINITY) return;
    entry.expiresAt = this.#now() + this.#ttlMs;
    this.#byKey.delete(entry.key);
    this.#byKey.set(entry.key, entry);
  }

  #isFree(candidate: string): boolean {
    return !this.#bySurrogate.has(candidate) && !this.#originals.has(candidate);
  }

  #serial(name: string): number {
    const serial = (this.#serials.get(name) ?? 0) + 1;
    this.#serials.set(name, serial);
    return serial;
  }

  #formatPreserving(type: EntityType, original: string): string | undefined {
    if (type === 'EMAIL' || type === 'IP_ADDRESS') {
      // Serials never repeat; the loop only skips a value someone actually wrote as an original.
      for (;;) {
        const serial = this.#serial(type);
        const candidate = type === 'EMAIL' ? emailSurrogate(serial) : ipSurrogate(original, serial);
        if (candidate === undefined) return undefined;
        if (candidate !== original && this.#isFree(candidate)) return candidate;
      }
    }
    const cached = this.#cache?.get(type, original);
    if (cached !== undefined && this.#isFree(cached)) return cached;
    const random = keyedRandom(this.#secret, `${type}\u0000${original}`);
    const drawn = formatPreservingSurrogate(type, original, random, (candidate) => this.#isFree(candidate));
    if (drawn !== undefined) this.#cache?.set(type, original, drawn);
    return drawn;
  }

  #token(type: EntityType): string {
    for (;;) {
      const candidate = tokenSurrogate(type, this.#serial(`token ${type}`));
      if (this.#isFree(candidate)) return candidate;
    }
  }

  #add(entry: Entry): void {
    this.#byKey.set(entry.key, entry);
    this.#bySurrogate.set(entry.surrogate, entry);
    this.#originals.set(entry.original, (this.#originals.get(entry.original) ?? 0) + 1);
    for (let length = 1; length < entry.surrogate.length; length += 1) adjust(this.#prefixes, entry.surrogate.slice(0, length), 1);
    adjust(this.#firstUnits, entry.surrogate.charCodeAt(0), 1);
    this.#longest = Math.max(this.#longest, entry.surrogate.length);
  }

  #remove(entry: Entry): void {
    this.#byKey.delete(entry.key);
    this.#bySurrogate.delete(entry.surrogate);
    adjust(this.#originals, entry.original, -1);
    for (let length = 1; length < entry.surrogate.length; length += 1) adjust(this.#prefixes, entry.surrogate.slice(0, length), -1);
    adjust(this.#firstUnits, entry.surrogate.charCodeAt(0), -1);
    if (entry.surrogate.length < this.#longest) return;
    this.#longest = 0;
    for (const surrogate of this.#bySurrogate.keys()) this.#longest = Math.max(this.#longest, surrogate.length);
  }
}

function adjust<K>(counts: Map<K, number>, key: K, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/**
 * The outputs' sketches (shingles.ts) with an inverted index from hash to output, so that a text is
 * compared only with the outputs it shares a shingle with. Pure: the store persists the entries.
 */
import { similarity } from './shingles.js';

export interface DetectionEntry {
  readonly id: string;
  readonly tenant: string | null;
  readonly sketch: Uint32Array;
}

export interface DetectionMatch {
  readonly id: string;
  readonly tenant: string | null;
  /** Share of the text's fingerprint found in the output's: 1 for the same text. */
  readonly similarity: number;
}

/** Below this share of shared fingerprint, a text is not reported as one of ours (bench/provenance-detect.js). */
export const defaultThreshold = 0.3;

export class DetectionIndex {
  readonly #entries: DetectionEntry[] = [];
  readonly #postings = new Map<number, number[]>();

  get size(): number {
    return this.#entries.length;
  }

  add(entry: DetectionEntry): void {
    const ordinal = this.#entries.length;
    this.#entries.push(entry);
    for (const hash of entry.sketch) {
      const list = this.#postings.get(hash);
      if (list === undefined) this.#postings.set(hash, [ordinal]);
      else list.push(ordinal);
    }
  }

  /** Outputs the text matches, most similar first; only `tenant`'s when given. */
  find(sketch: Uint32Array, options: { readonly tenant?: string | undefined; readonly threshold?: number; readonly limit?: number } = {}): DetectionMatch[] {
    const hits = new Map<number, number>();
    for (const hash of sketch) for (const ordinal of this.#postings.get(hash) ?? []) hits.set(ordinal, (hits.get(ordinal) ?? 0) + 1);
    const threshold = options.threshold ?? defaultThreshold;
    const matches: DetectionMatch[] = [];
    for (const [ordinal, count] of hits) {
      // A candidate sharing too few hashes cannot reach the threshold: skip the exact comparison.
      if (count < threshold * Math.min(sketch.length, 8)) continue;
      const entry = this.#entries[ordinal] as DetectionEntry;
      if (options.tenant !== undefined && entry.tenant !== options.tenant) continue;
      const score = similarity(sketch, entry.sketch);
      if (score >= threshold) matches.push({ id: entry.id, tenant: entry.tenant, similarity: Math.round(score * 1000) / 1000 });
    }
    return matches.sort((a, b) => b.similarity - a.similarity).slice(0, options.limit ?? 10);
  }
}

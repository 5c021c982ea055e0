/**
 * Seeded randomness for the PII corpus: mulberry32, so the same seed gives the same corpus on every
 * machine and a benchmark's numbers can be compared run to run (Math.random cannot be seeded).
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** `count` random ASCII digits. */
  digits(count: number): string;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    chance: (probability) => next() < probability,
    digits(count) {
      let text = '';
      for (let index = 0; index < count; index += 1) text += String(int(0, 9));
      return text;
    },
  };
}

/** Zero-padded decimal, for building identifiers field by field. */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Scores people can trust: means with bootstrap confidence intervals, SEA-HELM's normalisation
 * against the random baseline, and paired comparison of two models on the same instances. Every
 * resampling uses a seeded generator, so a report is reproducible to the digit.
 */

/** mulberry32: small, fast, good enough for resampling; the same seed gives the same intervals. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[index] as number;
  return sum / values.length;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

/** Percentile bootstrap interval of the mean (`confidence` 0.95 → 2.5th and 97.5th percentiles). */
export function bootstrapInterval(values: ArrayLike<number>, options: { resamples?: number; confidence?: number; seed?: number } = {}): Interval {
  const count = values.length;
  if (count === 0) return { low: Number.NaN, high: Number.NaN };
  const resamples = options.resamples ?? 1000;
  const random = seededRandom(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let round = 0; round < resamples; round += 1) {
    let sum = 0;
    for (let draw = 0; draw < count; draw += 1) sum += values[Math.floor(random() * count)] as number;
    means[round] = sum / count;
  }
  means.sort();
  const tail = (1 - (options.confidence ?? 0.95)) / 2;
  return { low: quantile(means, tail), high: quantile(means, 1 - tail) };
}

/**
 * SEA-HELM's normalisation: how far above chance, as a share of the way from chance to perfect,
 * in 0–100 (below chance counts as 0). `random` is the chance score, e.g. 0.25 for four choices.
 */
export function normalizedScore(score: number, random: number): number {
  if (random >= 1) return Number.NaN;
  return Math.max(0, (score - random) / (1 - random)) * 100;
}

export interface PairedComparison {
  readonly instances: number;
  /** Mean of A minus mean of B. */
  readonly difference: number;
  readonly interval: Interval;
  /** Two-sided p-value of the paired bootstrap (share of resampled differences on the other side of 0, doubled). */
  readonly pValue: number;
  /** The interval excludes zero. */
  readonly significant: boolean;
}

/** Paired bootstrap over instances both runs scored: is A's difference from B more than chance? */
export function pairedComparison(a: ArrayLike<number>, b: ArrayLike<number>, options: { resamples?: number; confidence?: number; seed?: number } = {}): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`paired scores must be the same length (${a.length} and ${b.length})`);
  const differences = new Float64Array(a.length);
  for (let index = 0; index < a.length; index += 1) differences[index] = (a[index] as number) - (b[index] as number);
  const difference = mean(differences);
  const resamples = options.resamples ?? 1000;
  const random = seededRandom(options.seed ?? 1);
  const count = differences.length;
  let opposite = 0;
  const means = new Float64Array(resamples);
  for (let round = 0; round < resamples; round += 1) {
    let sum = 0;
    for (let draw = 0; draw < count; draw += 1) sum += differences[Math.floor(random() * count)] as number;
    const resampled = count === 0 ? 0 : sum / count;
    means[round] = resampled;
    if (difference > 0 ? resampled <= 0 : difference < 0 ? resampled >= 0 : true) opposite += 1;
  }
  means.sort();
  const tail = (1 - (options.confidence ?? 0.95)) / 2;
  const interval = { low: quantile(means, tail), high: quantile(means, 1 - tail) };
  const pValue = Math.min(1, (2 * opposite) / resamples);
  return { instances: count, difference, interval, pValue, significant: interval.low > 0 || interval.high < 0 };
}

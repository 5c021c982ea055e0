/**
 * Latency percentiles from a fixed log-scale histogram: 64 bins whose upper edges run from 0.1 ms
 * to 10 minutes, each edge about 28% above the one before. A percentile is reported as the upper
 * edge of the bin it falls in, so it is never below the true value and at most ~28% above it (the
 * first bin holds everything up to 0.1 ms; anything beyond 10 minutes is reported as 10 minutes).
 * Fixed bins let a bucket, a tenant or a whole window merge by adding counts, in constant memory.
 */
export const latencyBins = 64;

const lowestEdgeMs = 0.1;
const highestEdgeMs = 600_000;
const logRatio = Math.log(highestEdgeMs / lowestEdgeMs) / (latencyBins - 1);

/** Upper edge of every bin, in milliseconds. */
export const latencyEdgesMs: readonly number[] = Array.from({ length: latencyBins }, (_, bin) =>
  bin === latencyBins - 1 ? highestEdgeMs : lowestEdgeMs * Math.exp(logRatio * bin),
);

/** The bin a latency falls in: the first whose upper edge is at or above it. */
export function latencyBinOf(ms: number): number {
  if (!(ms > lowestEdgeMs)) return 0;
  if (ms >= highestEdgeMs) return latencyBins - 1;
  let bin = Math.ceil(Math.log(ms / lowestEdgeMs) / logRatio);
  // The logarithm can land a hair off at an exact edge: settle on the first edge >= ms.
  if (bin < latencyBins - 1 && ms > latencyEdgesMs[bin]!) bin++;
  if (bin > 0 && ms <= latencyEdgesMs[bin - 1]!) bin--;
  return Math.min(Math.max(bin, 0), latencyBins - 1);
}

/**
 * The `fraction` percentile (0.5, 0.95) of the histogram stored at `counts[offset…offset+64)`
 * holding `total` values: the upper edge of the bin where the cumulative count reaches the rank,
 * rounded to 0.01 ms; null when the histogram is empty.
 */
export function latencyPercentile(counts: Float64Array, offset: number, total: number, fraction: number): number | null {
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (let bin = 0; bin < latencyBins; bin++) {
    seen += counts[offset + bin]!;
    if (seen >= rank) return Math.round(latencyEdgesMs[bin]! * 100) / 100;
  }
  return highestEdgeMs;
}

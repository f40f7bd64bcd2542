/** Distribution of one latency row; every figure is in the row's unit. */
export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentile of an ascending array: the smallest sample with at
 * least p% of the samples at or below it. NaN for no samples.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Summarises samples (in any order; non-finite ones are dropped). */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/**
 * Differences `end - start` for every key present in both maps, in the order
 * of `keys`; keys missing from either side are counted, not guessed.
 */
export function pairedDeltas(
  keys: readonly string[],
  start: ReadonlyMap<string, number>,
  end: ReadonlyMap<string, number>,
): { values: number[]; missing: number } {
  const values: number[] = [];
  let missing = 0;
  for (const key of keys) {
    const a = start.get(key);
    const b = end.get(key);
    if (a === undefined || b === undefined) missing++;
    else values.push(b - a);
  }
  return { values, missing };
}

/** Small statistics helpers shared by the runner, the report and the comparison. */

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many samples the figure is made of. */
  readonly n: number;
}

/** The value at quantile `q` (0..1) of sorted `values`, interpolating between neighbours. */
export function quantileSorted(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const pos = (values.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return values[lo]! + (values[hi]! - values[lo]!) * (pos - lo);
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    q,
  );
}

/** Median and range of the finite values; NaN everywhere when there are none. */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return {
    median: quantileSorted(finite, 0.5),
    min: finite[0]!,
    max: finite[finite.length - 1]!,
    n: finite.length,
  };
}

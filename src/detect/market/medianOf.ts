const scratch = new Float64Array(256);

/** Median of the first `n` values (n ≤ 256), without allocating; 0 when n is 0. */
export function medianOf(values: Float64Array, n: number): number {
  if (n <= 0) return 0;
  if (n > scratch.length) throw new Error(`medianOf supports at most ${scratch.length} values, got ${n}; keep fewer days of history`);
  for (let i = 0; i < n; i++) scratch[i] = values[i];
  const view = scratch.subarray(0, n);
  view.sort();
  return n % 2 === 1 ? view[(n - 1) >> 1] : (view[n / 2 - 1] + view[n / 2]) / 2;
}

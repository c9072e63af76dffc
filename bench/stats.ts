/** Small statistics helpers for benchmarks: medians and percentiles over repeated runs. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}
export const median = (xs: readonly number[]): number => percentile(xs, 50)
export const round = (x: number, digits = 2): number => Number(x.toFixed(digits))

/**
 * Axis ticks a reader can count in: steps of 1, 2 or 5 times a power of ten. Pure, for
 * the SVG curves (curves.ts) in Node and the browser alike.
 */

/** The smallest step of 1, 2 or 5 x 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  // 1e-9: a raw step of exactly 2 x 10^k must stay 2, not round up to 5 through float error.
  return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * power;
}

/** Decimals that show every multiple of `step` exactly (0.5 → 1, 0.05 → 2, 2 → 0). */
const decimals = (step: number) => Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));

/**
 * A value axis for [lo, hi]: the finest nice step with at most `max` intervals, widened to
 * start and end on a tick so the curves sit inside the labelled range. Values are k x step
 * (no drift from adding).
 */
export function valueTicks(
  lo: number,
  hi: number,
  max = 7,
): { lo: number; hi: number; ticks: number[]; decimals: number } {
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const span = (step: number) => [Math.floor(lo / step + 1e-9), Math.ceil(hi / step - 1e-9)];
  let step = niceStep((hi - lo) / max);
  // Widening to whole steps can add an interval at each end: then the next nice step.
  while (span(step)[1] - span(step)[0] > max) step = niceStep(step * 1.5);
  const [first, last] = span(step);
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => (first + i) * step);
  return { lo: first * step, hi: last * step, ticks, decimals: decimals(step) };
}

/**
 * Whole-epoch ticks for [lo, hi]: at most `max`, on multiples of a nice step, with the
 * first epoch too when it is not crowded (runs start at epoch 1, not at 0).
 */
export function epochTicks(lo: number, hi: number, max = 10): number[] {
  const step = Math.max(1, niceStep((hi - lo) / max));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(t);
  const first = Math.ceil(lo - 1e-9);
  if (first <= hi && first !== ticks[0] && (ticks.length === 0 || ticks[0] - first >= step / 2)) ticks.unshift(first);
  return ticks;
}

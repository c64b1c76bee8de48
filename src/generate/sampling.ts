/**
 * Sampling: choosing the next character from logits, in plain JS (the vocabulary is small):
 * argmax, or sampling at a temperature restricted by top-k and top-p (nucleus), as
 * other text generators do.
 */
import type { Rng } from '../random.js';

export type ChooseOptions = {
  /** 0 means argmax. */
  temperature: number;
  topK?: number;
  topP?: number;
};

export function argmax(logits: ArrayLike<number>, from = 0, n = logits.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[from + i] > logits[from + best]) best = i;
  return best;
}

/** Probabilities after temperature, top-k and top-p (renormalised); zeros outside the kept set. */
export function distribution(
  logits: ArrayLike<number>,
  options: ChooseOptions,
  from = 0,
  n = logits.length - from,
): Float64Array {
  const p = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[from + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    p[i] = Math.exp((logits[from + i] - max) / options.temperature);
    sum += p[i];
  }
  for (let i = 0; i < n; i++) p[i] /= sum;
  const k = options.topK && options.topK < n ? options.topK : n;
  const topP = options.topP !== undefined && options.topP < 1 ? options.topP : 1;
  if (k < n || topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    let kept = 0;
    let mass = 0;
    const keep = new Uint8Array(n);
    // The smallest set of most likely characters whose mass reaches topP, at most k of them.
    for (const i of order) {
      if (kept >= k || (kept > 0 && mass >= topP)) break;
      keep[i] = 1;
      kept++;
      mass += p[i];
    }
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) p[i] = 0;
      s += p[i];
    }
    for (let i = 0; i < n; i++) p[i] /= s;
  }
  return p;
}

/** Picks an index: argmax at temperature 0, else a draw from `distribution`. */
export function choose(
  logits: ArrayLike<number>,
  options: ChooseOptions,
  random: Rng,
  from = 0,
  n = logits.length - from,
): number {
  if (options.temperature === 0 || options.topK === 1) return argmax(logits, from, n);
  const p = distribution(logits, options, from, n);
  let r = random();
  for (let i = 0; i < n; i++) {
    r -= p[i];
    if (r < 0) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (p[i] > 0) return i;
  return n - 1;
}

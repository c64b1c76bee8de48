/** Choosing the next character: argmax, temperature, top-k, top-p, seeded draws. Pure JS. */
import { describe, expect, it } from 'vitest';
import { argmax, choose, distribution, type ChooseOptions } from '../../../src/generate/sampling.js';
import { rng } from '../../../src/random.js';

/** Logits whose softmax (at temperature 1) is exactly `p` up to rounding. */
const logitsOf = (p: number[]) => p.map(Math.log);
const probs = [0.05, 0.5, 0.15, 0.3]; // sorted order: 1, 3, 2, 0
const logits = logitsOf(probs);

const draws = (opts: ChooseOptions, seed: number, n: number, l: ArrayLike<number> = logits) => {
  const random = rng(seed, 'test-choose');
  return Array.from({ length: n }, () => choose(l, opts, random));
};

describe('argmax', () => {
  it.each([
    { logits: [0.1, 2, -1], from: 0, n: 3, expected: 1 },
    { logits: [5, 1, 1], from: 0, n: 3, expected: 0 },
    { logits: [-3, -2, -1], from: 0, n: 3, expected: 2 },
    { logits: [1, 3, 3, 2], from: 0, n: 4, expected: 1 }, // ties go to the first
    { logits: [9, 9, 0, 1, 0.5], from: 2, n: 3, expected: 1 }, // a row inside a larger array
    { logits: [0, 1, 7, 2], from: 2, n: 2, expected: 0 },
  ])('$logits from $from n $n -> $expected', ({ logits, from, n, expected }) => {
    expect(argmax(logits, from, n)).toBe(expected);
    expect(argmax(Float32Array.from(logits), from, n)).toBe(expected);
  });
});

describe('choose: cases that must equal argmax whatever the random draw', () => {
  const randoms = [() => 0, () => 0.999999, rng(1), rng(2)];
  it.each([
    { name: 'temperature 0 (argmax)', opts: { temperature: 0 } },
    { name: 'temperature 1e-4', opts: { temperature: 1e-4 } },
    { name: 'top-k 1 at temperature 1', opts: { temperature: 1, topK: 1 } },
    { name: 'top-k 1 at temperature 5', opts: { temperature: 5, topK: 1 } },
    { name: 'top-p tiny', opts: { temperature: 1, topP: 0.01 } },
  ])('$name', ({ opts }) => {
    for (const random of randoms) for (let k = 0; k < 50; k++) expect(choose(logits, opts, random)).toBe(1);
    // Also within a row of a larger [S, V] array.
    const rows = [...logitsOf([0.7, 0.1, 0.1, 0.1]), ...logits];
    for (const random of randoms) {
      expect(choose(rows, opts, random, 0, 4)).toBe(0);
      expect(choose(rows, opts, random, 4, 4)).toBe(1);
    }
  });
});

describe('distribution', () => {
  const close = (a: ArrayLike<number>, b: number[]) => b.forEach((x, i) => expect(a[i]).toBeCloseTo(x, 9));

  it('at temperature 1 is the softmax of the logits', () => {
    close(distribution(logits, { temperature: 1 }), probs);
  });

  it('at temperature 1e-4 is one-hot on the argmax', () => {
    close(distribution(logits, { temperature: 1e-4 }), [0, 1, 0, 0]);
  });

  it('at a high temperature tends to uniform, and stays finite for large logits', () => {
    const p = distribution(logits, { temperature: 1e6 });
    for (const x of p) expect(x).toBeCloseTo(0.25, 5);
    const big = distribution([1000, 999, -1000], { temperature: 1 });
    close(big, [1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1)), 0]);
  });

  it('at temperature 0.5 squares the probabilities (renormalised)', () => {
    const sq = probs.map((p) => p * p);
    const s = sq.reduce((a, b) => a + b);
    close(
      distribution(logits, { temperature: 0.5 }),
      sq.map((x) => x / s),
    );
  });

  // Sorted probabilities 0.5 (index 1), 0.3 (3), 0.15 (2), 0.05 (0); thresholds avoid exact sums.
  it.each([
    { opts: { temperature: 1, topP: 0.1 }, kept: [1] },
    { opts: { temperature: 1, topP: 0.49 }, kept: [1] },
    { opts: { temperature: 1, topP: 0.51 }, kept: [1, 3] },
    { opts: { temperature: 1, topP: 0.79 }, kept: [1, 3] },
    { opts: { temperature: 1, topP: 0.81 }, kept: [1, 3, 2] },
    { opts: { temperature: 1, topP: 0.96 }, kept: [1, 3, 2, 0] },
    { opts: { temperature: 1, topP: 1 }, kept: [1, 3, 2, 0] },
    { opts: { temperature: 1, topK: 1 }, kept: [1] },
    { opts: { temperature: 1, topK: 2 }, kept: [1, 3] },
    { opts: { temperature: 1, topK: 3 }, kept: [1, 3, 2] },
    { opts: { temperature: 1, topK: 4 }, kept: [1, 3, 2, 0] },
    { opts: { temperature: 1, topK: 40 }, kept: [1, 3, 2, 0] },
    { opts: { temperature: 1, topK: 2, topP: 0.96 }, kept: [1, 3] }, // top-k caps top-p
    { opts: { temperature: 1, topK: 3, topP: 0.51 }, kept: [1, 3] }, // top-p caps top-k
  ])('$opts keeps exactly indices $kept, renormalised, zeros elsewhere', ({ opts, kept }) => {
    const p = distribution(logits, opts);
    const mass = kept.reduce((s, i) => s + probs[i], 0);
    for (let i = 0; i < probs.length; i++) {
      if (kept.includes(i)) expect(p[i]).toBeCloseTo(probs[i] / mass, 9);
      else expect(p[i]).toBe(0);
    }
    // And sampling never picks a zeroed index.
    const picked = new Set(draws(opts, 3, 400));
    for (const i of picked) expect(kept).toContain(i);
    if (kept.length > 1) expect(picked.size).toBeGreaterThan(1);
  });

  it('top-p is applied after temperature (the kept set is the smallest reaching P of the tempered distribution)', () => {
    // At temperature 0.5: 0.25, 0.09, 0.0225, 0.0025 over 0.365 -> 0.685, 0.247, 0.062, 0.007.
    const p = distribution(logits, { temperature: 0.5, topP: 0.9 });
    expect(p[1] > 0 && p[3] > 0).toBe(true);
    expect(p[2]).toBe(0);
    expect(p[0]).toBe(0);
  });
});

describe('choose: seeded draws', () => {
  const opts = { temperature: 1 };

  it('repeat with the same seed', () => {
    expect(draws(opts, 42, 300)).toEqual(draws(opts, 42, 300));
  });

  it('differ with a different seed', () => {
    expect(draws(opts, 42, 300)).not.toEqual(draws(opts, 43, 300));
  });

  it('follow the distribution (20,000 draws within 2% of each probability)', () => {
    const n = 20_000;
    const counts = [0, 0, 0, 0];
    for (const i of draws(opts, 7, n)) counts[i]++;
    probs.forEach((p, i) => expect(Math.abs(counts[i] / n - p)).toBeLessThan(0.02));
  });

  it('use only the row [from, from + n) of a larger array', () => {
    const rows = [...logitsOf([0.25, 0.25, 0.25, 0.25]), ...logitsOf([0, 0, 1, 0].map((x) => x + 1e-30))];
    const random = rng(5);
    for (let k = 0; k < 200; k++) expect(choose(rows, opts, random, 4, 4)).toBe(2);
    const seen = new Set(Array.from({ length: 200 }, () => choose(rows, opts, random, 0, 4)));
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
  });
});

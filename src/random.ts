/**
 * Seeded randomness for everything outside the network: shuffles, epoch offsets,
 * dropout masks, sampling. Streams are keyed by (seed, purpose, position), so any
 * position in training can be reproduced without replaying what came before: this is
 * what makes `--resume` bit-identical to an uninterrupted run.
 */
import seedrandom from 'seedrandom';

export type Rng = () => number;

/** A deterministic uniform [0, 1) generator (Alea) for the given key parts. */
export function rng(...key: (string | number)[]): Rng {
  return seedrandom.alea(key.join('/'));
}

/** Fisher-Yates shuffle of 0..n-1 with the given generator. */
export function permutation(n: number, random: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** A fresh random seed for runs where the user gave none (reported so they can repeat it). */
export function drawSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

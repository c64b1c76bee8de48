/**
 * Reading a text the way generation does (one stateful step per character) and keeping,
 * for every character, what the model expected there and what its units held after
 * reading it. The one home of the inspector's numbers: `lstm inspect` (terminal, JSON,
 * page) and the browser playground both read through this generator, so they agree.
 *
 * Surprisal: the model predicts character t from characters 0..t-1. Character 0 has
 * nothing before it: training never asks the model to predict a text's first character
 * (a window's first character is only ever input), so it gets no figure, and bits per
 * character average over characters 1..n-1, as `lstm eval` does.
 *
 * L layers, U units, V vocabulary.
 */
import type { StatefulLstm } from '../net/stateful.js';
import type { Vocab } from '../text/vocab.js';
import { distribution } from '../generate/sampling.js';

/** What a unit holds after reading a character: cell state, hidden output and the three gates. */
export const UNIT_QUANTITIES = ['c', 'h', 'i', 'f', 'o'] as const;
export type UnitQuantity = (typeof UNIT_QUANTITIES)[number];

export const QUANTITY_NAMES: Record<UnitQuantity, string> = {
  c: 'cell state',
  h: 'hidden output',
  i: 'input gate',
  f: 'forget gate',
  o: 'output gate',
};

export type Prediction = { char: string; prob: number };

export type CharReading = {
  /** Position in the text, in characters (code points). */
  index: number;
  char: string;
  /** The model's probability of this character given the ones before; null for the first. */
  prob: number | null;
  /** -log2(prob): the model's surprise, in bits; null for the first character. */
  bits: number | null;
  /** The `top` likeliest characters the model expected here, likeliest first; empty for the first. */
  expected: Prediction[];
  /**
   * With `units`: after reading this character, per layer, all U values of each quantity
   * (live for this step only: copy what you keep). Undefined otherwise.
   */
  units?: Record<UnitQuantity, Float32Array>[];
};

export type ReadOptions = {
  /** How many expected characters to keep per position. */
  top: number;
  /** Keep every unit's values per character (costs a copy of L * 5 * U floats per character). */
  units?: boolean;
};

/**
 * Reads `text` (already in the model's vocabulary: text/normalise + generate/seed decide
 * that) left to right from a zero state, yielding one reading per character.
 */
export function* readText(net: StatefulLstm, vocab: Vocab, text: string, options: ReadOptions): Generator<CharReading> {
  const { units: U, layers: L } = net.cfg;
  const V = vocab.size;
  net.reset(1, options.units);
  let index = 0;
  let previous = false;
  for (const char of text) {
    const id = vocab.id(char);
    let prob: number | null = null;
    let expected: Prediction[] = [];
    if (previous) {
      const p = distribution(net.logits, { temperature: 1 }, 0, V);
      prob = p[id];
      expected = topOf(p, options.top).map((k) => ({ char: vocab.char(k), prob: p[k] }));
    }
    net.feed([id]);
    previous = true;
    let units: Record<UnitQuantity, Float32Array>[] | undefined;
    if (options.units) {
      units = [];
      for (let l = 0; l < L; l++) {
        const { h, c } = net.state(l);
        const g = net.gates![l];
        units.push({ c, h, i: g.subarray(0, U), f: g.subarray(U, 2 * U), o: g.subarray(2 * U, 3 * U) });
      }
    }
    yield { index, char, prob, bits: prob === null ? null : -Math.log2(prob), expected, units };
    index++;
  }
}

/** Indices of the k largest values, largest first (ties: lower index first). */
function topOf(p: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: p.length }, (_, i) => i);
  order.sort((a, b) => p[b] - p[a] || a - b);
  return order.slice(0, Math.min(k, p.length));
}

/** Bits per character over the characters that have a figure (all but the first), added up as they come. */
export class SurpriseTotal {
  private sum = 0;
  predicted = 0;

  add(reading: { bits: number | null }): void {
    if (reading.bits === null) return;
    this.sum += reading.bits;
    this.predicted++;
  }

  get bitsPerChar(): number | null {
    return this.predicted ? this.sum / this.predicted : null;
  }
}

/**
 * A whole text inspected at once: every character's surprise and expected characters,
 * every unit's values, and the units found to track something. What a page shows; built
 * the same way by `lstm inspect --html` (in Node) and by the `lstm web` page (in the browser).
 */
import type { StatefulLstm } from '../net/stateful.js';
import type { Vocab } from '../text/vocab.js';
import { readText, SurpriseTotal, type Prediction, type UnitQuantity } from './surprise.js';
import { findUnits, textFeatures, UnitTrace, type FoundUnit } from './units.js';

export type Inspection = {
  chars: string[];
  /** Per character: surprise in bits and probability (null for the first), and what the model expected there. */
  bits: (number | null)[];
  prob: (number | null)[];
  expected: Prediction[][];
  bitsPerChar: number | null;
  predicted: number;
  trace: UnitTrace;
  found: FoundUnit[];
};

/** Characters left out when correlating units with features: the state is still warming up from zeros. */
const WARM_UP = 20;

export function inspectText(net: StatefulLstm, vocab: Vocab, text: string, top: number): Inspection {
  const chars = [...text];
  const trace = new UnitTrace(net.cfg.layers, net.cfg.units, chars.length);
  const total = new SurpriseTotal();
  const bits: (number | null)[] = [];
  const prob: (number | null)[] = [];
  const expected: Prediction[][] = [];
  for (const reading of readText(net, vocab, text, { top, units: true })) {
    bits.push(reading.bits);
    prob.push(reading.prob);
    expected.push(reading.expected);
    trace.record(reading);
    total.add(reading);
  }
  const found = findUnits(trace, textFeatures(chars), Math.min(WARM_UP, Math.floor(chars.length / 4)));
  return { chars, bits, prob, expected, bitsPerChar: total.bitsPerChar, predicted: total.predicted, trace, found };
}

/** What the page's script reads (web/page/inspect-page.ts decodes it; inspect/page.ts writes it). */
export type PageData = Omit<Inspection, 'trace' | 'expected'> & {
  title: string;
  /** Per character: [char, probability] pairs, likeliest first (shorter than objects, in a page of thousands). */
  expected: [string, number][][];
  units: PageUnits;
};

/**
 * Every unit's series [L, quantities, U, n] as bytes (units.ts `quantise`: a quantity's
 * `levels` steps over [-scale, scale] for the cell state, [0, 1] for gates), deflated,
 * base64; `scales`: each cell state's largest magnitude, [L, U].
 */
type PageUnits = {
  layers: number;
  units: number;
  length: number;
  quantities: readonly { name: UnitQuantity; levels: number }[];
  scales: number[];
  data: string;
};

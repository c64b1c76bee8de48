/**
 * Units over a whole text, and the units that track something a reader can name. Karpathy,
 * Johnson and Fei-Fei ("Visualizing and Understanding Recurrent Networks", 2015) found
 * single LSTM cells in char-level models that count the position in a line, switch on
 * inside quotes or brackets; this finds such units in any model by correlating every
 * unit's cell state with features of the text computed from the characters alone, and
 * names each by the feature it follows best.
 *
 * Legend: L layers, Q = 5 quantities (UNIT_QUANTITIES), U units, n characters.
 */
import { UNIT_QUANTITIES, type CharReading, type UnitQuantity } from './surprise.js';

/** Every unit's every quantity for each character of a text: [L, Q, U, n], one series per unit. */
export class UnitTrace {
  readonly values: Float32Array;

  constructor(
    readonly layers: number,
    readonly units: number,
    readonly length: number,
  ) {
    this.values = new Float32Array(layers * UNIT_QUANTITIES.length * units * length);
  }

  /** Stores reading t's unit values (read with `units: true`). */
  record(reading: CharReading): void {
    const { units: U, length: n } = this;
    const t = reading.index;
    reading.units!.forEach((layer, l) => {
      UNIT_QUANTITIES.forEach((q, qi) => {
        const from = layer[q];
        const base = (l * UNIT_QUANTITIES.length + qi) * U * n;
        for (let u = 0; u < U; u++) this.values[base + u * n + t] = from[u];
      });
    });
  }

  /** One unit's values over the text: [n] (a view). */
  series(layer: number, quantity: UnitQuantity, unit: number): Float32Array {
    const start =
      ((layer * UNIT_QUANTITIES.length + UNIT_QUANTITIES.indexOf(quantity)) * this.units + unit) * this.length;
    return this.values.subarray(start, start + this.length);
  }
}

/** Something about each position of a text, computed from its characters alone. */
export type Feature = { name: string; values: Float64Array };

const OPENING_BRACKETS = '([{';
const CLOSING_BRACKETS = ')]}';
const letter = /\p{L}/u;

/**
 * Features of each character position, as it stands once that character is read (what the
 * model's units can know then): position in the line, in the word, inside quotes (straight
 * quotes toggle, curly ones open and close; ‘ ’ are left out as they double as apostrophes),
 * inside brackets, and in an upper-case line (speakers' names in a play).
 */
export function textFeatures(chars: readonly string[]): Feature[] {
  const n = chars.length;
  const column = new Float64Array(n);
  const word = new Float64Array(n);
  const quotes = new Float64Array(n);
  const brackets = new Float64Array(n);
  const upper = new Float64Array(n);
  let col = 0;
  let inWord = 0;
  let quoted = false;
  let depth = 0;
  let lineLetters = 0;
  let lineUpper = true;
  chars.forEach((ch, t) => {
    if (ch === '\n') {
      col = 0;
      lineLetters = 0;
      lineUpper = true;
    } else col++;
    inWord = ch === ' ' || ch === '\n' ? 0 : inWord + 1;
    if (ch === '"') quoted = !quoted;
    else if (ch === '“') quoted = true;
    else if (ch === '”') quoted = false;
    if (OPENING_BRACKETS.includes(ch)) depth++;
    else if (CLOSING_BRACKETS.includes(ch)) depth = Math.max(0, depth - 1);
    if (letter.test(ch)) {
      lineLetters++;
      if (ch !== ch.toUpperCase()) lineUpper = false;
    }
    column[t] = col;
    word[t] = inWord;
    quotes[t] = quoted ? 1 : 0;
    brackets[t] = depth > 0 ? 1 : 0;
    upper[t] = lineUpper && lineLetters >= 2 ? 1 : 0;
  });
  return [
    { name: 'position in the line', values: column },
    { name: 'position in the word', values: word },
    { name: 'inside quotes', values: quotes },
    { name: 'inside brackets', values: brackets },
    { name: 'in an upper-case line', values: upper },
  ];
}

/**
 * Below this |r| a unit does not follow a feature in any useful sense (it explains under
 * a tenth of its variance): the view says no single unit does, rather than naming one.
 */
export const TRACKING_R = 0.3;

/** A unit that follows a feature: its Pearson correlation with it over the text. */
export type FoundUnit = { feature: string; layer: number; unit: number; quantity: UnitQuantity; r: number };

/** The quantity searched: the cell state, the LSTM's memory (gates and outputs flicker per character). */
const SEARCHED: UnitQuantity[] = ['c'];

/**
 * For each feature that varies over the text, the unit (any layer) whose cell state
 * correlates with it most strongly, strongest first. Characters
 * before `from` are left out: the first few after a zero state say little.
 */
export function findUnits(trace: UnitTrace, features: readonly Feature[], from = 0): FoundUnit[] {
  const found: FoundUnit[] = [];
  for (const feature of features) {
    const f = centred(feature.values, from);
    if (!f) continue; // constant over this text: nothing to track
    let best: FoundUnit | undefined;
    for (let l = 0; l < trace.layers; l++) {
      for (const q of SEARCHED) {
        for (let u = 0; u < trace.units; u++) {
          const r = correlation(f, trace.series(l, q, u), from);
          if (!best || Math.abs(r) > Math.abs(best.r))
            best = { feature: feature.name, layer: l, unit: u, quantity: q, r };
        }
      }
    }
    if (best) found.push(best);
  }
  return found.sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
}

/** x minus its mean, scaled to unit norm, over positions from `from`; undefined when constant. */
function centred(x: ArrayLike<number>, from: number): Float64Array | undefined {
  const n = x.length - from;
  if (n < 2) return undefined;
  let mean = 0;
  for (let t = from; t < x.length; t++) mean += x[t];
  mean /= n;
  const out = new Float64Array(n);
  let norm = 0;
  for (let t = 0; t < n; t++) {
    out[t] = x[t + from] - mean;
    norm += out[t] * out[t];
  }
  if (norm < 1e-12) return undefined;
  norm = Math.sqrt(norm);
  for (let t = 0; t < n; t++) out[t] /= norm;
  return out;
}

/** Pearson correlation of a centred unit-norm feature with a series (0 for a constant series). */
function correlation(f: Float64Array, x: ArrayLike<number>, from: number): number {
  const n = f.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t + from];
  mean /= n;
  let dot = 0;
  let norm = 0;
  for (let t = 0; t < n; t++) {
    const d = x[t + from] - mean;
    dot += d * f[t];
    norm += d * d;
  }
  return norm < 1e-12 ? 0 : dot / Math.sqrt(norm);
}

/**
 * A series as one byte per value for a page: `levels` evenly spaced steps from `lo` to `hi`.
 * A colour strip shows few steps, and the page must stay small (inspect/page.ts picks them).
 */
export function quantise(series: ArrayLike<number>, out: Uint8Array, levels: number, lo: number, hi: number): void {
  const step = (hi - lo) / (levels - 1);
  for (let t = 0; t < series.length; t++)
    out[t] = step > 0 ? Math.max(0, Math.min(levels - 1, Math.round((series[t] - lo) / step))) : 0;
}

/** The values `quantise` stood for. */
export function dequantise(bytes: Uint8Array, levels: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(bytes.length);
  const step = (hi - lo) / (levels - 1);
  for (let t = 0; t < bytes.length; t++) out[t] = lo + bytes[t] * step;
  return out;
}

/** The largest magnitude in a series: what its colours are scaled to. */
export function magnitude(series: ArrayLike<number>): number {
  let m = 0;
  for (let t = 0; t < series.length; t++) m = Math.max(m, Math.abs(series[t]));
  return m;
}

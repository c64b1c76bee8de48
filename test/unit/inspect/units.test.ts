/** The inspector's pure parts: text features, finding units by correlation, and the page's quantisation. */
import { describe, expect, it } from 'vitest';
import { dequantise, findUnits, quantise, textFeatures, UnitTrace, type Feature } from '../../../src/inspect/units.js';
import { UNIT_QUANTITIES, type CharReading } from '../../../src/inspect/surprise.js';

const feature = (features: Feature[], name: string) => Array.from(features.find((f) => f.name === name)!.values);

describe('textFeatures', () => {
  it.each([
    { name: 'position in the line', text: 'ab\ncd e\nf', want: [1, 2, 0, 1, 2, 3, 4, 0, 1] },
    { name: 'position in the word', text: 'ab cd\nef', want: [1, 2, 0, 1, 2, 0, 1, 2] },
    { name: 'inside quotes', text: 'a "bc" d “e” f', want: [0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0] },
    { name: 'inside brackets', text: 'a [b (c)] d)', want: [0, 0, 1, 1, 1, 2 - 1, 1, 1, 0, 0, 0, 0] },
    { name: 'in an upper-case line', text: 'MACBETH.\nI am', want: [0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0] },
  ])('$name', ({ name, text, want }) => {
    expect(feature(textFeatures([...text]), name)).toEqual(want);
  });
});

/** A trace whose units are given series (every quantity of unit u holds series[u]). */
function traceOf(layers: number, series: number[][]): UnitTrace {
  const n = series[0].length;
  const trace = new UnitTrace(layers, series.length, n);
  for (let t = 0; t < n; t++) {
    const values = Object.fromEntries(UNIT_QUANTITIES.map((q) => [q, Float32Array.from(series, (s) => s[t])]));
    trace.record({ index: t, units: Array.from({ length: layers }, () => values) } as unknown as CharReading);
  }
  return trace;
}

describe('findUnits', () => {
  it('names, per feature that varies, the unit whose cell state follows it best, strongest first', () => {
    const text = [...'ab cd\nefg (h) ij\nk'];
    const features = textFeatures(text);
    const column = feature(features, 'position in the line');
    const brackets = feature(features, 'inside brackets');
    const noise = text.map((_, t) => Math.sin(t * 7.3));
    const trace = traceOf(2, [
      noise,
      column.map((x) => -2 * x + 1),
      brackets.map((x, t) => x + 0.3 * noise[t]),
      noise.map((x) => x * 0.5),
    ]);
    const found = findUnits(trace, features);
    expect(found.map((f) => f.feature)).toEqual(['position in the line', 'inside brackets', 'position in the word']); // no quotes, no upper-case line here
    expect(found[0]).toMatchObject({ layer: 0, unit: 1, quantity: 'c' });
    expect(found[0].r).toBeCloseTo(-1, 6);
    expect(found[1]).toMatchObject({ layer: 0, unit: 2 });
    expect(found[1].r).toBeGreaterThan(0.6); // the noise added weakens it
    for (let i = 1; i < found.length; i++) expect(Math.abs(found[i].r)).toBeLessThanOrEqual(Math.abs(found[i - 1].r));
  });
});

describe('quantise', () => {
  it.each([
    { levels: 15, lo: -2, hi: 2 },
    { levels: 3, lo: 0, hi: 1 },
  ])('$levels levels on [$lo, $hi]: every value comes back within half a step', ({ levels, lo, hi }) => {
    const values = Float32Array.from({ length: 200 }, (_, t) => lo + ((hi - lo) * ((t * 37) % 200)) / 199);
    const bytes = new Uint8Array(200);
    quantise(values, bytes, levels, lo, hi);
    expect(Math.max(...bytes)).toBe(levels - 1);
    const back = dequantise(bytes, levels, lo, hi);
    const step = (hi - lo) / (levels - 1);
    values.forEach((v, t) => expect(Math.abs(back[t] - v)).toBeLessThanOrEqual(step / 2 + 1e-6));
  });
});

/**
 * Training curves: a bundle's records as curves in bits per character (lossCurves), drawn
 * as a standalone SVG (curvesSvg), and the axis ticks. Pure; table-driven. The SVG is read
 * back with a small well-formedness check and by its classes (`curve train`, `best`, ...).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { curvesSvg, lossCurves, type Curve, type Curves, type LossRecords } from '../../../src/view/curves.js';
import { epochTicks, niceStep, valueTicks } from '../../../src/view/ticks.js';

const LN2 = Math.log(2);
const epochsTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** A falling curve of n values from `from`. */
const falling = (n: number, from = 3) => epochsTo(n).map((e) => from - Math.log(e) / 4);

function curves(
  train: (number | null)[],
  validation: (number | null)[] = [],
  best: Curves['best'] = null,
  cold?: (number | null)[],
): Curves {
  const list: Curve[] = [
    { kind: 'train', label: 'training', values: train },
    { kind: 'validation', label: 'validation', values: validation },
  ];
  if (cold) list.push({ kind: 'cold', label: 'cold', values: cold });
  return { epochs: epochsTo(train.length), curves: list, best };
}

/**
 * Throws unless `xml` is well-formed as this module writes it: one root element, tags
 * balanced, attributes quoted, `&` only in the five predefined entities, no `<` in text.
 */
function checkWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const entity = '&(?:amp|lt|gt|quot|apos);';
  const tag = new RegExp(`<(/?)([A-Za-z][\\w:-]*)((?:\\s+[\\w:-]+="(?:[^"<&]|${entity})*")*)\\s*(/?)>`, 'y');
  const text = new RegExp(`(?:[^<&]|${entity})*`, 'y');
  const open: string[] = [];
  let roots = 0;
  for (let at = 0; at < body.length; ) {
    text.lastIndex = at;
    at += text.exec(body)![0].length;
    if (at >= body.length) break;
    tag.lastIndex = at;
    const m = tag.exec(body);
    if (!m) throw new Error(`not a tag at ${at}: ${body.slice(at, at + 40)}`);
    at += m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      if (open.length === 0) roots++;
      if (!selfClosing) open.push(name);
    }
  }
  if (open.length) throw new Error(`unclosed: ${open.join(', ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

/** The [x, y] points of each polyline of a class (`train`, `validation`, `cold`). */
const polylines = (svg: string, kind: string) =>
  [...svg.matchAll(new RegExp(`<polyline class="curve ${kind}" points="([^"]*)"`, 'g'))].map((m) =>
    m[1].split(' ').map((p) => p.split(',').map(Number)),
  );
/** The [cx, cy] of each circle of a class. */
const circles = (svg: string, cls: string) =>
  [...svg.matchAll(new RegExp(`<circle class="${cls}" cx="([^"]*)" cy="([^"]*)"`, 'g'))].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);

describe('curvesSvg: a standalone SVG', () => {
  it.each<[string, Curves]>([
    ['one epoch', curves([2.5], [2.6])],
    [
      '25 epochs with the cold reading',
      curves(falling(25), falling(25, 2.8), { epoch: 25, bits: falling(25, 2.8)[24], label: 'best' }, falling(25, 2.9)),
    ],
    ['150 epochs', curves(falling(150), falling(150, 2.8), { epoch: 140, bits: 2, label: 'best' })],
    ['no validation figures', curves(falling(4), [null, null, null, null])],
    ['no epochs at all', curves([], [])],
    ['all values equal', curves([2, 2, 2], [2, 2, 2])],
  ])('%s: well-formed, sized, no scripts or external resources', (_name, c) => {
    const svg = curvesSvg(c, { title: 'model' });
    checkWellFormed(svg);
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="400" viewBox="0 0 720 400" /,
    );
    expect(svg).not.toMatch(/<script|href=|@import|url\(|NaN|Infinity/);
  });

  it.each<[string, number, number, number]>([
    // name, epochs, points in the train polyline (0: none, a lone dot), dots per curve
    ['1 epoch: a dot, no line', 1, 0, 1],
    ['2 epochs', 2, 2, 2],
    ['30 epochs: dots on every value', 30, 30, 30],
    ['31 epochs: lines only', 31, 31, 0],
    ['120 epochs', 120, 120, 0],
  ])('%s', (_name, n, points, dots) => {
    const svg = curvesSvg(curves(falling(n), falling(n, 2.8)), { title: 'model' });
    expect(polylines(svg, 'train').map((p) => p.length)).toEqual(points ? [points] : []);
    expect(polylines(svg, 'validation').map((p) => p.length)).toEqual(points ? [points] : []);
    expect(circles(svg, 'point train')).toHaveLength(dots);
    const xs = (polylines(svg, 'train')[0] ?? []).map(([x]) => x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b)); // epochs left to right
  });

  it.each<[string, (number | null)[], number[][]]>([
    // name, validation values, polylines (their lengths) and lone dots (as a run of 1)
    ['a null in the middle splits the line', [2.6, 2.5, null, 2.3, 2.2], [[2, 2]]],
    ['a lone value between nulls is a dot', [null, 2.5, null, 2.3, 2.2], [[2]]],
    ['all null: no validation line, no legend row', [null, null, null, null, null], [[]]],
    ['fewer values than epochs: the rest is missing', [2.6, 2.5], [[2]]],
  ])('%s', (_name, validation, [lengths]) => {
    const svg = curvesSvg(curves(falling(5), validation), { title: 'model' });
    expect(polylines(svg, 'validation').map((p) => p.length)).toEqual(lengths);
    expect(circles(svg, 'point validation')).toHaveLength(validation.filter((v) => v !== null).length);
    expect(svg.includes('>validation</text>')).toBe(validation.some((v) => v !== null));
  });

  it.each<[string, Curves, (svg: string) => number[]]>([
    [
      'on the validation point of its epoch',
      curves(falling(40), [2.9, 2.5, 2.2, 2.4, ...falling(36)], { epoch: 3, bits: 2.2, label: 'b' }),
      (svg) => polylines(svg, 'validation')[0][2],
    ],
    [
      'on the training point without validation',
      curves([2.9, 2.5, 2.2, 2.4], [], { epoch: 3, bits: 2.2, label: 'b' }),
      (svg) => polylines(svg, 'train')[0][2],
    ],
    [
      'saved inside an epoch: between its points, at its figure',
      curves([2.9, 2.5, 2.2], [], { epoch: 2.5, bits: 2.5, label: 'b' }),
      (svg) => {
        const [p, q] = polylines(svg, 'train')[0].slice(1);
        return [(p[0] + q[0]) / 2, p[1]];
      },
    ],
    [
      'after the last epoch (a mid-epoch checkpoint): the axis reaches it',
      curves([2.9, 2.5], [], { epoch: 2.5, bits: 2.4, label: 'b' }),
      (svg) => {
        const [p, q] = polylines(svg, 'train')[0];
        return [q[0] + (q[0] - p[0]) / 2, q[1] + ((q[1] - p[1]) / 0.4) * 0.1];
      },
    ],
  ])('the best dot sits %s', (_name, c, expected) => {
    const svg = curvesSvg(c, { title: 'model' });
    const [best] = circles(svg, 'best');
    const [x, y] = expected(svg);
    expect(best[0]).toBeCloseTo(x, 0);
    expect(best[1]).toBeCloseTo(y, 0);
    expect(best[0]).toBeLessThanOrEqual(720 - 20);
  });

  it('labels the best and says nothing of it when there is none', () => {
    expect(
      curvesSvg(curves([2, 1.5], [], { epoch: 2, bits: 1.5, label: 'best: epoch 2, 1.500 bpc' }), { title: 'm' }),
    ).toContain('>best: epoch 2, 1.500 bpc</text>');
    expect(curvesSvg(curves([2, 1.5]), { title: 'm' })).not.toMatch(/class="best/);
  });

  it('escapes the title and labels (names may hold & < > and quotes)', () => {
    const c = curves([2, 1.5], [2.1, 1.6], { epoch: 2, bits: 1.6, label: 'best <2>' });
    c.curves[0].label = 'train & "test"';
    const svg = curvesSvg(c, { title: `Tom & Jerry's <b>model</b>` });
    checkWellFormed(svg);
    expect(svg).toContain('<title>Tom &amp; Jerry&apos;s &lt;b&gt;model&lt;/b&gt;</title>');
    expect(svg).toContain('aria-label="Tom &amp; Jerry&apos;s &lt;b&gt;model&lt;/b&gt;"');
    expect(svg).toContain('>train &amp; &quot;test&quot;</text>');
    expect(svg).toContain('>best &lt;2&gt;</text>');
  });

  it.each([
    ['a control character', 'a\u0001b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('replaces %s, which XML forbids even escaped, by U+FFFD', (_name, title) => {
    const svg = curvesSvg(curves([2, 1.5]), { title: `${title} 😀` });
    expect(svg).toContain('<title>a\ufffdb 😀</title>');
  });

  /** The curves with labels too long for a legend box to fit beside the points. */
  const wide = (c: Curves): Curves => ({
    ...c,
    curves: c.curves.map((k) => ({ ...k, label: `${k.kind}, ${'a long label '.repeat(3)}` })),
  });

  it.each<[string, Curves, 'box' | 'rows']>([
    [
      'falling curves: a box in the empty top right',
      curves(falling(25), falling(25, 2.8), { epoch: 25, bits: falling(25, 2.8)[24], label: 'best' }, falling(25, 2.9)),
      'box',
    ],
    [
      'rising validation (the top right taken): a box in another corner',
      curves(
        falling(25),
        epochsTo(25).map((e) => 2 + e / 25),
        { epoch: 1, bits: 2.04, label: 'best' },
      ),
      'box',
    ],
    [
      'points in every corner: rows above the plot (wrapped when wide)',
      wide(curves([3, 2, 3], [2, 3, 2], { epoch: 1, bits: 2, label: 'best' }, [2.5, 2.5, 2.5])),
      'rows',
    ],
  ])('the legend hides no point: %s', (_name, c, where) => {
    const svg = curvesSvg(c, { title: 'model' });
    const points = [...polylines(svg, '\\w+').flat(), ...circles(svg, 'point \\w+'), ...circles(svg, 'best')];
    const box = /<rect class="legend" x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"/
      .exec(svg)
      ?.slice(1)
      .map(Number);
    expect(box ? 'box' : 'rows').toBe(where);
    if (box) {
      const [x, y, w, h] = box;
      expect(points.filter(([px, py]) => px >= x && px <= x + w && py >= y && py <= y + h)).toEqual([]);
    } else {
      const entries = [...svg.matchAll(/<text x="[^"]*" y="([^"]*)" fill="[^"]*">(train|validation|cold), /g)];
      expect(entries).toHaveLength(3);
      expect(Math.min(...points.map(([, py]) => py))).toBeGreaterThan(Math.max(...entries.map((m) => Number(m[1]))));
    }
  });

  it.each<[string, Curves]>([
    ['at the first epoch', curves(falling(10), [], { epoch: 1, bits: 3, label: 'best: epoch 1, 3.000 bpc' })],
    [
      'at the last epoch',
      curves(falling(10), [], { epoch: 10, bits: falling(10)[9], label: 'best: epoch 10, 2.424 bpc' }),
    ],
    [
      'with a long label',
      curves(falling(3), [], { epoch: 2, bits: falling(3)[1], label: `best: ${'very '.repeat(12)}long` }),
    ],
  ])('the best label stays inside the plot %s', (_name, c) => {
    const svg = curvesSvg(c, { title: 'model' });
    const [, x, y] = /<text class="best-label" x="([^"]*)" y="([^"]*)"/.exec(svg)!.map(Number);
    expect(x).toBeGreaterThanOrEqual(64);
    expect(x + c.best!.label.length * 7).toBeLessThanOrEqual(720 - 20);
    expect(y).toBeGreaterThan(44);
    expect(y).toBeLessThanOrEqual(400 - 52);
  });

  it('labels the axes and draws the cold reading dashed and faint', () => {
    const svg = curvesSvg(curves(falling(5), falling(5, 2.7), null, falling(5, 2.8)), { title: 'm' });
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>bits per character</text>');
    expect(svg).toMatch(/<polyline class="curve cold" [^>]*stroke-dasharray="[^"]+" stroke-opacity="0\.\d+"/);
    expect(svg).not.toMatch(/<polyline class="curve (train|validation)" [^>]*stroke-dasharray/);
  });
});

describe("lossCurves: a bundle's records as curves", () => {
  const record = (over: Partial<LossRecords> = {}): LossRecords => ({
    history: [
      { epoch: 1, trainLoss: 2 * LN2, valLoss: 1.5 * LN2, valLossCold: 1.75 * LN2 },
      { epoch: 2, trainLoss: 1 * LN2, valLoss: 1.25 * LN2, valLossCold: 1.5 * LN2 },
    ],
    progress: { bestEpoch: 2, bestBatch: 0, bestValLoss: 1.25 * LN2 },
    hyperparameters: { stateful: false, seqLength: 50 },
    ...over,
  });
  const labels = (c: Curves) => c.curves.map((k) => `${k.kind}: ${k.label}`);

  it('converts nats to bits per character, epoch by epoch', () => {
    const c = lossCurves(record());
    expect(c.epochs).toEqual([1, 2]);
    expect(c.curves.map((k) => k.values.map((v) => Number(v!.toFixed(12))))).toEqual([
      [2, 1],
      [1.5, 1.25],
      [1.75, 1.5],
    ]);
    expect(c.best).toEqual({ epoch: 2, bits: 1.25, label: 'best: epoch 2, 1.250 bpc' });
  });

  it.each<[string, Partial<LossRecords>, string[]]>([
    [
      'a new run: streams, cold windows beside',
      {},
      [
        'train: training',
        'validation: validation read as streams',
        'cold: validation as independent 50-character windows',
      ],
    ],
    [
      'an older bundle: validation as it read it, no cold curve',
      {
        history: [{ epoch: 1, trainLoss: 1, valLoss: 1 }],
        hyperparameters: { seqLength: 50 },
      },
      ['train: training', 'validation: validation'],
    ],
    [
      'no held-out part: a validation curve of nulls',
      {
        history: [{ epoch: 1, trainLoss: 1, valLoss: null, valLossCold: null }],
      },
      ['train: training', 'validation: validation read as streams'],
    ],
  ])('%s', (_name, over, expected) => {
    expect(labels(lossCurves(record(over)))).toEqual(expected);
  });

  it.each<[string, LossRecords['progress'], Curves['best']]>([
    [
      'at the end of an epoch',
      { bestEpoch: 2, bestBatch: 0, bestValLoss: LN2 },
      { epoch: 2, bits: 1, label: 'best: epoch 2, 1.000 bpc' },
    ],
    [
      'inside an epoch: halfway into it',
      { bestEpoch: 3, bestBatch: 40, bestValLoss: LN2 },
      { epoch: 2.5, bits: 1, label: 'best: epoch 3 batch 40, 1.000 bpc' },
    ],
    ['none yet', { bestEpoch: null, bestValLoss: null }, null],
  ])('the best %s', (_name, progress, best) => {
    expect(lossCurves(record({ progress })).best).toEqual(best);
  });
});

describe('ticks', () => {
  it.each<[number, number]>([
    [0.03, 0.05],
    [0.2, 0.2],
    [0.21, 0.5],
    [0.7, 1],
    [2.4, 5],
    [9.9, 10],
    [0, 1],
  ])('niceStep(%d) = %d', (raw, step) => {
    expect(niceStep(raw)).toBeCloseTo(step, 12);
  });

  it.each<[number, number, number[]]>([
    [0.5, 1.5, [1]],
    [1, 4, [1, 2, 3, 4]],
    [1, 25, [1, 5, 10, 15, 20, 25]],
    [1, 150, [1, 20, 40, 60, 80, 100, 120, 140]],
  ])('epochTicks(%d, %d)', (lo, hi, ticks) => {
    expect(epochTicks(lo, hi)).toEqual(ticks);
  });

  it.each<[number, number, { lo: number; hi: number; decimals: number }]>([
    [1.87, 2.85, { lo: 1.8, hi: 3, decimals: 1 }],
    [2, 2, { lo: 1.4, hi: 2.6, decimals: 1 }],
    [1.911, 1.929, { lo: 1.91, hi: 1.93, decimals: 3 }],
  ])('valueTicks(%d, %d) starts and ends on a tick', (lo, hi, expected) => {
    const t = valueTicks(lo, hi);
    expect(t.lo).toBeCloseTo(expected.lo, 9);
    expect(t.hi).toBeCloseTo(expected.hi, 9);
    expect(t.decimals).toBe(expected.decimals);
    expect(t.ticks[0]).toBe(t.lo);
    expect(t.ticks.at(-1)).toBe(t.hi);
  });
});

describe('the view is shared with the browser', () => {
  it.each([['curves.ts'], ['legend.ts'], ['place.ts'], ['svg.ts'], ['ticks.ts']])(
    'src/view/%s imports no Node, TensorFlow or CLI module at run time',
    (file) => {
      const source = readFileSync(new URL(`../../../src/view/${file}`, import.meta.url), 'utf8');
      const runtime = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
      expect(
        runtime.every((from) =>
          ['../figures.js', './legend.js', './place.js', './svg.js', './ticks.js'].includes(from),
        ),
        runtime.join(', '),
      ).toBe(true);
    },
  );
});

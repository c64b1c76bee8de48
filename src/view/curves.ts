/**
 * A model's training curves: bits per character per epoch for training and validation,
 * read from a bundle's records (`lossCurves`), drawn as a standalone SVG (`curvesSvg`).
 * Pure TypeScript with no Node or TensorFlow imports: `lstm info` (its terminal chart and
 * `--plot`) and a browser page showing a bundle's lstm.json draw from the same data.
 * Beside it: ticks.ts (axes), place.ts and legend.ts (what goes where), svg.ts (the look).
 */
import type { EpochRecord, Progress } from '../store/manifest.js';
import { bits } from '../figures.js';
import { legendInBox, legendInRows, legendPlace, legendRows, LEGEND_ROW } from './legend.js';
import { clamp, leastCovering, trace, type Box, type Point } from './place.js';
import { BOLD_CHAR_WIDTH, escapeXml, FONT, GRID, INK, MUTED, px, stroke, STYLE } from './svg.js';
import { epochTicks, valueTicks } from './ticks.js';

/** Which line a curve is: it sets the colour and the dash. */
export type CurveKind = 'train' | 'validation' | 'cold';

/** One line: a value per epoch in bits per character; null (no figure that epoch) leaves a gap. */
export type Curve = { kind: CurveKind; label: string; values: (number | null)[] };

export type Curves = {
  /** The epoch (1-based) of each value: `curves[k].values[i]` belongs to `epochs[i]`. */
  epochs: number[];
  curves: Curve[];
  /** The checkpoint chosen as best: its epoch (x; fractional when saved inside an epoch), figure and label. */
  best: { epoch: number; bits: number; label: string } | null;
};

export type CurvesOptions = { title: string; width?: number; height?: number };

/** What the curves read from a bundle's lstm.json; a Manifest fits. */
export type LossRecords = {
  history: Pick<EpochRecord, 'epoch' | 'trainLoss' | 'valLoss' | 'valLossCold'>[];
  progress: Pick<Progress, 'bestEpoch' | 'bestBatch' | 'bestValLoss'>;
  hyperparameters: { stateful?: boolean; seqLength: number };
};

/**
 * The curves of a bundle, in bits per character. `valLoss` is the figure the run chose
 * its best by: read as streams where the run recorded how it read (`stateful` set), cold
 * windows in older bundles; new runs add the cold windows beside it (`valLossCold`), a
 * curve only when recorded. A best saved inside epoch N is drawn halfway into it (the
 * bundle does not say how far). A run without a held-out part chose by training loss.
 */
export function lossCurves(m: LossRecords): Curves {
  const h = m.history;
  const nullable = (nats: number | null | undefined) => (nats == null ? null : bits(nats));
  const curves: Curve[] = [
    { kind: 'train', label: 'training', values: h.map((e) => bits(e.trainLoss)) },
    {
      kind: 'validation',
      label: m.hyperparameters.stateful !== undefined ? 'validation read as streams' : 'validation',
      values: h.map((e) => nullable(e.valLoss)),
    },
  ];
  if (h.some((e) => e.valLossCold != null)) {
    curves.push({
      kind: 'cold',
      label: `validation as independent ${m.hyperparameters.seqLength}-character windows`,
      values: h.map((e) => nullable(e.valLossCold)),
    });
  }
  const p = m.progress;
  const batch = p.bestBatch ?? 0;
  const best =
    p.bestEpoch === null || p.bestValLoss === null
      ? null
      : {
          epoch: batch > 0 ? p.bestEpoch - 0.5 : p.bestEpoch,
          bits: bits(p.bestValLoss),
          label: `best: epoch ${p.bestEpoch}${batch > 0 ? ` batch ${batch}` : ''}, ${bits(p.bestValLoss).toFixed(3)} bpc`,
        };
  return { epochs: h.map((e) => e.epoch), curves, best };
}

/**
 * The curves as a standalone SVG document (light background, system fonts, no scripts):
 * one polyline per unbroken run of values of each curve, the best marked with a dot and
 * its label, axes with ticks (epoch, bits per character), a legend and the title.
 */
export function curvesSvg(c: Curves, { title, width = 720, height = 400 }: CurvesOptions): string {
  const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const drawn = c.curves.filter((k) => k.values.some(finite));
  const all = [...drawn.flatMap((k) => k.values.filter(finite)), ...(c.best ? [c.best.bits] : [])];
  const xs = [...c.epochs, ...(c.best ? [c.best.epoch] : [])];
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [1, 1];
  if (x1 - x0 < 1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const [lo, hi] = all.length ? [Math.min(...all), Math.max(...all)] : [0, 1];
  // 2% of the range below the lowest value: one on a tick would otherwise lie on the x axis.
  const y = valueTicks(lo - (hi - lo) * 0.02, hi);
  const inset = 10; // keeps the first and last points off the axis lines
  const scales = (a: Area) => ({
    X: (epoch: number) => a.left + inset + ((epoch - x0) / (x1 - x0)) * (a.right - a.left - 2 * inset),
    Y: (v: number) => a.bottom - ((v - y.lo) / (y.hi - y.lo)) * (a.bottom - a.top),
  });
  /** Each drawn curve's runs in pixels, and points along all of them (what a legend or label must not hide). */
  const project = (a: Area) => {
    const { X, Y } = scales(a);
    const runsOf = drawn.map((k) => runs(k.values, c.epochs).map((run) => run.map(([e, v]): Point => [X(e), Y(v)])));
    const dot: Box[] = c.best ? [{ x: X(c.best.epoch) - 7, y: Y(c.best.bits) - 7, w: 14, h: 14 }] : [];
    return { X, Y, runsOf, points: trace(runsOf.flat()), dot };
  };

  // Plot area: room on the left for tick labels and the rotated axis label, above for the title.
  let area: Area = { left: 64, right: width - 20, top: 44, bottom: height - 52 };
  let p = project(area);
  // The legend goes in a corner of the plot where it hides nothing; failing that, in rows above the plot.
  let legendBox = legendPlace(drawn, inner(area, 8), p.points, p.dot);
  const rows = legendBox && legendBox.cost > 0 ? legendRows(drawn, area.right - area.left) : [];
  if (rows.length) {
    legendBox = undefined;
    area = { ...area, top: area.top + rows.length * LEGEND_ROW + 4 };
    p = project(area);
  }
  const { X, Y } = p;

  const out: string[] = [];
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${area.left}" y="26" font-size="14" font-weight="600" fill="${INK}">${escapeXml(title)}</text>`);
  for (const t of y.ticks) {
    out.push(`<line x1="${area.left}" x2="${area.right}" y1="${px(Y(t))}" y2="${px(Y(t))}" stroke="${GRID}"/>`);
    out.push(
      `<text x="${area.left - 8}" y="${px(Y(t) + 4)}" text-anchor="end" fill="${MUTED}">${t.toFixed(y.decimals)}</text>`,
    );
  }
  for (const t of epochTicks(x0, x1)) {
    out.push(`<line x1="${px(X(t))}" x2="${px(X(t))}" y1="${area.bottom}" y2="${area.bottom + 5}" stroke="${MUTED}"/>`);
    out.push(`<text x="${px(X(t))}" y="${area.bottom + 19}" text-anchor="middle" fill="${MUTED}">${t}</text>`);
  }
  out.push(`<path d="M${area.left} ${area.top}V${area.bottom}H${area.right}" fill="none" stroke="${MUTED}"/>`);
  out.push(
    `<text x="${(area.left + area.right) / 2}" y="${height - 12}" text-anchor="middle" fill="${INK}">epoch</text>`,
  );
  out.push(
    `<text transform="translate(18 ${(area.top + area.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="${INK}">bits per character</text>`,
  );

  // Cold windows first, so the lines the best was chosen on are drawn over it; the legend keeps the given order.
  const painted = drawn
    .map((curve, k) => ({ curve, runs: p.runsOf[k] }))
    .sort((a, b) => PAINT_ORDER.indexOf(a.curve.kind) - PAINT_ORDER.indexOf(b.curve.kind));
  for (const { curve, runs } of painted) {
    const s = STYLE[curve.kind];
    for (const run of runs) {
      if (run.length > 1)
        out.push(
          `<polyline class="curve ${curve.kind}" points="${run.map(([x, y]) => `${px(x)},${px(y)}`).join(' ')}" fill="none" ${stroke(curve.kind)} stroke-linejoin="round" stroke-linecap="round"/>`,
        );
      if (run.length === 1 || c.epochs.length <= DOTS_UP_TO) {
        for (const [x, y] of run)
          out.push(
            `<circle class="point ${curve.kind}" cx="${px(x)}" cy="${px(y)}" r="2.5" fill="${s.color}"${s.opacity ? ` fill-opacity="${s.opacity}"` : ''}/>`,
          );
      }
    }
  }
  if (c.best)
    out.push(
      ...bestMarker(c.best, X(c.best.epoch), Y(c.best.bits), area, p.points, [
        ...p.dot,
        ...(legendBox ? [legendBox] : []),
      ]),
    );
  if (legendBox) out.push(...legendInBox(drawn, legendBox));
  else out.push(...legendInRows(rows, area.left, area.top - rows.length * LEGEND_ROW - 2));

  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="${FONT}" font-size="12">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n<title>${escapeXml(title)}</title>\n${out.join('\n')}\n</svg>\n`;
}

const PAINT_ORDER: CurveKind[] = ['cold', 'train', 'validation'];
/** Up to this many epochs each value also gets a dot: with few points a bare line hides where they are. */
const DOTS_UP_TO = 30;

type Area = { left: number; right: number; top: number; bottom: number };
const inner = (a: Area, margin: number): Box => ({
  x: a.left + margin,
  y: a.top + margin,
  w: a.right - a.left - 2 * margin,
  h: a.bottom - a.top - 2 * margin,
});

/** The unbroken runs of finite values of a curve, as [epoch, value] pairs: a null ends a run. */
function runs(values: (number | null)[], epochs: number[]): [number, number][][] {
  const out: [number, number][][] = [[]];
  for (let i = 0; i < Math.min(values.length, epochs.length); i++) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) out[out.length - 1].push([epochs[i], v]);
    else if (out[out.length - 1].length) out.push([]);
  }
  return out.filter((run) => run.length > 0);
}

/**
 * A dot on the best figure, a faint guide down to its epoch, and its label beside it:
 * towards the middle of the plot first, above or below, wherever it hides fewest points.
 */
function bestMarker(
  best: NonNullable<Curves['best']>,
  x: number,
  y: number,
  area: Area,
  points: Point[],
  avoid: Box[],
): string[] {
  const w = best.label.length * BOLD_CHAR_WIDTH + 4;
  const h = 16;
  const bounds: Box = { x: area.left + 4, y: area.top, w: area.right - area.left - 8, h: area.bottom - area.top };
  const [above, below] = [y - 8 - h, y + 8];
  const [left, right] = [x - 8 - w, x + 8];
  const sides = x > (area.left + area.right) / 2 ? [left, right] : [right, left];
  const candidates = sides.flatMap((bx) => [above, below].map((by) => clamp({ x: bx, y: by, w, h }, bounds)));
  const box = leastCovering(candidates, points, avoid);
  return [
    `<line class="best-guide" x1="${px(x)}" x2="${px(x)}" y1="${px(y)}" y2="${area.bottom}" stroke="${INK}" stroke-opacity="0.35" stroke-dasharray="2 3"/>`,
    `<circle class="best" cx="${px(x)}" cy="${px(y)}" r="5" fill="${INK}" stroke="#ffffff" stroke-width="2"/>`,
    `<text class="best-label" x="${px(box.x + 2)}" y="${px(box.y + 12)}" fill="${INK}" font-weight="600" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${escapeXml(best.label)}</text>`,
  ];
}

/**
 * The picture's title: the model's directory name and its training text's file name
 * (older bundles recorded a path; several files keep the name they were given under).
 */
export function curvesTitle(modelPath: string, corpus: { name: string; files?: unknown[] }): string {
  const base = (p: string) =>
    p
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? p;
  return `${base(modelPath)}, trained on ${(corpus.files?.length ?? 0) > 1 ? corpus.name : base(corpus.name)}`;
}

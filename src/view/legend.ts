/**
 * The legend of the curves picture: a box in a corner of the plot where it hides no
 * point, or rows of entries above the plot when every corner would. Pure.
 */
import type { Curve } from './curves.js';
import { leastCovering, type Box, type Point } from './place.js';
import { CHAR_WIDTH, escapeXml, GRID, INK, px, stroke } from './svg.js';

export const LEGEND_ROW = 18;
/** Space between entries side by side. */
const ENTRY_GAP = 16;
/** Width of a legend entry: its line sample, a gap, its label. */
const entryWidth = (k: Curve) => 36 + k.label.length * CHAR_WIDTH;

/** The legend's box in a corner of the plot, top right first, where it hides fewest points; `cost` > 0 when it hides some. */
export function legendPlace(
  curves: Curve[],
  bounds: Box,
  points: Point[],
  avoid: Box[],
): (Box & { cost: number }) | undefined {
  if (!curves.length) return undefined;
  const w = 8 + Math.max(...curves.map(entryWidth));
  const h = curves.length * LEGEND_ROW + 8;
  const [left, right, top, bottom] = [bounds.x, bounds.x + bounds.w - w, bounds.y, bounds.y + bounds.h - h];
  return leastCovering(
    [
      [right, top],
      [left, bottom],
      [left, top],
      [right, bottom],
    ].map(([x, y]) => ({ x, y, w, h })),
    points,
    avoid,
  );
}

/** The legend as boxed rows, one per curve: a sample of its line, then its label. */
export function legendInBox(curves: Curve[], box: Box): string[] {
  const out = [
    `<rect class="legend" x="${px(box.x)}" y="${px(box.y)}" width="${px(box.w)}" height="${px(box.h)}" rx="4" fill="#ffffff" fill-opacity="0.9" stroke="${GRID}"/>`,
  ];
  curves.forEach((k, i) => out.push(...legendEntry(k, box.x + 8, box.y + 4 + LEGEND_ROW * i + LEGEND_ROW / 2)));
  return out;
}

/** The entries side by side, wrapped into rows that fit `width`. */
export function legendRows(curves: Curve[], width: number): Curve[][] {
  const rows: Curve[][] = [];
  let used = 0;
  for (const k of curves) {
    const row = rows.at(-1);
    if (row && used + ENTRY_GAP + entryWidth(k) <= width) {
      row.push(k);
      used += ENTRY_GAP + entryWidth(k);
    } else {
      rows.push([k]);
      used = entryWidth(k);
    }
  }
  return rows;
}

/** Rows of entries above the plot, starting at (left, top). */
export function legendInRows(rows: Curve[][], left: number, top: number): string[] {
  return rows.flatMap((row, r) => {
    let x = left;
    return row.flatMap((k) => {
      const entry = legendEntry(k, x, top + LEGEND_ROW * r + LEGEND_ROW / 2);
      x += entryWidth(k) + ENTRY_GAP;
      return entry;
    });
  });
}

/** A sample of the curve's line from x, then its label, centred on cy. */
function legendEntry(k: Curve, x: number, cy: number): string[] {
  return [
    `<line x1="${px(x)}" x2="${px(x + 22)}" y1="${px(cy)}" y2="${px(cy)}" ${stroke(k.kind)}/>`,
    `<text x="${px(x + 28)}" y="${px(cy + 4)}" fill="${INK}">${escapeXml(k.label)}</text>`,
  ];
}

/**
 * Where the legend and the best label go so they hide no line: of a few candidate boxes,
 * in order of preference, the first that covers the fewest points of the lines and
 * nothing placed before it. Pure, for curves.ts in Node and the browser alike.
 */
export type Point = [x: number, y: number];
export type Box = { x: number; y: number; w: number; h: number };

/** Points every `every` pixels along each line, so a box over a long straight segment is seen to cover it. */
export function trace(lines: Point[][], every = 4): Point[] {
  const out: Point[] = [];
  for (const line of lines) {
    line.forEach((p, i) => {
      out.push(p);
      const q = line[i + 1];
      if (!q) return;
      const steps = Math.floor(Math.hypot(q[0] - p[0], q[1] - p[1]) / every);
      for (let k = 1; k < steps; k++)
        out.push([p[0] + ((q[0] - p[0]) * k) / steps, p[1] + ((q[1] - p[1]) * k) / steps]);
    });
  }
  return out;
}

/** The box moved (not resized) to lie inside `bounds`, as far as it fits. */
export function clamp(b: Box, bounds: Box): Box {
  const x = Math.max(bounds.x, Math.min(b.x, bounds.x + bounds.w - b.w));
  const y = Math.max(bounds.y, Math.min(b.y, bounds.y + bounds.h - b.h));
  return { ...b, x, y };
}

/** Whether a point is in the box or within `MARGIN` of it (lines and dots have width). */
const covers = (b: Box, [x, y]: Point) =>
  x >= b.x - MARGIN && x <= b.x + b.w + MARGIN && y >= b.y - MARGIN && y <= b.y + b.h + MARGIN;
const MARGIN = 4;
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The candidate that covers the fewest points, with that count as `cost`; overlapping a
 * box in `avoid` (the legend, the best dot) counts as worse than any number of points.
 * Earlier candidates win ties.
 */
export function leastCovering(candidates: Box[], points: Point[], avoid: Box[] = []): Box & { cost: number } {
  const costed = candidates.map((b) => ({
    ...b,
    cost: points.filter((p) => covers(b, p)).length + avoid.filter((a) => overlaps(a, b)).length * 1e6,
  }));
  return costed.reduce((best, b) => (b.cost < best.cost ? b : best));
}

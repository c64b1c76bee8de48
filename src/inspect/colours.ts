/**
 * The inspector's colours, shared by the terminal (`lstm inspect`) and the pages (the
 * `--html` page and `lstm web`), so a legend means the same everywhere.
 */

export type Rgb = readonly [number, number, number];

/**
 * Surprise bands in bits: under 1 bit (the model was fairly sure: more than even odds) is
 * left plain, each band above doubles the surprise, 8 bits and more (1 in 256 or worse) is red.
 */
export const SURPRISE_BANDS: readonly { from: number; rgb: Rgb | null; label: string }[] = [
  { from: 0, rgb: null, label: '<1' },
  { from: 1, rgb: [255, 244, 194], label: '1-2' },
  { from: 2, rgb: [255, 214, 128], label: '2-4' },
  { from: 4, rgb: [255, 153, 85], label: '4-8' },
  { from: 8, rgb: [232, 72, 72], label: '8+' },
];

/** The band of a surprise in bits (the first character, with no figure, is band 0). */
export function surpriseBand(bits: number | null): number {
  if (bits === null) return 0;
  let band = 0;
  SURPRISE_BANDS.forEach((b, i) => {
    if (bits >= b.from) band = i;
  });
  return band;
}

/**
 * A unit's value as a colour: blue for negative, white at 0, red for positive, by
 * `value / scale` (scale: the largest magnitude the unit reaches over the text, or 1 for
 * gates, which live in [0, 1]).
 */
export function unitColour(value: number, scale: number): Rgb {
  const x = Math.max(-1, Math.min(1, scale > 0 ? value / scale : 0));
  const fade = (to: number) => Math.round(255 + (to - 255) * Math.abs(x));
  return x >= 0 ? [255, fade(60), fade(60)] : [fade(50), fade(110), 255];
}

/**
 * The bounds of generation's settings, as data: what `lstm generate`'s option parsers
 * accept (cli/options.ts) and what the `lstm web` page accepts in its fields
 * (web/page/app.ts), checked and worded alike. Pure: the page runs it.
 */

/**
 * A numeric bound: `[min, max]`, either end open (`integer` bounds are closed: a whole
 * number within them). No `max`: unbounded.
 */
export type Limit = {
  readonly integer?: boolean;
  readonly min: number;
  readonly max?: number;
  readonly openMin?: boolean;
  readonly openMax?: boolean;
};

export const LIMITS = {
  /** Characters generated per sample (the seed not counted). */
  length: { integer: true, min: 0 },
  /** 0 means argmax. */
  temperature: { min: 0 },
  topK: { integer: true, min: 1 },
  topP: { min: 0, max: 1, openMin: true },
  /** Independent samples generated together, one network row each. */
  samples: { integer: true, min: 1, max: 1000 },
  /** The sampling seed: drawSeed (random.ts) draws from this range. */
  randomSeed: { integer: true, min: 0, max: 2 ** 31 - 1 },
} as const satisfies Record<string, Limit>;

/**
 * The longest text the page generates at once: it keeps every character in the document
 * (the CLI streams to stdout and keeps nothing, so it has no such bound).
 */
export const PAGE_MAX_LENGTH = 100_000;

/** Whether `n` is within `limit`. */
export function within(limit: Limit, n: number): boolean {
  const { min, max, openMin = false, openMax = false } = limit;
  if (limit.integer) return Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max);
  return Number.isFinite(n) && (openMin ? n > min : n >= min) && (max === undefined || (openMax ? n < max : n <= max));
}

/** What `limit` asks for, in words: `a whole number from 1 to 1000`, `a number > 0 and <= 1`. */
export function described(limit: Limit): string {
  const { min, max, openMin = false, openMax = false } = limit;
  const unbounded = max === undefined || max === Infinity || (limit.integer && max >= Number.MAX_SAFE_INTEGER);
  if (limit.integer) return `a whole number ${unbounded ? `>= ${min}` : `from ${min} to ${max}`}`;
  return `a number ${openMin ? '>' : '>='} ${min}${unbounded ? '' : ` and ${openMax ? '<' : '<='} ${max}`}`;
}

/**
 * Losses are stored in nats (mean natural-log cross-entropy per character, what training
 * minimises) and shown in bits per character, the figure char-rnn and the papers report.
 * Pure, no imports: the CLI and the browser's view of a bundle convert alike.
 */
export const bits = (nats: number) => nats / Math.LN2;

/**
 * A count as people write it: `2,000`. Grouped by hand: the first `toLocaleString` of a
 * process loads ICU's locale data, 15-27 ms of every command's start.
 */
export const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');

/**
 * A noun for `n` of it: `batch` for 1, else its plural, `many` or the noun with -s (-es after
 * s, x, z, sh, tch: `batches`, but `epochs`). The one home of plurals: no message writes
 * `${n} ${word}s`.
 */
export const noun = (n: number, one: string, many = /(s|x|z|sh|tch)$/.test(one) ? `${one}es` : `${one}s`) =>
  n === 1 ? one : many;

/** A count and its noun: `1 batch`, `58 batches`, `2,000 characters`. */
export const plural = (n: number, one: string, many?: string) => `${count(n)} ${noun(n, one, many)}`;

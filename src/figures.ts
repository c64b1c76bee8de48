/**
 * Losses are stored in nats (mean natural-log cross-entropy per character, what training
 * minimises) and shown in bits per character, the figure char-rnn and the papers report.
 * Pure, no imports: the CLI and the browser's view of a bundle convert alike.
 */
export const bits = (nats: number) => nats / Math.LN2;

/** A count as people write it: `2,000`. */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Writing or reciting: how much of a generated text is copied from the text the model
 * learnt from. Pure TypeScript with no Node imports, so a browser page can run it too.
 *
 * Both texts must already be normalised the same way (the CLI reads the corpus as training
 * read it). Lengths and indices are those of JavaScript strings (UTF-16 code units), so a
 * character outside the Basic Multilingual Plane counts two and a passage can in principle
 * start or end inside one.
 *
 * How (text/suffix-automaton.ts): the output is built into a suffix automaton (Blumer et al. 1985; every substring of
 * the output is one path from the root, and its states are ≤ 2n), and the corpus streams
 * through it once, as in the classic longest-common-substring scan: at each corpus position
 * we hold the longest output substring ending there. That one linear pass answers every
 * length at once (the longest passage however short, and every passage of `minLength` or
 * more) exactly, with no hashing to verify and no pass per candidate length: ~0.1-0.2 s for
 * a 2,000-character output against 5 MB (README, "Writing or reciting").
 */
import { defaults } from '../config.js';
import { build, longestEndingAt, scan } from './suffix-automaton.js';

/** A passage of the output that occurs verbatim in the corpus. */
type Passage = {
  /** Its length in UTF-16 code units (0 when no character of the output occurs in the corpus). */
  length: number;
  text: string;
  /** Where it starts in the output: the first such passage there. */
  outputIndex: number;
  /** Where it starts in the corpus (one place it occurs; 0 for an empty passage). */
  corpusIndex: number;
};

/** A stretch of the output, `start` included, `end` not. */
export type Span = { start: number; end: number };

export type Originality = {
  /** The longest substring of the output found anywhere in the corpus, even when shorter than minLength. */
  longest: Passage;
  /** Output characters inside some substring of minLength or more that occurs in the corpus. */
  copiedChars: number;
  /** copiedChars / outputLength (0 for an empty output). */
  copiedShare: number;
  /** Those characters as stretches of the output, merged and in order (for highlighting). */
  copiedSpans: Span[];
  minLength: number;
  outputLength: number;
};

/**
 * How much of `output` is copied from `corpus`: its longest passage found there, and the
 * share of it inside passages of `minLength` or more characters found there.
 */
export function originality(output: string, corpus: string, minLength: number = defaults.copiedMinLength): Originality {
  return originalityOfSamples([output], corpus, minLength)[0];
}

/**
 * `originality` of several outputs (generated samples) against one corpus, in one pass
 * over the corpus: the outputs are built into one automaton with a separator symbol no
 * corpus character maps to, so no match ever runs from one output into the next.
 */
export function originalityOfSamples(
  samples: readonly string[],
  corpus: string,
  minLength: number = defaults.copiedMinLength,
): Originality[] {
  if (!Number.isInteger(minLength) || minLength < 1)
    throw new RangeError(`minLength must be a whole number >= 1, got ${minLength}`);
  if (samples.length === 0) return [];
  const { symbols, symbolOf, starts } = encode(samples);
  const automaton = build(symbols, symbolOf.alphabet);
  const matched = scan(automaton, symbolOf.table, corpus);
  const found = longestEndingAt(automaton, matched);
  return samples.map((sample, k) => summarise(sample, starts[k], found, minLength));
}

/** Code units of the outputs as small symbols 0..alphabet-2; alphabet-1 separates outputs. */
function encode(samples: readonly string[]) {
  const table = new Int32Array(0x10000).fill(-1);
  let alphabet = 0;
  const total = samples.reduce((sum, s) => sum + s.length, 0) + samples.length - 1;
  const symbols = new Int32Array(total);
  const starts: number[] = [];
  let at = 0;
  for (const [k, sample] of samples.entries()) {
    if (k > 0) symbols[at++] = -1; // the separator, numbered below once the alphabet is known
    starts.push(at);
    for (let i = 0; i < sample.length; i++) {
      const unit = sample.charCodeAt(i);
      if (table[unit] < 0) table[unit] = alphabet++;
      symbols[at++] = table[unit];
    }
  }
  const separator = alphabet++;
  for (let i = 0; i < total; i++) if (symbols[i] < 0) symbols[i] = separator;
  return { symbols, symbolOf: { table, alphabet }, starts };
}

/** One output's figures from the per-position matches; `start` is where it begins among all outputs. */
function summarise(
  sample: string,
  start: number,
  found: { length: Int32Array; corpusEnd: Int32Array },
  minLength: number,
): Originality {
  const n = sample.length;
  let longestEnd = -1;
  let longest = 0;
  for (let e = 0; e < n; e++) {
    if (found.length[start + e] > longest) {
      longest = found.length[start + e];
      longestEnd = e;
    }
  }
  const passage: Passage =
    longest === 0
      ? { length: 0, text: '', outputIndex: 0, corpusIndex: 0 }
      : {
          length: longest,
          text: sample.slice(longestEnd - longest + 1, longestEnd + 1),
          outputIndex: longestEnd - longest + 1,
          corpusIndex: found.corpusEnd[start + longestEnd] - longest + 1,
        };
  // Position i is copied when a passage of minLength+ ends at some e >= i and starts at or before i.
  const copied = new Uint8Array(n);
  let reach = Infinity; // the earliest start of such a passage ending at or after i
  for (let i = n - 1; i >= 0; i--) {
    const l = found.length[start + i];
    if (l >= minLength) reach = Math.min(reach, i - l + 1);
    if (reach <= i) copied[i] = 1;
  }
  const copiedSpans: Span[] = [];
  let copiedChars = 0;
  for (let i = 0; i < n; i++) {
    if (!copied[i]) continue;
    copiedChars++;
    const lastSpan = copiedSpans.at(-1);
    if (lastSpan && lastSpan.end === i) lastSpan.end = i + 1;
    else copiedSpans.push({ start: i, end: i + 1 });
  }
  return {
    longest: passage,
    copiedChars,
    copiedShare: n === 0 ? 0 : copiedChars / n,
    copiedSpans,
    minLength,
    outputLength: n,
  };
}

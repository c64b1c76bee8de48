/**
 * Writing or reciting: how much of a generated text is copied from the text the model
 * learnt from. Pure TypeScript with no Node imports, so a browser page can run it too.
 *
 * Both texts must already be normalised the same way (the CLI reads the corpus as training
 * read it). Lengths and indices are those of JavaScript strings (UTF-16 code units), so a
 * character outside the Basic Multilingual Plane counts two and a passage can in principle
 * start or end inside one.
 *
 * How: the output is built into a suffix automaton (Blumer et al. 1985; every substring of
 * the output is one path from the root, and its states are ≤ 2n), and the corpus streams
 * through it once, as in the classic longest-common-substring scan: at each corpus position
 * we hold the longest output substring ending there. That one linear pass answers every
 * length at once (the longest passage however short, and every passage of `minLength` or
 * more) exactly, with no hashing to verify and no pass per candidate length: ~0.1-0.2 s for
 * a 2,000-character output against 5 MB (README, "Writing or reciting").
 */
import { defaults } from '../config.js';

/** A passage of the output that occurs verbatim in the corpus. */
export type Passage = {
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

type Automaton = {
  states: number;
  alphabet: number;
  /** Per state: the length of its longest string, and its suffix link (-1 for the root, state 0). */
  len: Int32Array;
  link: Int32Array;
  /** The state of each prefix of the outputs: position e's state holds every substring ending at e. */
  prefixState: Int32Array;
  /** Transitions: a row indexed by symbol for busy states (row >= 0), else an edge list. */
  row: Int32Array;
  rows: Int32Array;
  edgeStart: Int32Array;
  edgeSymbol: Int32Array;
  edgeTarget: Int32Array;
};

/**
 * States with more edges than this get a row indexed by symbol. After a mismatch the scan
 * falls back to short contexts (the root, single characters), which have an edge for almost
 * every symbol: a row answers them in one step. Deeper states have one or two edges, and a
 * short list keeps memory linear (edges ≤ 3n, so at most 3n/5 rows, far fewer in practice).
 */
const ROW_DEGREE = 4;

/** The suffix automaton of `symbols` (the standard online construction), then compacted for scanning. */
function build(symbols: Int32Array, alphabet: number): Automaton {
  const n = symbols.length;
  const capacity = 2 * n + 1;
  const len = new Int32Array(capacity);
  const link = new Int32Array(capacity);
  const prefixState = new Int32Array(n);
  const edges = new EdgeTable(3 * n + 1);
  link[0] = -1;
  let states = 1;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const c = symbols[i];
    const cur = states++;
    len[cur] = len[last] + 1;
    let p = last;
    while (p !== -1 && edges.get(p, c) < 0) {
      edges.set(p, c, cur);
      p = link[p];
    }
    if (p === -1) link[cur] = 0;
    else {
      const q = edges.get(p, c);
      if (len[p] + 1 === len[q]) link[cur] = q;
      else {
        const clone = states++;
        len[clone] = len[p] + 1;
        for (let a = 0; a < alphabet; a++) {
          const t = edges.get(q, a);
          if (t >= 0) edges.set(clone, a, t);
        }
        link[clone] = link[q];
        while (p !== -1 && edges.get(p, c) === q) {
          edges.set(p, c, clone);
          p = link[p];
        }
        link[q] = clone;
        link[cur] = clone;
      }
    }
    last = cur;
    prefixState[i] = cur;
  }
  return { states, alphabet, len, link, prefixState, ...edges.compact(states, alphabet) };
}

/** Open-addressed (state, symbol) -> state map for building; compacted once built. */
class EdgeTable {
  private readonly mask: number;
  private readonly keyState: Int32Array;
  private readonly keySymbol: Int32Array;
  private readonly target: Int32Array;

  constructor(maxEdges: number) {
    let size = 16;
    while (size < 2 * maxEdges) size *= 2; // at most half full: short probes
    this.mask = size - 1;
    this.keyState = new Int32Array(size).fill(-1);
    this.keySymbol = new Int32Array(size);
    this.target = new Int32Array(size);
  }

  private slot(state: number, symbol: number): number {
    let h = (Math.imul(state, 0x9e3779b1) ^ Math.imul(symbol + 1, 0x85ebca6b)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    while (this.keyState[h] !== -1 && (this.keyState[h] !== state || this.keySymbol[h] !== symbol))
      h = (h + 1) & this.mask;
    return h;
  }

  get(state: number, symbol: number): number {
    const h = this.slot(state, symbol);
    return this.keyState[h] === -1 ? -1 : this.target[h];
  }

  set(state: number, symbol: number, to: number): void {
    const h = this.slot(state, symbol);
    this.keyState[h] = state;
    this.keySymbol[h] = symbol;
    this.target[h] = to;
  }

  /** Each state's edges as a list (edgeStart[s] .. edgeStart[s + 1]), and rows for busy states and the root. */
  compact(states: number, alphabet: number) {
    const edgeStart = new Int32Array(states + 1);
    for (let h = 0; h <= this.mask; h++) if (this.keyState[h] >= 0) edgeStart[this.keyState[h] + 1]++;
    for (let s = 0; s < states; s++) edgeStart[s + 1] += edgeStart[s];
    const fill = edgeStart.slice(0, states);
    const edgeSymbol = new Int32Array(edgeStart[states]);
    const edgeTarget = new Int32Array(edgeStart[states]);
    for (let h = 0; h <= this.mask; h++) {
      const s = this.keyState[h];
      if (s < 0) continue;
      edgeSymbol[fill[s]] = this.keySymbol[h];
      edgeTarget[fill[s]++] = this.target[h];
    }
    const row = new Int32Array(states).fill(-1);
    let count = 0;
    for (let s = 0; s < states; s++)
      if (s === 0 || edgeStart[s + 1] - edgeStart[s] > ROW_DEGREE) row[s] = alphabet * count++;
    const rows = new Int32Array(alphabet * count).fill(-1);
    for (let s = 0; s < states; s++) {
      if (row[s] < 0) continue;
      for (let e = edgeStart[s]; e < edgeStart[s + 1]; e++) rows[row[s] + edgeSymbol[e]] = edgeTarget[e];
    }
    return { row, rows, edgeStart, edgeSymbol, edgeTarget };
  }
}

/**
 * The corpus through the automaton. Invariant: after position j, (state, length) is the
 * longest suffix of corpus[..j] that is a substring of the outputs, and length lies in the
 * state's range of lengths. Per state: the longest match seen there and where it ended.
 */
function scan(a: Automaton, symbolOf: Int32Array, corpus: string): { best: Int32Array; bestEnd: Int32Array } {
  const { len, link, row, rows, edgeStart, edgeSymbol, edgeTarget } = a;
  const best = new Int32Array(a.states);
  const bestEnd = new Int32Array(a.states);
  let state = 0;
  let length = 0;
  for (let j = 0; j < corpus.length; j++) {
    const c = symbolOf[corpus.charCodeAt(j)];
    if (c < 0) {
      // a character no output has: nothing matches across it
      state = 0;
      length = 0;
      continue;
    }
    let to = -1;
    for (;;) {
      const r = row[state];
      if (r >= 0) to = rows[r + c];
      else {
        for (let e = edgeStart[state], end = edgeStart[state + 1]; e < end; e++) {
          if (edgeSymbol[e] === c) {
            to = edgeTarget[e];
            break;
          }
        }
      }
      if (to >= 0 || state === 0) break;
      state = link[state]; // a shorter context: drop characters from the front of the match
      length = len[state];
    }
    if (to < 0) {
      length = 0;
      continue;
    }
    state = to;
    length++;
    if (length > best[state]) {
      best[state] = length;
      bestEnd[state] = j;
    }
  }
  return { best, bestEnd };
}

/**
 * For each output position e: the longest substring ending at e that occurs in the corpus
 * (`length[e]`) and where one occurrence ends in the corpus. A state's strings are suffixes of
 * one another, so those found in the corpus are its lengths up to `best`; a match found in
 * a state below it in the suffix-link tree contains all of its strings; and the suffixes of
 * the prefix ending at e are the states from its prefix state up to the root.
 */
function longestEndingAt(a: Automaton, { best, bestEnd }: { best: Int32Array; bestEnd: Int32Array }) {
  const { states, len, link, prefixState } = a;
  const byLength = statesByLength(states, len);
  for (let k = states - 1; k > 0; k--) {
    // longest first: children before their suffix-link parent
    const s = byLength[k];
    const p = link[s];
    if (best[s] > 0 && p > 0 && best[p] < len[p]) {
      best[p] = len[p];
      bestEnd[p] = bestEnd[s];
    }
  }
  const nearest = new Int32Array(states); // the nearest state at or above s with a match (-1: none)
  nearest[0] = -1;
  for (let k = 1; k < states; k++) {
    const s = byLength[k];
    nearest[s] = best[s] > 0 ? s : nearest[link[s]];
  }
  const n = prefixState.length;
  const length = new Int32Array(n);
  const corpusEnd = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const s = nearest[prefixState[e]];
    if (s >= 0) {
      length[e] = best[s];
      corpusEnd[e] = bestEnd[s];
    }
  }
  return { length, corpusEnd };
}

/** States sorted by their longest length (a counting sort: lengths are at most the states). */
function statesByLength(states: number, len: Int32Array): Int32Array {
  const count = new Int32Array(states + 1);
  for (let s = 0; s < states; s++) count[len[s]]++;
  for (let l = 1; l <= states; l++) count[l] += count[l - 1];
  const order = new Int32Array(states);
  for (let s = states - 1; s >= 0; s--) order[--count[len[s]]] = s;
  return order;
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

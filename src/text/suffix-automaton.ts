/**
 * A suffix automaton over the outputs (Blumer et al. 1985: every substring is one path
 * from the root, and its states are <= 2n), compacted for scanning, and the classic
 * longest-common-substring scan of a corpus through it: at each corpus position, the
 * longest output substring ending there. text/verbatim.ts turns the matches into figures.
 * Pure, no imports: the browser page runs it too.
 */

export type Automaton = {
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
export function build(symbols: Int32Array, alphabet: number): Automaton {
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
export function scan(a: Automaton, symbolOf: Int32Array, corpus: string): { best: Int32Array; bestEnd: Int32Array } {
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
export function longestEndingAt(a: Automaton, { best, bestEnd }: { best: Int32Array; bestEnd: Int32Array }) {
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

/**
 * The held-out part: a text's ids split once into a training part and a contiguous
 * validation tail (`valFraction`), per document when a corpus has several. windows.ts
 * cuts the parts into windows and batches.
 */
import { dataError } from '../errors.js';
import type { Ids } from './vocab.js';

export type SplitOptions = { seqLength: number; valFraction: number };

export type Split = {
  ids: Ids;
  seqLength: number;
  /** Training ids are [0, trainEnd); validation ids are [trainEnd, ids.length). */
  trainEnd: number;
};

/**
 * The sizes of the split of a text of `length` ids (`lengths`: its documents', when several;
 * see splitDocuments), or the data error of a text too short for it. A pure check on lengths,
 * so a run can refuse such a text before any other work.
 */
export function splitSizes(
  length: number,
  lengths: readonly number[] | undefined,
  { seqLength, valFraction }: SplitOptions,
): { trainLength: number; valLength: number; held?: number[] } {
  const need = seqLength + 1;
  if (lengths === undefined || lengths.length <= 1) {
    const valCount = valFraction > 0 ? Math.max(need, Math.round(length * valFraction)) : 0;
    const trainEnd = length - valCount;
    if (trainEnd < need) {
      // The smallest n with n - max(need, round(n * valFraction)) >= need.
      let min = valFraction > 0 ? 2 * need : need;
      while (valFraction > 0 && min - Math.max(need, Math.round(min * valFraction)) < need) min++;
      throw dataError(
        `the text has ${length} characters, too short for one ${seqLength}-character training window${valFraction > 0 ? ` plus a ${Math.round(valFraction * 100)}% validation part` : ''} (needs at least ${min})`,
        `use a longer text, or a shorter --seq-length${valFraction > 0 ? ', or a smaller --val-fraction (0 for none)' : ''}`,
      );
    }
    return { trainLength: trainEnd, valLength: valCount };
  }
  const k = lengths.length;
  if (lengths.reduce((a, b) => a + b, 0) + k - 1 !== length) {
    throw new Error(
      `splitSizes: ${k} documents of ${lengths.reduce((a, b) => a + b, 0)} ids and ${k - 1} separators are not the ${length} ids given`,
    );
  }
  const held = lengths.map((n) => (valFraction > 0 ? Math.min(Math.round(n * valFraction), n - 1) : 0));
  const heldParts = held.filter((h) => h > 0).length;
  const trainLength = length - held.reduce((a, b) => a + b, 0);
  const valLength = held.reduce((a, b) => a + b, 0) + Math.max(0, heldParts - 1);
  const files = `the ${k} files`;
  if (trainLength < need) {
    throw dataError(
      `the training parts of ${files} have ${trainLength} characters, too short for one ${seqLength}-character training window (needs at least ${need})`,
      `use longer texts, or a shorter --seq-length${valFraction > 0 ? ', or a smaller --val-fraction' : ''}`,
    );
  }
  if (valFraction > 0 && valLength < need) {
    throw dataError(
      `the held-out parts (the last ${Math.round(valFraction * 100)}% of each of ${files}) have ${valLength} characters, too short for one ${seqLength}-character validation window (needs at least ${need})`,
      'use longer texts, a shorter --seq-length or a larger --val-fraction, or --val-fraction 0 for none',
    );
  }
  return { trainLength, valLength, held };
}

/** Splits ids into training and validation parts; refuses texts too short for that. */
export function split(ids: Ids, options: SplitOptions): Split {
  return { ids, seqLength: options.seqLength, trainEnd: splitSizes(ids.length, undefined, options).trainLength };
}

/**
 * The split of a corpus of several documents, `ids` being their ids joined by one separator
 * id each (as the corpus text is) and `lengths` their lengths: the last `valFraction` of EACH
 * document is held out, so no document is missing from either part. The ids are laid out
 * anew as [train 1, SEP, train 2, SEP, ..., train k | val 1, SEP, val 2, ..., val k] with
 * `trainEnd` at the bar, so Split keeps its shape and training windows never reach a held-out
 * character. A document's held-out part is round(n * valFraction) characters, but never all
 * of it: a document too short for a share (round to 0) is wholly in training, and leaves no
 * empty part (nor a doubled separator) in the held-out ids. The parts together must hold
 * one window each, else a data error. One document (or `lengths` undefined) is `split`, exactly.
 */
export function splitDocuments(ids: Ids, lengths: readonly number[] | undefined, options: SplitOptions): Split {
  if (lengths === undefined || lengths.length <= 1) return split(ids, options);
  const { trainLength, valLength, held = [] } = splitSizes(ids.length, lengths, options);
  const separator = ids[lengths[0]];
  const out =
    ids instanceof Uint32Array ? new Uint32Array(trainLength + valLength) : new Uint16Array(trainLength + valLength);
  let train = 0;
  let val = trainLength;
  let from = 0;
  lengths.forEach((n, d) => {
    const keep = n - held[d];
    if (d > 0) out[train++] = separator;
    out.set(ids.subarray(from, from + keep), train);
    train += keep;
    if (held[d] > 0) {
      if (val > trainLength) out[val++] = separator;
      out.set(ids.subarray(from + keep, from + n), val);
      val += held[d];
    }
    from += n + 1;
  });
  return { ids: out, seqLength: options.seqLength, trainEnd: trainLength };
}

export const trainChars = (s: Split) => s.trainEnd;
export const valChars = (s: Split) => s.ids.length - s.trainEnd;

/**
 * How a text becomes training data.
 *
 * The ids are split once (split.ts): a contiguous tail (`valFraction`) is held out for
 * validation. Windows are offsets into the id array, never copies: a window starting at `s` has
 * inputs ids[s .. s+T) and targets ids[s+1 .. s+T] (sequence targets, as char-rnn), so
 * every position is a training example. Training windows do not overlap; each epoch
 * starts them at a seeded offset in [0, T) and visits them in a seeded order, so the
 * model sees different boundaries every epoch. Batches are laid out time-major.
 *
 * Stateful training (truncated backpropagation through time, as char-rnn): `streamPlan`
 * cuts the training part into B contiguous streams; batch k holds window k of every
 * stream, so the LSTM state at the end of batch k is the right start for batch k + 1.
 * Validation can be scored the same way (`validationStreams`), as generation reads text.
 *
 * Shapes: T = seqLength, B = batch size (windows in the batch).
 */
import { permutation, rng } from '../random.js';
import { type Split, valChars } from './split.js';
import type { Ids } from './vocab.js';

/** A batch: `inputs` and `targets` are time-major, index t * batch + b. */
export type Batch = {
  batch: number;
  seqLength: number;
  inputs: Int32Array; // [T * B]
  targets: Int32Array; // [T * B]
};

/** Number of non-overlapping windows of T inputs (+1 target) that fit in `chars` characters from `offset`. */
export function windowCount(chars: number, seqLength: number, offset = 0): number {
  return Math.max(0, Math.floor((chars - offset - 1) / seqLength));
}

/** The largest epoch offset that still leaves one window (offsets are drawn from [0, this]). */
function maxOffset(s: Split): number {
  return Math.min(s.seqLength - 1, s.trainEnd - s.seqLength - 1);
}

export type EpochPlan = {
  epoch: number;
  offset: number;
  /** Start offsets of the epoch's windows, in the order they are visited. */
  starts: Uint32Array;
  batchSize: number;
  batches: number;
  /** Row b of batch k + 1 continues row b of batch k (the state carries over). */
  carry: boolean;
};

/**
 * The windows of one training epoch, shuffled. Only whole batches are used when there is
 * at least one (the partial remainder differs every epoch, so no data is always left out);
 * a text with fewer windows than a batch trains on one smaller batch.
 */
export function epochPlan(s: Split, epoch: number, batchSize: number, randomSeed: number): EpochPlan {
  const offset = Math.floor(rng(randomSeed, 'offset', epoch)() * (maxOffset(s) + 1));
  const n = windowCount(s.trainEnd, s.seqLength, offset);
  const order = permutation(n, rng(randomSeed, 'shuffle', epoch));
  const starts = new Uint32Array(n);
  for (let i = 0; i < n; i++) starts[i] = offset + order[i] * s.seqLength;
  const size = Math.min(batchSize, n);
  return { epoch, offset, starts, batchSize: size, batches: Math.floor(n / size), carry: false };
}

/**
 * The windows of one stateful epoch: B = min(batchSize, windows) contiguous streams of
 * equal length; batch k holds window k of every stream, in stream order. What does not
 * fill whole streams (< B windows) is left out at a seeded place each epoch (split
 * between the start and the end of the training part), so the window boundaries and the
 * stream boundaries move every epoch and every character is trained on in most epochs.
 */
export function streamPlan(s: Split, epoch: number, batchSize: number, randomSeed: number): EpochPlan {
  const T = s.seqLength;
  const usable = s.trainEnd - 1; // the last training character is only a target
  const n = Math.floor(usable / T);
  const B = Math.max(1, Math.min(batchSize, n));
  const perStream = Math.floor(n / B);
  const slack = usable - B * perStream * T;
  const offset = Math.floor(rng(randomSeed, 'offset', epoch)() * (slack + 1));
  const starts = new Uint32Array(B * perStream);
  for (let k = 0; k < perStream; k++) {
    for (let b = 0; b < B; b++) starts[k * B + b] = offset + (b * perStream + k) * T;
  }
  return { epoch, offset, starts, batchSize: B, batches: perStream, carry: true };
}

/** Validation windows: non-overlapping from the start of the held-out tail, in order. */
export function validationStarts(s: Split): Uint32Array {
  const n = windowCount(valChars(s), s.seqLength);
  const starts = new Uint32Array(n);
  for (let i = 0; i < n; i++) starts[i] = s.trainEnd + i * s.seqLength;
  return starts;
}

/** Materialises the windows `starts` as one time-major batch. */
export function makeBatch(ids: Ids, starts: ArrayLike<number>, seqLength: number): Batch {
  const B = starts.length;
  const inputs = new Int32Array(seqLength * B);
  const targets = new Int32Array(seqLength * B);
  for (let b = 0; b < B; b++) {
    const s = starts[b];
    for (let t = 0; t < seqLength; t++) {
      inputs[t * B + b] = ids[s + t];
      targets[t * B + b] = ids[s + t + 1];
    }
  }
  return { batch: B, seqLength, inputs, targets };
}

/** Batch k of an epoch plan. */
export function planBatch(s: Split, plan: EpochPlan, k: number): Batch {
  const from = k * plan.batchSize;
  return makeBatch(s.ids, plan.starts.subarray(from, from + plan.batchSize), s.seqLength);
}

/** Validation batches of at most `batchSize` windows (the last may be smaller). */
export function validationBatches(s: Split, batchSize: number): Generator<Batch> {
  return windowBatches(s, validationStarts(s), batchSize);
}

/** Batches of at most `batchSize` of the given windows, in order. */
export function* windowBatches(s: Split, starts: Uint32Array, batchSize: number): Generator<Batch> {
  for (let from = 0; from < starts.length; from += batchSize) {
    yield makeBatch(s.ids, starts.subarray(from, from + batchSize), s.seqLength);
  }
}

/**
 * The validation windows to score during training: all of them, or, when there are more
 * than `max`, a fixed seeded sample of `max` (the same every time, in text order), so a
 * large held-out part is scored quickly and every figure compares with the last.
 */
export function validationSample(s: Split, max: number, randomSeed: number): { starts: Uint32Array; sampled: boolean } {
  const all = validationStarts(s);
  if (all.length <= max) return { starts: all, sampled: false };
  const chosen = permutation(all.length, rng(randomSeed, 'validation-sample')).subarray(0, max).sort();
  return { starts: Uint32Array.from(chosen, (i) => all[i]), sampled: true };
}

/** The plan of a training epoch: contiguous streams (stateful) or shuffled independent windows. */
export function trainingPlan(
  s: Split,
  epoch: number,
  batchSize: number,
  randomSeed: number,
  stateful: boolean,
): EpochPlan {
  return (stateful ? streamPlan : epochPlan)(s, epoch, batchSize, randomSeed);
}

/**
 * A stream needs this many windows (1,000 characters at T = 50) before most of its
 * characters are read with warm state; the held-out part is cut into no more streams than that allows.
 */
export const MIN_STREAM_WINDOWS = 20;

/**
 * The held-out part as contiguous streams, scored with the state carried from window to
 * window: at most `maxStreams` streams of at least MIN_STREAM_WINDOWS windows (one stream
 * when the part is shorter). Every held-out window is in exactly one stream; the first
 * streams are one window longer when the windows do not divide evenly, so batch k's rows
 * are always a prefix of batch k - 1's. With more than `maxWindows` windows, a fixed seeded
 * sample of whole streams is scored (the same every time).
 *
 * Returns the start offsets of each batch's rows, in order.
 */
export function validationStreams(
  s: Split,
  maxStreams: number,
  maxWindows = Infinity,
  randomSeed = 0,
): { batches: Uint32Array[]; windows: number; sampled: boolean } {
  const T = s.seqLength;
  const n = windowCount(valChars(s), T);
  if (n === 0) return { batches: [], windows: 0, sampled: false };
  const streams = Math.max(1, Math.min(maxStreams, Math.floor(n / MIN_STREAM_WINDOWS)));
  const perStream = Math.floor(n / streams);
  const longer = n - streams * perStream; // streams 0 .. longer-1 have one window more
  const first = (b: number) => s.trainEnd + (b * perStream + Math.min(b, longer)) * T;
  const length = (b: number) => perStream + (b < longer ? 1 : 0);
  let chosen = Array.from({ length: streams }, (_, b) => b);
  const sampled = n > maxWindows && streams > 1;
  if (sampled) {
    const keep = Math.max(1, Math.floor(maxWindows / (perStream + 1)));
    chosen = [...permutation(streams, rng(randomSeed, 'validation-streams')).subarray(0, keep)].sort((a, b) => a - b);
  }
  const batches: Uint32Array[] = [];
  let windows = 0;
  for (let k = 0; k <= perStream; k++) {
    const rows = chosen.filter((b) => k < length(b)); // ascending, so longer streams come first
    if (!rows.length) break;
    batches.push(Uint32Array.from(rows, (b) => first(b) + k * T));
    windows += rows.length;
  }
  return { batches, windows, sampled };
}

/** Examples [from, to) of a batch, as a batch of their own (a worker's share). */
export function sliceBatch(b: Batch, from: number, to: number): Batch {
  const n = to - from;
  const inputs = new Int32Array(b.seqLength * n);
  const targets = new Int32Array(b.seqLength * n);
  for (let t = 0; t < b.seqLength; t++) {
    inputs.set(b.inputs.subarray(t * b.batch + from, t * b.batch + to), t * n);
    targets.set(b.targets.subarray(t * b.batch + from, t * b.batch + to), t * n);
  }
  return { batch: n, seqLength: b.seqLength, inputs, targets };
}

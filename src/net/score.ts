/**
 * Inference over a whole text: a model's cross-entropy, read the two ways validation reads
 * the held-out part during training (text/windows.ts is the one home of both), so
 * `lstm eval` on a bundle's held-out tail reproduces its validation figures:
 * - cold: non-overlapping windows of the model's sequence length, each from a zero state;
 * - streams: the text cut into at most `batchSize` contiguous streams, the state carried
 *   from window to window, as generation reads text.
 */
import { dataError } from '../errors.js';
import { plural } from '../figures.js';
import type { NetConfig, Params } from '../params.js';
import type { Ids } from '../text/vocab.js';
import type { Split } from '../text/split.js';
import { makeBatch, validationBatches, validationStreams, type Batch } from '../text/windows.js';
import { stateRows, type LayerState } from '../params.js';
import { isBackendName } from './backend.js';
import { type Engine, engineFor } from './engine.js';
import { disposeWeights, type NetWeights, toDevice } from './lstm.js';
import { tf } from './tf.js';

export type Score = {
  /** Cold windows: summed cross-entropy (nats) and characters predicted. */
  lossSum: number;
  chars: number;
  seqLength: number;
  /** Streams with carried state: the same characters' summed loss, and how many streams. */
  stream: { lossSum: number; chars: number; streams: number };
};

/** The whole of `ids` as the held-out part of windows of `seqLength` (shorter for a text under one window). */
function wholeText(ids: Ids, seqLength: number): Split {
  if (ids.length < 2) {
    throw dataError(
      `the text has ${plural(ids.length, 'character')} in the model's vocabulary; evaluation needs at least 2`,
      'give a longer text',
    );
  }
  // A text shorter than one window is scored as one shorter window.
  return { ids, seqLength: Math.min(seqLength, ids.length - 1), trainEnd: 0 };
}

/** The active backend's engine: TensorFlow's fused kernels on tensorflow, as training validates. */
function activeEngine(): Engine {
  const name = tf.getBackend();
  return engineFor(isBackendName(name) ? name : 'cpu');
}

/** Cold windows on weights already on the device: summed loss (nats) and characters predicted. */
function coldOn(w: NetWeights, cfg: NetConfig, all: Split, batchSize: number): { lossSum: number; chars: number } {
  const { batchLoss } = activeEngine();
  let lossSum = 0;
  let chars = 0;
  for (const batch of validationBatches(all, batchSize)) {
    lossSum += batchLoss(w, cfg, batch);
    chars += batch.batch * batch.seqLength;
  }
  return { lossSum, chars };
}

/** The cold reading alone (Score's `lossSum` and `chars`), for a caller that needs no streams. */
export function coldScore(
  cfg: NetConfig,
  params: Params,
  ids: Ids,
  seqLength: number,
  batchSize: number,
): { lossSum: number; chars: number } {
  const all = wholeText(ids, seqLength);
  const w = toDevice(cfg, params);
  try {
    return coldOn(w, cfg, all, batchSize);
  } finally {
    disposeWeights(w);
  }
}

/** Summed cross-entropy (nats) of `ids` and the number of characters predicted. */
export function scoreText(cfg: NetConfig, params: Params, ids: Ids, seqLength: number, batchSize: number): Score {
  const all = wholeText(ids, seqLength); // the whole text plays the held-out part
  const T = all.seqLength;
  const w = toDevice(cfg, params);
  const { streamLoss } = activeEngine();
  const stream = { lossSum: 0, chars: 0, streams: 0 };
  try {
    const { lossSum, chars } = coldOn(w, cfg, all, batchSize);
    const { batches, windows } = validationStreams(all, batchSize);
    stream.streams = batches[0]?.length ?? 0;
    // The stream that reads the text's last window goes on to read what follows it (the last
    // partial window), so every character after the first is scored, as `lstm inspect` scores it.
    const lastStart = (windows - 1) * T;
    const lastBatch = batches.findIndex((starts) => starts.includes(lastStart));
    let lastState: LayerState[] | undefined;
    const keep = (k: number, state: LayerState[]) => {
      const row = k === lastBatch ? batches[k].indexOf(lastStart) : -1;
      if (row >= 0) lastState = stateRows(state, row, row + 1, cfg.units);
    };
    const loss = (batch: Batch, state?: LayerState[]) => streamLoss(w, cfg, batch, state);
    for (const part of streamScores(batches, ids, T, cfg.units, loss, keep)) {
      stream.lossSum += part.lossSum;
      stream.chars += part.chars;
    }
    const tail = ids.length - 1 - windows * T;
    if (tail > 0) {
      stream.lossSum += streamLoss(w, cfg, makeBatch(ids, [windows * T], tail), lastState).lossSum;
      stream.chars += tail;
    }
    return { lossSum, chars, seqLength: T, stream };
  } finally {
    disposeWeights(w);
  }
}

/**
 * Scores streams batch by batch (text/windows.ts validationStreams: each batch's rows
 * continue the previous batch's first rows), carrying the state; yields each batch's
 * summed loss so a caller can pause between batches; `onState` sees each batch's end state.
 */
export function* streamScores(
  batches: readonly Uint32Array[],
  ids: Ids,
  seqLength: number,
  units: number,
  loss: (batch: Batch, state?: LayerState[]) => { lossSum: number; state: LayerState[] },
  onState?: (k: number, state: LayerState[]) => void,
): Generator<{ lossSum: number; chars: number }> {
  let state: LayerState[] | undefined;
  for (const [k, starts] of batches.entries()) {
    // Streams end one by one, the longest first: the rows left are a prefix.
    const out = loss(makeBatch(ids, starts, seqLength), stateRows(state, 0, starts.length, units));
    state = out.state;
    onState?.(k, state);
    yield { lossSum: out.lossSum, chars: starts.length * seqLength };
  }
}

/**
 * Inference over a whole text: a model's cross-entropy, windowed exactly as validation is
 * during training (non-overlapping windows of the model's sequence length, state reset per
 * window; text/windows.ts's validationBatches is the one home of that windowing), so
 * `lstm eval` on a bundle's held-out tail reproduces its validation loss.
 */
import { dataError } from '../errors.js';
import type { NetConfig, Params } from '../layout.js';
import type { Ids } from '../text/vocab.js';
import { validationBatches, type Split } from '../text/windows.js';
import { batchLoss, disposeWeights, toDevice } from './lstm.js';

export type Score = { lossSum: number; chars: number; seqLength: number };

/** Summed cross-entropy (nats) of `ids` and the number of characters predicted. */
export function scoreText(cfg: NetConfig, params: Params, ids: Ids, seqLength: number, batchSize: number): Score {
  if (ids.length < 2) {
    throw dataError(`the text has ${ids.length} character(s) in the model's vocabulary; evaluation needs at least 2`, 'give a longer text');
  }
  // A text shorter than one window is scored as one shorter window.
  const T = Math.min(seqLength, ids.length - 1);
  const all: Split = { ids, seqLength: T, trainEnd: 0 }; // the whole text plays the held-out part
  const w = toDevice(cfg, params);
  let lossSum = 0;
  let chars = 0;
  try {
    for (const batch of validationBatches(all, batchSize)) {
      lossSum += batchLoss(w, cfg, batch);
      chars += batch.batch * batch.seqLength;
    }
  } finally {
    disposeWeights(w);
  }
  return { lossSum, chars, seqLength: T };
}

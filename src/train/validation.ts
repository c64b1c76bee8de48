/**
 * Validation during training: the held-out part read as streams with the state carried
 * (as generation reads it), and as independent cold windows from a zero state; a fixed
 * seeded sample of either when the part is large, and the whole of it once at the end.
 * Bundles from before streams existed (no `stateful` record) are judged by cold windows,
 * so a resume chooses its best checkpoint alike.
 */
import type { Hyperparameters } from '../config.js';
import type { LayerState } from '../params.js';
import { streamScores } from '../net/score.js';
import type { Split } from '../text/split.js';
import { validationSample, validationStarts, validationStreams, windowBatches, type Batch } from '../text/windows.js';

/** Summed loss of a batch without dropout, from `state` (zeros when absent), and the state at its end. */
export type BatchLoss = (batch: Batch, state?: LayerState[]) => { lossSum: number; state: LayerState[] };

export type Validator = {
  /** Whether the figure validation reports and chooses the best by is the streams reading. */
  byStreams: boolean;
  /** Whether that figure is a sample of the held-out part. */
  sampled: boolean;
  /** Windows `score` reads, and windows in the whole held-out part (what a full pass reads, each reading). */
  windows: { scored: number; all: number; fullPasses: number };
  /** The figure validation reports and the best checkpoint is chosen by (null: no held-out part). */
  score(): Promise<number | null>;
  /** The cold windows' figure beside it (runs judged by streams), else undefined. */
  cold(): Promise<number | null | undefined>;
  /** When validation used a sample: the whole held-out part once, read as `score` reads it. */
  full(): Promise<number | null>;
  /** Runs judged by streams whose cold windows were sampled: the whole held-out part as cold windows. */
  coldFull(): Promise<number | null>;
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Mean loss per character over batches, pausing between them so SIGINT handlers run. */
async function meanOf(parts: Iterable<{ lossSum: number; chars: number }>): Promise<number | null> {
  let sum = 0;
  let count = 0;
  for (const part of parts) {
    sum += part.lossSum;
    count += part.chars;
    await yieldToEventLoop();
  }
  return count > 0 ? sum / count : null;
}

/** Validation of `data`'s held-out part with `loss`, scoring at most `sampleWindows` windows until the end. */
export function makeValidator(
  data: Split,
  hyper: Hyperparameters,
  units: number,
  loss: BatchLoss,
  sampleWindows: number,
): Validator {
  const byStreams = hyper.stateful !== undefined;
  const windowSet = validationSample(data, sampleWindows, hyper.randomSeed);
  const streamSet = (max: number) => validationStreams(data, hyper.batchSize, max, hyper.randomSeed);
  const streams = streamSet(sampleWindows);
  function* windows(starts: Uint32Array) {
    for (const batch of windowBatches(data, starts, hyper.batchSize)) {
      yield { lossSum: loss(batch).lossSum, chars: batch.batch * batch.seqLength };
    }
  }
  const read = (batches: Uint32Array[]) => streamScores(batches, data.ids, data.seqLength, units, loss);
  const sampled = byStreams ? streams.sampled : windowSet.sampled;
  const all = validationStarts(data).length;
  const scored = byStreams ? streams.windows : windowSet.starts.length;
  const fullPasses = (sampled ? 1 : 0) + (byStreams && windowSet.sampled ? 1 : 0);
  return {
    byStreams,
    sampled,
    windows: { scored, all, fullPasses },
    score: () => meanOf(byStreams ? read(streams.batches) : windows(windowSet.starts)),
    cold: async () => (byStreams ? meanOf(windows(windowSet.starts)) : undefined),
    full: async () => {
      if (!sampled) return null;
      return meanOf(byStreams ? read(streamSet(Infinity).batches) : windows(validationStarts(data)));
    },
    coldFull: async () => (byStreams && windowSet.sampled ? meanOf(windows(validationStarts(data))) : null),
  };
}

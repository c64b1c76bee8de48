/**
 * The run's schedule: pure functions of its progress. The learning rate of an epoch,
 * plateau halving, the best checkpoint so far, early stopping, why a run stops and how
 * long it has left. The loop (train/loop.ts) asks; nothing here touches a tensor or a clock.
 */
import { defaults, EXPLODING_LOSS_FACTOR, type Hyperparameters } from '../config.js';
import type { Progress } from '../store/manifest.js';

export type StopReason = 'epochs' | 'patience' | 'time' | 'interrupted';

/** What stops a run by itself: its epochs, its time, or `patience` validations without a gain of `minGain`. */
export type StopRules = {
  epochs: number;
  maxTimeSeconds?: number;
  patience: number;
  /** Bits per character a validation must gain to count for `patience` (config.ts defaults.minGain). */
  minGain: number;
};

/**
 * Learning rate of an epoch (0-based): `lr` for the first `lrDecayAfter` epochs, then
 * multiplied by `lrDecay` once per later epoch (char-rnn's schedule), and halved once for
 * every plateau of the validation loss so far (`halvings`).
 */
export function learningRate(hyper: Hyperparameters, epoch: number, halvings = 0): number {
  const decay = hyper.lrDecay ?? 1;
  return hyper.lr * decay ** Math.max(0, epoch - (hyper.lrDecayAfter ?? 0) + 1) * 0.5 ** halvings;
}

/**
 * Records `score` (validation loss, or the training loss without a held-out part) at
 * (epoch, batch) as the best when it beats every figure so far; true when it does. Early
 * stopping counts it as better when it also gains `minGainBits` (bits per character) on the
 * figure it last counted (Keras's min_delta); a bundle from before that rule counts from its best.
 */
export function recordBest(progress: Progress, score: number, epoch: number, batch: number, minGainBits = 0): boolean {
  const counted =
    progress.counted ??
    (progress.bestValLoss === null ? undefined : { loss: progress.bestValLoss, epoch: progress.bestEpoch ?? 0 });
  if (counted === undefined || score < counted.loss - minGainBits * Math.LN2) progress.counted = { loss: score, epoch };
  else progress.counted = counted;
  const best = progress.bestValLoss === null || score < progress.bestValLoss;
  if (best) {
    progress.bestValLoss = score;
    progress.bestEpoch = epoch;
    progress.bestBatch = batch;
  }
  return best;
}

/**
 * After an epoch's end (1-based `epoch`): early stopping counts epochs in which no
 * validation, inside or at the end, counted as better (recordBest); and a plateau halves the learning rate
 * every `lrPlateau` epochs in a row whose end-of-epoch figure is not the best end-of-epoch
 * figure. Only epoch ends count for halving: validations inside an epoch come on a clock
 * (and on Ctrl-C), and the weights must not depend on when they came. True when it halved.
 */
export function endOfEpoch(progress: Progress, epoch: number, valLoss: number | null, lrPlateau: number): boolean {
  if ((progress.counted?.epoch ?? progress.bestEpoch) === epoch) progress.epochsWithoutImprovement = 0;
  else progress.epochsWithoutImprovement++;
  if (valLoss === null || lrPlateau <= 0) return false;
  const plateau = progress.plateau ?? { best: Infinity, epochs: 0 };
  progress.plateau =
    valLoss < plateau.best ? { best: valLoss, epochs: 0 } : { best: plateau.best, epochs: plateau.epochs + 1 };
  const halve = progress.plateau.epochs > 0 && progress.plateau.epochs % lrPlateau === 0;
  if (halve) progress.lrHalvings = (progress.lrHalvings ?? 0) + 1;
  return halve;
}

export type StopState = {
  stopRequested: boolean;
  outOfTime: boolean;
  /** Whether the run has a held-out part (patience needs one). */
  validated: boolean;
  progress: Pick<Progress, 'epoch' | 'epochsWithoutImprovement'>;
  epochs: number;
  patience: number;
};

/** Why a run stops at an epoch's end, or null when it goes on; the first that applies, in this order. */
export function stopAfterEpoch(s: StopState): StopReason | null {
  if (s.stopRequested) return 'interrupted';
  if (s.validated && s.progress.epochsWithoutImprovement >= s.patience) return 'patience';
  if (s.outOfTime) return 'time';
  if (s.progress.epoch >= s.epochs) return 'epochs';
  return null;
}

/** How long the run's steps take here, measured as it goes (seconds). */
export type Durations = { batch: number; validation: number; save: number };

/**
 * Whether --max-time leaves no room for another batch and the validation and save that end
 * a run: the limit is the run's time, so the run stops while what stopping costs still fits.
 */
export function timeIsUp(maxTimeSeconds: number | undefined, runSeconds: number, d: Durations): boolean {
  return maxTimeSeconds !== undefined && runSeconds + d.batch + d.validation + d.save >= maxTimeSeconds;
}

/** Whether `seconds` of work (a pass over the whole held-out part) and the final save fit in the time left. */
export function fitsInTime(maxTimeSeconds: number | undefined, runSeconds: number, seconds: number, save: number) {
  return maxTimeSeconds === undefined || runSeconds + seconds + save <= maxTimeSeconds;
}

/** Why a run stops after a batch inside an epoch (a signal or the time limit), or null. */
export function stopInEpoch(stopRequested: boolean, outOfTime: boolean): StopReason | null {
  return stopRequested ? 'interrupted' : outOfTime ? 'time' : null;
}

/**
 * Seconds to the end of the run: `toEpochLimit` (the work left to the epoch limit), or
 * --max-time's remainder, whichever comes first; null when only early stopping can end it.
 * The default epoch limit is a cap, not a plan: early stopping usually ends the run first.
 */
export function runEta(
  toEpochLimit: number,
  limits: { epochs: number; maxTimeSeconds?: number },
  runSeconds: number,
): number | null {
  const capped = limits.epochs >= defaults.epochsUntilTime || limits.epochs === defaults.epochs;
  const byEpochs = capped ? Infinity : toEpochLimit;
  const byTime = limits.maxTimeSeconds === undefined ? Infinity : Math.max(0, limits.maxTimeSeconds - runSeconds);
  const eta = Math.min(byEpochs, byTime);
  return Number.isFinite(eta) ? eta : null;
}

/** The training loss past which a run has diverged: a multiple of the untrained loss (char-rnn's rule). */
export function explodingLoss(vocabSize: number, firstTrainLoss: number | undefined): number {
  return EXPLODING_LOSS_FACTOR * Math.max(Math.log(vocabSize), firstTrainLoss ?? 0);
}

/** Whether a batch's loss (nats per character) and gradient norm say the run diverged. */
export function diverged(loss: number, norm: number, explodeAt: number): boolean {
  return !Number.isFinite(loss) || loss > explodeAt || !Number.isFinite(norm);
}

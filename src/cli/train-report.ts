/**
 * What `lstm train` shows while it runs: the training loop's events (train/run.ts) as
 * lines and a progress spinner on stderr, or as one JSON event per line on stdout with
 * --json; then the summary of how the run ended.
 */
import { defaults, type Hyperparameters } from '../config.js';
import { bits, count, plural } from '../figures.js';
import type { Lineage } from '../store/manifest.js';
import type { RunEvents, RunResult } from '../train/run.js';
import { duration, loss } from './format.js';
import type { ChosenBase } from './bases.js';
import { startingFrom } from './lineage.js';
import { writeJson } from './output.js';
import type { Reporter } from './reporter.js';
import type { StopSignal } from './signals.js';

/** The run being reported, as train decided it. */
export type ReportedRun = {
  /** One JSON event per line on stdout instead of lines on stderr. */
  json: boolean;
  out: string;
  vocabSize: number;
  hyper: Hyperparameters;
  patience: number;
  /** Bits per character: what a validation had to gain to count for patience. */
  minGain: number;
  /** A fine-tune's base (absent when training from scratch or resuming). */
  lineage?: Lineage;
  /** Without --from: the bundled base the run started from, and why. */
  chosenBase?: ChosenBase;
  /** How to go on from where the run stops: `lstm train --resume <out>` (for stdin, with the text again). */
  resume: string;
  /** The last checkpoint saved (set as the run saves). */
  saved?: string;
  /** The signal that stopped the run, when one did. */
  signal?: StopSignal;
  /** The defaults were fitted to a small text: the note that says so (then it is the word on overfitting). */
  fitted?: string;
};

/** The loop's events, rendered for `run`. */
export function trainEvents(reporter: Reporter, run: ReportedRun): RunEvents {
  const { json, hyper } = run;
  const bestMark = reporter.c.green('★ best');
  return {
    onStart: (start) => {
      const overfit = overfitWarning(start, run);
      if (overfit) reporter.warn(overfit);
      // Where the run starts (--json's start event says it), then the recipe fitted to the text, then the run.
      if (run.lineage && !json)
        reporter.info(startingFrom(run.lineage, run.vocabSize, hyper.lowercase, run.chosenBase));
      if (run.fitted) reporter.info(run.fitted);
      if (json)
        return void writeJson({
          event: 'start',
          ...start,
          out: run.out,
          backend: start.backend,
          vocabSize: run.vocabSize,
          hyperparameters: hyper,
          ...(run.lineage ? { lineage: run.lineage } : {}),
        });
      const doing = start.resumed ? 'resuming' : run.lineage ? 'fine-tuning' : 'training';
      reporter.info(
        `${doing} ${run.out}: ${plural(start.params, 'parameter')}, ${hyper.layers}x${hyper.units} LSTM, vocabulary ${run.vocabSize}, on ${start.backend}${start.workers > 1 ? ` with ${plural(start.workers, 'worker')}` : ''}`,
      );
      reporter.info(
        `data: ${plural(start.trainChars, 'training character')}, ${count(start.valChars)} held out; ${plural(start.batchesPerEpoch, 'batch')} of ${start.batchSize}x${hyper.seqLength} per epoch${start.resumed ? `; from epoch ${start.epoch + 1}${start.batch ? `, batch ${start.batch + 1}` : ''}` : ''}`,
      );
    },
    onBatch: (batch) =>
      reporter.progress(
        `epoch ${batch.epoch}  batch ${batch.batch}/${batch.batches}  loss ${batch.loss.toFixed(3)}${batch.lastValLoss === null ? '' : `  val ${batch.lastValLoss.toFixed(3)}`}` +
          `  ${count(batch.charsPerSecond)} chars/s  eta epoch ${duration(batch.epochEtaSeconds)}${batch.runEtaSeconds === null ? '' : `, run ${duration(batch.runEtaSeconds)}`}`,
      ),
    onEvaluation: (evaluation) => {
      if (json)
        return void writeJson({
          event: 'evaluation',
          ...evaluation,
          valBits: evaluation.valLoss === null ? null : bits(evaluation.valLoss),
        });
      const val =
        evaluation.valLoss === null
          ? `train ${loss(evaluation.trainLoss)}`
          : `val ${loss(evaluation.valLoss)}${evaluation.sampled ? ' (a fixed sample of the held-out part)' : ''}`;
      reporter.info(
        `epoch ${evaluation.epoch}, batch ${evaluation.batch}: ${val}${evaluation.best ? `  ${bestMark}` : ''}`,
      );
    },
    onEpoch: (epoch) => {
      reporter.done();
      if (json)
        return void writeJson({
          event: 'epoch',
          ...epoch,
          rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
          trainBits: bits(epoch.trainLoss),
          valBits: epoch.valLoss === null ? null : bits(epoch.valLoss),
          valPerplexity: epoch.valLoss === null ? null : Math.exp(epoch.valLoss),
        });
      const cold = epoch.valLossCold == null ? '' : ` (${bits(epoch.valLossCold).toFixed(3)} bpc as cold windows)`;
      const val =
        epoch.valLoss === null
          ? 'no validation'
          : `val ${loss(epoch.valLoss)}${cold}, perplexity ${Math.exp(epoch.valLoss).toFixed(2)}`;
      // The epoch limit is not worth showing when only time or early stopping decide.
      const of =
        epoch.epochs === defaults.epochsUntilTime || epoch.epochs === defaults.epochs ? '' : `/${epoch.epochs}`;
      reporter.info(
        `epoch ${epoch.epoch}${of}  train ${loss(epoch.trainLoss)}  ${val}  ${count(epoch.charsPerSecond)} chars/s  ${duration(epoch.seconds)}  elapsed ${duration(epoch.elapsedSeconds)}${epoch.etaSeconds === null ? '' : `  eta ${duration(epoch.etaSeconds)}`}${epoch.best ? `  ${bestMark}` : ''}`,
      );
      if (epoch.lrHalvedTo !== undefined)
        reporter.info(
          `no better validation loss for ${plural(hyper.lrPlateau ?? 0, 'epoch')}: learning rate halved to ${epoch.lrHalvedTo.toPrecision(3)}`,
        );
      if (epoch.sample !== undefined) reporter.info(reporter.c.dim(epoch.sample.replace(/^/gm, '  │ ')));
    },
    onCheckpoint: (saved) => {
      run.saved = saved.path;
      if (json) return void writeJson({ event: 'checkpoint', ...saved });
      if (saved.batch > 0) reporter.info(`saved ${saved.path} (epoch ${saved.epoch + 1}, batch ${saved.batch})`);
    },
  };
}

/** The word on overfitting, when the network has more parameters than the text has training characters. */
function overfitWarning(
  start: { params: number; trainChars: number; resumed: boolean },
  run: ReportedRun,
): string | undefined {
  // A note has said the small-text defaults are used against overfitting: no second, other
  // word on it; a resume's network and recipe were said when it started, and are not changed now.
  if (start.params <= start.trainChars || run.fitted || start.resumed) return undefined;
  // A fine-tune's network is its base's: --units is not the user's to change.
  const remedies = run.lineage ? 'a longer text or more --dropout' : 'a longer text, fewer --units or more --dropout';
  return `the model has ${plural(start.params, 'parameter')} for ${plural(start.trainChars, 'training character')}: it will overfit; the validation loss and the best checkpoint guard against that (or use ${remedies})`;
}

/** How the run ended: the `done` event with --json, and the line that says why and how good. */
export async function reportDone(reporter: Reporter, result: RunResult, run: ReportedRun): Promise<void> {
  const summary = {
    reason: result.reason,
    ...(run.signal ? { signal: run.signal } : {}),
    epochs: result.epoch,
    batch: result.batch,
    bestEpoch: result.bestEpoch,
    bestBatch: result.bestBatch,
    bestValLoss: result.bestValLoss,
    bestValBits: result.bestValLoss === null ? null : bits(result.bestValLoss),
    valLossFull: result.valLossFull,
    valBitsFull: result.valLossFull === null ? null : bits(result.valLossFull),
    valLossCold: result.valLossCold,
    valBitsCold: result.valLossCold === null ? null : bits(result.valLossCold),
    ...(result.fullPassSkippedSeconds === undefined ? {} : { fullPassSkippedSeconds: result.fullPassSkippedSeconds }),
    out: run.out,
    ...(run.saved ? { saved: run.saved } : {}),
  };
  if (run.json) await writeJson({ event: 'done', ...summary });
  const where =
    result.bestBatch > 0 ? `epoch ${result.bestEpoch}, batch ${result.bestBatch}` : `epoch ${result.bestEpoch ?? '-'}`;
  const best = `best ${result.bestValLoss === null ? '-' : loss(result.bestValLoss)} at ${where}`;
  if (result.reason === 'interrupted') return stopped(reporter, result, run, best);
  const why = {
    epochs: `reached ${plural(result.epoch, 'epoch')}`,
    patience:
      run.minGain > 0
        ? `validation gained less than ${run.minGain} bits per character in ${plural(run.patience, 'epoch')}`
        : `no better validation loss for ${plural(run.patience, 'epoch')}`,
    time: 'time limit reached',
  }[result.reason];
  const full =
    (result.valLossFull === null ? '' : `; the whole held-out part: ${loss(result.valLossFull)}`) +
    (result.fullPassSkippedSeconds === undefined
      ? ''
      : `; that is on a fixed sample of the held-out part: scoring all of it (about ${duration(result.fullPassSkippedSeconds)}) did not fit in --max-time`) +
    (result.valLossCold === null
      ? ''
      : `; as independent ${run.hyper.seqLength}-character windows: ${loss(result.valLossCold)}`);
  reporter.info(`done (${why}): ${best}${full}; model in ${run.out}`);
}

/**
 * A run the user stopped: where, what was saved, and how to go on (shown with --quiet too,
 * as the answer to their Ctrl-C).
 */
function stopped(reporter: Reporter, result: RunResult, run: ReportedRun, best: string): void {
  const at = result.batch > 0 ? `epoch ${result.epoch + 1}, batch ${result.batch}` : `the end of epoch ${result.epoch}`;
  const saved = run.saved ? `; saved ${run.saved}` : '';
  reporter.result(`stopped${run.signal ? ` by ${run.signal}` : ''} at ${at}${saved}; ${best}`);
  reporter.result(`continue with: ${run.resume}`);
}

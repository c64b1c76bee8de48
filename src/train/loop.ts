/**
 * The training loop: epochs and batches, validation, early stopping, the
 * time limit, interruption, divergence, per-epoch samples and checkpoints. It joins
 * text/ (windows), net/ (the step) and store/ (checkpoints), and reports only through
 * the callbacks in `events`; it never prints.
 *
 * Reproducibility: every random stream is keyed by (seed, purpose, epoch, batch), so a
 * run resumed from any checkpoint continues exactly as the uninterrupted run would have.
 */
import { defaults, EXPLODING_LOSS_FACTOR, type Hyperparameters } from '../config.js';
import { runtimeError } from '../errors.js';
import { generate } from '../generate/generate.js';
import {
  carriedStateSpecs,
  fromLayersWeights,
  layersWeightSpecs,
  namedState,
  optimizerSpecs,
  paramCount,
  stateFromNamed,
  toLayersWeights,
  type LayerState,
  type Named,
  type NetConfig,
  type Params,
} from '../params.js';
import { Adam, ADAM, type AdamState } from '../net/adam.js';
import type { BackendName } from '../net/backend.js';
import { initParams } from '../net/init.js';
import { layersTopology } from '../net/keras.js';
import { streamScores } from '../net/score.js';
import { StatefulLstm } from '../net/stateful.js';
import type { Checkpoint } from '../store/parse.js';
import { buildManifest, INITIAL_PROGRESS, type EpochRecord, type Lineage, type Progress } from '../store/manifest.js';
import { saveCheckpoint, type SaveOptions, type SaveStage } from '../store/write.js';
import type { Corpus } from '../text/corpus.js';
import type { Vocab } from '../text/vocab.js';
import {
  planBatch,
  splitDocuments,
  trainChars,
  trainingPlan,
  validationSample,
  validationStarts,
  validationStreams,
  valChars,
  windowBatches,
} from '../text/windows.js';
import { corpusRecord } from './record.js';
import { makeTrainStep, type TrainStep } from './step.js';

export type RunOptions = {
  corpus: Corpus;
  encoding: string;
  vocab: Vocab;
  hyper: Hyperparameters;
  epochs: number;
  maxTimeSeconds?: number;
  patience: number;
  keep: number;
  /** Validate and checkpoint inside an epoch every this many batches and/or seconds. */
  evalEvery: { batches?: number; seconds?: number };
  /** Validation scores at most this many windows during training (a fixed sample); a full pass ends it. */
  valSampleWindows: number;
  workers: number;
  out: string;
  sample: boolean;
  samplePrompt: string;
  sampleLength: number;
  sampleTemperature: number;
  backend: BackendName;
  /** The command as a user would type it (cli/invocation.ts), and the exact command line. */
  command: string;
  invocation?: string;
  resume?: Checkpoint;
  /** A fine-tune's start (train/from.ts): the base's parameters for this vocabulary, and its lineage for the manifest. */
  from?: { params: Params; lineage: Lineage };
  notes?: Record<string, unknown>;
  /** Called at each stage of every save (tests use it to crash or fail a save on purpose). */
  onSaveStage?: (stage: SaveStage) => void | Promise<void>;
  /** The bundle's lock: every save checks it still names this run, else stops without writing. */
  lock?: SaveOptions['lock'];
  /** Polled after every batch; true finishes the batch, saves and returns 'interrupted'. */
  shouldStop: () => boolean;
  events: RunEvents;
};

export type StartInfo = {
  params: number;
  trainChars: number;
  valChars: number;
  batchesPerEpoch: number;
  batchSize: number;
  epoch: number;
  batch: number;
  resumed: boolean;
  workers: number;
};
export type BatchInfo = {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  charsPerSecond: number;
  epochEtaSeconds: number;
  /** Time to the end of the run (the epoch limit, or --max-time), or null when only early stopping decides. */
  runEtaSeconds: number | null;
  /** The latest validation figure, if any yet. */
  lastValLoss: number | null;
};
/** A validation inside an epoch (on the schedule, or when stopping mid-epoch). */
export type EvaluationInfo = {
  epoch: number;
  batch: number;
  valLoss: number | null;
  trainLoss: number;
  best: boolean;
  sampled: boolean;
};
export type EpochInfo = EpochRecord & {
  best: boolean;
  elapsedSeconds: number;
  etaSeconds: number | null;
  epochs: number;
  sample?: string;
  /** The learning rate of the next epoch, when validation's plateau just halved it. */
  lrHalvedTo?: number;
};
export type StopReason = 'epochs' | 'patience' | 'time' | 'interrupted';

export type RunEvents = {
  onStart?: (info: StartInfo) => void;
  onBatch?: (info: BatchInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  onEvaluation?: (info: EvaluationInfo) => void;
  onCheckpoint?: (info: { path: string; epoch: number; batch: number; best: boolean }) => void;
};

export type RunResult = {
  reason: StopReason;
  epoch: number;
  batch: number;
  bestValLoss: number | null;
  bestEpoch: number | null;
  bestBatch: number;
  /** The full held-out part's loss at the end, when training validated on a sample of it. */
  valLossFull: number | null;
  /** Runs judged read as streams: the held-out part as independent windows from a zero state, at the best checkpoint's epoch if it ended one. */
  valLossCold: number | null;
  history: EpochRecord[];
  out: string;
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainModel(o: RunOptions): Promise<RunResult> {
  const h = o.hyper;
  const cfg: NetConfig = { vocabSize: o.vocab.size, layers: h.layers, units: h.units, dropout: h.dropout };
  const ids = o.vocab.encode(o.corpus.text);
  const data = splitDocuments(
    ids,
    o.corpus.documents?.map((d) => d.characters),
    { seqLength: h.seqLength, valFraction: h.valFraction },
  );

  const prior = o.resume?.manifest;
  const progress: Progress = prior ? { ...prior.progress } : { ...INITIAL_PROGRESS };
  const history: EpochRecord[] = prior ? [...prior.history] : [];

  const stateful = h.stateful ?? false;
  // The figure validation reports and chooses the best by: the held-out part read as streams
  // with the state carried, as generation reads it; the cold windows are reported beside it.
  // A bundle from before (no `stateful` record) keeps its cold windows, so a resume chooses alike.
  const byStreams = h.stateful !== undefined;
  const planOf = (epoch: number) => trainingPlan(data, epoch, h.batchSize, h.randomSeed, stateful);
  let params: Params;
  let state: AdamState | undefined;
  // Stateful runs: the LSTM state at the end of the last batch, the start of the next.
  let carried: LayerState[] | undefined;
  if (o.resume) {
    params = fromLayersWeights(cfg, o.resume.weights);
    const saved = o.resume.optimizer;
    if (saved) {
      const moments: Named = new Map(optimizerSpecs(cfg).map((s) => [s.name, saved.get(s.name)!]));
      state = { step: prior!.optimizer?.step ?? progress.step, moments };
      if (progress.streams) carried = stateFromNamed(cfg, saved);
    }
  } else params = o.from?.params ?? initParams(cfg, h.randomSeed);

  const adam = new Adam(cfg, params, { lr: h.lr, clip: h.clip }, state);
  const trainStep: TrainStep = await makeTrainStep(adam, o.workers, o.backend);
  const topology = await layersTopology(cfg);
  const firstPlan = planOf(progress.epoch);

  o.events.onStart?.({
    params: paramCount(cfg),
    trainChars: trainChars(data),
    valChars: valChars(data),
    batchesPerEpoch: firstPlan.batches,
    batchSize: firstPlan.batchSize,
    epoch: progress.epoch,
    batch: progress.batch,
    resumed: Boolean(o.resume),
    workers: trainStep.workers,
  });

  const started = performance.now();
  const baseElapsed = progress.elapsedSeconds; // training time of earlier runs of this bundle
  const elapsed = () => baseElapsed + (performance.now() - started) / 1000;
  const explodeAt = EXPLODING_LOSS_FACTOR * Math.max(Math.log(cfg.vocabSize), history[0]?.trainLoss ?? 0);

  let saved = Boolean(o.resume);
  const checkpoint = async (best: boolean): Promise<string> => {
    progress.elapsedSeconds = elapsed();
    // Inside a stateful epoch the carried state is part of the position (exact resume).
    const carry = stateful && progress.batch > 0 && carried ? carried : undefined;
    const streams = carry ? carry[0].h.length / cfg.units : undefined;
    if (streams) progress.streams = streams;
    else delete progress.streams;
    const manifest = buildManifest({
      vocab: [...o.vocab.chars],
      network: { layers: cfg.layers, units: cfg.units, dropout: cfg.dropout, vocabSize: cfg.vocabSize },
      hyperparameters: { ...h, epochs: o.epochs, patience: o.patience, keep: o.keep, workers: trainStep.workers },
      corpus: corpusRecord(o.corpus, ids.length, o.encoding),
      progress: { ...progress, step: adam.step },
      history,
      optimizer: { name: 'adam', step: adam.step, ...ADAM, lr: adam.hyper.lr, clip: h.clip },
      backend: o.backend,
      command: o.command,
      invocation: o.invocation,
      notes: o.notes,
      lineage: o.from?.lineage ?? prior?.lineage,
    });
    const path = await saveCheckpoint(
      o.out,
      {
        manifest,
        modelTopology: topology,
        weights: { specs: layersWeightSpecs(cfg), arrays: toLayersWeights(cfg, adam.params()) },
        optimizer: {
          specs: [...optimizerSpecs(cfg), ...carriedStateSpecs(cfg, streams ?? 0)],
          arrays: carry ? new Map([...adam.state().moments, ...namedState(carry)]) : adam.state().moments,
        },
      },
      { best, keep: o.keep, onStage: o.onSaveStage, lock: o.lock },
    );
    saved = true;
    o.events.onCheckpoint?.({ path, epoch: progress.epoch, batch: progress.batch, best });
    return path;
  };

  // Validation: the held-out part read as streams (`validateStreams`, see byStreams), and
  // its cold windows, or a fixed sample of either when there are many.
  const valSet = validationSample(data, o.valSampleWindows, h.randomSeed);
  const validate = async (starts: Uint32Array): Promise<number | null> => {
    let sum = 0;
    let count = 0;
    for (const vb of windowBatches(data, starts, h.batchSize)) {
      sum += trainStep.loss(vb).lossSum;
      count += vb.batch * vb.seqLength;
      await yieldToEventLoop(); // SIGINT handlers run between batches here too
    }
    return count > 0 ? sum / count : null;
  };
  const streamSet = (max: number) => validationStreams(data, h.batchSize, max, h.randomSeed);
  const valStreams = streamSet(o.valSampleWindows);
  const validateStreams = async (streams: Uint32Array[]): Promise<number | null> => {
    let sum = 0;
    let count = 0;
    for (const part of streamScores(streams, data.ids, data.seqLength, cfg.units, trainStep.loss)) {
      sum += part.lossSum;
      count += part.chars;
      await yieldToEventLoop();
    }
    return count > 0 ? sum / count : null;
  };
  /** The figure validation reports and the best checkpoint is chosen by. */
  const score = () => (byStreams ? validateStreams(valStreams.batches) : validate(valSet.starts));
  const sampledVal = byStreams ? valStreams.sampled : valSet.sampled;
  /** The figure best checkpoints are chosen by: validation loss, or the training loss without a held-out part. */
  const bestSoFar = (score: number, epoch: number, batch: number): boolean => {
    const best = progress.bestValLoss === null || score < progress.bestValLoss;
    if (best) {
      progress.bestValLoss = score;
      progress.bestEpoch = epoch;
      progress.bestBatch = batch;
    }
    return best;
  };
  /** Inside an epoch: validate, and save a checkpoint that becomes `best` when it is. */
  const evaluateInEpoch = async (epoch: number): Promise<void> => {
    const valLoss = await score();
    const trainLoss = progress.partialLossSum / Math.max(1, progress.partialChars);
    progress.lastValLoss = valLoss;
    const best = bestSoFar(valLoss ?? trainLoss, epoch + 1, progress.batch);
    o.events.onEvaluation?.({ epoch: epoch + 1, batch: progress.batch, valLoss, trainLoss, best, sampled: sampledVal });
    await checkpoint(best);
  };
  /** When validation used a sample, the whole held-out part once at the end. */
  const fullPass = async (): Promise<number | null> => {
    if (!sampledVal) return null;
    return byStreams ? validateStreams(streamSet(Infinity).batches) : validate(validationStarts(data));
  };
  const coldFullPass = async (): Promise<number | null> =>
    byStreams && valSet.sampled ? validate(validationStarts(data)) : null;

  let valLossFull: number | null = null;
  const finish = (reason: StopReason): RunResult => {
    const atBest = history.find((r) => r.epoch === progress.bestEpoch && !progress.bestBatch);
    return {
      reason,
      epoch: progress.epoch,
      batch: progress.batch,
      bestValLoss: progress.bestValLoss,
      bestEpoch: progress.bestEpoch,
      bestBatch: progress.bestBatch ?? 0,
      valLossFull,
      valLossCold: atBest?.valLossColdFull ?? atBest?.valLossCold ?? null,
      history,
      out: o.out,
    };
  };
  const runSeconds = () => elapsed() - baseElapsed;
  const outOfTime = () => o.maxTimeSeconds !== undefined && runSeconds() >= o.maxTimeSeconds;
  /**
   * Seconds to the end of the run: the work left to the epoch limit, or --max-time's
   * remainder, whichever comes first (null when only early stopping can end it).
   */
  const runEta = (secondsToEpochLimit: number): number | null => {
    // The default epoch limit is a cap, not a plan: early stopping usually ends the run first.
    const byEpochs =
      o.epochs >= defaults.epochsUntilTime || o.epochs === defaults.epochs ? Infinity : secondsToEpochLimit;
    const byTime = o.maxTimeSeconds === undefined ? Infinity : Math.max(0, o.maxTimeSeconds - runSeconds());
    const eta = Math.min(byEpochs, byTime);
    return Number.isFinite(eta) ? eta : null;
  };
  let lastEval = performance.now();
  let batchesSinceEval = 0;
  const evalDue = () =>
    (o.evalEvery.batches !== undefined && batchesSinceEval >= o.evalEvery.batches) ||
    (o.evalEvery.seconds !== undefined && (performance.now() - lastEval) / 1000 >= o.evalEvery.seconds);

  try {
    while (progress.epoch < o.epochs) {
      const epoch = progress.epoch;
      const plan = planOf(epoch);
      // The schedule is a function of the epoch and the halvings so far (saved in progress).
      adam.setLr(learningRate(h, epoch, progress.lrHalvings ?? 0));
      if (progress.batch === 0) carried = undefined; // every epoch's streams start from zeros
      // A resume on another text (allowed, with a warning) may have another number of streams: from zeros then.
      if (carried && carried[0].h.length !== plan.batchSize * cfg.units) carried = undefined;
      const epochStart = performance.now();
      let epochChars = 0;
      for (let k = progress.batch; k < plan.batches; k++) {
        const batch = planBatch(data, plan, k);
        const {
          lossSum,
          norm,
          state: next,
        } = await trainStep.step(
          batch,
          { randomSeed: h.randomSeed, epoch, batch: k },
          plan.carry ? carried : undefined,
        );
        if (plan.carry) carried = next;
        const chars = batch.batch * batch.seqLength;
        const loss = lossSum / chars;
        if (!Number.isFinite(loss) || loss > explodeAt || !Number.isFinite(norm)) {
          throw runtimeError(
            `training diverged at epoch ${epoch + 1}, batch ${k + 1}: loss ${Number.isFinite(loss) ? `${loss.toFixed(2)} nats` : String(loss)}${Number.isFinite(norm) ? '' : `, gradient norm ${norm}`}; ${saved ? `the last good checkpoint in ${o.out} is untouched` : 'nothing was saved'}`,
            `lower the learning rate, e.g. --lr ${h.lr / 2}, or the gradient clip, e.g. --clip ${Math.max(1, h.clip / 2)}`,
          );
        }
        progress.partialLossSum += lossSum;
        progress.partialChars += chars;
        progress.batch = k + 1;
        progress.step = adam.step;
        epochChars += chars;
        batchesSinceEval++;
        const seconds = (performance.now() - epochStart) / 1000;
        const cps = epochChars / seconds;
        const epochEta = ((plan.batches - k - 1) * chars) / cps;
        o.events.onBatch?.({
          epoch: epoch + 1,
          batch: k + 1,
          batches: plan.batches,
          loss: progress.partialLossSum / progress.partialChars,
          charsPerSecond: cps,
          epochEtaSeconds: epochEta,
          runEtaSeconds: runEta(epochEta + (o.epochs - epoch - 1) * ((plan.batches * chars) / cps)),
          lastValLoss: progress.lastValLoss ?? null,
        });
        await yieldToEventLoop(); // lets SIGINT handlers run between batches
        if (k + 1 === plan.batches) break; // the epoch's end validates and saves below
        // Stopping mid-epoch (Ctrl-C, SIGTERM, --max-time) saves a validated checkpoint that
        // --resume continues from the exact batch; it is `best` when it is the best so far.
        if (o.shouldStop() || outOfTime()) {
          const reason: StopReason = o.shouldStop() ? 'interrupted' : 'time';
          if (reason === 'time') valLossFull = await fullPass();
          await evaluateInEpoch(epoch);
          return finish(reason);
        }
        if (evalDue()) {
          await evaluateInEpoch(epoch);
          lastEval = performance.now();
          batchesSinceEval = 0;
        }
      }

      // End of epoch: validation, history, checkpoint.
      const seconds = (performance.now() - epochStart) / 1000;
      const valLoss = await score();
      const valLossCold = byStreams ? await validate(valSet.starts) : undefined;
      lastEval = performance.now();
      batchesSinceEval = 0;
      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: progress.partialLossSum / Math.max(1, progress.partialChars),
        valLoss,
        seconds,
        charsPerSecond: epochChars / Math.max(seconds, 1e-9),
        lr: adam.hyper.lr,
        ...(valLossCold !== undefined ? { valLossCold } : {}),
      };
      history.push(record);
      const best = bestSoFar(valLoss ?? record.trainLoss, epoch + 1, 0);
      // Early stopping counts epochs in which no validation, inside or at the end, was the best.
      if (progress.bestEpoch === epoch + 1) progress.epochsWithoutImprovement = 0;
      else progress.epochsWithoutImprovement++;
      // A plateau halves the learning rate: every `lrPlateau` epochs in a row whose end-of-epoch
      // figure is not the best end-of-epoch figure. Only epoch ends count: validations inside an
      // epoch come on a clock (and on Ctrl-C), and the weights must not depend on when they came.
      const plateau = h.lrPlateau ?? 0;
      let halve = false;
      if (valLoss !== null && plateau > 0) {
        const p = progress.plateau ?? { best: Infinity, epochs: 0 };
        progress.plateau = valLoss < p.best ? { best: valLoss, epochs: 0 } : { best: p.best, epochs: p.epochs + 1 };
        halve = progress.plateau.epochs > 0 && progress.plateau.epochs % plateau === 0;
        if (halve) progress.lrHalvings = (progress.lrHalvings ?? 0) + 1;
      }
      progress.lastValLoss = valLoss;
      progress.epoch = epoch + 1;
      progress.batch = 0;
      progress.partialLossSum = 0;
      progress.partialChars = 0;
      progress.step = adam.step;

      const stopping =
        o.shouldStop() ||
        (valLoss !== null && progress.epochsWithoutImprovement >= o.patience) ||
        outOfTime() ||
        progress.epoch >= o.epochs;
      if (stopping && !o.shouldStop()) {
        valLossFull = await fullPass();
        if (valLossFull !== null) record.valLossFull = valLossFull;
        const coldFull = await coldFullPass();
        if (coldFull !== null) record.valLossColdFull = coldFull;
      }
      const perEpoch = runSeconds() / Math.max(1, history.length - (prior?.history.length ?? 0));
      const sample = o.sample && !o.shouldStop() ? await sampleText(cfg, adam, o, epoch) : undefined;
      o.events.onEpoch?.({
        ...record,
        best,
        elapsedSeconds: elapsed(),
        epochs: o.epochs,
        etaSeconds: runEta((o.epochs - progress.epoch) * perEpoch),
        sample,
        ...(halve && !stopping ? { lrHalvedTo: learningRate(h, progress.epoch, progress.lrHalvings ?? 0) } : {}),
      });
      await checkpoint(best);

      if (o.shouldStop()) return finish('interrupted');
      if (valLoss !== null && progress.epochsWithoutImprovement >= o.patience) return finish('patience');
      if (outOfTime()) return finish('time');
    }
    return finish('epochs');
  } finally {
    await trainStep.dispose();
    adam.dispose();
  }
}

/**
 * Learning rate of an epoch (0-based): `lr` for the first `lrDecayAfter` epochs, then
 * multiplied by `lrDecay` once per later epoch (char-rnn's schedule), and halved once for
 * every plateau of the validation loss so far (`halvings`).
 */
export function learningRate(h: Hyperparameters, epoch: number, halvings = 0): number {
  const decay = h.lrDecay ?? 1;
  return h.lr * decay ** Math.max(0, epoch - (h.lrDecayAfter ?? 0) + 1) * 0.5 ** halvings;
}

async function sampleText(cfg: NetConfig, adam: Adam, o: RunOptions, epoch: number): Promise<string> {
  const net = new StatefulLstm(cfg, adam.params());
  try {
    const prompt = [...o.samplePrompt].filter((c) => o.vocab.has(c)).join('');
    const [text] = await generate(
      net,
      o.vocab,
      {
        seed: prompt,
        length: o.sampleLength,
        samples: 1,
        temperature: o.sampleTemperature,
        randomSeed: o.hyper.randomSeed + epoch,
      },
      () => {},
    );
    return text;
  } finally {
    net.dispose();
  }
}

/**
 * The start of a training run: its data split, where its weights start (a resumed bundle,
 * a fine-tune's base, or fresh), Adam, the step engine, validation, the checkpoint record
 * and the clock, gathered in the `Run` that the loop's steps (train/loop.ts) share.
 */
import {
  fromLayersWeights,
  optimizerSpecs,
  paramCount,
  paramSpecs,
  stateFromNamed,
  type LayerState,
  type Named,
  type NetConfig,
  type Params,
} from '../params.js';
import { Adam, type AdamState } from '../net/adam.js';
import { initParams } from '../net/init.js';
import { layersTopology } from '../store/topology.js';
import { INITIAL_PROGRESS, type EpochRecord, type Progress } from '../store/manifest.js';
import { splitDocuments, trainChars, valChars, type Split } from '../text/split.js';
import { trainingPlan } from '../text/windows.js';
import type { RunRecord } from './checkpoint.js';
import { corpusRecord } from './record.js';
import type { RunOptions } from './run.js';
import { explodingLoss, fitsInTime, timeIsUp, type Durations } from './schedule.js';
import { makeTrainStep, type TrainStep } from './step.js';
import { makeValidator, type Validator } from './validation.js';

/** A run between two batches: what the loop's steps share. */
export type Run = {
  options: RunOptions;
  cfg: NetConfig;
  data: Split;
  progress: Progress;
  history: EpochRecord[];
  /** Epochs the bundle had before this run (a resume). */
  priorEpochs: number;
  adam: Adam;
  step: TrainStep;
  validator: Validator;
  record: RunRecord;
  clock: ReturnType<typeof runClock>;
  explodeAt: number;
  /** Stateful runs: the LSTM state at the end of the last batch, the start of the next. */
  carried?: LayerState[];
  /** Whether a checkpoint exists to fall back on (a divergence says so). */
  saved: boolean;
  valLossFull: number | null;
  /** When the time limit left no room for the pass over the whole held-out part: its estimated seconds. */
  fullPassSkipped?: number;
  /** The epoch under way: when it started and the characters trained on in this run. */
  epochStart: number;
  epochChars: number;
  sinceEval: { at: number; batches: number };
};

/** The run's data, starting point, optimizer, engine and validation; reports `onStart`. */
export async function startRun(options: RunOptions): Promise<Run> {
  const { hyper, vocab, corpus } = options;
  const cfg: NetConfig = {
    vocabSize: vocab.size,
    layers: hyper.layers,
    units: hyper.units,
    dropout: hyper.dropout,
    variationalDropout: hyper.variationalDropout,
    weightDrop: hyper.weightDrop,
  };
  const ids = vocab.encode(corpus.text);
  const lengths = corpus.documents?.map((d) => d.characters);
  const data = splitDocuments(ids, lengths, { seqLength: hyper.seqLength, valFraction: hyper.valFraction });
  const prior = options.resume?.manifest;
  const progress: Progress = prior ? { ...prior.progress } : { ...INITIAL_PROGRESS };
  const history: EpochRecord[] = prior ? [...prior.history] : [];
  const start = startingPoint(options, cfg, progress);
  const adam = new Adam(cfg, start.params, { lr: hyper.lr, clip: hyper.clip, ema: hyper.ema }, start.state);
  const step = await makeTrainStep(adam, options.workers, options.backend);
  const record: RunRecord = {
    out: options.out,
    vocab: options.vocab.chars,
    cfg,
    hyper,
    stop: { epochs: options.epochs, patience: options.patience, minGain: options.minGain, keep: options.keep },
    workers: step.workers,
    corpus: corpusRecord(corpus, ids.length, options.encoding),
    backend: options.backend,
    command: options.command,
    invocation: options.invocation,
    notes: options.notes,
    lineage: options.from?.lineage ?? prior?.lineage,
    topology: layersTopology(cfg),
    save: { onStage: options.onSaveStage, lock: options.lock },
  };
  const first = planOf(options, data, progress.epoch);
  options.events.onStart?.({
    params: paramCount(cfg),
    trainChars: trainChars(data),
    valChars: valChars(data),
    batchesPerEpoch: first.batches,
    backend: options.backend,
    batchSize: first.batchSize,
    epoch: progress.epoch,
    batch: progress.batch,
    resumed: Boolean(options.resume),
    workers: step.workers,
  });
  const loss: Parameters<typeof makeValidator>[3] = (batch, state) => step.loss(batch, state);
  const validator = makeValidator(data, hyper, cfg.units, loss, options.valSampleWindows);
  const validationBatches = Math.ceil(validator.windows.scored / hyper.batchSize);
  return {
    options,
    cfg,
    data,
    progress,
    history,
    priorEpochs: prior?.history.length ?? 0,
    adam,
    step,
    validator,
    record,
    clock: runClock(progress.elapsedSeconds, options.maxTimeSeconds, validationBatches),
    explodeAt: explodingLoss(cfg.vocabSize, history[0]?.trainLoss),
    carried: start.carried,
    saved: Boolean(options.resume),
    valLossFull: null,
    epochStart: performance.now(),
    epochChars: 0,
    sinceEval: { at: performance.now(), batches: 0 },
  };
}

/** Where a run starts: a resumed bundle's weights, Adam's state and carried LSTM state, a fine-tune's base, or fresh weights. */
function startingPoint(options: RunOptions, cfg: NetConfig, progress: Progress) {
  const { resume } = options;
  if (!resume) return { params: options.from?.params ?? initParams(cfg, options.hyper.randomSeed) };
  const model: Params = fromLayersWeights(cfg, resume.weights);
  const saved = resume.optimizer;
  if (!saved) return { params: model };
  const moments: Named = new Map(optimizerSpecs(cfg).map((s) => [s.name, saved.get(s.name)!]));
  // With a weight average the model saved is the average; training goes on from optimizer.bin's weights.
  const averaged = Boolean(options.hyper.ema);
  const params: Params = averaged ? new Map(paramSpecs(cfg).map((s) => [s.name, saved.get(`w/${s.name}`)!])) : model;
  const step = resume.manifest.optimizer?.step ?? progress.step;
  const state: AdamState = { step, moments, ...(averaged ? { average: model } : {}) };
  return { params, state, carried: progress.streams ? stateFromNamed(cfg, saved) : undefined };
}

/**
 * Seconds of training: the bundle's earlier runs (`base`) and this run's; how long a batch,
 * a validation and a save take here (measured as the run goes; a validation not yet run is
 * estimated from the batch time: `validationBatches` forward passes, about a third of a
 * step each); and whether --max-time still leaves room for them.
 */
function runClock(base: number, maxTimeSeconds: number | undefined, validationBatches: number) {
  const started = performance.now();
  const elapsed = () => base + (performance.now() - started) / 1000;
  const runSeconds = () => elapsed() - base;
  const measured: Durations = { batch: 0, validation: Number.NaN, save: 0 };
  const durations = (): Durations => ({
    ...measured,
    validation: Number.isNaN(measured.validation) ? (validationBatches * measured.batch) / 3 : measured.validation,
  });
  return {
    elapsed,
    runSeconds,
    durations,
    outOfTime: () => timeIsUp(maxTimeSeconds, runSeconds(), durations()),
    fits: (seconds: number) => fitsInTime(maxTimeSeconds, runSeconds(), seconds, measured.save),
    /** Runs `work` and records its seconds as the latest `what`. */
    async timed<T>(what: keyof Durations, work: () => Promise<T>): Promise<T> {
      const t0 = performance.now();
      const out = await work();
      measured[what] = (performance.now() - t0) / 1000;
      return out;
    },
  };
}

export const planOf = (options: RunOptions, data: Split, epoch: number) =>
  trainingPlan(data, epoch, options.hyper.batchSize, options.hyper.randomSeed, options.hyper.stateful ?? false);

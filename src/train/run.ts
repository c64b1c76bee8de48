/**
 * What a training run is given and what it reports: its options, the events it reports
 * through (the core never prints; the CLI renders them), and its result.
 */
import type { Hyperparameters } from '../config.js';
import type { BackendName } from '../net/backend.js';
import type { Params } from '../params.js';
import type { EpochRecord, Lineage } from '../store/manifest.js';
import type { Checkpoint } from '../store/parse.js';
import type { SaveOptions, SaveStage } from '../store/write.js';
import type { Corpus } from '../text/corpus.js';
import type { Vocab } from '../text/vocab.js';
import type { StopReason, StopRules } from './schedule.js';

export type RunOptions = StopRules & {
  corpus: Corpus;
  encoding: string;
  vocab: Vocab;
  hyper: Hyperparameters;
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

type StartInfo = {
  params: number;
  trainChars: number;
  valChars: number;
  batchesPerEpoch: number;
  batchSize: number;
  epoch: number;
  batch: number;
  resumed: boolean;
  workers: number;
  backend: BackendName;
};
type BatchInfo = {
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
type EvaluationInfo = {
  epoch: number;
  batch: number;
  valLoss: number | null;
  trainLoss: number;
  best: boolean;
  sampled: boolean;
};
type EpochInfo = EpochRecord & {
  best: boolean;
  elapsedSeconds: number;
  etaSeconds: number | null;
  epochs: number;
  sample?: string;
  /** The learning rate of the next epoch, when validation's plateau just halved it. */
  lrHalvedTo?: number;
};

export type RunEvents = {
  onStart?: (info: StartInfo) => void;
  onBatch?: (info: BatchInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  onEvaluation?: (info: EvaluationInfo) => void;
  /** A checkpoint saved: where, its place in the run, and the run's time when it was saved. */
  onCheckpoint?: (info: { path: string; epoch: number; batch: number; best: boolean; elapsedSeconds: number }) => void;
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
  /** When --max-time left no room for the pass over the whole held-out part: how long it would have taken (lstm eval scores it). */
  fullPassSkippedSeconds?: number;
  /** Runs judged read as streams: the held-out part as independent windows from a zero state, at the best checkpoint's epoch if it ended one. */
  valLossCold: number | null;
  history: EpochRecord[];
  out: string;
};

/**
 * `lstm.json`: what makes a checkpoint self-describing. Everything needed to sample
 * (vocabulary, network shape), to resume (hyperparameters, progress, RNG position,
 * optimizer layout) and to trust the files (size and sha256 of each). Its form and how it
 * is built from its parts live here; how a manifest read from disk is checked, beside it
 * (check-manifest.ts).
 */
import { FORMAT_VERSION, TOOL_NAME, TOOL_VERSION, type Hyperparameters } from '../config.js';
import type { NetConfig } from '../params.js';

export const MANIFEST = 'lstm.json';
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const OPTIMIZER_BIN = 'optimizer.bin';

/**
 * How `weights.bin` stores its values: float32, or IEEE half floats (an export made with
 * `--float16`; model.json then declares TF.js's float16 quantization). Training checkpoints
 * are always float32, so a resume is exact.
 */
export type WeightsDtype = 'float32' | 'float16';
export const WEIGHTS_DTYPES: readonly WeightsDtype[] = ['float32', 'float16'];
export const BYTES_PER_VALUE: Record<WeightsDtype, number> = { float32: 4, float16: 2 };

/** A file of a checkpoint; `dtype` is recorded for weights.bin (absent in bundles written before it: float32). */
export type FileEntry = { size: number; sha256: string; dtype?: WeightsDtype };

export type EpochRecord = {
  epoch: number;
  trainLoss: number; // mean nats per character
  valLoss: number | null; // mean nats per character on the held-out tail
  seconds: number;
  charsPerSecond: number;
  /** Learning rate used in the epoch. */
  lr?: number;
  /** When validation scores a sample of a large held-out part: the full part, scored once at the end of training. */
  valLossFull?: number;
  /**
   * Stateful runs: `valLoss` reads the held-out part as streams with carried state (as
   * generation reads); this is the same part as independent 50-character windows from a
   * zero state, the figure earlier versions reported (and its full pass, when sampled).
   */
  valLossCold?: number | null;
  valLossColdFull?: number;
};

/** Everything that shapes training; `epochs`, `patience` and `minGain` are the stop conditions a resume keeps. */
export type StoredHyperparameters = Hyperparameters & {
  epochs?: number;
  patience: number;
  /** Bits per character (absent in bundles from before it: 0, any gain counted). */
  minGain?: number;
  keep: number;
  workers: number;
};

/** One file of the corpus, as a bundle records it. */
export type CorpusFileRecord = {
  /** The file's name (no directories). */
  name: string;
  /** Its absolute path (absent for stdin): `--resume` without a corpus reads it. */
  path?: string;
  bytes: number;
  /** Characters (code points) of its cleaned text. */
  characters: number;
  /** sha256 of the file as given (what `sha256sum` prints). */
  sha256: string;
  /** sha256 of its cleaned text (UTF-8). */
  textSha256: string;
  encoding: string;
  strippedBoilerplate: boolean;
  /** Where it comes from, when its header says (a Project Gutenberg file). */
  origin?: string;
};

/**
 * The training text. For one file the fields are that file's; for several, `name` is how the
 * command named them, `bytes` and `characters` are totals (separators counted), `sha256` is
 * that of the files' sha256s one per line, `textSha256` that of the joined text, `encoding`
 * the one files without a byte-order mark were read with, and `files` has each file.
 */
export type CorpusRecord = {
  /** The file name (`macbeth.txt`), `stdin`, or for several files the arguments' names (`essays/`). Older bundles recorded the path as given. */
  name: string;
  /** Absolute path of the file trained on (absent for stdin, and in bundles from before it was recorded): `--resume` without a corpus reads it. */
  path?: string;
  bytes: number;
  characters: number;
  /** sha256 of the file as given (what `sha256sum` prints). */
  sha256: string;
  /** sha256 of the cleaned text the model saw (UTF-8); a resume compares it. */
  textSha256?: string;
  encoding: string;
  strippedBoilerplate: boolean;
  keepBoilerplate?: boolean;
  /** Where the text comes from, in the user's words (--origin) or read from a Project Gutenberg header. */
  origin?: string;
  /** Every file trained on, in order (absent in bundles from before it was recorded). */
  files?: CorpusFileRecord[];
  /** The character between the files' texts, when there are several. */
  separator?: string;
};

export type Progress = {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the epoch after `epoch` (non-zero only for an interrupted epoch). */
  batch: number;
  /** Optimizer steps taken. */
  step: number;
  /** Sum of train losses (nats) and characters in the unfinished epoch, so its mean is exact on resume. */
  partialLossSum: number;
  partialChars: number;
  bestValLoss: number | null;
  /** The epoch (1-based) of the best checkpoint; `bestBatch` > 0 when it was saved inside that epoch. */
  bestEpoch: number | null;
  bestBatch?: number;
  /** The latest validation figure (inside an epoch too). */
  lastValLoss?: number | null;
  /** Epochs in a row whose validations did not gain `minGain` on `counted`: what --patience counts. */
  epochsWithoutImprovement: number;
  /**
   * The validation figure early stopping last counted as better (it gained at least `minGain`)
   * and its epoch; absent in bundles from before minGain, whose best is the figure.
   */
  counted?: { loss: number; epoch: number };
  elapsedSeconds: number;
  /** Times the learning rate was halved because validation stopped improving (absent: never). */
  lrHalvings?: number;
  /** Rows of LSTM state carried into the next batch, saved in optimizer.bin (stateful runs, inside an epoch). */
  streams?: number;
  /** The best end-of-epoch validation figure and the epochs since it: what halves the learning rate (`lrPlateau`). */
  plateau?: { best: number; epochs: number };
};

/**
 * Where a fine-tuned model started (`lstm train --from`): the base model as it was read,
 * and what the new text changed in the vocabulary. Chains: the base's own lineage is kept
 * in `base.lineage`.
 */
export type Lineage = {
  base: {
    /** The base as given to --from (a bundle, or a checkpoint directory). */
    model: string;
    /** Its position when read: completed epochs, and batches into the next. */
    epoch: number;
    batch: number;
    /** sha256 of its weights.bin: exactly which weights the fine-tune started from. */
    weightsSha256: string;
    corpus: { name: string; sha256: string; characters: number };
    network: NetConfig;
    bestValLoss: number | null;
    bestEpoch: number | null;
    bestBatch?: number;
    /** The base's own lineage, when it was itself a fine-tune. */
    lineage?: Lineage;
  };
  /** The new text's characters the base did not know: fresh rows and columns. */
  added: string[];
  /** The base's characters the new text lacks: kept (same weights), still readable and writable. */
  unseen: string[];
};

type OptimizerRecord = {
  name: 'adam';
  step: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  lr: number;
  clip: number;
};

export type Manifest = {
  format: 'lstm-bundle';
  formatVersion: number;
  tool: { name: string; version: string };
  savedAt: string;
  vocab: string[];
  network: NetConfig;
  hyperparameters: StoredHyperparameters;
  corpus: CorpusRecord;
  progress: Progress;
  history: EpochRecord[];
  /** Random streams are keyed by (seed, purpose, epoch, batch): the position is the state. */
  rng: { randomSeed: number; algorithm: 'alea'; keyedBy: string; nextEpoch: number; nextBatch: number };
  optimizer: OptimizerRecord | null;
  backend: string;
  /** The command that started the bundle as a user would type it: corpus file names, no machine-specific options (cli/invocation.ts). */
  command: string;
  /** The exact command line of the run that wrote this checkpoint (older bundles have it in `command`). */
  invocation?: string;
  /** Regularisation or other options beyond the defaults, recorded for the user. */
  notes?: Record<string, unknown>;
  /** A fine-tune's base model (absent for a model trained from scratch). */
  lineage?: Lineage;
  files: Record<string, FileEntry>;
};

/** A manifest before it is written: the writer adds `savedAt` and `files`. */
export type ManifestBody = Omit<Manifest, 'files' | 'savedAt'>;

export type ManifestParts = Pick<
  ManifestBody,
  | 'vocab'
  | 'network'
  | 'hyperparameters'
  | 'corpus'
  | 'progress'
  | 'history'
  | 'optimizer'
  | 'backend'
  | 'command'
  | 'invocation'
  | 'notes'
  | 'lineage'
>;

export const INITIAL_PROGRESS: Progress = {
  epoch: 0,
  batch: 0,
  step: 0,
  partialLossSum: 0,
  partialChars: 0,
  bestValLoss: null,
  bestEpoch: null,
  epochsWithoutImprovement: 0,
  elapsedSeconds: 0,
};

/** The manifest of a checkpoint from its parts; the RNG position is the training position. */
export function buildManifest(p: ManifestParts): ManifestBody {
  const { notes, lineage, invocation, ...parts } = p;
  return {
    format: 'lstm-bundle',
    formatVersion: FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    vocab: parts.vocab,
    network: parts.network,
    hyperparameters: parts.hyperparameters,
    corpus: parts.corpus,
    progress: parts.progress,
    history: parts.history,
    rng: {
      randomSeed: parts.hyperparameters.randomSeed,
      algorithm: 'alea',
      keyedBy: 'seed/purpose/epoch/batch/example',
      nextEpoch: parts.progress.epoch,
      nextBatch: parts.progress.batch,
    },
    optimizer: parts.optimizer,
    backend: parts.backend,
    command: parts.command,
    ...(invocation ? { invocation } : {}),
    ...(notes ? { notes } : {}),
    ...(lineage ? { lineage } : {}),
  };
}

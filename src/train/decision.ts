/**
 * The vocabulary of a training run's settings (train/settings.ts decides a new run's,
 * train/resume.ts a resumed one's): the flags, what a bundle or a base says of its run, and
 * the decision returned to the CLI, with the small rules both share.
 */
import type { Hyperparameters } from '../config.js';
import { usageError, type LstmError } from '../errors.js';
import type { NetConfig } from '../params.js';
import type { CorpusRecord, StoredHyperparameters } from '../store/manifest.js';
import type { Encoding } from '../text/corpus.js';
import type { StopRules } from './schedule.js';

/** Every `lstm train` option, parsed, defaults included. */
export type TrainFlags = Hyperparameters & {
  out?: string;
  resume?: string;
  from?: string;
  epochs: number;
  maxTime?: number;
  patience: number;
  minGain: number;
  keep: number;
  encoding: Encoding;
  keepBoilerplate: boolean;
  /** Where the text comes from, in the user's words. */
  origin?: string;
};

/** What a resumed bundle's latest checkpoint says about its run. */
export type StoredRun = {
  dir: string;
  hyperparameters: StoredHyperparameters;
  network: NetConfig;
  corpus: CorpusRecord;
  hasOptimizer: boolean;
  /** Epochs finished so far (its latest checkpoint's). */
  epochsDone: number;
  /** The command it records (older bundles: the exact command line). */
  command?: string;
};

/** The model a fine-tune starts from (--from), as read. */
export type BaseRun = {
  /** As given to --from. */
  dir: string;
  /** Directories the fine-tune must not write into: the base's bundle (or export) directory. */
  bundle: string;
  hyperparameters: StoredHyperparameters;
  network: NetConfig;
};

/** Which files (or `-`, stdin) the corpus is read from: the arguments, or (resuming without any) the bundle's record. */
export type CorpusSource = { paths: string[]; fromBundle: boolean };

export type RunSettings = StopRules & {
  /** The corpus to read: a path, or `-` for stdin. */
  corpus: CorpusSource;
  out: string;
  hyper: Hyperparameters;
  keep: number;
  /** How the corpus files are read. */
  text: { encoding: Encoding; lowercase: boolean; keepBoilerplate: boolean };
  /** The corpus's origin to record: --origin, else a resumed bundle's (else the CLI records what the files say). */
  origin?: string;
  /** A resumed bundle's command, which the run keeps recording (a new run records its own). */
  command?: string;
};

export type Decision = { settings: RunSettings; warnings: string[]; refusals: LstmError[] };

export type SettingsInput = {
  /** The corpus arguments (files, directories, or `-` alone for stdin); the first names the default --out. */
  corpus: readonly string[];
  flags: TrainFlags;
  /** Names of the options given on the command line (not defaulted). */
  given: ReadonlySet<keyof TrainFlags>;
  /** The bundle being resumed, when --resume is given. */
  stored?: StoredRun;
  /** The model fine-tuned, when --from is given. */
  base?: BaseRun;
  /**
   * What --out (or its default) already holds, if a model: a training bundle, an export
   * (inference only), or one of the models bundled with lstm.
   */
  outHolds?: 'bundle' | 'export' | 'bundled';
};

/** Flags that describe the training recipe: the base's unless given when fine-tuning, the bundle's when resuming. */
export const RECIPE = [
  'dropout',
  'variationalDropout',
  'weightDrop',
  'ema',
  'lr',
  'lrDecay',
  'lrDecayAfter',
  'lrPlateau',
  'stateful',
  'clip',
  'seqLength',
  'batchSize',
  'valFraction',
  'randomSeed',
] as const;

export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/** `-` reads one text from stdin: it cannot be one of several corpus arguments. */
export function stdinAlone(corpus: readonly string[]): LstmError[] {
  if (corpus.length < 2 || !corpus.includes('-')) return [];
  return [
    usageError(
      '- (stdin) cannot be combined with files: stdin is read as one text of its own',
      'give the files by name, or save the piped text to a file and give it with them',
    ),
  ];
}

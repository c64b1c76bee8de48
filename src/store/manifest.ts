/**
 * `lstm.json`: what makes a checkpoint self-describing. Everything needed to sample
 * (vocabulary, network shape), to resume (hyperparameters, progress, RNG position,
 * optimizer layout) and to trust the files (size and sha256 of each).
 */
import type { Hyperparameters } from '../config.js';

export const MANIFEST = 'lstm.json';
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const OPTIMIZER_BIN = 'optimizer.bin';

export type FileEntry = { size: number; sha256: string };

export type EpochRecord = {
  epoch: number;
  trainLoss: number; // mean nats per character
  valLoss: number | null; // mean nats per character on the held-out tail
  seconds: number;
  charsPerSecond: number;
  /** Learning rate used in the epoch. */
  lr?: number;
};

export type Manifest = {
  format: 'lstm-bundle';
  formatVersion: number;
  tool: { name: string; version: string };
  savedAt: string;
  vocab: string[];
  network: { layers: number; units: number; dropout: number; vocabSize: number };
  /** Everything that shapes training; `epochs` and `patience` are the stop conditions a resume keeps. */
  hyperparameters: Hyperparameters & { epochs?: number; patience: number; keep: number; workers: number };
  corpus: {
    name: string;
    bytes: number;
    characters: number;
    /** sha256 of the file as given (what `sha256sum` prints). */
    sha256: string;
    /** sha256 of the cleaned text the model saw (UTF-8); a resume compares it. */
    textSha256?: string;
    encoding: string;
    strippedBoilerplate: boolean;
    keepBoilerplate?: boolean;
  };
  progress: {
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
    bestEpoch: number | null;
    epochsWithoutImprovement: number;
    elapsedSeconds: number;
  };
  history: EpochRecord[];
  /** Random streams are keyed by (seed, purpose, epoch, batch): the position is the state. */
  rng: { randomSeed: number; algorithm: 'alea'; keyedBy: string; nextEpoch: number; nextBatch: number };
  optimizer: { name: 'adam'; step: number; beta1: number; beta2: number; epsilon: number; lr: number; clip: number } | null;
  backend: string;
  command: string;
  /** Regularisation or other options beyond the defaults, recorded for the user. */
  notes?: Record<string, unknown>;
  files: Record<string, FileEntry>;
};

/** Shapes of the TF.js Layers weights in file order: per LSTM layer kernel, recurrent kernel, bias; then dense kernel, bias. */
export function layersWeightShapes(net: Manifest['network']): number[][] {
  const G = 4 * net.units;
  const shapes: number[][] = [];
  for (let l = 0; l < net.layers; l++) shapes.push([l === 0 ? net.vocabSize : net.units, G], [net.units, G], [G]);
  shapes.push([net.units, net.vocabSize], [net.vocabSize]);
  return shapes;
}

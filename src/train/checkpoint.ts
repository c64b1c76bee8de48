/**
 * A training run's checkpoint record: what every checkpoint of the run records (vocabulary,
 * network, settings, corpus, command, lineage) joined with where the run is (progress,
 * history, Adam's state, and inside a stateful epoch the carried LSTM state, so a resume
 * continues exactly), saved through store/write.ts.
 */
import type { Hyperparameters } from '../config.js';
import { ADAM, type Adam } from '../net/adam.js';
import type { BackendName } from '../net/backend.js';
import {
  carriedStateSpecs,
  layersWeightSpecs,
  namedState,
  optimizerSpecs,
  toLayersWeights,
  type LayerState,
  type NetConfig,
} from '../params.js';
import { buildManifest, type CorpusRecord, type EpochRecord, type Lineage, type Progress } from '../store/manifest.js';
import { saveCheckpoint, type SaveOptions } from '../store/write.js';

/** What every checkpoint of a run records, fixed when the run starts. */
export type RunRecord = {
  out: string;
  vocab: readonly string[];
  cfg: NetConfig;
  hyper: Hyperparameters;
  stop: { epochs: number; patience: number; minGain: number; keep: number };
  workers: number;
  corpus: CorpusRecord;
  backend: BackendName;
  command: string;
  invocation?: string;
  notes?: Record<string, unknown>;
  lineage?: Lineage;
  /** model.json's Layers topology (store/topology.ts). */
  topology: object;
  save: Omit<SaveOptions, 'best' | 'keep'>;
};

/** Where the run is: what changes from one checkpoint to the next. */
export type RunPosition = {
  progress: Progress;
  history: EpochRecord[];
  adam: Adam;
  /** Stateful runs: the LSTM state at the end of the last batch. */
  carried?: LayerState[];
};

/**
 * Saves a checkpoint of the run at `position` (`best`: it becomes the bundle's best) and
 * returns its directory. `progress.streams` says whether optimizer.bin carries LSTM state:
 * only inside a stateful epoch is that state part of the position.
 */
export async function saveRunCheckpoint(record: RunRecord, position: RunPosition, best: boolean): Promise<string> {
  const { cfg, hyper } = record;
  const { progress, adam } = position;
  const carry = hyper.stateful && progress.batch > 0 && position.carried ? position.carried : undefined;
  const streams = carry ? carry[0].h.length / cfg.units : undefined;
  if (streams) progress.streams = streams;
  else delete progress.streams;
  const manifest = buildManifest({
    vocab: [...record.vocab],
    network: { layers: cfg.layers, units: cfg.units, dropout: cfg.dropout, vocabSize: cfg.vocabSize },
    hyperparameters: { ...hyper, ...record.stop, workers: record.workers },
    corpus: record.corpus,
    progress: { ...progress, step: adam.step },
    history: position.history,
    optimizer: { name: 'adam', step: adam.step, ...ADAM, lr: adam.hyper.lr, clip: hyper.clip },
    backend: record.backend,
    command: record.command,
    invocation: record.invocation,
    notes: record.notes,
    lineage: record.lineage,
  });
  const averaged = Boolean(hyper.ema);
  const optimizer = new Map(adam.state().moments);
  if (averaged) for (const [name, w] of adam.params()) optimizer.set(`w/${name}`, w);
  if (carry) for (const [name, s] of namedState(carry)) optimizer.set(name, s);
  return saveCheckpoint(
    record.out,
    {
      manifest,
      modelTopology: record.topology,
      // The model is the average when there is one (--ema); optimizer.bin keeps what training goes on from.
      weights: { specs: layersWeightSpecs(cfg), arrays: toLayersWeights(cfg, adam.modelParams()) },
      optimizer: {
        specs: [...optimizerSpecs(cfg, averaged), ...carriedStateSpecs(cfg, streams ?? 0)],
        arrays: optimizer,
      },
    },
    { best, keep: record.stop.keep, ...record.save },
  );
}

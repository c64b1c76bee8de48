/**
 * In-process training runs for unit tests: a tiny network's hyperparameters and the options
 * of a run on a text (train/run.ts's RunOptions), each test overriding what it is about.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Hyperparameters } from '../../src/config.js';
import { initBackend, type BackendName } from '../../src/net/backend.js';
import { readCorpus } from '../../src/text/corpus.js';
import { Vocab } from '../../src/text/vocab.js';
import type { RunOptions } from '../../src/train/run.js';
import { TEST_BACKEND } from './backend.js';

export const tinyHyper: Hyperparameters = {
  seqLength: 10,
  batchSize: 8,
  valFraction: 0.5,
  layers: 1,
  units: 8,
  dropout: 0,
  lr: 0.01,
  lrDecay: 1,
  lrDecayAfter: 10,
  lrPlateau: 0,
  clip: 5,
  stateful: false,
  lowercase: false,
  randomSeed: 1,
};

/** A run on `text` into `dir/out`, with `hyper` over tinyHyper and `over` over the rest. */
export function runOptions(
  text: string,
  out: { dir: string; name: string },
  backend: BackendName,
  hyper: Partial<Hyperparameters> = {},
  over: Partial<RunOptions> = {},
): RunOptions {
  const corpus = readCorpus(new TextEncoder().encode(text), 'words.txt');
  return {
    corpus,
    encoding: 'utf8',
    vocab: Vocab.fromText(corpus.text).vocab,
    hyper: { ...tinyHyper, ...hyper },
    epochs: 3,
    patience: 100,
    minGain: 0,
    keep: 1,
    evalEvery: {},
    valSampleWindows: 1024,
    workers: 1,
    out: path.join(out.dir, out.name),
    sample: false,
    samplePrompt: '',
    sampleLength: 0,
    sampleTemperature: 1,
    backend,
    command: 'lstm train words.txt',
    shouldStop: () => false,
    events: {},
    ...over,
  };
}

/**
 * A temp directory for a file's runs and the test backend, made before its tests and removed
 * after them; read `dir` and `backend` inside the tests.
 */
export function useRunDir(label: string): { dir: string; backend: BackendName } {
  const at = {} as { dir: string; backend: BackendName };
  beforeAll(async () => {
    at.dir = await mkdtemp(path.join(tmpdir(), `lstm-${label}-`));
    at.backend = await initBackend(TEST_BACKEND, 'batches');
  });
  afterAll(() => rm(at.dir, { recursive: true, force: true }));
  return at;
}

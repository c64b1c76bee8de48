/**
 * --max-time is the run's time, in-process on a tiny network: the run ends within the limit
 * plus one batch and one save, having used most of it, and a pass over a large held-out
 * part that no longer fits is left out (the result says how long it would take).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hyperparameters } from '../../../src/config.js';
import { initBackend, type BackendName } from '../../../src/net/backend.js';
import { readCorpus } from '../../../src/text/corpus.js';
import { Vocab } from '../../../src/text/vocab.js';
import { trainModel } from '../../../src/train/loop.js';
import type { RunOptions } from '../../../src/train/run.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { words } from '../../helpers/tiny.js';

let dir: string;
let backend: BackendName;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lstm-max-time-'));
  backend = await initBackend(TEST_BACKEND, 'train');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const hyper: Hyperparameters = {
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

function options(out: string, maxTimeSeconds: number, valSampleWindows: number, held = { repeats: 8, fraction: 0.5 }) {
  const corpus = readCorpus(new TextEncoder().encode(words.repeat(held.repeats)), 'words.txt');
  return {
    corpus,
    encoding: 'utf8',
    vocab: Vocab.fromText(corpus.text).vocab,
    hyper: { ...hyper, valFraction: held.fraction },
    epochs: 10_000,
    maxTimeSeconds,
    patience: 10_000,
    keep: 1,
    evalEvery: {},
    valSampleWindows,
    workers: 1,
    out: path.join(dir, out),
    sample: false,
    samplePrompt: '',
    sampleLength: 0,
    sampleTemperature: 1,
    backend,
    command: 'lstm train words.txt',
    shouldStop: () => false,
    events: {},
  } satisfies RunOptions;
}

const runSeconds = async (out: string) =>
  JSON.parse(await readFile(path.join(dir, out, 'latest', 'lstm.json'), 'utf8')).progress.elapsedSeconds as number;

describe('--max-time', () => {
  it('ends the run within the limit plus one batch and one save, having used most of it', async () => {
    const result = await trainModel(options('whole', 1.5, 1024));
    expect(result.reason).toBe('time');
    const seconds = await runSeconds('whole');
    // A batch and a save of this network take milliseconds, or a few hundred on a loaded
    // machine (the suite runs files side by side): the run stops while they still fit.
    expect(seconds).toBeLessThanOrEqual(1.5 + 1);
    expect(seconds).toBeGreaterThan(0.5);
    expect(result.fullPassSkippedSeconds).toBeUndefined(); // nothing was sampled: no full pass to fit
  });

  it('leaves out a pass over the whole held-out part that would not fit, and says how long it would take', async () => {
    // ~7,600 held-out windows, 2 scored while training: the whole part costs thousands of
    // validations, far more than the time left when the limit stops the run, on any engine.
    const result = await trainModel(options('sampled', 1, 2, { repeats: 40, fraction: 0.9 }));
    expect(result.reason).toBe('time');
    expect(result.valLossFull).toBeNull();
    expect(result.fullPassSkippedSeconds).toBeGreaterThan(0);
    expect(await runSeconds('sampled')).toBeLessThanOrEqual(1 + 1);
  });
});

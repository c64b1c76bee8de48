/**
 * The run's schedule as tables: learning rate, best checkpoint, plateau halving, patience,
 * stop reasons, ETA and divergence, all pure functions of the run's progress.
 */
import { describe, expect, it } from 'vitest';
import { defaults, type Hyperparameters } from '../../../src/config.js';
import { INITIAL_PROGRESS, type Progress } from '../../../src/store/manifest.js';
import {
  diverged,
  endOfEpoch,
  explodingLoss,
  fitsInTime,
  learningRate,
  recordBest,
  runEta,
  stopAfterEpoch,
  stopInEpoch,
  timeIsUp,
  type StopState,
} from '../../../src/train/schedule.js';

const hyper = (over: Partial<Hyperparameters> = {}): Hyperparameters => ({
  seqLength: 50,
  batchSize: 64,
  valFraction: 0.1,
  layers: 2,
  units: 300,
  dropout: 0.2,
  lr: 0.002,
  lrDecay: 1,
  lrDecayAfter: 10,
  lrPlateau: 2,
  clip: 5,
  stateful: false,
  lowercase: false,
  randomSeed: 42,
  ...over,
});
const fresh = (over: Partial<Progress> = {}): Progress => ({ ...INITIAL_PROGRESS, ...over });

describe('learningRate', () => {
  it.each([
    ['constant without decay', {}, 0, 0, 0.002],
    ['constant without decay, late epoch', {}, 30, 0, 0.002],
    ['the first lrDecayAfter epochs at the full rate', { lrDecay: 0.5, lrDecayAfter: 3 }, 2, 0, 0.002],
    ['the next epoch (0-based lrDecayAfter) decayed once', { lrDecay: 0.5, lrDecayAfter: 3 }, 3, 0, 0.001],
    ['one decay per later epoch', { lrDecay: 0.5, lrDecayAfter: 3 }, 5, 0, 0.00025],
    ['one plateau halving', {}, 5, 1, 0.001],
    ['decay and halvings multiply', { lrDecay: 0.5, lrDecayAfter: 1 }, 2, 2, 0.000125],
  ] as const)('%s', (_name, over, epoch, halvings, want) => {
    expect(learningRate(hyper(over), epoch, halvings)).toBeCloseTo(want, 12);
  });
});

describe('recordBest', () => {
  it.each([
    ['the first figure is the best', fresh(), 3, true, 3],
    ['a lower figure is the best', fresh({ bestValLoss: 3 }), 2.5, true, 2.5],
    ['an equal figure is not', fresh({ bestValLoss: 3 }), 3, false, 3],
    ['a higher figure is not', fresh({ bestValLoss: 3 }), 3.1, false, 3],
  ] as const)('%s', (_name, start, score, best, bestValLoss) => {
    const progress = { ...start };
    expect(recordBest(progress, score, 4, 7)).toBe(best);
    expect(progress.bestValLoss).toBe(bestValLoss);
    if (best) expect([progress.bestEpoch, progress.bestBatch]).toEqual([4, 7]);
    else expect(progress.bestEpoch).toBe(start.bestEpoch);
  });
});

/** Runs a sequence of end-of-epoch figures through the schedule, as the loop does. */
function runEpochs(figures: (number | null)[], lrPlateau: number, patience: number, minGainBits = 0) {
  const progress = fresh();
  const rows: { epoch: number; halved: boolean; without: number; halvings: number; stop: string | null }[] = [];
  for (const [i, valLoss] of figures.entries()) {
    const epoch = i + 1;
    recordBest(progress, valLoss ?? 99, epoch, 0, minGainBits);
    const halved = endOfEpoch(progress, epoch, valLoss, lrPlateau);
    progress.epoch = epoch;
    const state: StopState = {
      stopRequested: false,
      outOfTime: false,
      validated: valLoss !== null,
      progress,
      epochs: 100,
      patience,
    };
    const stop = stopAfterEpoch(state);
    rows.push({ epoch, halved, without: progress.epochsWithoutImprovement, halvings: progress.lrHalvings ?? 0, stop });
    if (stop) break;
  }
  return rows;
}

describe('plateau halving and patience over a run', () => {
  it('halves after every lrPlateau epochs without a better end-of-epoch figure, then stops by patience', () => {
    const rows = runEpochs([3, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0], 2, 5);
    expect(rows.map((r) => [r.epoch, r.halved, r.without, r.halvings, r.stop])).toEqual([
      [1, false, 0, 0, null],
      [2, false, 0, 0, null],
      [3, false, 1, 0, null],
      [4, true, 2, 1, null],
      [5, false, 3, 1, null],
      [6, true, 4, 2, null],
      [7, false, 5, 2, 'patience'],
    ]);
  });
  it('a better figure resets both counts', () => {
    const rows = runEpochs([3, 3.1, 2.9, 3.0, 3.0], 2, 5);
    expect(rows.map((r) => [r.without, r.halvings])).toEqual([
      [0, 0],
      [1, 0],
      [0, 0],
      [1, 0],
      [2, 1],
    ]);
  });
  /** Nats that are `b` bits per character. */
  const nats = (b: number) => b * Math.LN2;
  it('with a minimum gain, a crawl of 0.001 bits an epoch stops after patience epochs, though each was the best', () => {
    const crawl = [2, 1.999, 1.998, 1.997, 1.996, 1.995, 1.994].map(nats);
    const rows = runEpochs(crawl, 0, 5, 0.005);
    expect(rows.map((r) => [r.epoch, r.without, r.stop])).toEqual([
      [1, 0, null],
      [2, 1, null],
      [3, 2, null],
      [4, 3, null],
      [5, 4, null],
      [6, 5, 'patience'],
    ]);
    // Without one, every epoch is better: the run goes on.
    expect(runEpochs(crawl, 0, 5).every((r) => r.without === 0 && r.stop === null)).toBe(true);
  });
  it('gains that add up to the minimum over a few epochs count when they reach it', () => {
    // 0.002 bits an epoch: epoch 4 is 0.006 below epoch 1's figure, which early stopping counted.
    const rows = runEpochs([2, 1.998, 1.996, 1.994, 1.992].map(nats), 0, 5, 0.005);
    expect(rows.map((r) => r.without)).toEqual([0, 1, 2, 0, 1]);
  });
  it('the best still follows every gain; a bundle from before the rule counts from its best', () => {
    const progress = fresh({ bestValLoss: nats(2), bestEpoch: 3 });
    expect(recordBest(progress, nats(1.999), 4, 0, 0.005)).toBe(true);
    expect([progress.bestValLoss, progress.bestEpoch]).toEqual([nats(1.999), 4]);
    expect(progress.counted).toEqual({ loss: nats(2), epoch: 3 });
    endOfEpoch(progress, 4, nats(1.999), 0);
    expect(progress.epochsWithoutImprovement).toBe(1);
    expect(recordBest(progress, nats(1.99), 5, 0, 0.005)).toBe(true);
    expect(progress.counted).toEqual({ loss: nats(1.99), epoch: 5 });
    endOfEpoch(progress, 5, nats(1.99), 0);
    expect(progress.epochsWithoutImprovement).toBe(0);
  });
  it('lrPlateau 0 never halves', () => {
    expect(runEpochs([3, 3, 3, 3, 3], 0, 9).every((r) => !r.halved && r.halvings === 0)).toBe(true);
  });
  it('without a held-out part nothing halves and patience never stops the run', () => {
    const rows = runEpochs([null, null, null, null], 1, 1);
    expect(rows.map((r) => [r.halved, r.stop])).toEqual([
      [false, null],
      [false, null],
      [false, null],
      [false, null],
    ]);
  });
  it('a best inside the epoch counts for patience (bestEpoch is this epoch), not for halving', () => {
    const progress = fresh({ bestValLoss: 2, bestEpoch: 3, bestBatch: 10, plateau: { best: 2.1, epochs: 1 } });
    expect(endOfEpoch(progress, 3, 2.2, 2)).toBe(true); // the end-of-epoch figure 2.2 is not below 2.1
    expect(progress.epochsWithoutImprovement).toBe(0);
    expect(progress.plateau).toEqual({ best: 2.1, epochs: 2 });
  });
});

describe('stop reasons', () => {
  const at = (over: Partial<StopState>): StopState => ({
    stopRequested: false,
    outOfTime: false,
    validated: true,
    progress: { epoch: 3, epochsWithoutImprovement: 0 },
    epochs: 10,
    patience: 5,
    ...over,
  });
  it.each([
    ['nothing applies', at({}), null],
    ['the epoch limit', at({ progress: { epoch: 10, epochsWithoutImprovement: 0 } }), 'epochs'],
    ['patience', at({ progress: { epoch: 3, epochsWithoutImprovement: 5 } }), 'patience'],
    [
      'patience needs a held-out part',
      at({ validated: false, progress: { epoch: 3, epochsWithoutImprovement: 9 } }),
      null,
    ],
    ['the time limit', at({ outOfTime: true }), 'time'],
    ['a signal comes first', at({ stopRequested: true, outOfTime: true }), 'interrupted'],
    ['patience before time', at({ outOfTime: true, progress: { epoch: 3, epochsWithoutImprovement: 5 } }), 'patience'],
    [
      'time before the epoch limit',
      at({ outOfTime: true, progress: { epoch: 10, epochsWithoutImprovement: 0 } }),
      'time',
    ],
  ] as const)('after an epoch: %s', (_name, state, want) => {
    expect(stopAfterEpoch(state)).toBe(want);
  });
  it.each([
    [false, false, null],
    [false, true, 'time'],
    [true, false, 'interrupted'],
    [true, true, 'interrupted'],
  ] as const)('inside an epoch: signal %s, out of time %s -> %s', (signal, late, want) => {
    expect(stopInEpoch(signal, late)).toBe(want);
  });
});

describe('runEta', () => {
  it.each([
    ['an explicit epoch limit', 120, { epochs: 20 }, 0, 120],
    ['the default epoch limit is a cap: no ETA', 120, { epochs: defaults.epochs }, 0, null],
    ['--max-time alone (epochs until time)', 999, { epochs: defaults.epochsUntilTime, maxTimeSeconds: 60 }, 20, 40],
    ['the sooner of the two', 30, { epochs: 20, maxTimeSeconds: 60 }, 20, 30],
    ['never below zero', 30, { epochs: defaults.epochs, maxTimeSeconds: 60 }, 75, 0],
  ] as const)('%s', (_name, toLimit, limits, runSeconds, want) => {
    expect(runEta(toLimit, limits, runSeconds)).toBe(want);
  });
});

describe('divergence', () => {
  const at = explodingLoss(70, undefined);
  it('the limit is three times the untrained loss, or the first epoch loss when larger', () => {
    expect(at).toBeCloseTo(3 * Math.log(70), 12);
    expect(explodingLoss(70, 9)).toBe(27);
  });
  it.each([
    ['a normal step', 2.1, 3.5, false],
    ['a loss past the limit', at + 0.01, 3.5, true],
    ['NaN loss', Number.NaN, 3.5, true],
    ['infinite loss', Number.POSITIVE_INFINITY, 3.5, true],
    ['a NaN gradient norm', 2.1, Number.NaN, true],
  ] as const)('%s', (_name, loss, norm, want) => {
    expect(diverged(loss, norm, at)).toBe(want);
  });
});

describe("--max-time is the run's time", () => {
  const d = { batch: 1, validation: 2, save: 0.5 };
  it.each([
    ['no limit', undefined, 1e9, false],
    ['room for a batch, a validation and a save', 60, 56, false],
    ['exactly no room left', 60, 56.5, true],
    ['past the limit', 60, 70, true],
  ] as const)('%s', (_name, limit, runSeconds, want) => {
    expect(timeIsUp(limit, runSeconds, d)).toBe(want);
  });
  it.each([
    ['no limit: a full pass always runs', undefined, 1e9, 1e6, true],
    ['a full pass that fits with the save', 60, 50, 9.5, true],
    ['one that does not', 60, 50, 9.6, false],
  ] as const)('%s', (_name, limit, runSeconds, seconds, want) => {
    expect(fitsInTime(limit, runSeconds, seconds, 0.5)).toBe(want);
  });
});

/**
 * Validation during training, with a loss that is a known function of the targets: both
 * readings score every held-out character once, a sample is a fixed subset, the full pass
 * is the whole part, and old bundles (no `stateful` record) are judged by cold windows.
 */
import { describe, expect, it } from 'vitest';
import type { Hyperparameters } from '../../../src/config.js';
import type { LayerState } from '../../../src/params.js';
import type { Split } from '../../../src/text/split.js';
import { validationStarts, type Batch } from '../../../src/text/windows.js';
import { makeValidator, type BatchLoss } from '../../../src/train/validation.js';

const U = 3;
const T = 5;
// A held-out part of 2,000 characters whose ids vary, after 100 training ones.
const ids = Uint32Array.from({ length: 2100 }, (_, i) => (i * 7919) % 13);
const data: Split = { ids, seqLength: T, trainEnd: 100 };
const hyper = (over: Partial<Hyperparameters>): Hyperparameters => ({
  seqLength: T,
  batchSize: 8,
  valFraction: 0.1,
  layers: 1,
  units: U,
  dropout: 0,
  lr: 0.01,
  lrDecay: 1,
  lrDecayAfter: 1,
  lrPlateau: 0,
  clip: 0,
  stateful: false,
  lowercase: false,
  randomSeed: 1,
  ...over,
});

/** A "loss" of each character's target id, so a mean says exactly which characters were read. */
function targetLoss(log: { states: (LayerState[] | undefined)[] }): BatchLoss {
  return (batch: Batch, state?: LayerState[]) => {
    log.states.push(state);
    let lossSum = 0;
    for (const t of batch.targets) lossSum += t;
    return { lossSum, state: [{ h: new Float32Array(batch.batch * U), c: new Float32Array(batch.batch * U) }] };
  };
}

/** The mean target id over the whole held-out part, window by window. */
function heldOutMean(): number {
  let sum = 0;
  let n = 0;
  for (const start of validationStarts(data)) {
    for (let t = 1; t <= T; t++) sum += ids[start + t];
    n += T;
  }
  return sum / n;
}

describe('makeValidator', () => {
  it('streams and cold windows read the same characters: every held-out window once', async () => {
    const log = { states: [] as (LayerState[] | undefined)[] };
    const v = makeValidator(data, hyper({ stateful: false }), U, targetLoss(log), Infinity);
    expect([v.byStreams, v.sampled]).toEqual([true, false]);
    const streams = await v.score();
    expect(log.states.slice(1).every((s) => s !== undefined)).toBe(true); // the state is carried
    log.states.length = 0;
    const cold = await v.cold();
    expect(log.states.every((s) => s === undefined)).toBe(true); // each window from a zero state
    expect(streams).toBeCloseTo(heldOutMean(), 12);
    expect(cold).toBeCloseTo(heldOutMean(), 12);
    expect(await v.full()).toBeNull(); // nothing was sampled
    expect(await v.coldFull()).toBeNull();
  });

  it('a large part is sampled the same way every time, and the full pass reads all of it', async () => {
    const log = { states: [] as (LayerState[] | undefined)[] };
    const v = makeValidator(data, hyper({ stateful: true }), U, targetLoss(log), 60);
    expect(v.sampled).toBe(true);
    const first = await v.score();
    expect(await v.score()).toBe(first);
    expect(first).not.toBeCloseTo(heldOutMean(), 6);
    expect(await v.full()).toBeCloseTo(heldOutMean(), 12);
    expect(await v.coldFull()).toBeCloseTo(heldOutMean(), 12);
  });

  it('a bundle from before streams existed is judged by cold windows, with none beside', async () => {
    const log = { states: [] as (LayerState[] | undefined)[] };
    const v = makeValidator(data, hyper({ stateful: undefined }), U, targetLoss(log), Infinity);
    expect(v.byStreams).toBe(false);
    expect(await v.score()).toBeCloseTo(heldOutMean(), 12);
    expect(log.states.every((s) => s === undefined)).toBe(true);
    expect(await v.cold()).toBeUndefined();
  });

  it('no held-out part: no figure', async () => {
    const none: Split = { ids, seqLength: T, trainEnd: ids.length };
    const v = makeValidator(none, hyper({}), U, targetLoss({ states: [] }), Infinity);
    expect(await v.score()).toBeNull();
    expect(await v.cold()).toBeNull();
  });
});

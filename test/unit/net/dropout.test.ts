/**
 * The regularisers of net/dropout.ts on real tensors, on the test backend:
 * - variational dropout: one mask per sequence, the same at every step, keyed per example
 *   (so any split of a batch draws the same masks);
 * - DropConnect on the recurrent weights (`weightDrop`): a mask on the recurrent rows only,
 *   shared by every example; the step it gives equals the plain step on weights multiplied
 *   by that mask, with the gradient multiplied by it too (the chain rule through W * M), and
 *   it leaves no tensor behind.
 *
 * Legend: T time steps, B batch, U units, I layer input width.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/net/backend.js';
import { dropoutMasks, weightDropMasks } from '../../../src/net/dropout.js';
import { engineFor, trainingLossAndGrads } from '../../../src/net/engine.js';
import { inputSize, paramSpecs, type NetConfig } from '../../../src/params.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { maxAbsDiff, randomBatch, randomParams, tensorsOf, weightsOf } from '../../helpers/net.js';

let backend: Awaited<ReturnType<typeof initBackend>>;
beforeAll(async () => {
  backend = await initBackend(TEST_BACKEND, 'batches');
});

const key = { randomSeed: 5, epoch: 2, batch: 3 };

describe('variational dropout masks', () => {
  const [L, U, T] = [2, 16, 6];
  const examples = [0, 1, 2, 3];
  const masks = dropoutMasks(key, 0.4, L, U, T, examples, true);

  it('are the same at every step of a sequence, and differ between sequences and layers', () => {
    const B = examples.length;
    const row = (m: Float32Array, t: number, b: number) => m.subarray((t * B + b) * U, (t * B + b + 1) * U);
    for (const m of masks) {
      for (let b = 0; b < B; b++) {
        for (let t = 1; t < T; t++) expect(row(m, t, b)).toEqual(row(m, 0, b));
        if (b > 0) expect(row(m, 0, b)).not.toEqual(row(m, 0, 0));
      }
    }
    expect(masks[1]).not.toEqual(masks[0]);
  });

  it('hold only 0 and 1/(1-rate), about rate of them dropped', () => {
    const values = new Set(masks.flatMap((m) => [...m]));
    expect([...values].sort()).toEqual([0, Math.fround(1 / 0.6)].sort());
    const dropped = masks[0].filter((v) => v === 0).length / masks[0].length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.6);
  });

  it('are keyed per example: a share of the batch draws its rows of the whole batch masks', () => {
    const share = dropoutMasks(key, 0.4, L, U, T, [2, 3], true);
    const B = examples.length;
    for (let t = 0; t < T; t++) {
      const whole = masks[0].subarray((t * B + 2) * U, (t * B + 4) * U);
      expect(share[0].subarray(t * 2 * U, (t + 1) * 2 * U)).toEqual(whole);
    }
  });
});

describe('DropConnect on the recurrent weights', () => {
  const cfg: NetConfig = { vocabSize: 7, layers: 2, units: 10, dropout: 0.2, weightDrop: 0.5 };

  it('masks only the recurrent rows of each W, the same whatever examples a share holds', () => {
    const masks = weightDropMasks(cfg, key)!;
    expect(masks).toHaveLength(cfg.layers);
    for (const [l, m] of masks.entries()) {
      const G = 4 * cfg.units;
      const inputRows = inputSize(cfg, l) + 1;
      expect(m).toHaveLength((inputRows + cfg.units) * G); // [I + 1 + U, 4U]
      expect(m.subarray(0, inputRows * G).every((v) => v === 1)).toBe(true);
      const recurrent = m.subarray(inputRows * G);
      const dropped = recurrent.filter((v) => v === 0).length / recurrent.length;
      expect(dropped).toBeGreaterThan(0.4);
      expect(dropped).toBeLessThan(0.6);
      expect(recurrent.every((v) => v === 0 || v === 2)).toBe(true);
    }
    expect(weightDropMasks({ ...cfg, weightDrop: 0 }, key)).toBeUndefined();
    expect(weightDropMasks(cfg, { ...key, batch: 4 })![0]).not.toEqual(masks[0]);
  });

  it('is the plain step on W * M with the gradient times M, and leaves no tensor', () => {
    const engine = engineFor(backend);
    const [T, B] = [6, 4];
    const batch = randomBatch(cfg.vocabSize, T, B, 1);
    const params = randomParams(cfg, 2);
    const examples = [0, 1, 2, 3];
    const scale = 1 / (B * T);
    const M = weightDropMasks(cfg, key)!;

    const ts = tensorsOf(cfg, params);
    const before = tf.memory().numTensors;
    const dropped = trainingLossAndGrads(engine, weightsOf(cfg, ts), cfg, batch, key, examples, scale);
    const got = dropped.grads.map((g) => g.dataSync().slice());
    dropped.grads.forEach((g) => g.dispose());
    expect(tf.memory().numTensors).toBe(before);
    ts.forEach((t) => t.dispose());

    // By hand: the weights multiplied by the mask, the plain step (same output masks), the
    // gradient multiplied by the mask.
    const specs = paramSpecs(cfg);
    const masked = new Map(params);
    for (let l = 0; l < cfg.layers; l++) {
      const W = params.get(specs[l].name)!;
      masked.set(
        specs[l].name,
        W.map((w, i) => w * M[l][i]),
      );
    }
    const plain = tensorsOf(cfg, masked);
    const outputMasks = dropoutMasks(key, cfg.dropout, cfg.layers, cfg.units, T, examples);
    const want = engine.lossAndGrads(weightsOf(cfg, plain), cfg, batch, outputMasks, scale);
    const wantGrads = want.grads.map((g, k) => {
      const host = g.dataSync().slice();
      return k < cfg.layers ? host.map((v, i) => v * M[k][i]) : host;
    });
    want.grads.forEach((g) => g.dispose());
    plain.forEach((t) => t.dispose());

    expect(Math.abs(dropped.lossSum - want.lossSum)).toBeLessThan(1e-5 * Math.abs(want.lossSum));
    for (const [k, g] of got.entries()) expect(maxAbsDiff(g, wantGrads[k]), specs[k].name).toBeLessThan(1e-6);
    // A dropped weight gets no gradient.
    const G = 4 * cfg.units;
    const first = (inputSize(cfg, 0) + 1) * G;
    for (let i = first; i < M[0].length; i++) if (M[0][i] === 0) expect(Math.abs(got[0][i])).toBe(0);
  });
});

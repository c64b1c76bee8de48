/** The optimiser (Adam with clipping by global norm) driving the fused network's gradients. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramSpecs, type NetConfig } from '../../src/layout.js';
import { Adam } from '../../src/net/adam.js';
import { initBackend } from '../../src/net/backend.js';
import { dropoutMasks } from '../../src/net/dropout.js';
import { initParams } from '../../src/net/init.js';
import { batchLoss, lossAndGrads } from '../../src/net/lstm.js';
import { randomBatch } from '../helpers/net.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Adam', () => {
  const cfg: NetConfig = { vocabSize: 6, layers: 2, units: 8, dropout: 0.2 };
  const batch = randomBatch(6, 8, 4, 11);
  const step = (adam: Adam, k: number) => {
    const masks = dropoutMasks({ randomSeed: 3, epoch: 0, batch: k }, cfg.dropout, cfg.layers, cfg.units, batch.seqLength, [0, 1, 2, 3]);
    const { lossSum, grads } = lossAndGrads(adam.weights(), cfg, batch, masks, 1 / (batch.batch * batch.seqLength));
    const norm = adam.apply(grads);
    expect(Number.isFinite(norm)).toBe(true);
    return lossSum;
  };

  it('keeps tf.memory().numTensors the same after 10 steps as after 1', () => {
    const adam = new Adam(cfg, initParams(cfg, 1), { lr: 0.01, clip: 5 });
    step(adam, 0);
    const afterOne = tf.memory().numTensors;
    for (let k = 1; k < 10; k++) step(adam, k);
    expect(tf.memory().numTensors).toBe(afterOne);
    expect(adam.step).toBe(10);
    adam.params();
    adam.state();
    batchLoss(adam.weights(), cfg, batch);
    expect(tf.memory().numTensors).toBe(afterOne);
    const beforeDispose = tf.memory().numTensors;
    adam.dispose();
    // Parameters, first and second moments: three variables per parameter tensor.
    expect(beforeDispose - tf.memory().numTensors).toBe(3 * paramSpecs(cfg).length);
  });

  it('lowers the loss on a batch it keeps seeing', () => {
    const plain: NetConfig = { ...cfg, dropout: 0 };
    const adam = new Adam(plain, initParams(cfg, 2), { lr: 0.02, clip: 5 });
    const first = batchLoss(adam.weights(), plain, batch);
    for (let k = 0; k < 30; k++) {
      const { grads } = lossAndGrads(adam.weights(), plain, batch, undefined, 1 / 32);
      adam.apply(grads);
    }
    expect(batchLoss(adam.weights(), plain, batch)).toBeLessThan(first * 0.8);
    adam.dispose();
  });
});

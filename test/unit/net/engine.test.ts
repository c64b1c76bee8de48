/**
 * The two engines agree: TensorFlow's fused kernels on tfjs-node (net/native-lstm.ts) and
 * the portable fused LSTM on wasm (net/lstm.ts) give the same loss and gradients for the
 * same parameters, batch and dropout masks. Stated tolerance: 1e-5 relative (float32
 * sums in a different order). Skipped, and says so, where tfjs-node is not built.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { paramSpecs, type NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { dropoutMasks } from '../../../src/net/dropout.js';
import { engineFor } from '../../../src/net/engine.js';
import { randomBatch, randomParams, tensorsOf, weightsOf } from '../../helpers/net.js';

const hasTensorflow = await initBackend('tensorflow', 'batches').then(
  () => true,
  () => false,
);

const TOLERANCE = 1e-5;

/** Loss and gradients (host arrays) of one case on one backend. */
async function compute(backend: 'tensorflow' | 'wasm', cfg: NetConfig, seed: number, masked: boolean) {
  await initBackend(backend, 'batches');
  const engine = engineFor(backend);
  const B = 5;
  const T = 7;
  const batch = randomBatch(cfg.vocabSize, T, B, seed);
  const masks = masked
    ? dropoutMasks({ randomSeed: seed, epoch: 0, batch: 0 }, cfg.dropout, cfg.layers, cfg.units, T, [0, 1, 2, 3, 4])
    : undefined;
  const ts = tensorsOf(cfg, randomParams(cfg, seed));
  const before = tf.memory().numTensors;
  const { lossSum, grads } = engine.lossAndGrads(weightsOf(cfg, ts), cfg, batch, masks, 1 / (B * T));
  const host = grads.map((g) => g.dataSync().slice());
  grads.forEach((g) => g.dispose());
  const validation = engine.batchLoss(weightsOf(cfg, ts), cfg, batch);
  expect(tf.memory().numTensors, `${backend} leaves no tensors`).toBe(before);
  ts.forEach((t) => t.dispose());
  return { lossSum, grads: host, validation };
}

const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / Math.max(n, 1e-30));
};

describe.skipIf(!hasTensorflow)(
  `tensorflow and wasm engines agree to ${TOLERANCE}${hasTensorflow ? '' : " (skipped: tfjs-node is not built here; 'npm run native' builds it)"}`,
  () => {
    it.each([
      { name: '1 layer, no dropout', cfg: { vocabSize: 6, layers: 1, units: 8, dropout: 0 }, masked: false },
      { name: '2 layers with dropout masks', cfg: { vocabSize: 9, layers: 2, units: 12, dropout: 0.3 }, masked: true },
      { name: '3 layers with dropout masks', cfg: { vocabSize: 5, layers: 3, units: 7, dropout: 0.5 }, masked: true },
    ])('$name: loss, validation loss and every gradient', async ({ cfg, masked }) => {
      const native = await compute('tensorflow', cfg, 11, masked);
      const portable = await compute('wasm', cfg, 11, masked);
      expect(Math.abs(native.lossSum - portable.lossSum) / portable.lossSum).toBeLessThan(TOLERANCE);
      expect(Math.abs(native.validation - portable.validation) / portable.validation).toBeLessThan(TOLERANCE);
      paramSpecs(cfg).forEach((s, i) => {
        expect(native.grads[i].length, s.name).toBe(portable.grads[i].length);
        expect(relative(native.grads[i], portable.grads[i]), s.name).toBeLessThan(TOLERANCE);
      });
      if (masked) expect(Math.abs(native.lossSum - native.validation)).toBeGreaterThan(1e-3); // the masks were used
    });
  },
);

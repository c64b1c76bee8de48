/**
 * Shared by the network tests (net/, generate/): seeded random parameters and batches, and
 * parameters as tensors in the layout the fused LSTM takes.
 *
 * Legend: B batch, T time steps, V vocabulary. Batches are time-major (index t * B + b).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { paramSpecs, type NetConfig, type Params } from '../../src/params.js';
import type { NetWeights } from '../../src/net/lstm.js';
import { rng } from '../../src/random.js';
import type { Batch } from '../../src/text/windows.js';

/** Parameters with every entry random (biases included, unlike initParams), seeded. */
export function randomParams(cfg: NetConfig, seed: number): Params {
  const random = rng(seed, 'test-params');
  const params: Params = new Map();
  for (const s of paramSpecs(cfg)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    params.set(
      s.name,
      Float32Array.from({ length: n }, () => (random() - 0.5) * 1.2),
    );
  }
  return params;
}

/** A random time-major batch. */
export function randomBatch(V: number, T: number, B: number, seed: number): Batch {
  const random = rng(seed, 'test-batch');
  const ids = () => Int32Array.from({ length: T * B }, () => Math.floor(random() * V));
  return { batch: B, seqLength: T, inputs: ids(), targets: ids() };
}

/** Parameters as tensors in paramSpecs order (the caller disposes them). */
export function tensorsOf(cfg: NetConfig, params: Params): tf.Tensor[] {
  return paramSpecs(cfg).map((s) => tf.tensor(params.get(s.name)!, s.shape));
}

/** The tensors of tensorsOf as the fused network's weights (not copies). */
export function weightsOf(cfg: NetConfig, ts: tf.Tensor[]): NetWeights {
  return {
    W: ts.slice(0, cfg.layers) as tf.Tensor2D[],
    denseW: ts[cfg.layers] as tf.Tensor2D,
    denseB: ts[cfg.layers + 1] as tf.Tensor1D,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

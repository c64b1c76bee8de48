/**
 * Engines are adapters: what differs between TensorFlow.js backends for training lives
 * behind this one small interface, so the training step, the loop and the CLI never ask
 * which backend they run on.
 *
 * - tensorflow (tfjs-node): TensorFlow's fused sequence kernels (net/native-lstm.ts).
 * - wasm, cpu: the portable fused LSTM (net/lstm.ts) with its hand-written backward pass.
 *
 * On every backend a batch is shared by one worker thread per core (net/backend.ts says
 * why that also holds for TensorFlow).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import type { LayerState, NetConfig } from '../params.js';
import type { Batch } from '../text/windows.js';
import type { BackendName } from './backend.js';
import { networkMasks, weightDropMasks, type MaskKey } from './dropout.js';
import type { LossAndGrads, StreamLoss } from './head.js';
import * as portable from './lstm.js';
import type { NetWeights } from './lstm.js';
import * as native from './native-lstm.js';

export type Engine = {
  backend: BackendName;
  lossAndGrads: LossAndGrads;
  /** Summed cross-entropy (nats) without dropout, from and to a carried state. */
  streamLoss: StreamLoss;
  /** Summed cross-entropy (nats) of a batch without dropout. */
  batchLoss(w: NetWeights, cfg: NetConfig, batch: Batch): number;
};

export function engineFor(backend: BackendName): Engine {
  if (backend === 'tensorflow') {
    return withBatchLoss({ backend, lossAndGrads: native.lossAndGrads, streamLoss: native.streamLoss });
  }
  return withBatchLoss({ backend, lossAndGrads: portable.lossAndGrads, streamLoss: portable.streamLoss });
}

/** The zero-state loss every engine has: its stream loss from no state. */
function withBatchLoss(e: Omit<Engine, 'batchLoss'>): Engine {
  return { ...e, batchLoss: (w, cfg, batch) => e.streamLoss(w, cfg, batch).lossSum };
}

/**
 * The loss and gradients of a training batch share with the network's dropout (net/dropout.ts):
 * output masks for `examples` (the share's rows' indices in the whole batch) and, with
 * `weightDrop`, the recurrent kernels multiplied by their batch's DropConnect mask, whose
 * gradient is the masked weights' gradient times the same mask.
 */
export function trainingLossAndGrads(
  engine: Engine,
  w: NetWeights,
  cfg: NetConfig,
  batch: Batch,
  key: MaskKey,
  examples: number[],
  scale: number,
  state?: LayerState[],
): ReturnType<LossAndGrads> {
  const masks = networkMasks(cfg, key, batch.seqLength, examples);
  const drops = weightDropMasks(cfg, key);
  if (!drops) return engine.lossAndGrads(w, cfg, batch, masks, scale, state);
  const M = drops.map((m, l) => tf.tensor2d(m, w.W[l].shape)); // [I + 1 + U, 4U] per layer
  const dropped = { ...w, W: w.W.map((W, l) => tf.mul(W, M[l]) as Tensor2D) };
  try {
    const out = engine.lossAndGrads(dropped, cfg, batch, masks, scale, state);
    const grads = out.grads.map((g, k) => {
      if (k >= cfg.layers) return g;
      const masked = tf.mul(g, M[k]);
      g.dispose();
      return masked;
    });
    return { ...out, grads };
  } finally {
    for (const t of [...M, ...dropped.W]) t.dispose();
  }
}

/**
 * One tiny training step, taken by each thread alone before real work: TensorFlow's
 * one-time kernel set-up crashed (SIGSEGV, ~1 run in 4) when two threads ran their first
 * step at the same time. Cheap on every backend.
 */
export function warmUp(engine: Engine, w: NetWeights, cfg: NetConfig): void {
  const batch = { batch: 1, seqLength: 2, inputs: new Int32Array(2), targets: new Int32Array(2) };
  const key = { randomSeed: 0, epoch: 0, batch: 0 };
  trainingLossAndGrads(engine, w, cfg, batch, key, [0], 1).grads.forEach((g) => g.dispose());
}

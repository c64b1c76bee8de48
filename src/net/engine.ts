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
import type { NetConfig } from '../layout.js';
import type { Batch } from '../text/windows.js';
import type { BackendName } from './backend.js';
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

/**
 * The LSTM on native TensorFlow (tfjs-node): TensorFlow's own fused sequence kernels,
 * `BlockLSTMV2` forward and `BlockLSTMGradV2` backward, one call per layer per batch
 * instead of a dozen small tfjs ops per step (each op costs 8-18 µs through tfjs-node).
 * Same inputs, outputs and gradients as net/lstm.ts (checked against it and autograd).
 *
 * BlockLSTMV2's layout: x [T, B, I], w [I + U, 4U] (the input kernel stacked on the
 * recurrent one), b [4U], gates in params.ts's order i, f, c, o, no forget bias (ours is in
 * b), no peepholes (their weights are zeros), no cell clipping. Our W [I + 1 + U, 4U] holds
 * the bias as the row between the two kernels: it is cut into w and b once per batch, and
 * the gradient is put back together the same way.
 *
 * Pitfalls (measured here): an unknown attr such as `forget_bias` is silently accepted by V2
 * and changes results, so only `cell_clip`, `use_peephole` and `T` are passed; the Grad op
 * needs `use_peephole`; `seq_len_max` must be an int64 scalar.
 *
 * Legend: T steps, B batch, I layer input width, U units, V vocabulary.
 */
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { requirePackage, tf } from './tf.js';
import {
  headLoss,
  headLossAndGrads,
  initialState,
  lossAndGradsOf,
  streamLossOf,
  type LossAndGrads,
  type StreamLoss,
} from './head.js';

type Attr = { name: string; type: number; value: unknown };
type NodeBackend = {
  binding: { TF_ATTR_FLOAT: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: Attr[], inputs: unknown[], n: number): Tensor[];
};
type Int64ScalarClass = new (value: number) => unknown;

let Int64Scalar: Int64ScalarClass | undefined;

/** The tfjs-node backend and its int64 scalar (loaded with it; only on the tensorflow backend). */
function native(): { backend: NodeBackend; int64: (n: number) => unknown } {
  const backend = tf.backend() as unknown as NodeBackend;
  if (!Int64Scalar) {
    Int64Scalar = (requirePackage('@tensorflow/tfjs-node/dist/int64_tensors.js') as { Int64Scalar: Int64ScalarClass })
      .Int64Scalar;
  }
  const I64 = Int64Scalar;
  return { backend, int64: (n) => new I64(n) };
}

/** What one layer's forward pass keeps for its backward pass. */
type LayerTape = { inputs: Tensor[]; outputs: Tensor[]; I: number };

/**
 * One layer over all steps from the state (h0, c0) [B, U]. `x` is [T, B, I]; returns h
 * [T, B, U], the last h and c, and the tape (BlockLSTMV2's 8 inputs and 7 outputs: i, cs,
 * f, o, ci, co, h).
 */
function layerForward(x: Tensor3D, W: Tensor2D, U: number, h0: Tensor2D, c0: Tensor2D) {
  const { backend, int64 } = native();
  const bind = backend.binding;
  const [T, B, I] = x.shape;
  const w = tf.concat([tf.slice(W, [0, 0], [I, 4 * U]), tf.slice(W, [I + 1, 0], [U, 4 * U])], 0); // [I + U, 4U]
  const b = tf.reshape(tf.slice(W, [I, 0], [1, 4 * U]), [4 * U]);
  const peephole = tf.zeros([U]);
  const inputs = [x, c0, h0, w, peephole, peephole, peephole, b]; // cs_prev before h_prev
  const attrs: Attr[] = [
    { name: 'cell_clip', type: bind.TF_ATTR_FLOAT, value: 0 },
    { name: 'use_peephole', type: bind.TF_ATTR_BOOL, value: false },
    { name: 'T', type: bind.TF_ATTR_TYPE, value: bind.TF_FLOAT },
  ];
  const outputs = backend.executeMultipleOutputs('BlockLSTMV2', attrs, [int64(T), ...inputs], 7);
  const last = (t: Tensor) => tf.reshape(tf.slice(t, [T - 1, 0, 0], [1, B, U]), [B, U]);
  const tape: LayerTape = { inputs, outputs, I };
  return { h: outputs[6] as Tensor3D, lastH: last(outputs[6]), lastC: last(outputs[1]), tape };
}

/** Backward through one layer: dh [T, B, U] in; dW [I + 1 + U, 4U] (our layout) and dx [T, B, I] out. */
function layerBackward(tape: LayerTape, dh: Tensor3D, U: number): { dW: Tensor2D; dx: Tensor3D } {
  const { backend, int64 } = native();
  const bind = backend.binding;
  const T = dh.shape[0];
  const attrs: Attr[] = [
    { name: 'use_peephole', type: bind.TF_ATTR_BOOL, value: false },
    { name: 'T', type: bind.TF_ATTR_TYPE, value: bind.TF_FLOAT },
  ];
  const grads = backend.executeMultipleOutputs(
    'BlockLSTMGradV2',
    attrs,
    [int64(T), ...tape.inputs, ...tape.outputs, tf.zerosLike(dh), dh],
    8,
  );
  const [dx, , , dw, , , , db] = grads; // x, cs_prev, h_prev, w, wci, wcf, wco, b
  const I = tape.I;
  const dW = tf.concat(
    [tf.slice(dw, [0, 0], [I, 4 * U]), tf.reshape(db, [1, 4 * U]), tf.slice(dw, [I, 0], [U, 4 * U])],
    0,
  ) as Tensor2D;
  return { dW, dx: dx as Tensor3D };
}

/** One-hot [T, B, V] of time-major ids. */
function oneHot(ids: Int32Array, T: number, B: number, V: number): Tensor3D {
  const data = new Float32Array(T * B * V);
  for (let r = 0; r < T * B; r++) data[r * V + ids[r]] = 1;
  return tf.tensor3d(data, [T, B, V]);
}

/** The dropout mask of layer l as [T, B, U], or undefined. */
const maskOf = (masks: Float32Array[] | undefined, l: number, T: number, B: number, U: number) =>
  masks ? tf.tensor3d(masks[l], [T, B, U]) : undefined;

/** Summed cross-entropy (nats) of a batch without dropout, from and to a carried state (net/head.ts's StreamLoss). */
export const streamLoss: StreamLoss = (w, cfg, batch, state) =>
  streamLossOf(
    tf.tidy(() => {
      const T = batch.seqLength;
      const B = batch.batch;
      let x: Tensor3D = oneHot(batch.inputs, T, B, cfg.vocabSize);
      const finals: Tensor[] = [];
      for (let l = 0; l < cfg.layers; l++) {
        const s = initialState(state, l, B, cfg.units);
        const layer = layerForward(x, w.W[l], cfg.units, s.h, s.c);
        x = layer.h;
        finals.push(layer.lastH, layer.lastC);
      }
      return [headLoss(tf.reshape(x, [T * B, cfg.units]), w, batch.targets), ...finals];
    }),
  );

/** Loss and gradients of a batch (net/head.ts's LossAndGrads) through TensorFlow's fused kernels. */
export const lossAndGrads: LossAndGrads = (w, cfg, batch, masks, scale, state) => {
  const { units: U, vocabSize: V, layers: L } = cfg;
  const T = batch.seqLength;
  const B = batch.batch;
  const out = tf.tidy(() => {
    let x: Tensor3D = oneHot(batch.inputs, T, B, V);
    const tapes: LayerTape[] = [];
    const maskTensors: (Tensor3D | undefined)[] = [];
    const finals: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const s = initialState(state, l, B, U);
      const { h, lastH, lastC, tape } = layerForward(x, w.W[l], U, s.h, s.c);
      tapes.push(tape);
      finals.push(lastH, lastC);
      maskTensors.push(maskOf(masks, l, T, B, U));
      x = maskTensors[l] ? tf.mul(h, maskTensors[l]!) : h;
    }
    // Backward: the output layer (net/head.ts), then each LSTM layer top-down through the
    // fused gradient kernel.
    const { lossSum, dDenseW, dDenseB, dH } = headLossAndGrads(tf.reshape(x, [T * B, U]), w, batch.targets, scale);
    let dh = tf.reshape(dH, [T, B, U]) as Tensor3D;
    const dWs: Tensor[] = new Array(L);
    for (let l = L - 1; l >= 0; l--) {
      if (maskTensors[l]) dh = tf.mul(dh, maskTensors[l]!);
      const { dW, dx } = layerBackward(tapes[l], dh, U);
      dWs[l] = dW;
      dh = dx;
    }
    return [lossSum, ...dWs, dDenseW, dDenseB, ...finals];
  });
  return lossAndGradsOf(out, L);
};

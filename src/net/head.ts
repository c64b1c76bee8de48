/**
 * The network's output layer, shared by both engines: a dense layer at every step, softmax
 * cross-entropy against sequence targets, and its backward pass down to the top LSTM
 * layer's outputs. Transposes are explicit (matMul's transposeA/B is ~12x slower on wasm;
 * on native TensorFlow either way costs the same).
 *
 * Legend: N = T * B rows (time-major), U units, V vocabulary.
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import type { LayerState, NetConfig } from '../params.js';
import type { Batch } from '../text/windows.js';
import type { NetWeights } from './lstm.js';

/**
 * What each engine computes for a batch (or a worker's share of one): the SUM of
 * per-character cross-entropies in nats, and the gradients of that sum times `scale`
 * (1 / characters in the whole batch gives the mean) in paramSpecs order, owned by the
 * caller. `masks` are dropout masks per layer in [T, B, U] host layout, or undefined.
 */
export type LossAndGrads = (
  w: NetWeights,
  cfg: NetConfig,
  batch: Batch,
  masks: Float32Array[] | undefined,
  scale: number,
  state?: LayerState[],
) => { lossSum: number; grads: Tensor[]; state: LayerState[] };

/** Summed cross-entropy (nats) of a batch without dropout, from and to a carried state. */
export type StreamLoss = (
  w: NetWeights,
  cfg: NetConfig,
  batch: Batch,
  state?: LayerState[],
) => { lossSum: number; state: LayerState[] };

/** Layer l's initial h and c as tensors [B, U] (zeros without a state). Call inside tf.tidy. */
export function initialState(
  state: LayerState[] | undefined,
  l: number,
  B: number,
  U: number,
): { h: Tensor2D; c: Tensor2D } {
  const s = state?.[l];
  return s
    ? { h: tf.tensor2d(s.h, [B, U]), c: tf.tensor2d(s.c, [B, U]) }
    : { h: tf.zeros([B, U]), c: tf.zeros([B, U]) };
}

/** One-hot rows of ids: [N, V]. */
function oneHotRows(ids: Int32Array, V: number): Tensor2D {
  const data = new Float32Array(ids.length * V);
  for (let r = 0; r < ids.length; r++) data[r * V + ids[r]] = 1;
  return tf.tensor2d(data, [ids.length, V]);
}

/** Summed cross-entropy (nats) of top-layer outputs H [N, U] against target ids. */
export function headLoss(H: Tensor2D, w: NetWeights, targetIds: Int32Array): Scalar {
  const logits = tf.add(tf.matMul(H, w.denseW), w.denseB); // [N, V]
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHotRows(targetIds, w.denseB.shape[0])))) as Scalar;
}

/**
 * Forward and backward through the head: the summed loss, the dense layer's gradients and
 * dLoss/dH [N, U], all of the loss times `scale`. Call inside tf.tidy.
 */
export function headLossAndGrads(H: Tensor2D, w: NetWeights, targetIds: Int32Array, scale: number) {
  const logits = tf.add(tf.matMul(H, w.denseW), w.denseB); // [N, V]
  const logp = tf.logSoftmax(logits);
  const targets = oneHotRows(targetIds, w.denseB.shape[0]);
  const lossSum = tf.neg(tf.sum(tf.mul(logp, targets)));
  const dLogits = tf.mul(tf.sub(tf.exp(logp), targets), scale); // [N, V]
  const dDenseW = tf.matMul(tf.transpose(H), dLogits); // [U, V]
  const dDenseB = tf.sum(dLogits, 0); // [V]
  const dH = tf.matMul(dLogits, tf.transpose(w.denseW)) as Tensor2D; // [N, U]
  return { lossSum, dDenseW, dDenseB, dH };
}

/**
 * `[lossSum, ...grads, ...finals]` out of a tidy as the engines build them (finals: h then
 * c of each layer at the window's last step): the loss and the state read to the host,
 * the gradients owned by the caller.
 */
export function lossAndGradsOf(
  out: Tensor[],
  layers: number,
): { lossSum: number; grads: Tensor[]; state: LayerState[] } {
  const finals = out.splice(out.length - 2 * layers);
  const [loss, ...grads] = out;
  const lossSum = loss.dataSync()[0];
  loss.dispose();
  return { lossSum, grads, state: stateOf(finals) };
}

/** `[loss, ...finals]` out of a tidy: the summed loss and the carried state, read to the host (disposed). */
export function streamLossOf(out: Tensor[]): { lossSum: number; state: LayerState[] } {
  const [loss, ...finals] = out;
  const lossSum = loss.dataSync()[0];
  loss.dispose();
  return { lossSum, state: stateOf(finals) };
}

/** Final h and c tensors (h then c per layer) as host state; disposes them. */
function stateOf(finals: Tensor[]): LayerState[] {
  const state: LayerState[] = [];
  for (let l = 0; l < finals.length; l += 2)
    state.push({
      h: finals[l].dataSync().slice() as Float32Array,
      c: finals[l + 1].dataSync().slice() as Float32Array,
    });
  finals.forEach((t) => t.dispose());
  return state;
}

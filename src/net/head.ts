/**
 * The network's output layer, shared by both engines: a dense layer at every step, softmax
 * cross-entropy against sequence targets, and its backward pass down to the top LSTM
 * layer's outputs. Transposes are explicit (matMul's transposeA/B is ~12x slower on wasm;
 * on native TensorFlow either way costs the same).
 *
 * Legend: N = T * B rows (time-major), U units, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetConfig } from '../layout.js';
import type { Batch } from '../text/windows.js';
import type { NetWeights } from './lstm.js';

/**
 * What each engine computes for a batch (or a worker's share of one): the SUM of
 * per-character cross-entropies in nats, and the gradients of that sum times `scale`
 * (1 / characters in the whole batch gives the mean) in paramSpecs order, owned by the
 * caller. `masks` are dropout masks per layer in [T, B, U] host layout, or undefined.
 */
export type LossAndGrads = (
  w: NetWeights, cfg: NetConfig, batch: Batch, masks: Float32Array[] | undefined, scale: number,
) => { lossSum: number; grads: tf.Tensor[] };

/** One-hot rows of ids: [N, V]. */
export function oneHotRows(ids: Int32Array, V: number): tf.Tensor2D {
  const data = new Float32Array(ids.length * V);
  for (let r = 0; r < ids.length; r++) data[r * V + ids[r]] = 1;
  return tf.tensor2d(data, [ids.length, V]);
}

/** Summed cross-entropy (nats) of top-layer outputs H [N, U] against target ids. */
export function headLoss(H: tf.Tensor2D, w: NetWeights, targetIds: Int32Array): tf.Scalar {
  const logits = tf.add(tf.matMul(H, w.denseW), w.denseB); // [N, V]
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHotRows(targetIds, w.denseB.shape[0])))) as tf.Scalar;
}

/**
 * Forward and backward through the head: the summed loss, the dense layer's gradients and
 * dLoss/dH [N, U], all of the loss times `scale`. Call inside tf.tidy.
 */
export function headLossAndGrads(H: tf.Tensor2D, w: NetWeights, targetIds: Int32Array, scale: number) {
  const logits = tf.add(tf.matMul(H, w.denseW), w.denseB); // [N, V]
  const logp = tf.logSoftmax(logits);
  const targets = oneHotRows(targetIds, w.denseB.shape[0]);
  const lossSum = tf.neg(tf.sum(tf.mul(logp, targets)));
  const dLogits = tf.mul(tf.sub(tf.exp(logp), targets), scale); // [N, V]
  const dDenseW = tf.matMul(tf.transpose(H), dLogits); // [U, V]
  const dDenseB = tf.sum(dLogits, 0); // [V]
  const dH = tf.matMul(dLogits, tf.transpose(w.denseW)) as tf.Tensor2D; // [N, U]
  return { lossSum, dDenseW, dDenseB, dH };
}

/** `[lossSum, ...grads]` out of a tidy as the engines return them: the loss read, the gradients owned by the caller. */
export function lossAndGradsOf(out: tf.Tensor[]): { lossSum: number; grads: tf.Tensor[] } {
  const [loss, ...grads] = out;
  const lossSum = loss.dataSync()[0];
  loss.dispose();
  return { lossSum, grads };
}

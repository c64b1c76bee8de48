/**
 * A straightforward LSTM written with tfjs ops and differentiated by tfjs autograd: the
 * reference the fused forward/backward is checked against. Same parameter layout.
 */
import * as tf from '@tensorflow/tfjs';
import type { NetConfig } from '../../../src/params.js';
import type { LayerState } from '../../../src/params.js';
import type { Batch } from '../../../src/text/windows.js';

/** Summed cross-entropy of a batch; params in paramSpecs order; masks and initial state as in lossAndGrads. */
export function referenceLoss(
  params: tf.Tensor[],
  cfg: NetConfig,
  batch: Batch,
  masks?: Float32Array[],
  state?: LayerState[],
): tf.Scalar {
  const { units: U, vocabSize: V, layers: L } = cfg;
  const B = batch.batch;
  const T = batch.seqLength;
  const ids = tf.tensor1d(batch.inputs, 'int32');
  let xs = tf.unstack(tf.reshape(tf.cast(tf.oneHot(ids, V), 'float32'), [T, B, V])); // T x [B, V]
  for (let l = 0; l < L; l++) {
    const W = params[l];
    let h: tf.Tensor = state ? tf.tensor2d(state[l].h, [B, U]) : tf.zeros([B, U]);
    let c: tf.Tensor = state ? tf.tensor2d(state[l].c, [B, U]) : tf.zeros([B, U]);
    const hs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const z = tf.matMul(tf.concat([xs[t], tf.ones([B, 1]), h], 1), W);
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
      const mask = masks?.[l];
      hs.push(mask ? tf.mul(h, tf.tensor2d(mask.subarray(t * B * U, (t + 1) * B * U), [B, U])) : h);
    }
    xs = hs;
  }
  const logits = tf.add(tf.matMul(tf.concat(xs, 0), params[L]), params[L + 1]);
  const targets = tf.cast(tf.oneHot(tf.tensor1d(batch.targets, 'int32'), V), 'float32');
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), targets))) as tf.Scalar;
}

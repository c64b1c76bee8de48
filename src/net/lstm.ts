/**
 * The fused LSTM network for training: a forward pass over all time steps that saves its
 * activations, and a hand-written backward pass through time. No autograd: the stock
 * `tf.layers.lstm` backward uses `matMul` with transposeA/transposeB (~12x slower than a
 * plain matMul on wasm) and `tf.split` of large tensors (very slow on wasm); this code
 * uses neither. Per step it does one [B, I+1+U] x [I+1+U, 4U] matmul forward and one
 * [B, 4U] x [4U, I+1+U] matmul backward (with W transposed once per batch); the weight
 * gradient, bias included, is one large matmul over all steps after the loop. Large
 * tensors are never sliced per step: per-step rows are cut from host memory instead.
 *
 * Legend: B batch, T time steps, V vocabulary, U units, I layer input width, G = 4U.
 * Per-step tensors are [B, ...]; stacked ones are time-major [T * B, ...].
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import type { Batch } from '../text/windows.js';
import { GATE, GATES, inputSize, paramSpecs, type LayerState, type NetConfig, type Params } from '../params.js';
import {
  headLoss,
  headLossAndGrads,
  initialState,
  lossAndGradsOf,
  streamLossOf,
  type LossAndGrads,
  type StreamLoss,
} from './head.js';

/** Weights on the device, in paramSpecs order: W per layer, then dense W and b. */
export type NetWeights = { W: Tensor2D[]; denseW: Tensor2D; denseB: Tensor1D };

/** Uploads parameters (params.ts's training form) as tensors; the caller disposes them with `disposeWeights`. */
export function toDevice(cfg: NetConfig, params: Params): NetWeights {
  const specs = paramSpecs(cfg);
  const t = specs.map((s) => tf.tensor(params.get(s.name)!, s.shape));
  const L = cfg.layers;
  return { W: t.slice(0, L) as Tensor2D[], denseW: t[L] as Tensor2D, denseB: t[L + 1] as Tensor1D };
}

export function disposeWeights(w: NetWeights): void {
  for (const t of [...w.W, w.denseW, w.denseB]) t.dispose();
}

type Saved = { xh: Tensor; i: Tensor; f: Tensor; g: Tensor; o: Tensor; cPrev: Tensor; tc: Tensor };

/** One-hot rows of `ids` with a trailing 1 (the bias input): [B, V + 1]. */
function oneHotWithBias(ids: Int32Array, V: number): Tensor2D {
  const B = ids.length;
  const data = new Float32Array(B * (V + 1));
  for (let b = 0; b < B; b++) {
    data[b * (V + 1) + ids[b]] = 1;
    data[b * (V + 1) + V] = 1;
  }
  return tf.tensor2d(data, [B, V + 1]);
}

/** Splits a host array laid out [T * B, n] into T tensors [B, n] (cheaper than tf.split on wasm). */
function rowsPerStep(data: Float32Array, T: number, B: number, n: number): Tensor[] {
  const out: Tensor[] = [];
  for (let t = 0; t < T; t++) out.push(tf.tensor2d(data.subarray(t * B * n, (t + 1) * B * n), [B, n]));
  return out;
}

/**
 * Runs one LSTM layer over all steps from the state (h0, c0) [B, U]. `xs[t]` is [B, I + 1]
 * (inputs with the bias 1 appended). Returns the outputs h_t [B, U], the last cell state,
 * and, if `save`, what backward needs.
 */
function layerForward(xs: Tensor[], W: Tensor2D, U: number, save: boolean, h0: Tensor, c0: Tensor) {
  let h: Tensor = h0;
  let c: Tensor = c0;
  const B = xs[0].shape[0];
  const hs: Tensor[] = [];
  const saved: Saved[] = [];
  for (const x of xs) {
    // Each step in its own tidy: only what backward needs outlives it (peak memory).
    const step = tf.tidy(() => {
      const xh = tf.concat([x, h], 1); // [B, I + 1 + U]
      const z = tf.matMul(xh, W); // [B, 4U]
      const s = tf.sigmoid(z);
      const i = tf.slice(s, [0, GATE.i * U], [B, U]);
      const f = tf.slice(s, [0, GATE.f * U], [B, U]);
      const o = tf.slice(s, [0, GATE.o * U], [B, U]);
      const g = tf.tanh(tf.slice(z, [0, GATE.c * U], [B, U]));
      const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.tanh(cNew);
      return { xh, i, f, g, o, tc, c: cNew, h: tf.mul(o, tc) };
    });
    if (save) saved.push({ xh: step.xh, i: step.i, f: step.f, g: step.g, o: step.o, cPrev: c, tc: step.tc });
    h = step.h;
    c = step.c;
    hs.push(h);
  }
  return { hs, saved, c };
}

/**
 * Backward through time for one layer. `dhs[t]` is dLoss/dh_t from above [B, U].
 * Returns dLoss/dW [I + 1 + U, 4U] and, if `needDx`, dLoss/dx_t [B, I] per step.
 */
function layerBackward(saved: Saved[], dhs: Tensor[], W: Tensor2D, I: number, U: number, needDx: boolean) {
  const T = saved.length;
  const B = dhs[0].shape[0];
  const one = tf.scalar(1);
  // Transposed once per batch, explicitly: transposeB inside matMul is slow on wasm.
  const back = needDx ? tf.transpose(W) : tf.transpose(tf.slice(W, [I + 1, 0], [U, 4 * U])); // [4U, I+1+U] or [4U, U]
  const dzs: Tensor[] = new Array(T);
  const dxs: Tensor[] = needDx ? new Array(T) : [];
  let dhNext: Tensor | undefined;
  let dcNext: Tensor | undefined;
  for (let t = T - 1; t >= 0; t--) {
    const { i, f, g, o, cPrev, tc } = saved[t];
    const prevDh = dhNext;
    const prevDc = dcNext;
    const step = tf.tidy(() => {
      const dh = prevDh ? tf.add(dhs[t], prevDh) : dhs[t];
      const dO = tf.mul(tf.mul(dh, tc), tf.mul(o, tf.sub(one, o)));
      let dc = tf.mul(tf.mul(dh, o), tf.sub(one, tf.square(tc)));
      if (prevDc) dc = tf.add(dc, prevDc);
      const dI = tf.mul(tf.mul(dc, g), tf.mul(i, tf.sub(one, i)));
      const dG = tf.mul(tf.mul(dc, i), tf.sub(one, tf.square(g)));
      const dF = tf.mul(tf.mul(dc, cPrev), tf.mul(f, tf.sub(one, f)));
      const byGate = { i: dI, f: dF, c: dG, o: dO };
      const dz = tf.concat(
        GATES.map((gate) => byGate[gate]),
        1,
      ); // [B, 4U] in params.ts's gate order
      const dxh = tf.matMul(dz, back);
      return needDx
        ? { dz, dc: tf.mul(dc, f), dh: tf.slice(dxh, [0, I + 1], [B, U]), dx: tf.slice(dxh, [0, 0], [B, I]) }
        : { dz, dc: tf.mul(dc, f), dh: dxh };
    });
    // The previous step's carries are consumed: free them now rather than at the outer tidy's end.
    prevDh?.dispose();
    prevDc?.dispose();
    for (const x of [i, f, g, o, tc]) x.dispose();
    dzs[t] = step.dz;
    if (step.dx) dxs[t] = step.dx;
    dhNext = step.dh;
    dcNext = step.dc;
  }
  const XH = tf.concat(
    saved.map((s) => s.xh),
    0,
  ); // [T * B, I + 1 + U]
  const dZ = tf.concat(dzs, 0); // [T * B, 4U]
  const dW = tf.matMul(tf.transpose(XH), dZ) as Tensor2D; // [I + 1 + U, 4U]
  return { dW, dxs };
}

/** Multiplies per-step tensors by the dropout mask rows of step t ([T, B, U] host layout). */
function applyMask(xs: Tensor[], mask: Float32Array | undefined, U: number): Tensor[] {
  if (!mask) return xs;
  const B = xs[0].shape[0];
  return xs.map((x, t) => tf.mul(x, tf.tensor2d(mask.subarray(t * B * U, (t + 1) * B * U), [B, U])));
}

/** First-layer inputs of a batch: T tensors [B, V + 1]. */
function firstInputs(batch: Batch, V: number): Tensor[] {
  const B = batch.batch;
  const xs: Tensor[] = [];
  for (let t = 0; t < batch.seqLength; t++) xs.push(oneHotWithBias(batch.inputs.subarray(t * B, (t + 1) * B), V));
  return xs;
}

/** Appends the bias input 1 to each step's inputs. */
function withBias(xs: Tensor[]): Tensor[] {
  const ones = tf.ones([xs[0].shape[0], 1]);
  return xs.map((x) => tf.concat([x, ones], 1));
}

/**
 * The top layer's outputs over a batch without dropout, [T * B, U], and each layer's last
 * h and c (for the next window). Call inside tf.tidy.
 */
function forwardTop(
  w: NetWeights,
  cfg: NetConfig,
  batch: Batch,
  state?: LayerState[],
): { top: Tensor2D; finals: Tensor[] } {
  let xs = firstInputs(batch, cfg.vocabSize);
  let hs: Tensor[] = [];
  const finals: Tensor[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const s = initialState(state, l, batch.batch, cfg.units);
    const layer = layerForward(xs, w.W[l], cfg.units, false, s.h, s.c);
    hs = layer.hs;
    finals.push(hs[hs.length - 1], layer.c);
    xs = withBias(hs);
  }
  return { top: tf.concat(hs, 0) as Tensor2D, finals };
}

/** Forward pass over a batch without dropout from zero state: logits [T * B, V]. The caller owns the result. */
export function forwardLogits(w: NetWeights, cfg: NetConfig, batch: Batch): Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(forwardTop(w, cfg, batch).top, w.denseW), w.denseB) as Tensor2D);
}

/** Summed cross-entropy (nats) of a batch without dropout, from and to a carried state (net/head.ts's StreamLoss). */
export const streamLoss: StreamLoss = (w, cfg, batch, state) =>
  streamLossOf(
    tf.tidy(() => {
      const { top, finals } = forwardTop(w, cfg, batch, state);
      return [headLoss(top, w, batch.targets), ...finals];
    }),
  );

/** Summed cross-entropy (nats) of a batch without dropout, from zero state. */
export const batchLoss = (w: NetWeights, cfg: NetConfig, batch: Batch): number => streamLoss(w, cfg, batch).lossSum;

/** Loss and gradients of a batch (net/head.ts's LossAndGrads) through the fused layers above. */
export const lossAndGrads: LossAndGrads = (w, cfg, batch, masks, scale, state) => {
  const { units: U, vocabSize: V, layers: L } = cfg;
  const T = batch.seqLength;
  const B = batch.batch;
  const out = tf.tidy(() => {
    // Forward, saving activations.
    let xs = firstInputs(batch, V);
    const layerSaved: Saved[][] = [];
    const finals: Tensor[] = [];
    let top: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const s = initialState(state, l, B, U);
      const { hs, saved, c } = layerForward(xs, w.W[l], U, true, s.h, s.c);
      layerSaved.push(saved);
      finals.push(hs[hs.length - 1], c);
      top = applyMask(hs, masks?.[l], U);
      if (l + 1 < L) xs = withBias(top);
    }
    const H = tf.concat(top, 0) as Tensor2D; // [T * B, U]
    // Backward: the output layer (net/head.ts), then each LSTM layer top-down.
    const { lossSum, dDenseW, dDenseB, dH } = headLossAndGrads(H, w, batch.targets, scale);
    let dhs = rowsPerStep(dH.dataSync() as Float32Array, T, B, U);
    const dWs: Tensor[] = new Array(L);
    for (let l = L - 1; l >= 0; l--) {
      dhs = applyMask(dhs, masks?.[l], U);
      const { dW, dxs } = layerBackward(layerSaved[l], dhs, w.W[l], inputSize(cfg, l), U, l > 0);
      dWs[l] = dW;
      dhs = dxs;
    }
    return [lossSum, ...dWs, dDenseW, dDenseB, ...finals];
  });
  return lossAndGradsOf(out, L);
};

/**
 * The network run one character at a time, its state carried between calls: what
 * generation (and anything else that reads a text left to right) drives. The seed is fed
 * once, then one step per character carries each layer's (h, c). The per-step matmuls run on the backend; the
 * gate arithmetic on [S, 4U] and the small dense layer run in JS, which on wasm is far
 * cheaper than a dozen tiny tensor ops per layer per character.
 *
 * S = number of parallel samples, U units, V vocabulary, I layer input width.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import { GATE, inputSize, type NetConfig, type Params } from '../params.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class StatefulLstm {
  readonly cfg: NetConfig;
  /** Per layer: [I + 1 + U, 4U], except the first: its recurrent rows [U, 4U] only. */
  private readonly W: Tensor2D[];
  /** The first layer's kernel rows and bias row, [V + 1, 4U] (host). */
  private readonly inputRows: Float32Array;
  private readonly denseWt: Float32Array; // [V, U]: the dense kernel transposed, so each logit is one contiguous dot product
  private readonly denseB: Float32Array; // [V]
  private S = 0;
  private h: Float32Array[] = []; // per layer [S, U]
  private c: Float32Array[] = [];
  /** Per layer above the first, the matmul's input rows [S, I + 1 + U], made once per reset. */
  private xh: Float32Array[] = [];
  /** Logits after the last fed character, [S, V]; the start distribution before any. */
  logits: Float32Array = new Float32Array(0);
  /**
   * With `reset(S, true)`: each layer's input, forget and output gates at the last fed
   * character, per layer [S, 3U] (sample s's i, then f, then o, U each). What an
   * inspector shows; off for generation, which never reads them.
   */
  gates?: Float32Array[];

  constructor(cfg: NetConfig, params: Params) {
    this.cfg = cfg;
    const G = 4 * cfg.units;
    // The first layer's input is one-hot: its kernel row for the character plus the bias
    // row is added in JS, and only the recurrent part [U, 4U] is a matmul (20% less work).
    const W0 = params.get('lstm0/W')!;
    this.inputRows = W0.subarray(0, (cfg.vocabSize + 1) * G);
    this.W = Array.from({ length: cfg.layers }, (_, l) =>
      l === 0
        ? tf.tensor2d(W0.subarray((cfg.vocabSize + 1) * G), [cfg.units, G])
        : tf.tensor2d(params.get(`lstm${l}/W`)!, [inputSize(cfg, l) + 1 + cfg.units, G]),
    );
    const denseW = params.get('dense/W')!; // [U, V]
    const { units: U, vocabSize: V } = cfg;
    this.denseWt = new Float32Array(U * V);
    for (let u = 0; u < U; u++) for (let v = 0; v < V; v++) this.denseWt[v * U + u] = denseW[u * V + v];
    this.denseB = params.get('dense/b')!;
  }

  /** Starts S fresh sequences with zero state (`traceGates`: keep the gates in `gates`). */
  reset(samples: number, traceGates = false): void {
    this.S = samples;
    this.gates = traceGates ? this.W.map(() => new Float32Array(samples * 3 * this.cfg.units)) : undefined;
    this.h = this.W.map(() => new Float32Array(samples * this.cfg.units));
    this.c = this.W.map(() => new Float32Array(samples * this.cfg.units));
    this.xh = this.W.map((_, l) => {
      const cols = inputSize(this.cfg, l) + 1 + this.cfg.units;
      const xh = new Float32Array(l === 0 ? 0 : samples * cols);
      for (let s = 0; l > 0 && s < samples; s++) xh[s * cols + inputSize(this.cfg, l)] = 1; // the bias input, constant
      return xh;
    });
    this.logits = this.dense();
  }

  /** Feeds one character id per sample; updates the state and `logits`. */
  feed(ids: ArrayLike<number>): Float32Array {
    const U = this.cfg.units;
    const S = this.S;
    let below: Float32Array | undefined; // previous layer's h, [S, U]
    const G = 4 * U;
    for (let l = 0; l < this.W.length; l++) {
      let xh: Float32Array;
      if (l === 0)
        xh = this.h[0]; // [S, U]: previous h
      else {
        const I = inputSize(this.cfg, l);
        const cols = I + 1 + U;
        xh = this.xh[l]; // [S, I + 1 + U]: input, bias 1, previous h
        for (let s = 0; s < S; s++) {
          const row = s * cols;
          xh.set(below!.subarray(s * U, (s + 1) * U), row);
          xh.set(this.h[l].subarray(s * U, (s + 1) * U), row + I + 1);
        }
      }
      // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element.
      const x = tf.tensor2d(xh, [S, xh.length / S]);
      const zt = tf.matMul(x, this.W[l]);
      const z = zt.dataSync() as Float32Array; // [S, 4U]
      x.dispose();
      zt.dispose();
      if (l === 0) {
        const bias = this.inputRows.subarray(this.cfg.vocabSize * G);
        for (let s = 0; s < S; s++) {
          const kernel = this.inputRows.subarray(ids[s] * G, (ids[s] + 1) * G);
          for (let j = 0; j < G; j++) z[s * G + j] += kernel[j] + bias[j];
        }
      }
      const h = this.h[l];
      const c = this.c[l];
      const gates = this.gates?.[l];
      for (let s = 0; s < S; s++) {
        const zr = s * 4 * U;
        for (let u = 0; u < U; u++) {
          const i = sigmoid(z[zr + GATE.i * U + u]);
          const f = sigmoid(z[zr + GATE.f * U + u]);
          const g = Math.tanh(z[zr + GATE.c * U + u]);
          const o = sigmoid(z[zr + GATE.o * U + u]);
          const k = s * U + u;
          c[k] = f * c[k] + i * g;
          h[k] = o * Math.tanh(c[k]);
          if (gates) {
            gates[s * 3 * U + u] = i;
            gates[(s * 3 + 1) * U + u] = f;
            gates[(s * 3 + 2) * U + u] = o;
          }
        }
      }
      below = h;
    }
    this.logits = this.dense();
    return this.logits;
  }

  /** Layer l's state after the last fed character: h and c, [S, U] each (live views: copy to keep). */
  state(l: number): { h: Float32Array; c: Float32Array } {
    return { h: this.h[l], c: this.c[l] };
  }

  /** Logits of the top layer's h: [S, V]. */
  private dense(): Float32Array {
    const { units: U, vocabSize: V } = this.cfg;
    const top = this.h[this.h.length - 1];
    const out: Float32Array = new Float32Array(this.S * V);
    const Wt = this.denseWt;
    for (let s = 0; s < this.S; s++) {
      const h = s * U;
      for (let v = 0; v < V; v++) {
        let sum = this.denseB[v];
        const row = v * U;
        for (let u = 0; u < U; u++) sum += top[h + u] * Wt[row + u];
        out[s * V + v] = sum;
      }
    }
    return out;
  }

  dispose(): void {
    for (const w of this.W) w.dispose();
  }
}

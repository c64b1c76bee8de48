/**
 * The optimiser: the parameters as tf.Variables, Adam, and clipping by global norm.
 * tfjs optimizers have no clipnorm, so the update is our own: gradients (from the fused
 * network, possibly summed over worker shares) are scaled by min(1, clip / ||g||) and
 * applied. Adam is written out (a dozen lines) so that its whole state, step count and
 * moments, is plain named arrays that checkpoints save and `--resume` restores exactly.
 *
 * The update is Kingma & Ba's with the "epsilon hat" of their section 2 (as Keras and
 * TF1 do): lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); p -= lr_t * m / (sqrt(v) + eps).
 */
import type { Rank, Tensor, Variable } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import { paramSpecs, sizeOf, type Named, type NetConfig, type Params } from '../params.js';
import type { NetWeights } from './lstm.js';

/**
 * Steps taken and the moments, named as params.ts's optimizerSpecs (`m/<param>`, `v/<param>`);
 * with a weight average, the average too (the parameters the model is saved as).
 */
export type AdamState = { step: number; moments: Named; average?: Params };
/** `ema`: the decay of an exponential moving average of the weights (0 or absent: none). */
export type AdamHyper = { lr: number; clip: number; ema?: number };

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export class Adam {
  readonly cfg: NetConfig;
  hyper: AdamHyper;
  private readonly names: string[];
  private readonly vars: Variable[];
  private readonly m: Variable[];
  private readonly v: Variable[];
  /** The weights' exponential moving average, when `hyper.ema` asks for one. */
  private readonly avg?: Variable[];
  private t: number;

  constructor(cfg: NetConfig, params: Params, hyper: AdamHyper, state?: AdamState) {
    this.cfg = cfg;
    this.hyper = hyper;
    const specs = paramSpecs(cfg);
    this.names = specs.map((s) => s.name);
    const make = (get: (name: string) => Float32Array | undefined) =>
      specs.map((s) => {
        const initial = tf.tensor(get(s.name) ?? new Float32Array(sizeOf(s.shape)), s.shape);
        const v = tf.variable(initial, false); // copies: the initial tensor is ours to free
        initial.dispose();
        return v;
      });
    this.vars = make((n) => params.get(n));
    this.m = make((n) => state?.moments.get(`m/${n}`));
    this.v = make((n) => state?.moments.get(`v/${n}`));
    if (hyper.ema) this.avg = make((n) => state?.average?.get(n) ?? params.get(n));
    this.t = state?.step ?? 0;
  }

  /** Sets the learning rate for the following steps (schedules are applied per epoch). */
  setLr(lr: number): void {
    this.hyper = { ...this.hyper, lr };
  }

  get step(): number {
    return this.t;
  }

  /** The current parameters on the device, for the forward/backward pass (owned by this). */
  weights(): NetWeights {
    return this.asWeights(this.vars);
  }

  /** The model's parameters on the device, for validation and samples: the average when there is one. */
  modelWeights(): NetWeights {
    return this.asWeights(this.avg ?? this.vars);
  }

  private asWeights(vars: Variable[]): NetWeights {
    const L = this.cfg.layers;
    return {
      W: vars.slice(0, L) as Variable<Rank.R2>[],
      denseW: vars[L] as Variable<Rank.R2>,
      denseB: vars[L + 1] as Variable<Rank.R1>,
    };
  }

  /** Global L2 norm of gradients (any shapes). Consumes nothing. */
  static norm(grads: Tensor[]): number {
    return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  }

  /**
   * One Adam step from gradients of the mean loss, in paramSpecs order and shapes
   * (disposed here). Returns the gradient norm before clipping; a non-finite norm applies
   * nothing (the caller treats it as divergence).
   */
  apply(grads: Tensor[]): number {
    const norm = Adam.norm(grads);
    if (Number.isFinite(norm)) {
      const { beta1, beta2, epsilon } = ADAM;
      const factor = this.hyper.clip > 0 && norm > this.hyper.clip ? this.hyper.clip / norm : 1;
      this.t += 1;
      const lrT = (this.hyper.lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
      tf.tidy(() => {
        grads.forEach((raw, i) => {
          const g = factor === 1 ? raw : tf.mul(raw, factor);
          this.m[i].assign(tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1)));
          this.v[i].assign(tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
          this.vars[i].assign(
            tf.sub(this.vars[i], tf.mul(tf.div(this.m[i], tf.add(tf.sqrt(this.v[i]), epsilon)), lrT)),
          );
        });
        if (this.avg) this.average(this.avg);
      });
    }
    grads.forEach((g) => g.dispose());
    return norm;
  }

  /**
   * The average after this step: avg = d * avg + (1 - d) * w, with d = min(ema, (1 + t) / (10 + t))
   * so that the first steps, far from where training goes, weigh less as it goes on (as
   * TensorFlow's ExponentialMovingAverage does with num_updates).
   */
  private average(avg: Variable[]): void {
    const d = Math.min(this.hyper.ema ?? 0, (1 + this.t) / (10 + this.t));
    avg.forEach((a, i) => a.assign(tf.add(tf.mul(a, d), tf.mul(this.vars[i], 1 - d))));
  }

  /** A copy of the parameters as named host arrays. */
  params(): Params {
    return this.host(this.vars);
  }

  /** A copy of the model's parameters (the average when there is one), as named host arrays. */
  modelParams(): Params {
    return this.host(this.avg ?? this.vars);
  }

  private host(vars: Variable[]): Params {
    return new Map(this.names.map((n, i) => [n, vars[i].dataSync().slice() as Float32Array]));
  }

  state(): AdamState {
    const moments: Named = new Map();
    for (const [prefix, vs] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      this.names.forEach((n, i) => moments.set(`${prefix}/${n}`, vs[i].dataSync().slice() as Float32Array));
    }
    return { step: this.t, moments, ...(this.avg ? { average: this.host(this.avg) } : {}) };
  }

  dispose(): void {
    for (const v of [...this.vars, ...this.m, ...this.v, ...(this.avg ?? [])]) v.dispose();
  }
}

/**
 * Adds other threads' gradients (host arrays in paramSpecs order) to this thread's
 * tensors. Consumes `own`; the sums are owned by the caller.
 */
export function sumGrads(own: Tensor[], others: Float32Array[][]): Tensor[] {
  if (others.length === 0) return own;
  const sums = tf.tidy(() => own.map((g, i) => tf.addN([g, ...others.map((o) => tf.tensor(o[i], g.shape))])));
  own.forEach((g) => g.dispose());
  return sums;
}

/**
 * The optimisation step: parameters as tf.Variables, Adam, and clipping by global norm.
 * tfjs optimizers have no clipnorm, so the step is our own: gradients (from the fused
 * network, possibly summed over worker shares) are scaled by min(1, clip / ||g||) and
 * applied. Adam is written out (a dozen lines) so that its whole state, step count and
 * moments, is plain arrays that checkpoints save and `--resume` restores exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../text/windows.js';
import { lossAndGrads, batchLoss, type NetWeights } from './lstm.js';
import { paramSpecs, type NetConfig, type Params } from './params.js';

export type OptimizerState = { step: number; m: Params; v: Params };
export type StepHyper = { lr: number; clip: number };

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export class Trainer {
  readonly cfg: NetConfig;
  hyper: StepHyper;
  private readonly names: string[];
  private readonly vars: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t: number;

  constructor(cfg: NetConfig, params: Params, hyper: StepHyper, optimizer?: OptimizerState) {
    this.cfg = cfg;
    this.hyper = hyper;
    const specs = paramSpecs(cfg);
    this.names = specs.map((s) => s.name);
    const make = (get: (name: string) => Float32Array | undefined) =>
      specs.map((s) => {
        const initial = tf.tensor(get(s.name) ?? new Float32Array(s.shape.reduce((a, b) => a * b, 1)), s.shape);
        const v = tf.variable(initial, false); // copies: the initial tensor is ours to free
        initial.dispose();
        return v;
      });
    this.vars = make((n) => params.get(n));
    this.m = make((n) => optimizer?.m.get(n));
    this.v = make((n) => optimizer?.v.get(n));
    this.t = optimizer?.step ?? 0;
  }

  /** Sets the learning rate for the following steps (schedules are applied per epoch). */
  setLr(lr: number): void {
    this.hyper = { ...this.hyper, lr };
  }

  get step(): number {
    return this.t;
  }

  weights(): NetWeights {
    const L = this.cfg.layers;
    return { W: this.vars.slice(0, L) as tf.Variable<tf.Rank.R2>[], denseW: this.vars[L] as tf.Variable<tf.Rank.R2>, denseB: this.vars[L + 1] as tf.Variable<tf.Rank.R1> };
  }

  /**
   * Loss (summed nats) and gradients of this thread's share of a batch; `masks` per
   * layer are [T, B, U] host arrays. Gradients are in paramSpecs order, owned by the caller.
   */
  grads(batch: Batch, masks: Float32Array[] | undefined, scale: number) {
    return lossAndGrads(this.weights(), this.cfg, batch, masks, scale);
  }

  /**
   * Adds other threads' gradients (host arrays in paramSpecs order) to this thread's
   * tensors. Consumes `own`; the sums are owned by the caller.
   */
  static addShares(own: tf.Tensor[], others: Float32Array[][]): tf.Tensor[] {
    if (others.length === 0) return own;
    const sums = tf.tidy(() => own.map((g, i) => tf.addN([g, ...others.map((o) => tf.tensor(o[i], g.shape))])));
    own.forEach((g) => g.dispose());
    return sums;
  }

  /** Summed loss without dropout (validation). */
  loss(batch: Batch): number {
    return batchLoss(this.weights(), this.cfg, batch);
  }

  /** Global L2 norm of gradients (any shapes). Consumes nothing. */
  static norm(grads: tf.Tensor[]): number {
    return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  }

  /**
   * One Adam step from gradients of the mean loss, in paramSpecs order and shapes
   * (disposed here). Returns the gradient norm before clipping; a non-finite norm applies
   * nothing (the caller treats it as divergence).
   */
  apply(grads: tf.Tensor[]): number {
    const norm = Trainer.norm(grads);
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
          this.vars[i].assign(tf.sub(this.vars[i], tf.mul(tf.div(this.m[i], tf.add(tf.sqrt(this.v[i]), epsilon)), lrT)));
        });
      });
    }
    grads.forEach((g) => g.dispose());
    return norm;
  }

  params(): Params {
    return new Map(this.names.map((n, i) => [n, this.vars[i].dataSync().slice() as Float32Array]));
  }

  optimizerState(): OptimizerState {
    const read = (vs: tf.Variable[]) => new Map(this.names.map((n, i) => [n, vs[i].dataSync().slice() as Float32Array]));
    return { step: this.t, m: read(this.m), v: read(this.v) };
  }

  dispose(): void {
    for (const v of [...this.vars, ...this.m, ...this.v]) v.dispose();
  }
}

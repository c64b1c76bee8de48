/** The optimiser (Adam with clipping by global norm) driving the fused network's gradients. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramSpecs, type NetConfig } from '../../../src/params.js';
import { Adam, ADAM } from '../../../src/net/adam.js';
import { initBackend } from '../../../src/net/backend.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { dropoutMasks } from '../../../src/net/dropout.js';
import { initParams } from '../../../src/net/init.js';
import { batchLoss, lossAndGrads } from '../../../src/net/lstm.js';
import { rng } from '../../../src/random.js';
import { maxAbsDiff, randomBatch } from '../../helpers/net.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

describe('Adam', () => {
  const cfg: NetConfig = { vocabSize: 6, layers: 2, units: 8, dropout: 0.2 };
  const batch = randomBatch(6, 8, 4, 11);
  const step = (adam: Adam, k: number) => {
    const masks = dropoutMasks(
      { randomSeed: 3, epoch: 0, batch: k },
      cfg.dropout,
      cfg.layers,
      cfg.units,
      batch.seqLength,
      [0, 1, 2, 3],
    );
    const { lossSum, grads } = lossAndGrads(adam.weights(), cfg, batch, masks, 1 / (batch.batch * batch.seqLength));
    const norm = adam.apply(grads);
    expect(Number.isFinite(norm)).toBe(true);
    return lossSum;
  };

  it('keeps tf.memory().numTensors the same after 10 steps as after 1', () => {
    const adam = new Adam(cfg, initParams(cfg, 1), { lr: 0.01, clip: 5 });
    step(adam, 0);
    const afterOne = tf.memory().numTensors;
    for (let k = 1; k < 10; k++) step(adam, k);
    expect(tf.memory().numTensors).toBe(afterOne);
    expect(adam.step).toBe(10);
    adam.params();
    adam.state();
    batchLoss(adam.weights(), cfg, batch);
    expect(tf.memory().numTensors).toBe(afterOne);
    const beforeDispose = tf.memory().numTensors;
    adam.dispose();
    // Parameters, first and second moments: three variables per parameter tensor.
    expect(beforeDispose - tf.memory().numTensors).toBe(3 * paramSpecs(cfg).length);
  });

  it('lowers the loss on a batch it keeps seeing', () => {
    const plain: NetConfig = { ...cfg, dropout: 0 };
    const adam = new Adam(plain, initParams(cfg, 2), { lr: 0.02, clip: 5 });
    const first = batchLoss(adam.weights(), plain, batch);
    for (let k = 0; k < 30; k++) {
      const { grads } = lossAndGrads(adam.weights(), plain, batch, undefined, 1 / 32);
      adam.apply(grads);
    }
    expect(batchLoss(adam.weights(), plain, batch)).toBeLessThan(first * 0.8);
    adam.dispose();
  });

  it("with --ema keeps the weights' moving average: the model it validates, samples and saves", () => {
    const decay = 0.9;
    const adam = new Adam(cfg, initParams(cfg, 4), { lr: 0.01, clip: 5, ema: decay });
    const before = tf.memory().numTensors;
    let average = adam.params(); // it starts at the initial weights
    for (let k = 0; k < 12; k++) {
      step(adam, k);
      const t = adam.step;
      const d = Math.min(decay, (1 + t) / (10 + t));
      const w = adam.params();
      average = new Map([...average].map(([name, a]) => [name, a.map((v, i) => d * v + (1 - d) * w.get(name)![i])]));
    }
    expect(tf.memory().numTensors).toBe(before);
    const model = adam.modelParams();
    for (const [name, a] of average) {
      expect(maxAbsDiff(model.get(name)!, a), name).toBeLessThan(1e-5);
      expect(
        maxAbsDiff(model.get(name)!, adam.params().get(name)!),
        `${name} differs from the weights`,
      ).toBeGreaterThan(1e-4);
    }
    // The model's tensors are the average's; a restored state carries it on exactly.
    const W0 = adam.modelWeights().W[0].dataSync();
    expect(maxAbsDiff(W0, model.get(paramSpecs(cfg)[0].name)!)).toBe(0);
    const restored = new Adam(cfg, adam.params(), { lr: 0.01, clip: 5, ema: decay }, adam.state());
    for (const [name, a] of restored.modelParams()) expect(maxAbsDiff(a, model.get(name)!), name).toBe(0);
    restored.dispose();
    const beforeDispose = tf.memory().numTensors;
    adam.dispose();
    expect(beforeDispose - tf.memory().numTensors).toBe(4 * paramSpecs(cfg).length); // and the average
  });
});

describe('Adam against a hand-computed step and tf.train.adam', () => {
  const small: NetConfig = { vocabSize: 4, layers: 1, units: 2, dropout: 0 };
  const specs = paramSpecs(small);
  /** Seeded gradients in paramSpecs order (entries of either sign, none near 0), scaled to a global norm. */
  const gradsWithNorm = (seed: number, norm: number): Float32Array[] => {
    const random = rng(seed, 'grads');
    const entry = () => (random() < 0.5 ? -1 : 1) * (0.5 + 0.5 * random());
    const raw = specs.map((s) => Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, entry));
    const now = Math.sqrt(raw.reduce((n, a) => n + a.reduce((m, x) => m + x * x, 0), 0));
    return raw.map((a) => a.map((x) => (x * norm) / now));
  };
  const apply = (adam: Adam, grads: Float32Array[]) => adam.apply(grads.map((g, i) => tf.tensor(g, specs[i].shape)));

  it('moves every parameter by exactly lr on its first step (bias correction), whatever the gradient scale', () => {
    const p0 = initParams(small, 1);
    for (const norm of [0.05, 1, 50]) {
      const adam = new Adam(small, p0, { lr: 0.01, clip: 0 });
      apply(adam, gradsWithNorm(2, norm));
      const p1 = adam.params();
      for (const s of specs) {
        const moved = p1.get(s.name)!.map((x, i) => Math.abs(x - p0.get(s.name)![i]));
        for (const d of moved) expect(d).toBeCloseTo(0.01, 5);
      }
      adam.dispose();
    }
  });

  it('equals a float64 hand computation over 4 steps, with clipping on the steps whose norm exceeds clip', () => {
    const lr = 0.01;
    const clip = 1;
    const norms = [10, 0.5, 3, 0.2]; // clipped, not, clipped, not
    const p0 = initParams(small, 3);
    const adam = new Adam(small, p0, { lr, clip });
    // The reference: Kingma & Ba with epsilon hat, in float64.
    const p = specs.map((s) => Float64Array.from(p0.get(s.name)!));
    const m = specs.map((s) => new Float64Array(p0.get(s.name)!.length));
    const v = specs.map((s) => new Float64Array(p0.get(s.name)!.length));
    norms.forEach((norm, k) => {
      const g = gradsWithNorm(10 + k, norm);
      const reported = apply(adam, g);
      expect(reported).toBeCloseTo(norm, 4); // the norm before clipping
      const factor = norm > clip ? clip / norm : 1;
      const t = k + 1;
      const lrT = (lr * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
      specs.forEach((_, i) => {
        for (let j = 0; j < p[i].length; j++) {
          const gj = g[i][j] * factor;
          m[i][j] = ADAM.beta1 * m[i][j] + (1 - ADAM.beta1) * gj;
          v[i][j] = ADAM.beta2 * v[i][j] + (1 - ADAM.beta2) * gj * gj;
          p[i][j] -= (lrT * m[i][j]) / (Math.sqrt(v[i][j]) + ADAM.epsilon);
        }
      });
    });
    expect(adam.step).toBe(4);
    const got = adam.params();
    const state = adam.state();
    specs.forEach((s, i) => {
      got.get(s.name)!.forEach((x, j) => expect(x).toBeCloseTo(p[i][j], 6));
      state.moments.get(`m/${s.name}`)!.forEach((x, j) => expect(x).toBeCloseTo(m[i][j], 6));
      state.moments.get(`v/${s.name}`)!.forEach((x, j) => expect(x).toBeCloseTo(v[i][j], 8));
    });
    adam.dispose();
  });

  it('matches tf.train.adam given the same (clipped) gradients, to float32 precision', () => {
    const lr = 0.005;
    const p0 = initParams(small, 4);
    const ours = new Adam(small, p0, { lr, clip: 1 });
    const theirs = tf.train.adam(lr, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
    const vars = specs.map((s) => tf.variable(tf.tensor(p0.get(s.name)!, s.shape), true, `ref/${s.name}`));
    for (const [k, norm] of [4, 0.3, 2, 0.1, 0.7].entries()) {
      const g = gradsWithNorm(20 + k, norm);
      apply(ours, g);
      const factor = Math.min(1, 1 / norm); // clip 1, done by hand for tfjs, which has no clipnorm
      tf.tidy(() =>
        theirs.applyGradients(
          Object.fromEntries(vars.map((v, i) => [v.name, tf.mul(tf.tensor(g[i], specs[i].shape), factor)])),
        ),
      );
    }
    const got = ours.params();
    // tfjs adds epsilon to sqrt(v-hat) rather than sqrt(v): a difference of ~1e-8 relative here.
    specs.forEach((s, i) => {
      const want = vars[i].dataSync();
      got.get(s.name)!.forEach((x, j) => expect(Math.abs(x - want[j])).toBeLessThan(2e-6));
    });
    ours.dispose();
    theirs.dispose();
    vars.forEach((v) => v.dispose());
  });

  it('resumes exactly from its state: 2 + 2 steps equal 4 steps', () => {
    const p0 = initParams(small, 5);
    const grads = [1, 2, 3, 4].map((k) => gradsWithNorm(30 + k, 2));
    const straight = new Adam(small, p0, { lr: 0.01, clip: 1 });
    grads.forEach((g) => apply(straight, g));
    const first = new Adam(small, p0, { lr: 0.01, clip: 1 });
    grads.slice(0, 2).forEach((g) => apply(first, g));
    const resumed = new Adam(small, first.params(), { lr: 0.01, clip: 1 }, first.state());
    grads.slice(2).forEach((g) => apply(resumed, g));
    for (const s of specs)
      expect(Array.from(resumed.params().get(s.name)!)).toEqual(Array.from(straight.params().get(s.name)!));
    for (const a of [straight, first, resumed]) a.dispose();
  });

  it('applies nothing when the gradient norm is not finite', () => {
    const p0 = initParams(small, 6);
    const adam = new Adam(small, p0, { lr: 0.01, clip: 1 });
    const g = gradsWithNorm(40, 1);
    g[0][0] = NaN;
    expect(apply(adam, g)).toBeNaN();
    expect(adam.step).toBe(0);
    for (const s of specs) expect(Array.from(adam.params().get(s.name)!)).toEqual(Array.from(p0.get(s.name)!));
    adam.dispose();
  });
});

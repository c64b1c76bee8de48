/**
 * The fused LSTM against two independent implementations: tfjs autograd on a plain
 * re-implementation (test/net/reference.ts) for loss and gradients, and the stock
 * tf.layers model that export produces for the forward pass. And it leaks no tensors.
 *
 * Legend: B batch, T time steps, V vocabulary, U units, L layers. Batches are time-major
 * (index t * B + b); the Layers model takes [B, T, V].
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inOrder, layersWeightSpecs, paramSpecs, toLayersWeights, type NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { engineFor } from '../../../src/net/engine.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { dropoutMasks } from '../../../src/net/dropout.js';
import { buildLayersModel } from '../../helpers/keras.js';
import { forwardLogits } from '../../../src/net/lstm.js';
import { maxAbsDiff, randomBatch, randomParams, tensorsOf, weightsOf } from '../../helpers/net.js';
import { referenceLoss } from './reference.js';
import type { LayerState } from '../../../src/params.js';
import { rng } from '../../../src/random.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

type Case = {
  name: string;
  V: number;
  L: number;
  U: number;
  T: number;
  B: number;
  dropout: number;
  masks: boolean;
  scale?: number;
  state?: boolean;
};

const cases: Case[] = [
  { name: '1 layer, no dropout', V: 5, L: 1, U: 4, T: 3, B: 2, dropout: 0, masks: false },
  { name: '1 layer, dropout masks', V: 4, L: 1, U: 16, T: 8, B: 4, dropout: 0.25, masks: true },
  {
    name: '2 layers, dropout masks, mean scale',
    V: 7,
    L: 2,
    U: 8,
    T: 6,
    B: 3,
    dropout: 0.3,
    masks: true,
    scale: 1 / 18,
  },
  { name: '3 layers, no dropout', V: 6, L: 3, U: 5, T: 4, B: 2, dropout: 0, masks: false },
  { name: '3 layers, dropout masks', V: 6, L: 3, U: 5, T: 4, B: 2, dropout: 0.5, masks: true },
  { name: 'batch of one, long window', V: 3, L: 2, U: 6, T: 12, B: 1, dropout: 0.2, masks: true },
  {
    name: '2 layers from a carried state, dropout masks',
    V: 5,
    L: 2,
    U: 6,
    T: 5,
    B: 3,
    dropout: 0.3,
    masks: true,
    state: true,
  },
  { name: '3 layers from a carried state', V: 4, L: 3, U: 5, T: 4, B: 2, dropout: 0, masks: false, state: true },
];

/** A seeded state for every layer (values like an LSTM's: h in (-1, 1), c a little wider). */
function randomState(L: number, B: number, U: number, seed: number): LayerState[] {
  const random = rng(seed, 'test-state');
  const arr = (width: number) => Float32Array.from({ length: B * U }, () => (random() * 2 - 1) * width);
  return Array.from({ length: L }, () => ({ h: arr(0.9), c: arr(2) }));
}

const cfgOf = (c: Case): NetConfig => ({ vocabSize: c.V, layers: c.L, units: c.U, dropout: c.dropout });

/** ||a - b|| / ||b|| in float64. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
}

// The backend's engine: the portable fused LSTM on wasm and cpu, TensorFlow's fused
// kernels on tensorflow (LSTM_TEST_BACKEND=tensorflow runs this file there).
describe(`lossAndGrads of the ${TEST_BACKEND} engine (fused forward/backward) against tfjs autograd`, () => {
  const engine = engineFor(TEST_BACKEND);
  it.each(cases)('$name: loss and every gradient agree to 1e-4', (c) => {
    const cfg = cfgOf(c);
    const params = randomParams(cfg, c.V * 100 + c.U);
    const batch = randomBatch(c.V, c.T, c.B, c.L * 10 + c.T);
    const examples = Array.from({ length: c.B }, (_, b) => b);
    const masks = c.masks
      ? dropoutMasks({ randomSeed: 7, epoch: 1, batch: 2 }, c.dropout, c.L, c.U, c.T, examples)
      : undefined;
    if (masks) {
      // The masks really drop something, so the test would notice them being ignored.
      expect(masks[0].some((x) => x === 0)).toBe(true);
      expect(masks[0].some((x) => x > 1)).toBe(true);
    }
    const scale = c.scale ?? 1;

    const ts = tensorsOf(cfg, params);
    const state = c.state ? randomState(c.L, c.B, c.U, c.T) : undefined;
    const fused = engine.lossAndGrads(weightsOf(cfg, ts), cfg, batch, masks, scale, state);
    const fusedGrads = fused.grads.map((g) => g.dataSync().slice());
    const shapes = fused.grads.map((g) => g.shape);
    fused.grads.forEach((g) => g.dispose());

    const refLoss = tf.tidy(() => referenceLoss(ts, cfg, batch, masks, state).dataSync()[0]);
    const refGrads = tf.tidy(() =>
      tf
        .grads((...p: tf.Tensor[]) => referenceLoss(p, cfg, batch, masks, state))(ts)
        .map((g) => g.dataSync().slice()),
    );
    ts.forEach((t) => t.dispose());

    expect(Math.abs(fused.lossSum - refLoss) / refLoss).toBeLessThan(1e-4);
    expect(fusedGrads).toHaveLength(paramSpecs(cfg).length);
    paramSpecs(cfg).forEach((spec, i) => {
      expect(shapes[i], spec.name).toEqual(spec.shape);
      const expected = refGrads[i].map((g) => g * scale);
      expect(relativeError(fusedGrads[i], expected), spec.name).toBeLessThan(1e-4);
    });
  });

  it("carries state: two windows in a row, the second from the first's final state, equal one window of both", () => {
    const cfg: NetConfig = { vocabSize: 6, layers: 2, units: 7, dropout: 0 };
    const ts = tensorsOf(cfg, randomParams(cfg, 21));
    const w = weightsOf(cfg, ts);
    const B = 3;
    const whole = randomBatch(6, 10, B, 22); // time-major: the first 5 steps, then the last 5
    const half = (from: number) => ({
      batch: B,
      seqLength: 5,
      inputs: whole.inputs.slice(from * B, (from + 5) * B),
      targets: whole.targets.slice(from * B, (from + 5) * B),
    });
    const before = tf.memory().numTensors;
    const first = engine.streamLoss(w, cfg, half(0));
    const second = engine.streamLoss(w, cfg, half(5), first.state);
    const all = engine.streamLoss(w, cfg, whole);
    expect(Math.abs(first.lossSum + second.lossSum - all.lossSum) / all.lossSum).toBeLessThan(1e-5);
    all.state.forEach((s, l) => {
      expect(maxAbsDiff(second.state[l].h, s.h), `layer ${l} h`).toBeLessThan(1e-5);
      expect(maxAbsDiff(second.state[l].c, s.c), `layer ${l} c`).toBeLessThan(1e-5);
    });
    // Training returns the same final state as scoring, and a fresh start differs.
    const trained = engine.lossAndGrads(w, cfg, half(0), undefined, 1);
    trained.grads.forEach((g) => g.dispose());
    expect(maxAbsDiff(trained.state[1].h, first.state[1].h)).toBeLessThan(1e-6);
    expect(Math.abs(engine.streamLoss(w, cfg, half(5)).lossSum - second.lossSum)).toBeGreaterThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    ts.forEach((t) => t.dispose());
  });

  it('without masks equals batchLoss (the validation loss) and differs with masks', () => {
    const c = cases[2];
    const cfg = cfgOf(c);
    const params = randomParams(cfg, 3);
    const batch = randomBatch(c.V, c.T, c.B, 4);
    const ts = tensorsOf(cfg, params);
    const w = weightsOf(cfg, ts);
    const plain = engine.lossAndGrads(w, cfg, batch, undefined, 1);
    plain.grads.forEach((g) => g.dispose());
    const masks = dropoutMasks({ randomSeed: 1, epoch: 0, batch: 0 }, 0.5, c.L, c.U, c.T, [0, 1, 2]);
    const dropped = engine.lossAndGrads(w, cfg, batch, masks, 1);
    dropped.grads.forEach((g) => g.dispose());
    expect(Math.abs(plain.lossSum - engine.batchLoss(w, cfg, batch)) / plain.lossSum).toBeLessThan(1e-6);
    expect(Math.abs(dropped.lossSum - plain.lossSum)).toBeGreaterThan(1e-3);
    ts.forEach((t) => t.dispose());
  });

  it('leaves no tensors behind once its gradients are disposed', () => {
    const c = cases[4];
    const cfg = cfgOf(c);
    const ts = tensorsOf(cfg, randomParams(cfg, 5));
    const batch = randomBatch(c.V, c.T, c.B, 6);
    const masks = dropoutMasks({ randomSeed: 1, epoch: 0, batch: 0 }, c.dropout, c.L, c.U, c.T, [0, 1]);
    const before = tf.memory().numTensors;
    const { grads } = engine.lossAndGrads(weightsOf(cfg, ts), cfg, batch, masks, 1);
    expect(tf.memory().numTensors).toBe(before + grads.length);
    grads.forEach((g) => g.dispose());
    expect(tf.memory().numTensors).toBe(before);
    ts.forEach((t) => t.dispose());
  });
});

describe('forwardLogits against the exported tf.LayersModel', () => {
  const forwardCases = [
    { name: '1 layer', V: 5, L: 1, U: 6, T: 5, B: 3, dropout: 0 },
    { name: '2 layers with dropout layers (inactive at inference)', V: 7, L: 2, U: 8, T: 6, B: 2, dropout: 0.3 },
    { name: '3 layers', V: 4, L: 3, U: 5, T: 4, B: 4, dropout: 0 },
  ];

  /** The model of buildLayersModel(cfg), optionally rebuilt from its JSON with a changed LSTM gate activation. */
  async function layersModel(cfg: NetConfig, gates?: string): Promise<tf.LayersModel> {
    const model = buildLayersModel(cfg);
    if (gates === undefined) return model;
    const topology = JSON.parse(model.toJSON(undefined, true) as string);
    model.dispose();
    for (const layer of topology.config.layers)
      if (layer.class_name === 'LSTM') layer.config.recurrent_activation = gates;
    return tf.models.modelFromJSON(topology);
  }

  /** Max |difference| between the Layers model's softmax and ours over all steps and examples. */
  async function worstDifference(c: (typeof forwardCases)[number], gates?: string): Promise<number> {
    const cfg: NetConfig = { vocabSize: c.V, layers: c.L, units: c.U, dropout: c.dropout };
    const params = randomParams(cfg, c.V + c.L);
    const batch = randomBatch(c.V, c.T, c.B, c.U);

    const model = await layersModel(cfg, gates);
    const layersWeights = inOrder(layersWeightSpecs(cfg), toLayersWeights(cfg, params));
    const current = model.getWeights();
    expect(current.map((w) => w.size)).toEqual(layersWeights.map((w) => w.length));
    model.setWeights(layersWeights.map((w, i) => tf.tensor(w, current[i].shape)));

    // One-hot [B, T, V] from the time-major batch.
    const onehot = new Float32Array(c.B * c.T * c.V);
    for (let t = 0; t < c.T; t++)
      for (let b = 0; b < c.B; b++) onehot[(b * c.T + t) * c.V + batch.inputs[t * c.B + b]] = 1;
    const x = tf.tensor3d(onehot, [c.B, c.T, c.V]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([c.B, c.T, c.V]);
    const keras = y.dataSync().slice(); // [B, T, V]
    x.dispose();
    y.dispose();
    model.dispose();

    const ts = tensorsOf(cfg, params);
    const logits = forwardLogits(weightsOf(cfg, ts), cfg, batch);
    expect(logits.shape).toEqual([c.T * c.B, c.V]);
    const probs = tf.tidy(() => tf.softmax(logits).dataSync().slice()); // [T * B, V]
    logits.dispose();
    ts.forEach((t) => t.dispose());

    let worst = 0;
    for (let t = 0; t < c.T; t++) {
      for (let b = 0; b < c.B; b++) {
        const ours = probs.subarray((t * c.B + b) * c.V, (t * c.B + b + 1) * c.V);
        const theirs = keras.subarray((b * c.T + t) * c.V, (b * c.T + t + 1) * c.V);
        worst = Math.max(worst, maxAbsDiff(ours, theirs));
      }
    }
    return worst;
  }

  // The weight layout (toLayersWeights: kernel, recurrent kernel, bias; gate order i, f, c, o)
  // checked on its own, with the Layers LSTM's gates set to the logistic sigmoid the fused
  // network uses.
  it.each(forwardCases)('$name: with sigmoid gates, same softmax probabilities at every step', async (c) => {
    expect(await worstDifference(c, 'sigmoid')).toBeLessThan(1e-5);
  });

  // tf.layers.lstm defaults to recurrentActivation 'hardSigmoid'; the exported topology must
  // say 'sigmoid', the gates the network is trained with, or browsers get other probabilities.
  it.each(forwardCases)('$name: the exported topology as is gives the same probabilities', async (c) => {
    expect(await worstDifference(c)).toBeLessThan(1e-5);
  });
});

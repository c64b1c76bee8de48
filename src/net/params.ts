/**
 * The network's parameters as plain Float32Arrays, in the order and shapes the rest of
 * the code agrees on, with seeded initialisation. No tensors here: this is what crosses
 * worker boundaries and what checkpoints hold.
 *
 * Per LSTM layer l there is ONE matrix `lstm{l}/W` of shape [I + 1 + U, 4U]: the Keras
 * kernel [I, 4U], then the bias as one row, then the recurrent kernel [U, 4U], stacked.
 * A step is then a single matmul of [x_t, 1, h_{t-1}] with W, and the weight gradient
 * (bias included) is one large matmul after the backward loop. Gate order is Keras's:
 * i, f, c (called g here), o. Export splits W back into kernel, recurrent kernel and bias.
 */
import { rng, type Rng } from '../text/random.js';

export type NetConfig = {
  vocabSize: number;
  layers: number;
  units: number;
  dropout: number;
};

export type ParamSpec = { name: string; shape: [number, number] | [number] };
export type Params = Map<string, Float32Array>;

/** Input width of LSTM layer l: the one-hot vocabulary for the first, units after. */
export const inputSize = (cfg: NetConfig, l: number) => (l === 0 ? cfg.vocabSize : cfg.units);

export function paramSpecs(cfg: NetConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    specs.push({ name: `lstm${l}/W`, shape: [inputSize(cfg, l) + 1 + cfg.units, 4 * cfg.units] });
  }
  specs.push({ name: 'dense/W', shape: [cfg.units, cfg.vocabSize] });
  specs.push({ name: 'dense/b', shape: [cfg.vocabSize] });
  return specs;
}

export const paramCount = (cfg: NetConfig) =>
  paramSpecs(cfg).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);

/**
 * Seeded initialisation, as Keras does it: Glorot-uniform input kernels, orthogonal
 * recurrent kernels, zero biases with the forget gate's set to 1 (unitForgetBias).
 * tfjs's own orthogonal initializer takes minutes at 300x1200 (a JS QR decomposition);
 * here the orthogonal matrix comes from modified Gram-Schmidt on Gaussian rows in
 * Float64, which gives the same distribution (orthonormal rows) in ~0.1 s.
 */
export function initParams(cfg: NetConfig, randomSeed: number): Params {
  const U = cfg.units;
  const G = 4 * U;
  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) {
    const I = inputSize(cfg, l);
    const W = new Float32Array((I + 1 + U) * G);
    const random = rng(randomSeed, 'init', l);
    glorotUniform(W.subarray(0, I * G), I, G, random);
    for (let j = U; j < 2 * U; j++) W[I * G + j] = 1; // forget-gate bias
    W.set(orthogonal(U, G, random), (I + 1) * G);
    params.set(`lstm${l}/W`, W);
  }
  const Wd = new Float32Array(U * cfg.vocabSize);
  glorotUniform(Wd, U, cfg.vocabSize, rng(randomSeed, 'init', 'dense'));
  params.set('dense/W', Wd);
  params.set('dense/b', new Float32Array(cfg.vocabSize));
  return params;
}

function glorotUniform(out: Float32Array, fanIn: number, fanOut: number, random: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = (2 * random() - 1) * limit;
}

function gaussian(random: Rng): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A [rows, cols] matrix (rows <= cols) with orthonormal rows, row-major. */
export function orthogonal(rows: number, cols: number, random: Rng): Float32Array {
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < q.length; i++) q[i] = gaussian(random);
  for (let r = 0; r < rows; r++) {
    const row = q.subarray(r * cols, (r + 1) * cols);
    for (let p = 0; p < r; p++) {
      const prev = q.subarray(p * cols, (p + 1) * cols);
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += row[k] * prev[k];
      for (let k = 0; k < cols; k++) row[k] -= dot * prev[k];
    }
    let norm = 0;
    for (let k = 0; k < cols; k++) norm += row[k] * row[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < cols; k++) row[k] /= norm;
  }
  return Float32Array.from(q);
}

/** Keras LSTM weights of layer l: kernel [I, 4U], recurrent kernel [U, 4U], bias [4U]. */
export function splitLstmW(W: Float32Array, I: number, U: number) {
  const G = 4 * U;
  return {
    kernel: W.slice(0, I * G),
    bias: W.slice(I * G, (I + 1) * G),
    recurrent: W.slice((I + 1) * G),
  };
}

/** The inverse of splitLstmW. */
export function joinLstmW(kernel: Float32Array, recurrent: Float32Array, bias: Float32Array): Float32Array {
  const W = new Float32Array(kernel.length + bias.length + recurrent.length);
  W.set(kernel, 0);
  W.set(bias, kernel.length);
  W.set(recurrent, kernel.length + bias.length);
  return W;
}

/** Our parameters as the Layers model's weights, in its order: per layer kernel, recurrent, bias; dense kernel, bias. */
export function toLayersWeights(cfg: NetConfig, params: Params): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const { kernel, recurrent, bias } = splitLstmW(params.get(`lstm${l}/W`)!, inputSize(cfg, l), cfg.units);
    out.push(kernel, recurrent, bias);
  }
  out.push(params.get('dense/W')!, params.get('dense/b')!);
  return out;
}

/** The inverse of toLayersWeights. */
export function fromLayersWeights(cfg: NetConfig, weights: Float32Array[]): Params {
  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) {
    const [kernel, recurrent, bias] = weights.slice(3 * l, 3 * l + 3);
    params.set(`lstm${l}/W`, joinLstmW(kernel, recurrent, bias));
  }
  params.set('dense/W', weights[3 * cfg.layers]);
  params.set('dense/b', weights[3 * cfg.layers + 1]);
  return params;
}

/**
 * Seeded initialisation of the training parameters (params.ts's training form), as Keras
 * does it: Glorot-uniform input kernels, orthogonal recurrent kernels, zero biases with
 * the forget gate's set to 1 (unitForgetBias). Plain arrays, no tensors.
 *
 * tfjs's own orthogonal initializer takes minutes at 300x1200 (a JS QR decomposition);
 * here the orthogonal matrix comes from modified Gram-Schmidt on Gaussian rows in
 * Float64, which gives the same distribution (orthonormal rows) in ~0.2 s at 300x1200.
 */
import { GATES, inputSize, remapVocab, type NetConfig, type Params } from '../params.js';
import { rng, type Rng } from '../random.js';

const FORGET = GATES.indexOf('f');

/**
 * `recurrent: false` leaves the recurrent kernels at zero for a start that takes them from
 * elsewhere (initFromBase), skipping their Gram-Schmidt (~0.2 s a layer at 300 units). The
 * other parameters are the same: each layer's stream gives its input kernel before the
 * recurrent one.
 */
export function initParams(cfg: NetConfig, randomSeed: number, { recurrent = true } = {}): Params {
  const U = cfg.units;
  const G = 4 * U;
  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) {
    const I = inputSize(cfg, l);
    const W = new Float32Array((I + 1 + U) * G); // [I + 1 + U, 4U]: kernel, bias row, recurrent
    const random = rng(randomSeed, 'init', l);
    glorotUniform(W.subarray(0, I * G), I, G, random);
    for (let j = FORGET * U; j < (FORGET + 1) * U; j++) W[I * G + j] = 1; // forget-gate bias
    if (recurrent) W.set(orthogonal(U, G, random), (I + 1) * G);
    params.set(`lstm${l}/W`, W);
  }
  const Wd = new Float32Array(U * cfg.vocabSize);
  glorotUniform(Wd, U, cfg.vocabSize, rng(randomSeed, 'init', 'dense'));
  params.set('dense/W', Wd);
  params.set('dense/b', new Float32Array(cfg.vocabSize));
  return params;
}

/** A trained network and its vocabulary: what a fine-tune starts from. */
export type BaseNet = { cfg: NetConfig; params: Params; chars: readonly string[] };

/**
 * A fine-tune's starting parameters: the base network widened to the vocabulary `chars`
 * (a superset of the base's) by params.ts's remapVocab, so the base's characters keep
 * their weights bit for bit. A new character's input row and output column are what
 * initParams gives this vocabulary (same seed, same stream); its output bias is
 * `newCharBias` of the base's.
 */
export function initFromBase(base: BaseNet, chars: readonly string[], randomSeed: number): Params {
  const cfg: NetConfig = { ...base.cfg, vocabSize: chars.length };
  // remapVocab takes only new characters' input rows, output columns and biases from `fresh`.
  const fresh = initParams(cfg, randomSeed, { recurrent: false });
  const bias = newCharBias(base.params.get('dense/b')!);
  const known = new Set(base.chars);
  const b = fresh.get('dense/b')!;
  for (const [j, ch] of chars.entries()) if (!known.has(ch)) b[j] = bias;
  return remapVocab(base.cfg, base, { chars, fresh });
}

/**
 * The output bias of a character the base never saw: the lowest of the base's biases.
 *
 * Why the base's own minimum and not a constant: softmax ignores an offset common to all
 * biases, so only a value relative to the base's biases means anything; the minimum says
 * "no more favoured than the base's least favoured character". Whatever the bias, the
 * known characters' probabilities keep their ratios (test/layout.test.ts); the bias only
 * decides how much probability the new characters take at the start. Measured (Macbeth's
 * 2x300 model, 19 new characters incl. digits and braces, a 300-character text): together
 * 1.6% on average (13% at most, at one uncertain position), which costs the known
 * characters 0.015 nats; a trained model's biases lie close together (-0.46..0.29 there:
 * frequencies live in the weights), so the minimum is near 0. Lower biases buy back at most
 * those 0.015 nats but slow the new characters down, since Adam moves a bias by about lr
 * per step: on a tiny fine-tune where they are common (capitals, '!'), a bias of -2, -4,
 * -10 made the first epoch's loss 0.06, 0.16, 0.46 nats worse than the minimum.
 */
export function newCharBias(baseBias: Float32Array): number {
  let min = Infinity;
  for (const b of baseBias) min = Math.min(min, b);
  return Number.isFinite(min) ? min : 0;
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
function orthogonal(rows: number, cols: number, random: Rng): Float32Array {
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

/**
 * Seeded dropout masks, made in JS so they are the same on every backend and for every
 * split of a batch across workers. Values are 0 or 1/(1-rate) (inverted dropout).
 *
 * - Output dropout after each LSTM layer: each example's mask comes from its own stream
 *   keyed by (seed, epoch, batch, example, layer); a new mask at every time step, or with
 *   `variationalDropout` one mask for all the steps of a sequence (Gal & Ghahramani 2016,
 *   "A Theoretically Grounded Application of Dropout in Recurrent Neural Networks"; AWD-LSTM's
 *   locked dropout).
 * - `weightDrop`: DropConnect on the recurrent kernel of each layer (Merity et al. 2017,
 *   "Regularizing and Optimizing LSTM Language Models"): one mask per batch and layer,
 *   keyed by (seed, epoch, batch, layer), shared by every example and worker. It multiplies
 *   the weights before the step and their gradient after it (net/engine.ts), so the fused
 *   kernels run unchanged.
 */
import { inputSize, type NetConfig } from '../params.js';
import { rng } from '../random.js';

export type MaskKey = { randomSeed: number; epoch: number; batch: number };

/**
 * Masks for layers' outputs, one Float32Array per LSTM layer, laid out time-major as
 * [T, B, U]. `examples` are the global indices (within the batch) of this shard's rows.
 */
export function dropoutMasks(
  key: MaskKey,
  rate: number,
  layers: number,
  units: number,
  seqLength: number,
  examples: number[],
  variational = false,
): Float32Array[] {
  const B = examples.length;
  const keep = 1 / (1 - rate);
  const masks: Float32Array[] = [];
  for (let l = 0; l < layers; l++) {
    const m = new Float32Array(seqLength * B * units);
    for (let b = 0; b < B; b++) {
      const random = rng(
        key.randomSeed,
        variational ? 'variational-dropout' : 'dropout',
        key.epoch,
        key.batch,
        examples[b],
        l,
      );
      for (let t = 0; t < seqLength; t++) {
        const row = (t * B + b) * units;
        if (variational && t > 0)
          m.copyWithin(row, b * units, (b + 1) * units); // step 0's mask
        else for (let u = 0; u < units; u++) m[row + u] = random() < rate ? 0 : keep;
      }
    }
    masks.push(m);
  }
  return masks;
}

/** The masks of a batch share for a network, or undefined when it has no dropout. */
export function networkMasks(
  cfg: NetConfig,
  key: MaskKey,
  seqLength: number,
  examples: number[],
): Float32Array[] | undefined {
  return cfg.dropout > 0
    ? dropoutMasks(key, cfg.dropout, cfg.layers, cfg.units, seqLength, examples, cfg.variationalDropout)
    : undefined;
}

/**
 * DropConnect masks for each layer's whole W [I + 1 + U, 4U] (params.ts's training form):
 * ones on the input and bias rows, the recurrent rows dropped at `weightDrop`; undefined
 * when it is off.
 */
export function weightDropMasks(cfg: NetConfig, key: MaskKey): Float32Array[] | undefined {
  const rate = cfg.weightDrop ?? 0;
  if (rate <= 0) return undefined;
  const U = cfg.units;
  const keep = 1 / (1 - rate);
  const masks: Float32Array[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const inputRows = inputSize(cfg, l) + 1;
    const m = new Float32Array((inputRows + U) * 4 * U).fill(1, 0, inputRows * 4 * U);
    const random = rng(key.randomSeed, 'weight-drop', key.epoch, key.batch, l);
    for (let i = inputRows * 4 * U; i < m.length; i++) m[i] = random() < rate ? 0 : keep;
    masks.push(m);
  }
  return masks;
}

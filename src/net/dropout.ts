/**
 * Seeded dropout masks, made in JS so they are the same on every backend and for every
 * split of a batch across workers: each example's mask comes from its own stream keyed by
 * (seed, epoch, batch, example, layer). Values are 0 or 1/(1-rate) (inverted dropout).
 */
import type { NetConfig } from '../params.js';
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
): Float32Array[] {
  const B = examples.length;
  const keep = 1 / (1 - rate);
  const masks: Float32Array[] = [];
  for (let l = 0; l < layers; l++) {
    const m = new Float32Array(seqLength * B * units);
    for (let b = 0; b < B; b++) {
      const random = rng(key.randomSeed, 'dropout', key.epoch, key.batch, examples[b], l);
      for (let t = 0; t < seqLength; t++) {
        const row = (t * B + b) * units;
        for (let u = 0; u < units; u++) m[row + u] = random() < rate ? 0 : keep;
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
  return cfg.dropout > 0 ? dropoutMasks(key, cfg.dropout, cfg.layers, cfg.units, seqLength, examples) : undefined;
}

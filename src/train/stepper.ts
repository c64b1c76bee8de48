/**
 * One optimisation step over a batch, on this thread or split across worker threads.
 * Each share computes the summed loss and gradients of its examples scaled by
 * 1 / (characters in the whole batch); the shares' gradients add up to the full batch's
 * (equal to one thread's up to float rounding), and one optimizer applies them. Dropout
 * masks are keyed per example, so any split gives the same masks as one thread.
 */
import { dropoutMasks, type MaskKey } from '../net/dropout.js';
import { WorkerPool } from '../net/pool.js';
import { Trainer } from '../net/trainer.js';
import { sliceBatch, type Batch } from '../text/windows.js';

export type Stepper = {
  workers: number;
  step(batch: Batch, key: MaskKey): Promise<{ lossSum: number; norm: number }>;
  /** Summed validation loss of a batch (no dropout). */
  loss(batch: Batch): number;
  dispose(): Promise<void>;
};

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** `workers` counts threads in all, this one included: 1 means no worker threads. */
export async function makeStepper(trainer: Trainer, workers: number, backend: string): Promise<Stepper> {
  const pool = workers > 1 ? await WorkerPool.create(trainer.cfg, backend, workers - 1) : undefined;
  const cfg = trainer.cfg;
  const masksFor = (key: MaskKey, batch: Batch, examples: number[]) =>
    cfg.dropout > 0 ? dropoutMasks(key, cfg.dropout, cfg.layers, cfg.units, batch.seqLength, examples) : undefined;

  return {
    workers: (pool?.size ?? 0) + 1,
    async step(batch, key) {
      const scale = 1 / (batch.batch * batch.seqLength);
      const shares = Math.min(batch.batch, (pool?.size ?? 0) + 1);
      const bounds = range(0, shares + 1).map((k) => Math.floor((k * batch.batch) / shares));
      // Workers take shares 1.., this thread share 0 while they run.
      let pending: Promise<{ lossSum: number; grads: Float32Array[] }[]> = Promise.resolve([]);
      if (pool && shares > 1) {
        pool.publish(trainer.params());
        pending = Promise.all(range(1, shares).map((k) => {
          const examples = range(bounds[k], bounds[k + 1]);
          return pool.run(k - 1, sliceBatch(batch, bounds[k], bounds[k + 1]), key, examples, scale);
        }));
      }
      const own = shares > 1 ? sliceBatch(batch, bounds[0], bounds[1]) : batch;
      let mine;
      try {
        mine = trainer.grads(own, masksFor(key, own, range(bounds[0], bounds[1])), scale);
      } catch (err) {
        await pending.catch(() => {}); // let the workers finish before reporting
        throw err;
      }
      let others;
      try {
        others = await pending;
      } catch (err) {
        mine.grads.forEach((g) => g.dispose());
        throw err;
      }
      let lossSum = mine.lossSum;
      for (const o of others) lossSum += o.lossSum;
      const grads = Trainer.addShares(mine.grads, others.map((o) => o.grads));
      if (!Number.isFinite(lossSum)) {
        grads.forEach((g) => g.dispose());
        return { lossSum, norm: NaN };
      }
      return { lossSum, norm: trainer.apply(grads) };
    },
    loss: (batch) => trainer.loss(batch),
    async dispose() {
      await pool?.dispose();
    },
  };
}

/**
 * One training step over a batch: loss and gradients on this thread, or split across
 * worker threads, then one Adam update. Each share computes the summed loss and gradients
 * of its examples scaled by 1 / (characters in the whole batch); the shares' gradients add
 * up to the full batch's (equal to one thread's up to float rounding). Dropout masks are
 * keyed per example, so any split gives the same masks as one thread.
 *
 * The chain: train/loop.ts (epochs) → this (a batch) → the backend's engine (net/engine.ts:
 * gradients) and net/adam.ts (the update); train/workers.ts runs the other shares.
 */
import { stateRows, type LayerState } from '../params.js';
import { type Adam, sumGrads } from '../net/adam.js';
import type { BackendName } from '../net/backend.js';
import type { MaskKey } from '../net/dropout.js';
import { engineFor, trainingLossAndGrads, warmUp } from '../net/engine.js';
import { sliceBatch, type Batch } from '../text/windows.js';
import { WorkerPool } from './workers.js';

export type TrainStep = {
  workers: number;
  /**
   * Trains on a batch from `state` (zeros when absent); the summed loss (nats), the
   * gradient norm before clipping (NaN: diverged, nothing applied) and the state at the
   * batch's end (computed with the weights before the update, as truncated BPTT carries it).
   */
  step(
    batch: Batch,
    key: MaskKey,
    state?: LayerState[],
  ): Promise<{ lossSum: number; norm: number; state: LayerState[] }>;
  /** Summed validation loss of a batch (no dropout) from `state` (zeros when absent), and the state at its end. */
  loss(batch: Batch, state?: LayerState[]): { lossSum: number; state: LayerState[] };
  dispose(): Promise<void>;
};

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** `workers` counts threads in all, this one included: 1 means no worker threads. */
export async function makeTrainStep(adam: Adam, workers: number, backend: BackendName): Promise<TrainStep> {
  const cfg = adam.cfg;
  const engine = engineFor(backend);
  // Each thread takes its first step alone (net/engine.ts warmUp): this one first, then
  // each worker in turn as the pool starts them.
  warmUp(engine, adam.weights(), cfg);
  const pool = workers > 1 ? await WorkerPool.create(cfg, backend, workers - 1) : undefined;

  return {
    workers: (pool?.size ?? 0) + 1,
    async step(batch, key, state) {
      const scale = 1 / (batch.batch * batch.seqLength);
      const shares = Math.min(batch.batch, (pool?.size ?? 0) + 1);
      const bounds = range(0, shares + 1).map((k) => Math.floor((k * batch.batch) / shares));
      // Workers take shares 1.., this thread share 0 while they run.
      let pending: Promise<{ lossSum: number; grads: Float32Array[]; state: LayerState[] }[]> = Promise.resolve([]);
      if (pool && shares > 1) {
        pool.publish(adam.params());
        pending = Promise.all(
          range(1, shares).map((k) => {
            const examples = range(bounds[k], bounds[k + 1]);
            return pool.run(
              k - 1,
              sliceBatch(batch, bounds[k], bounds[k + 1]),
              key,
              examples,
              scale,
              stateRows(state, bounds[k], bounds[k + 1], cfg.units),
            );
          }),
        );
      }
      const own = shares > 1 ? sliceBatch(batch, bounds[0], bounds[1]) : batch;
      let mine;
      try {
        mine = trainingLossAndGrads(
          engine,
          adam.weights(),
          cfg,
          own,
          key,
          range(bounds[0], bounds[1]),
          scale,
          stateRows(state, bounds[0], bounds[1], cfg.units),
        );
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
      const grads = sumGrads(
        mine.grads,
        others.map((o) => o.grads),
      );
      const next = joinStates([mine.state, ...others.map((o) => o.state)]);
      if (!Number.isFinite(lossSum)) {
        grads.forEach((g) => g.dispose());
        return { lossSum, norm: NaN, state: next };
      }
      return { lossSum, norm: adam.apply(grads), state: next };
    },
    loss: (batch, state) => engine.streamLoss(adam.modelWeights(), cfg, batch, state),
    async dispose() {
      await pool?.dispose();
    },
  };
}

/** The shares' states, rows in share order, as one state. */
function joinStates(parts: LayerState[][]): LayerState[] {
  if (parts.length === 1) return parts[0];
  return parts[0].map((_, l) => ({ h: concat(parts.map((p) => p[l].h)), c: concat(parts.map((p) => p[l].c)) }));
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

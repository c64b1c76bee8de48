/**
 * A training step split across worker threads (train/step.ts, train/workers.ts), in-process
 * with a real worker thread: the shares add up to one thread's step, batch after batch, with
 * dropout masks keyed per example (variational ones too), DropConnect masks shared by the
 * shares, and the LSTM state carried across batches through the workers. (Through `lstm train`, test/e2e/train/workers.test.ts resumes such a run bit for bit.)
 *
 * Legend: V vocabulary, T time steps, B batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../../src/net/adam.js';
import { initBackend } from '../../../src/net/backend.js';
import { initParams } from '../../../src/net/init.js';
import type { LayerState, NetConfig } from '../../../src/params.js';
import { makeTrainStep } from '../../../src/train/step.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { maxAbsDiff, randomBatch } from '../../helpers/net.js';
import { assertBuilt } from '../../helpers/tiny.js';

beforeAll(async () => {
  assertBuilt(); // the worker thread runs the built train/worker.js
  await initBackend(TEST_BACKEND, 'batches');
});

describe.each<[string, NetConfig]>([
  ['output dropout', { vocabSize: 8, layers: 2, units: 12, dropout: 0.3 }],
  [
    'variational dropout and DropConnect on the recurrent weights',
    { vocabSize: 8, layers: 2, units: 12, dropout: 0.3, variationalDropout: true, weightDrop: 0.4 },
  ],
])('a training step split across worker threads, with %s', (_, cfg) => {
  const [V, T, B] = [8, 8, 6];
  const STEPS = 6;

  it('two threads take the same steps as one, up to float rounding: losses, norms, carried state and weights', async () => {
    const start = initParams(cfg, 7);
    const adams = [1, 2].map(() => new Adam(cfg, start, { lr: 0.01, clip: 5 }));
    const [one, two] = [await makeTrainStep(adams[0], 1, TEST_BACKEND), await makeTrainStep(adams[1], 2, TEST_BACKEND)];
    try {
      expect([one.workers, two.workers]).toEqual([1, 2]);
      let states: (LayerState[] | undefined)[] = [undefined, undefined];
      for (let k = 0; k < STEPS; k++) {
        const batch = randomBatch(V, T, B, k);
        const key = { randomSeed: 3, epoch: 1, batch: k };
        const [a, b] = [await one.step(batch, key, states[0]), await two.step(batch, key, states[1])];
        expect(Math.abs(b.lossSum - a.lossSum), `step ${k} loss`).toBeLessThan(1e-4);
        expect(Math.abs(b.norm - a.norm), `step ${k} gradient norm`).toBeLessThan(1e-4);
        expect(b.state).toHaveLength(cfg.layers);
        for (const [l, s] of a.state.entries()) {
          expect(s.h).toHaveLength(B * cfg.units); // [batch, units]: the shares' rows joined in order
          expect(maxAbsDiff(b.state[l].h, s.h), `step ${k} layer ${l} h`).toBeLessThan(1e-5);
          expect(maxAbsDiff(b.state[l].c, s.c), `step ${k} layer ${l} c`).toBeLessThan(1e-5);
        }
        states = [a.state, b.state];
      }
      const [p1, p2] = adams.map((adam) => adam.params());
      for (const [name, w] of p1) {
        expect(maxAbsDiff(p2.get(name)!, w), name).toBeLessThan(1e-4);
        expect(maxAbsDiff(w, start.get(name)!), `${name} trained`).toBeGreaterThan(1e-3);
      }
      // The masks are keyed per example: another key gives another step (dropout is in play).
      const other = await one.step(randomBatch(V, T, B, 0), { randomSeed: 4, epoch: 1, batch: 0 });
      const again = await two.step(randomBatch(V, T, B, 0), { randomSeed: 3, epoch: 1, batch: 0 });
      expect(Math.abs(other.lossSum - again.lossSum)).toBeGreaterThan(1e-3);
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
      for (const adam of adams) adam.dispose();
    }
  });
});

/** The network run one character at a time (StatefulLstm) agrees with the batch forward pass. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { forwardLogits } from '../../../src/net/lstm.js';
import { StatefulLstm } from '../../../src/net/stateful.js';
import { maxAbsDiff, randomBatch, randomParams, tensorsOf, weightsOf } from '../../helpers/net.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

describe('StatefulLstm (stateful generation)', () => {
  const cases = [
    { name: '1 layer', V: 5, L: 1, U: 8, T: 10, B: 3 },
    { name: '2 layers', V: 7, L: 2, U: 6, T: 9, B: 2 },
    { name: '3 layers', V: 4, L: 3, U: 5, T: 7, B: 1 },
  ];

  it.each(cases)('$name: char-by-char logits equal forwardLogits on the window at every step', (c) => {
    const cfg: NetConfig = { vocabSize: c.V, layers: c.L, units: c.U, dropout: 0.2 };
    const params = randomParams(cfg, c.T);
    const batch = randomBatch(c.V, c.T, c.B, c.U + 1);
    const ts = tensorsOf(cfg, params);
    const logits = forwardLogits(weightsOf(cfg, ts), cfg, batch);
    const full = logits.dataSync().slice(); // [T * B, V]
    logits.dispose();
    ts.forEach((t) => t.dispose());

    const net = new StatefulLstm(cfg, params);
    net.reset(c.B);
    // Before any character: the dense layer of a zero state, i.e. its bias, per sample.
    for (let b = 0; b < c.B; b++)
      expect(Array.from(net.logits.subarray(b * c.V, (b + 1) * c.V))).toEqual(Array.from(params.get('dense/b')!));
    for (let t = 0; t < c.T; t++) {
      const out = net.feed(batch.inputs.subarray(t * c.B, (t + 1) * c.B));
      expect(out).toBe(net.logits);
      expect(maxAbsDiff(out, full.subarray(t * c.B * c.V, (t + 1) * c.B * c.V)), `step ${t}`).toBeLessThan(1e-4);
    }
    // reset starts over: the same window gives the same last logits again.
    const last = net.logits.slice();
    net.reset(c.B);
    for (let t = 0; t < c.T; t++) net.feed(batch.inputs.subarray(t * c.B, (t + 1) * c.B));
    expect(Array.from(net.logits)).toEqual(Array.from(last));
    net.dispose();
  });
});

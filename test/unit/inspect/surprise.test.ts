/** Reading a text for the inspector: probabilities from the stateful network, and no leaked tensors. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectText } from '../../../src/inspect/inspection.js';
import { readText } from '../../../src/inspect/surprise.js';
import type { NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { StatefulLstm } from '../../../src/net/stateful.js';
import { Vocab } from '../../../src/text/vocab.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { randomParams } from '../../helpers/net.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'steps');
});

const cfg: NetConfig = { vocabSize: 5, layers: 2, units: 8, dropout: 0 };
const vocab = new Vocab(['\n', ' ', 'a', 'b', '"']);

describe('readText', () => {
  it('gives each character the probability the network gave it after the ones before, as generation computes it', () => {
    const net = new StatefulLstm(cfg, randomParams(cfg, 3));
    const text = 'ab "ba"\nab';
    const readings = [...readText(net, vocab, text, { top: 3, units: true })];
    const check = new StatefulLstm(cfg, randomParams(cfg, 3));
    check.reset(1);
    readings.forEach((r, t) => {
      const logits = Array.from(check.logits);
      const e = logits.map((x) => Math.exp(x));
      const p = e.map((x) => x / e.reduce((s, y) => s + y, 0));
      if (t === 0) expect(r.prob).toBeNull();
      else {
        expect(r.prob).toBeCloseTo(p[vocab.id(r.char)], 6);
        expect(r.expected.map((e) => e.char)).toEqual(
          [...p.keys()]
            .sort((a, b) => p[b] - p[a])
            .slice(0, 3)
            .map((i) => vocab.char(i)),
        );
      }
      check.feed([vocab.id(r.char)]);
    });
    net.dispose();
    check.dispose();
  });

  it('keeps numTensors flat over a whole inspection', () => {
    const net = new StatefulLstm(cfg, randomParams(cfg, 4));
    const before = tf.memory().numTensors;
    const ins = inspectText(net, vocab, 'ab ab\n"a b" ba\n'.repeat(20), 5);
    expect(ins.chars).toHaveLength(300);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});

/** Generating text from the stateful network: what it emits, and that it leaks no tensors. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../src/generate/generate.js';
import type { NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { initParams } from '../../../src/net/init.js';
import { StatefulLstm } from '../../../src/net/stateful.js';
import { Vocab } from '../../../src/text/vocab.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

describe('generate', () => {
  it('keeps numTensors flat across 1000 characters', async () => {
    const cfg: NetConfig = { vocabSize: 6, layers: 2, units: 12, dropout: 0 };
    const vocab = new Vocab(['\n', ' ', 'a', 'b', 'c', 'd']);
    const net = new StatefulLstm(cfg, initParams(cfg, 9));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let emitted = 0;
    const [text] = await generate(
      net,
      vocab,
      { seed: 'ab c', length: 1000, samples: 1, randomSeed: 5, temperature: 1 },
      (chars) => {
        emitted++;
        if (emitted === 1 || emitted % 100 === 0) counts.push(tf.memory().numTensors);
        expect(chars).toHaveLength(1);
      },
    );
    expect(emitted).toBe(1000);
    expect([...text]).toHaveLength(1000);
    expect([...text].every((ch) => vocab.has(ch))).toBe(true);
    expect(new Set(counts)).toEqual(new Set([before]));
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before - cfg.layers);
  });
});

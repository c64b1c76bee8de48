/**
 * `lstm eval`'s streams reading scores every character after the first, the last partial
 * window too, so it equals the inspector's total (one stream from a zero state) on a text of
 * any length; more streams read the same characters.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readText, SurpriseTotal } from '../../../src/inspect/surprise.js';
import type { NetConfig } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { coldScore, scoreText } from '../../../src/net/score.js';
import { StatefulLstm } from '../../../src/net/stateful.js';
import { Vocab } from '../../../src/text/vocab.js';
import { validationStreams } from '../../../src/text/windows.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { randomParams } from '../../helpers/net.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'steps');
});

const cfg: NetConfig = { vocabSize: 5, layers: 2, units: 8, dropout: 0 };
const vocab = new Vocab(['\n', ' ', 'a', 'b', '"']);
const params = randomParams(cfg, 11);
const textOf = (n: number) => Array.from({ length: n }, (_, i) => vocab.char((i * 7 + (i % 3)) % 5)).join('');

/** The inspector's summed surprise over `text` (all but its first character), in nats. */
function inspected(text: string): number {
  const net = new StatefulLstm(cfg, params);
  const total = new SurpriseTotal();
  try {
    for (const r of readText(net, vocab, text, { top: 1 })) total.add(r);
  } finally {
    net.dispose();
  }
  return total.bitsPerChar! * Math.LN2 * (text.length - 1);
}

describe('scoreText, streams', () => {
  it.each([101, 137, 150, 23, 857, 1203])('reads all %i characters but the first, as the inspector does', (n) => {
    const text = textOf(n);
    const ids = vocab.encode(text);
    const before = tf.memory().numTensors;
    const one = scoreText(cfg, params, ids, 10, 1).stream;
    expect(one.chars).toBe(n - 1);
    expect(one.lossSum / one.chars).toBeCloseTo(inspected(text) / (n - 1), 5);
    // Several streams: each read from a zero state, the last one on to the text's end.
    const several = scoreText(cfg, params, ids, 10, 4).stream;
    expect(several.chars).toBe(n - 1);
    const starts = [...validationStreams({ ids, seqLength: 10, trainEnd: 0 }, 4).batches[0]];
    if (n > 800) expect(starts.length).toBe(4);
    const ends = [...starts.slice(1).map((s) => s + 1), n];
    const bySubstring = starts.reduce((sum, s, b) => sum + inspected(text.slice(s, ends[b])), 0);
    expect(Math.abs(several.lossSum - bySubstring) / bySubstring).toBeLessThan(1e-6); // float32 sums
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('scoreText, too short', () => {
  it.each([
    [0, '0 characters'],
    [1, '1 character'],
  ])('refuses %i known characters in one line naming them', (n, said) => {
    expect(() => scoreText(cfg, params, vocab.encode(textOf(n)), 10, 1)).toThrow(
      `the text has ${said} in the model's vocabulary; evaluation needs at least 2`,
    );
  });
});

describe('coldScore', () => {
  it.each([23, 150, 857])("is scoreText's cold reading of %i characters, leaving no tensors", (n) => {
    const ids = vocab.encode(textOf(n));
    const before = tf.memory().numTensors;
    const cold = coldScore(cfg, params, ids, 16, 4);
    expect(tf.memory().numTensors).toBe(before);
    const both = scoreText(cfg, params, ids, 16, 4);
    expect(cold).toEqual({ lossSum: both.lossSum, chars: both.chars });
  });
});

/**
 * train/transfer.ts: which start a run without --from takes. A base that knows the text's
 * characters (the shared `abc` bundle) is taken, with its figures; one that knows too few of
 * them is not; a base whose network or --lowercase differs is not scored.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config.js';
import { initBackend } from '../../../src/net/backend.js';
import { checkpointSpecs } from '../../../src/params.js';
import type { Checkpoint } from '../../../src/store/parse.js';
import { readCheckpoint } from '../../../src/store/read.js';
import { baseFigures, type Candidate, chooseStart, scratchLine } from '../../../src/train/transfer.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { useBundles } from '../../helpers/bundles.js';
import { abc } from '../../helpers/tiny.js';

const shared = useBundles('abc');
let candidate: Candidate;
let network: Checkpoint['manifest']['network'];

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
  const checkpoint = await readCheckpoint(path.join(shared.abc.model, 'best'), checkpointSpecs);
  candidate = { name: 'bundled/abc', checkpoint };
  network = checkpoint.manifest.network;
});

const runOn = (over: Partial<Parameters<typeof chooseStart>[2]> = {}) => ({
  layers: network.layers,
  units: network.units,
  lowercase: false,
  valFraction: 0.1,
  seqLength: 16,
  randomSeed: 3,
  ...over,
});

describe('chooseStart', () => {
  it('starts from a base that predicts the held-out part well, with its figures and the widened vocabulary', () => {
    const before = tf.memory().numTensors;
    const choice = chooseStart([candidate], abc, runOn());
    expect(tf.memory().numTensors).toBe(before);
    expect(choice.measured).toHaveLength(1);
    const [m] = choice.measured;
    expect(m.knownShare).toBe(1);
    expect(m.name).toBe('bundled/abc');
    // Memorised: far below the ~3 bits of 8 equally likely letters that an untrained network gives.
    expect(m.untrainedBits).toBeGreaterThan(2.5);
    expect(m.baseBits).toBeLessThan(0.5);
    expect(choice.start?.candidate).toBe(candidate);
    expect(choice.start?.from.vocab.chars).toEqual(candidate.checkpoint.manifest.vocab);
    expect(choice.start?.from.lineage.base.model).toBe('bundled/abc'); // as --from takes it, from anywhere
    expect(choice.start?.measured).toBe(m);
    expect(baseFigures(m)).toMatch(
      /^it knows 100% of the text's characters, and predicts the held-out ones it knows at \d\.\d\d bits each, an untrained network at \d\.\d\d$/,
    );
  });

  it("trains from scratch when the base knows too few of the text's characters, saying so", () => {
    const text = 'stuvwxya'.repeat(100); // one character in 8 known
    const choice = chooseStart([candidate], text, runOn());
    expect(choice.start).toBeUndefined();
    const [m] = choice.measured;
    expect(m.knownShare).toBeCloseTo(1 / 8, 10);
    expect(m.knownShare).toBeLessThan(defaults.transfer.minKnownShare);
    expect(scratchLine(choice, 'unused')).toMatch(
      /^training from scratch, not from bundled\/abc: it knows 12\.5% of the text's characters, and predicts the held-out ones it knows at \d+\.\d\d bits each, an untrained network at \d+\.\d\d; a base is taken from \d+%/,
    );
  });

  it('takes a base that knows the characters even where it predicts them badly (the rule is the share)', () => {
    const choice = chooseStart([candidate], 'hgfedcba'.repeat(100), runOn()); // its letters, the other way round
    const [m] = choice.measured;
    expect(m.baseBits).toBeGreaterThan(m.untrainedBits);
    expect(choice.start?.candidate).toBe(candidate);
  });

  it('scores only the characters the base knows, and none when it knows none', () => {
    const mixed = chooseStart([candidate], abc.replace(/h/g, 'ß'), runOn());
    const known = chooseStart([candidate], abc.replace(/h/g, ''), runOn());
    expect(mixed.measured[0].baseBits).toBeCloseTo(known.measured[0].baseBits, 1);
    expect(chooseStart([candidate], 'stuvwxyz'.repeat(100), runOn())).toEqual({ start: undefined, measured: [] });
  });

  it.each([
    ['another number of units', { units: 300 }],
    ['another number of layers', { layers: 2 }],
    ['--lowercase', { lowercase: true }],
  ])('does not score a base for a run with %s', (_what, over) => {
    const choice = chooseStart([candidate], abc, runOn(over));
    expect(choice).toEqual({ start: undefined, measured: [] });
    expect(scratchLine(choice, 'no bundled base fits')).toBe('training from scratch: no bundled base fits');
  });
});

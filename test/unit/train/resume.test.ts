/**
 * Exact resume with each regulariser, in-process: 1 epoch, then a run resumed from the
 * bundle's latest checkpoint to 3, writes the same weights.bin and optimizer.bin as 3 epochs
 * in one go (1,200 characters: 11 batches an epoch). The masks are keyed by position (net/dropout.ts) and a weight average's state is
 * saved (net/adam.ts), so nothing depends on what came before. (Through `lstm train --resume`:
 * test/e2e/train/resume.test.ts.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/store/load.js';
import { trainModel } from '../../../src/train/loop.js';
import { runOptions, useRunDir } from '../../helpers/run.js';
import type { Hyperparameters } from '../../../src/config.js';
import { words } from '../../helpers/tiny.js';

const at = useRunDir('resume');

const options = (out: string, epochs: number, regularisers: Partial<Hyperparameters>) =>
  runOptions(
    words.slice(0, 1200),
    { dir: at.dir, name: out },
    at.backend,
    { seqLength: 8, valFraction: 0.2, layers: 2, dropout: 0.3, randomSeed: 3, ...regularisers },
    { epochs },
  );

const bytes = (out: string, file: string) => readFile(path.join(at.dir, out, 'latest', file));

describe('an exact resume', () => {
  it.each<[string, Partial<Hyperparameters>]>([
    ['variational dropout', { variationalDropout: true }],
    ['DropConnect on the recurrent weights', { weightDrop: 0.4 }],
    ['a weight average', { ema: 0.9 }],
  ])('with %s: 1 epoch then a resume to 3 equals 3 in one go', async (name, regularisers) => {
    const [whole, halves] = [`whole-${name}`, `halves-${name}`];
    await trainModel(options(whole, 3, regularisers));
    await trainModel(options(halves, 1, regularisers));
    const latest = await loadModel(path.join(at.dir, halves), { which: 'latest', optimizer: true });
    const resumed = await trainModel({ ...options(halves, 3, regularisers), resume: latest.checkpoint });
    expect(resumed.epoch).toBe(3);
    expect((await bytes(halves, 'weights.bin')).equals(await bytes(whole, 'weights.bin'))).toBe(true);
    expect((await bytes(halves, 'optimizer.bin')).equals(await bytes(whole, 'optimizer.bin'))).toBe(true);
  });
});

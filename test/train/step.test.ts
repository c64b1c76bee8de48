/**
 * A training step split across worker threads (train/step.ts, train/workers.ts), end to
 * end through `lstm train`: the shares add up to one thread's step, and a resumed run
 * with threads continues bit for bit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../src/layout.js';
import { readCheckpoint } from '../../src/store/read.js';
import { lstm } from '../helpers/cli.js';
import { assertBuilt, makeTempDir, removeDir, textFile, trainTiny, words } from '../helpers/tiny.js';

let dir: string;
let corpus: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('step');
  corpus = await textFile(dir, 'words.txt', words);
});
afterAll(() => removeDir(dir));

/** The float32 weights of a bundle's latest checkpoint. */
const savedWeights = async (bundle: string) => new Float32Array((await readFile(path.join(bundle, 'latest', 'weights.bin'))).buffer.slice(0));

describe('a training step split across worker threads', () => {
  it('two threads train the same model as one, up to float rounding, with dropout', async () => {
    const flags = ['--epochs', '2', '--dropout', '0.3', '--units', '12', '--batch-size', '6'];
    await trainTiny(corpus, path.join(dir, 'w1'), [...flags, '--workers', '1']);
    await trainTiny(corpus, path.join(dir, 'w2'), [...flags, '--workers', '2']);
    const [a, b] = [await savedWeights(path.join(dir, 'w1')), await savedWeights(path.join(dir, 'w2'))];
    expect(b.length).toBe(a.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-4);
    const [ma, mb] = [(await readCheckpoint(path.join(dir, 'w1', 'latest'), checkpointSpecs)).manifest, (await readCheckpoint(path.join(dir, 'w2', 'latest'), checkpointSpecs)).manifest];
    expect(mb.hyperparameters.workers).toBe(2);
    ma.history.forEach((e, i) => expect(mb.history[i].trainLoss).toBeCloseTo(e.trainLoss, 4));
  });

  it('with two threads, stopping and resuming gives bit-identical weights', async () => {
    const flags = ['--dropout', '0.3', '--units', '12', '--batch-size', '6', '--workers', '2'];
    await trainTiny(corpus, path.join(dir, 'once'), [...flags, '--epochs', '3']);
    await trainTiny(corpus, path.join(dir, 'twice'), [...flags, '--epochs', '1']);
    const r = await lstm(['-q', 'train', corpus, '--resume', path.join(dir, 'twice'), '--epochs', '3', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(Buffer.from((await savedWeights(path.join(dir, 'twice'))).buffer)).toEqual(Buffer.from((await savedWeights(path.join(dir, 'once'))).buffer));
  });
});

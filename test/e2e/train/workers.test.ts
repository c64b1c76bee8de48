/**
 * A training step split across worker threads (train/step.ts, train/workers.ts), end to
 * end through `lstm train`: the shares add up to one thread's step, and a resumed run
 * with threads continues bit for bit. Stateful training (the default) carries each row's
 * LSTM state across batches, through the workers and through a checkpoint.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint } from '../../../src/store/read.js';
import { lstm } from '../../helpers/cli.js';
import {
  assertBuilt,
  jsonLines,
  makeTempDir,
  removeDir,
  textFile,
  tinyFlags as tinyFlagsList,
  trainTiny,
  words,
} from '../../helpers/tiny.js';

let dir: string;
let corpus: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('step');
  corpus = await textFile(dir, 'words.txt', words);
});
afterAll(() => removeDir(dir));

/** The float32 weights of a bundle's latest checkpoint. */
const savedWeights = async (bundle: string) =>
  new Float32Array((await readFile(path.join(bundle, 'latest', 'weights.bin'))).buffer.slice(0));

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
    const [ma, mb] = [
      (await readCheckpoint(path.join(dir, 'w1', 'latest'), checkpointSpecs)).manifest,
      (await readCheckpoint(path.join(dir, 'w2', 'latest'), checkpointSpecs)).manifest,
    ];
    expect(mb.hyperparameters.workers).toBe(2);
    ma.history.forEach((e, i) => expect(mb.history[i].trainLoss).toBeCloseTo(e.trainLoss, 4));
  });

  it('with two threads, stopping and resuming gives bit-identical weights', async () => {
    const flags = ['--dropout', '0.3', '--units', '12', '--batch-size', '6', '--workers', '2'];
    await trainTiny(corpus, path.join(dir, 'once'), [...flags, '--epochs', '3']);
    await trainTiny(corpus, path.join(dir, 'twice'), [...flags, '--epochs', '1']);
    const r = await lstm([
      '-q',
      'train',
      corpus,
      '--resume',
      path.join(dir, 'twice'),
      '--epochs',
      '3',
      '--workers',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(Buffer.from((await savedWeights(path.join(dir, 'twice'))).buffer)).toEqual(
      Buffer.from((await savedWeights(path.join(dir, 'once'))).buffer),
    );
  });
});

describe('stateful training: the LSTM state carried across batches', () => {
  const flags = [
    '--dropout',
    '0.2',
    '--units',
    '12',
    '--batch-size',
    '6',
    '--seq-length',
    '8',
    '--workers',
    '2',
    '--stateful',
  ];

  it('a run stopped inside an epoch saves the carried state and resumes bit for bit (2 threads)', async () => {
    await trainTiny(corpus, path.join(dir, 'st-once'), [...flags, '--epochs', '2']);
    const cut = path.join(dir, 'st-cut');
    const first = await lstm(['train', corpus, '--out', cut, ...tinyFlagsFor(flags), '--max-time', '0.001s', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(jsonLines(first.stdout).find((e) => e.event === 'done')).toMatchObject({
      reason: 'time',
      epochs: 0,
      batch: 1,
    });
    const saved = await readCheckpoint(path.join(cut, 'latest'), checkpointSpecs, { optimizer: true });
    expect(saved.manifest.hyperparameters.stateful).toBe(true);
    expect(saved.manifest.progress.streams).toBe(6);
    const h = saved.optimizer!.get('state/lstm0/h')!;
    expect(h.length).toBe(6 * 12);
    expect(h.some((x) => x !== 0)).toBe(true);
    const r = await lstm(['-q', 'train', corpus, '--resume', cut, '--epochs', '2', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.from((await savedWeights(cut)).buffer)).toEqual(
      Buffer.from((await savedWeights(path.join(dir, 'st-once'))).buffer),
    );
    // The epoch's end saves no state: the next epoch's streams start from zeros.
    expect((await readCheckpoint(path.join(cut, 'latest'), checkpointSpecs)).manifest.progress.streams).toBeUndefined();
  });

  it('without --stateful (the default) it trains on independent windows: another model, recorded as such, judged read as streams too, and still exact across threads', async () => {
    await trainTiny(corpus, path.join(dir, 'sl1'), [...flags, '--epochs', '1', '--no-stateful', '--workers', '1']);
    await trainTiny(corpus, path.join(dir, 'sl2'), [...flags, '--epochs', '1', '--no-stateful']);
    await trainTiny(corpus, path.join(dir, 'st1'), [...flags, '--epochs', '1']);
    const m = (await readCheckpoint(path.join(dir, 'sl1', 'latest'), checkpointSpecs)).manifest;
    expect(m.hyperparameters.stateful).toBe(false);
    expect(m.history[0].valLossCold).toBeGreaterThan(0); // judged read as streams, cold windows beside
    const [a, b, c] = await Promise.all(['sl1', 'sl2', 'st1'].map((n) => savedWeights(path.join(dir, n))));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(Buffer.from(c.buffer)).not.toEqual(Buffer.from(a.buffer));
  });
});

/** tinyFlags followed by `flags` (later flags win). */
function tinyFlagsFor(flags: string[]): string[] {
  return [...tinyFlagsList, ...flags];
}

/**
 * Training runs end to end, beyond the basics in train.test.ts: worker threads, what a
 * resume remembers, failing fast on an unwritable --out, and export's safety.
 */
import { mkdir, readFile, symlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/store/checkpoint.js';
import { lstm } from '../helpers/cli.js';
import { assertBuilt, makeTempDir, removeDir, sentence, snapshot, textFile, trainTiny, words } from './tiny.js';

let dir: string;
let corpus: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('runs');
  corpus = await textFile(dir, 'words.txt', words);
});
afterAll(() => removeDir(dir));

const weightsOf = async (bundle: string) => new Float32Array((await readFile(path.join(bundle, 'latest', 'weights.bin'))).buffer.slice(0));

describe('worker threads', () => {
  it('two threads train the same model as one, up to float rounding, with dropout', async () => {
    const flags = ['--epochs', '2', '--dropout', '0.3', '--units', '12', '--batch-size', '6'];
    await trainTiny(corpus, path.join(dir, 'w1'), [...flags, '--workers', '1']);
    await trainTiny(corpus, path.join(dir, 'w2'), [...flags, '--workers', '2']);
    const [a, b] = [await weightsOf(path.join(dir, 'w1')), await weightsOf(path.join(dir, 'w2'))];
    expect(b.length).toBe(a.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-4);
    const [ma, mb] = [(await readCheckpoint(path.join(dir, 'w1', 'latest'))).manifest, (await readCheckpoint(path.join(dir, 'w2', 'latest'))).manifest];
    expect(mb.hyperparameters.workers).toBe(2);
    ma.history.forEach((e, i) => expect(mb.history[i].trainLoss).toBeCloseTo(e.trainLoss, 4));
  });

  it('with two threads, stopping and resuming gives bit-identical weights', async () => {
    const flags = ['--dropout', '0.3', '--units', '12', '--batch-size', '6', '--workers', '2'];
    await trainTiny(corpus, path.join(dir, 'once'), [...flags, '--epochs', '3']);
    await trainTiny(corpus, path.join(dir, 'twice'), [...flags, '--epochs', '1']);
    const r = await lstm(['-q', 'train', corpus, '--resume', path.join(dir, 'twice'), '--epochs', '3', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(Buffer.from((await weightsOf(path.join(dir, 'twice'))).buffer)).toEqual(Buffer.from((await weightsOf(path.join(dir, 'once'))).buffer));
  });
});

describe('resume', () => {
  it('keeps the run\'s --epochs when it is not given again', async () => {
    const out = path.join(dir, 'stopped');
    // --max-time stops after the first batch, mid-epoch, with a checkpoint.
    await trainTiny(corpus, out, ['--epochs', '3', '--max-time', '0.001s']);
    const first = (await readCheckpoint(path.join(out, 'latest'))).manifest;
    expect(first.progress.epoch).toBe(0);
    expect(first.progress.batch).toBeGreaterThan(0);
    const r = await lstm(['-q', 'train', corpus, '--resume', out]);
    expect(r.code).toBe(0);
    const m = (await readCheckpoint(path.join(out, 'latest'))).manifest;
    expect(m.history).toHaveLength(3); // not the default 20
    expect(m.hyperparameters.epochs).toBe(3);
  });

  it('warns when the text differs from the one trained on, and continues', async () => {
    const out = path.join(dir, 'other-text');
    await trainTiny(corpus, out, ['--epochs', '1']);
    const other = await textFile(dir, 'shuffled.txt', words.split(' ').reverse().join(' '));
    const r = await lstm(['train', other, '--resume', out, '--epochs', '2', '--no-sample']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*shuffled\.txt is not the text .* was trained on/);
  });

  it('accepts --out naming the same bundle in another spelling', async () => {
    const out = path.join(dir, 'spelled');
    await trainTiny(corpus, out, ['--epochs', '1']);
    const r = await lstm(['-q', 'train', corpus, '--resume', out, '--out', out + '/', '--epochs', '2']);
    expect(r.code).toBe(0);
  });
});

describe('stop conditions', () => {
  it('lets --max-time alone decide how long to train, not the default 20 epochs', async () => {
    const timed = path.join(dir, 'timed');
    await trainTiny(corpus, timed, ['--max-time', '0.001s']);
    expect((await readCheckpoint(path.join(timed, 'latest'))).manifest.hyperparameters.epochs).toBeGreaterThan(1000);
    const both = path.join(dir, 'timed-and-counted');
    await trainTiny(corpus, both, ['--max-time', '0.001s', '--epochs', '4']);
    expect((await readCheckpoint(path.join(both, 'latest'))).manifest.hyperparameters.epochs).toBe(4);
  });
});

describe('failing early', () => {
  it('refuses an --out it cannot write before training, with exit 1 and no stack trace', async () => {
    const file = await textFile(dir, 'a-file', 'x');
    const r = await lstm(['train', corpus, '--out', path.join(file, 'model'), '--epochs', '1', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: cannot write checkpoints to .*a-file\/model: a part of the path is a file/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/epoch 1/);
  });

  it('refuses --argmax with another --temperature', async () => {
    const r = await lstm(['generate', '--argmax', '--temperature', '0.8', '--model', path.join(dir, 'spelled')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--argmax and --temperature 0.8 contradict/);
  });

  it('refuses a checkpoint pointer that leads outside the bundle', async () => {
    const bundle = path.join(dir, 'escaping');
    await trainTiny(corpus, bundle, ['--epochs', '1']);
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    await lstm(['export', '-m', bundle, '--out', path.join(outside, 'ckpt')]);
    await rm(path.join(bundle, 'best'));
    await symlink(path.join(outside, 'ckpt'), path.join(bundle, 'best'));
    const r = await lstm(['generate', '-m', bundle, '-n', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/points outside/);
  });
});

describe('export', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = path.join(dir, 'for-export');
    await trainTiny(await textFile(dir, 'sentence.txt', sentence), bundle, ['--epochs', '1']);
  });

  it('refuses to write over a directory that is not a model, and leaves it alone', async () => {
    const precious = path.join(dir, 'precious');
    await mkdir(precious);
    await writeFile(path.join(precious, 'notes.txt'), 'keep me');
    const before = await snapshot(precious);
    for (const force of [[], ['--force']]) {
      const r = await lstm(['export', '-m', bundle, '--out', precious, ...force]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/exists and is not a model/);
    }
    expect(await snapshot(precious)).toEqual(before);
  });

  it('writes a model without optimizer state, and replaces a model only with --force', async () => {
    const out = path.join(dir, 'exported');
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(0);
    const files = Object.keys((await readCheckpoint(out)).manifest.files).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(2);
    expect((await lstm(['export', '-m', bundle, '--out', out, '--force', '--note', 'how=test'])).code).toBe(0);
    expect((await readCheckpoint(out)).manifest.notes).toEqual({ how: 'test' });
  });
});

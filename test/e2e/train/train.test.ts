/**
 * `lstm train` end to end: real processes, real bundles in a temp dir. It learns, it is
 * reproducible, resuming equals not stopping and remembers the run's settings, it stops
 * cleanly on SIGINT and on its stop conditions, it owns its bundle (a lock other runs
 * respect), and it refuses early what would lose or corrupt a model.
 */
import { cp, lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { lstm, type RunResult } from '../../helpers/cli.js';
import { canMount, mountReadOnly, mountSkip, mountTmpfs, unmount } from '../../helpers/mounts.js';
import {
  abc,
  assertBuilt,
  deadPid,
  firstCheckpoint,
  idleProcess,
  jsonLines,
  makeTempDir,
  removeDir,
  snapshot,
  spawnEndlessTraining,
  spawnLstm,
  textFile,
  tinyFlags,
  trainTiny,
  waitUntil,
  words,
} from '../../helpers/tiny.js';

let dir: string;
let abcFile: string;
let wordsFile: string;
/** The first ~900 characters of `words`: quick epochs for the bit-identity tests. */
let shortFile: string;
const out = (name: string) => path.join(dir, name);
const bin = (bundle: string, file: string, which = 'latest') => readFile(path.join(bundle, which, file));
/** The manifest of a bundle's latest checkpoint. */
const latestManifest = async (bundle: string) =>
  (await readCheckpoint(path.join(bundle, 'latest'), checkpointSpecs)).manifest;

beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('train');
  abcFile = await textFile(dir, 'abc.txt', abc);
  wordsFile = await textFile(dir, 'words.txt', words);
  shortFile = await textFile(dir, 'short.txt', words.slice(0, 900));
});

afterAll(() => removeDir(dir));

/** One `error:` line (plus an optional hint), no stack trace. */
function expectOneLineError(r: RunResult, code: number): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => l.startsWith('error: '))).toHaveLength(1);
  expect(r.stderr).not.toContain('    at ');
}

describe('lstm train', () => {
  it('learns a repetitive text: train loss below 0.1 nats within 30 epochs', async () => {
    const bundle = out('abc');
    const r = await lstm(['train', abcFile, '--out', bundle, ...tinyFlags, '--epochs', '30', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const epochs = jsonLines(r.stdout).filter((e) => e.event === 'epoch') as unknown as {
      trainLoss: number;
      valLoss: number;
    }[];
    expect(epochs).toHaveLength(30);
    expect(epochs[0].trainLoss).toBeGreaterThan(1.5); // about ln 8 at the start
    expect(epochs[29].trainLoss).toBeLessThan(0.1);
    expect(epochs[29].valLoss).toBeLessThan(0.1);
    const ckpt = await readCheckpoint(await resolveCheckpoint(bundle, 'latest'), checkpointSpecs);
    expect(ckpt.manifest.history.map((e) => e.trainLoss)).toEqual(epochs.map((e) => e.trainLoss));
    expect(ckpt.manifest.vocab).toEqual([...'abcdefgh']);
  });

  it('is reproducible: the same --random-seed gives identical weights.bin, another seed other weights', async () => {
    const flags = ['--epochs', '2', '--dropout', '0.2', '--seq-length', '8', '--units', '8'];
    await Promise.all([
      trainTiny(shortFile, out('seed-a'), [...flags, '--random-seed', '7']),
      trainTiny(shortFile, out('seed-b'), [...flags, '--random-seed', '7']),
    ]);
    await trainTiny(shortFile, out('seed-c'), [...flags, '--random-seed', '8']);
    const [a, b, c] = await Promise.all(['seed-a', 'seed-b', 'seed-c'].map((n) => bin(out(n), 'weights.bin')));
    expect(a.equals(b)).toBe(true);
    expect((await bin(out('seed-a'), 'optimizer.bin')).equals(await bin(out('seed-b'), 'optimizer.bin'))).toBe(true);
    expect(a.length).toBe(c.length);
    expect(a.equals(c)).toBe(false);
  });

  it('resumes exactly: 2 epochs then --resume to 4 equals 4 epochs in one go (with dropout)', async () => {
    const flags = ['--layers', '2', '--units', '8', '--seq-length', '8', '--batch-size', '8', '--dropout', '0.3'];
    await Promise.all([
      trainTiny(shortFile, out('whole'), [...flags, '--epochs', '4']),
      trainTiny(shortFile, out('halves'), [...flags, '--epochs', '2']),
    ]);
    const r = await lstm([
      '-q',
      'train',
      shortFile,
      '--resume',
      out('halves'),
      '--epochs',
      '4',
      '--workers',
      '1',
      '--no-sample',
    ]);
    expect(r.code, r.stderr).toBe(0);

    expect((await bin(out('halves'), 'weights.bin')).equals(await bin(out('whole'), 'weights.bin'))).toBe(true);
    expect((await bin(out('halves'), 'optimizer.bin')).equals(await bin(out('whole'), 'optimizer.bin'))).toBe(true);
    const [whole, halves] = await Promise.all(
      ['whole', 'halves'].map(
        async (n) => (await readCheckpoint(await resolveCheckpoint(out(n), 'latest'), checkpointSpecs)).manifest,
      ),
    );
    const losses = (m: typeof whole) => m.history.map((e) => [e.epoch, e.trainLoss, e.valLoss]);
    expect(losses(halves)).toEqual(losses(whole));
    expect(halves.progress.step).toBe(whole.progress.step);
    expect(halves.progress.epoch).toBe(4);
  });

  it('--json prints only JSON events on stdout: start, then epoch and checkpoint per epoch, then done', async () => {
    const bundle = out('json');
    const r = await lstm(['train', abcFile, '--out', bundle, ...tinyFlags, '--epochs', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout); // throws on any line that is not JSON
    expect(events.map((e) => e.event)).toEqual([
      'start',
      'epoch',
      'checkpoint',
      'epoch',
      'checkpoint',
      'epoch',
      'checkpoint',
      'done',
    ]);
    const [start] = events;
    expect(start).toMatchObject({ resumed: false, workers: 1, vocabSize: 8, epoch: 0, batch: 0, out: bundle });
    expect(start.params).toBe(4 * 16 * (8 + 1 + 16) + 16 * 8 + 8);
    expect(events.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of events.filter((e) => e.event === 'checkpoint')) {
      expect((await readCheckpoint(e.path as string, checkpointSpecs)).manifest.progress.epoch).toBe(e.epoch);
    }
    expect(events.at(-1)).toMatchObject({ event: 'done', reason: 'epochs', epochs: 3, out: bundle });
  });

  it('stops on SIGINT after the current batch: exit 130, a message on stderr, a loadable latest that resumes exactly', async () => {
    const bundle = out('sigint');
    const flags = [
      '--layers',
      '1',
      '--units',
      '8',
      '--seq-length',
      '8',
      '--batch-size',
      '4',
      '--dropout',
      '0.1',
      '--val-fraction',
      '0.05',
      '--no-sample',
      '--workers',
      '1',
    ];
    const p = spawnLstm(
      ['train', wordsFile, '--out', bundle, ...flags, '--epochs', '10000', '--patience', '10000', '--json'],
      dir,
    );
    try {
      await waitUntil(() => p.stdout().includes('"event":"epoch"'), 30_000, 'the first epoch event');
      p.child.kill('SIGINT');
      const { code } = await p.exited;
      expect(code, p.stderr()).toBe(130);
    } finally {
      p.child.kill('SIGKILL');
    }
    expect(p.stderr()).toMatch(/SIGINT: finishing this batch and saving a checkpoint/);
    expect(p.stderr()).toContain(`error: training interrupted; continue with: lstm train --resume ${bundle}\n`);
    expect(p.stderr()).not.toContain('    at ');
    const events = jsonLines(p.stdout());
    expect(events.at(-1)).toMatchObject({ event: 'done', reason: 'interrupted' });

    const latest = await readCheckpoint(await resolveCheckpoint(bundle, 'latest'), checkpointSpecs, {
      optimizer: true,
    });
    const { epoch, batch } = latest.manifest.progress;
    expect(epoch > 0 || batch > 0).toBe(true);
    expect(epoch).toBeGreaterThanOrEqual(1); // the first epoch had finished before the signal
    expect(events.filter((e) => e.event === 'checkpoint').at(-1)).toMatchObject({ epoch, batch });

    // Wherever it stopped (mid-epoch or not), resuming equals an uninterrupted run.
    const total = String(epoch + 1);
    const r = await lstm([
      '-q',
      'train',
      wordsFile,
      '--resume',
      bundle,
      '--epochs',
      total,
      '--workers',
      '1',
      '--no-sample',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const reference = out('sigint-reference');
    const ref = await lstm(['-q', 'train', wordsFile, '--out', reference, ...flags, '--epochs', total]);
    expect(ref.code, ref.stderr).toBe(0);
    expect((await bin(bundle, 'weights.bin')).equals(await bin(reference, 'weights.bin'))).toBe(true);
  });

  it('refuses to --resume on a text with characters outside the bundle vocabulary (exit 1), leaving it untouched', async () => {
    const bundle = out('vocab');
    await trainTiny(abcFile, bundle, ['--epochs', '1']);
    const before = await snapshot(bundle);
    const other = await textFile(dir, 'abcxyz.txt', abc + 'xyz'.repeat(20));
    const r = await lstm(['train', other, '--resume', bundle, '--workers', '1']);
    expectOneLineError(r, 1);
    expect(r.stderr).toContain("has 3 character(s) the bundle's vocabulary lacks: 'x' 'y' 'z'");
    expect(r.stdout).toBe('');
    expect(await snapshot(bundle)).toEqual(before);
  });

  it('refuses to train into an --out that already holds a model without --resume (exit 2), leaving it untouched', async () => {
    const bundle = out('taken');
    await trainTiny(abcFile, bundle, ['--epochs', '1']);
    const before = await snapshot(bundle);
    const r = await lstm(['train', wordsFile, '--out', bundle, ...tinyFlags, '--epochs', '1']);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain(`${bundle} already holds a model`);
    expect(r.stderr).toContain(`--resume ${bundle}`);
    expect(await snapshot(bundle)).toEqual(before);
  });

  // Deterministic: with this seed, 64 units, lr 1 and no clipping the loss leaves 3x
  // its start within the first few batches (checked for seeds 1-8 on this text).
  it('aborts a diverging run (--lr 1 --clip 0) with a non-zero exit and a hint about --lr', async () => {
    const r = await lstm([
      'train',
      wordsFile,
      '--out',
      out('diverge'),
      ...tinyFlags,
      '--units',
      '64',
      '--lr',
      '1',
      '--clip',
      '0',
      '--random-seed',
      '1',
      '--epochs',
      '3',
    ]);
    expectOneLineError(r, 1);
    expect(r.stderr).toMatch(/error: training diverged at epoch 1, batch \d+: loss/);
    expect(r.stderr).toMatch(/hint: lower the learning rate, e\.g\. --lr 0\.5/);
  });
});

describe('resume', () => {
  it("keeps the run's --epochs when it is not given again", async () => {
    const bundle = out('stopped');
    // --max-time stops after the first batch, mid-epoch, with a checkpoint.
    await trainTiny(wordsFile, bundle, ['--epochs', '3', '--max-time', '0.001s']);
    const first = await latestManifest(bundle);
    expect(first.progress.epoch).toBe(0);
    expect(first.progress.batch).toBeGreaterThan(0);
    const r = await lstm(['-q', 'train', wordsFile, '--resume', bundle]);
    expect(r.code).toBe(0);
    const m = await latestManifest(bundle);
    expect(m.history).toHaveLength(3); // not the default 20
    expect(m.hyperparameters.epochs).toBe(3);
  });

  it('warns when the text differs from the one trained on, and continues', async () => {
    const bundle = out('other-text');
    await trainTiny(wordsFile, bundle, ['--epochs', '1']);
    const other = await textFile(dir, 'shuffled.txt', words.split(' ').reverse().join(' '));
    const r = await lstm(['train', other, '--resume', bundle, '--epochs', '2', '--no-sample']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*shuffled\.txt is not the text .* was trained on/);
  });

  it('without a corpus, reads the file the bundle recorded (its absolute path): the same run as passing it', async () => {
    const flags = [
      '--layers',
      '1',
      '--units',
      '8',
      '--seq-length',
      '8',
      '--batch-size',
      '8',
      '--dropout',
      '0.3',
      '--epochs',
      '1',
    ];
    // Trained from its own directory with a relative path: lstm.json records where the file is.
    const first = await lstm(['-q', 'train', 'short.txt', '--out', 'recorded', ...tinyFlags, ...flags], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect((await latestManifest(out('recorded'))).corpus).toMatchObject({ name: 'short.txt', path: shortFile });
    await cp(out('recorded'), out('recorded-given'), { recursive: true, verbatimSymlinks: true });

    const [without, given] = await Promise.all([
      lstm(['train', '--resume', out('recorded'), '--epochs', '2', '--workers', '1', '--no-sample']),
      lstm([
        '-q',
        'train',
        shortFile,
        '--resume',
        out('recorded-given'),
        '--epochs',
        '2',
        '--workers',
        '1',
        '--no-sample',
      ]),
    ]);
    expect(without.code, without.stderr).toBe(0);
    expect(given.code, given.stderr).toBe(0);
    expect(without.stderr).toContain(`reading ${shortFile}, the text ${out('recorded')} was trained on`);
    expect((await bin(out('recorded'), 'weights.bin')).equals(await bin(out('recorded-given'), 'weights.bin'))).toBe(
      true,
    );
    expect((await latestManifest(out('recorded'))).progress.epoch).toBe(2);
  });

  it('without a corpus, refuses when the recorded file moved or changed (exit 1, one line, how to pass it), leaving the bundle untouched', async () => {
    const text = await textFile(dir, 'will-change.txt', words);
    const bundle = out('will-change');
    await trainTiny(text, bundle, ['--epochs', '1']);
    const before = await snapshot(bundle);

    await rename(text, `${text}.moved`);
    const moved = await lstm(['train', '--resume', bundle, '--epochs', '2']);
    expectOneLineError(moved, 1);
    expect(moved.stderr).toContain(`error: ${bundle} was trained on ${text}, which is no longer there`);
    expect(moved.stderr).toContain(`hint: pass the corpus explicitly: lstm train <corpus> --resume ${bundle}`);

    await writeFile(text, words.replace('fox', 'cat'));
    const changed = await lstm(['train', '--resume', bundle, '--epochs', '2']);
    expectOneLineError(changed, 1);
    expect(changed.stderr).toContain(`error: ${text} has changed since ${bundle} was trained on it (sha256 `);
    expect(changed.stderr).toContain(
      `hint: to train on it as it is now, pass the corpus explicitly: lstm train ${text} --resume ${bundle}`,
    );
    expect(await snapshot(bundle)).toEqual(before);

    // Passed explicitly, the changed text trains on (with the warning a different text gets).
    const explicit = await lstm(['train', text, '--resume', bundle, '--epochs', '2', '--workers', '1', '--no-sample']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toMatch(/warning: .*will-change\.txt is not the text .* was trained on/);
  });

  it('without a corpus, refuses a bundle that does not record its path (saved by an older lstm): exit 2, naming the corpus to pass', async () => {
    const bundle = out('no-path');
    await trainTiny(wordsFile, bundle, ['--epochs', '1']);
    const manifest = path.join(bundle, 'latest', 'lstm.json');
    const doc = JSON.parse(await readFile(manifest, 'utf8'));
    delete doc.corpus.path;
    await writeFile(manifest, JSON.stringify(doc));
    const r = await lstm(['train', '--resume', bundle, '--epochs', '2']);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain(`error: ${bundle} does not record where its corpus is (it was saved by an older lstm)`);
    expect(r.stderr).toContain(`hint: pass the corpus: lstm train words.txt --resume ${bundle}`); // lstm.json names the file, not its path
  });

  it('still needs a corpus without --resume: a usage error (exit 2)', async () => {
    const r = await lstm(['train', '--out', out('no-corpus'), '--epochs', '1']);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain('error: no corpus given: lstm train needs a text file to train on (or - for stdin)');
    expect(r.stderr).toContain('lstm train --resume DIR');
  });

  it('accepts --out naming the same bundle in another spelling', async () => {
    const bundle = out('spelled');
    await trainTiny(wordsFile, bundle, ['--epochs', '1']);
    const r = await lstm(['-q', 'train', wordsFile, '--resume', bundle, '--out', `${bundle}/`, '--epochs', '2']);
    expect(r.code).toBe(0);
  });
});

describe('defaults fitted to the text', () => {
  it('a text small for its network takes dropout 0.5, batch 32 and lr 0.003 unless given, and says so; a resume keeps them', async () => {
    const flags = ['--layers', '1', '--units', '64', '--epochs', '1', '--no-sample', '--workers', '1']; // ~21k parameters for ~2k characters
    const fitted = out('fitted');
    const r = await lstm(['train', wordsFile, '--out', fitted, ...flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /training characters is a small text for [\d,]+ parameters: using --dropout 0\.5, --batch-size 32, --lr 0\.003 against overfitting/,
    );
    expect((await latestManifest(fitted)).hyperparameters).toMatchObject({ dropout: 0.5, batchSize: 32, lr: 0.003 });
    const chosen = out('fitted-chosen');
    const c = await lstm(['train', wordsFile, '--out', chosen, ...flags, '--dropout', '0.1']);
    expect(c.stderr).toContain('using --batch-size 32, --lr 0.003 against overfitting');
    expect((await latestManifest(chosen)).hyperparameters).toMatchObject({ dropout: 0.1, batchSize: 32, lr: 0.003 });
    const resumed = await lstm(['train', '--resume', fitted, '--epochs', '2', '--workers', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('small text');
    expect((await latestManifest(fitted)).hyperparameters).toMatchObject({
      dropout: 0.5,
      batchSize: 32,
      lr: 0.003,
      epochs: 2,
    });
  });
});

describe('stop conditions', () => {
  it('--max-time ends the run when the time is up, with no epoch cap of its own', async () => {
    const timed = out('timed');
    const started = performance.now();
    const r = await lstm(
      ['train', wordsFile, '--out', timed, ...tinyFlags, '--max-time', '2s', '--patience', '1000', '--json'],
      { timeoutMs: 60_000 },
    );
    const seconds = (performance.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    const done = events.find((e) => e.event === 'done')!;
    expect(done.reason).toBe('time');
    const epochs = events.filter((e) => e.event === 'epoch').length;
    expect(epochs).toBeGreaterThan(0);
    expect(seconds).toBeGreaterThanOrEqual(2); // it trained for the whole limit ...
    expect(seconds).toBeLessThan(30); // ... and stopped (an epoch here takes well under a second)
    const m = await latestManifest(timed);
    expect(m.hyperparameters.epochs).toBeGreaterThan(1000); // no cap but time and early stopping
    expect(r.stderr).toContain('time limit reached');

    // With --epochs as well, whichever comes first: here the epochs.
    const both = out('timed-and-counted');
    const counted = await lstm([
      'train',
      wordsFile,
      '--out',
      both,
      ...tinyFlags,
      '--max-time',
      '10m',
      '--epochs',
      '2',
      '--json',
    ]);
    expect(jsonLines(counted.stdout).find((e) => e.event === 'done')!.reason).toBe('epochs');
    expect((await latestManifest(both)).hyperparameters.epochs).toBe(2);
  });

  it('halves the learning rate after --lr-plateau epochs without a better validation loss, and stops by itself after --patience, saying why', async () => {
    // The held-out tail is text the memorised head does not predict: validation soon stops improving.
    const drifting = await textFile(dir, 'drift.txt', 'abcdefgh'.repeat(110) + 'qzxwvjkyupmr'.repeat(10));
    const bundle = out('plateau');
    const r = await lstm([
      'train',
      drifting,
      '--out',
      bundle,
      ...tinyFlags,
      '--lr-plateau',
      '2',
      '--patience',
      '5',
      '--val-fraction',
      '0.1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const epochs = jsonLines(r.stdout).filter((e) => e.event === 'epoch') as unknown as {
      epoch: number;
      lr: number;
      best: boolean;
      lrHalvedTo?: number;
    }[];
    const done = jsonLines(r.stdout).find((e) => e.event === 'done')!;
    expect(done.reason).toBe('patience');
    let sinceBest = 0;
    let halvings = 0;
    for (const [i, e] of epochs.entries()) {
      sinceBest = e.best ? 0 : sinceBest + 1;
      const halve = sinceBest > 0 && sinceBest % 2 === 0;
      if (halve) halvings++;
      if (i + 1 < epochs.length) {
        expect(epochs[i + 1].lr, `epoch ${e.epoch + 1}`).toBeCloseTo(e.lr * (halve ? 0.5 : 1), 12);
        expect(e.lrHalvedTo).toBe(halve ? epochs[i + 1].lr : undefined);
      }
    }
    expect(halvings).toBeGreaterThanOrEqual(2); // the rule was exercised, not just vacuously true
    expect(sinceBest).toBe(5);
    expect((await latestManifest(bundle)).progress.lrHalvings).toBe(halvings);
    expect(r.stderr).toContain('no better validation loss for 5 epochs');
  });
});

describe('inside an epoch', () => {
  const evalFlags = [
    '--layers',
    '1',
    '--units',
    '8',
    '--seq-length',
    '8',
    '--batch-size',
    '4',
    '--dropout',
    '0.1',
    '--val-fraction',
    '0.1',
    '--no-sample',
    '--workers',
    '1',
  ];

  it('a run stopped by --max-time in its first epoch is usable: validated, best, generate and info work, and it resumes', async () => {
    const bundle = out('first-epoch');
    const r = await lstm(['train', wordsFile, '--out', bundle, ...evalFlags, '--max-time', '0.001s', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    const evaluation = events.find((e) => e.event === 'evaluation')!;
    expect(evaluation).toMatchObject({ epoch: 1, batch: 1, best: true });
    expect(typeof evaluation.valLoss).toBe('number');
    expect(events.find((e) => e.event === 'done')).toMatchObject({
      reason: 'time',
      epochs: 0,
      bestEpoch: 1,
      bestBatch: 1,
    });
    const gen = await lstm(['generate', '-m', bundle, '-n', '20', '--random-seed', '1']);
    expect(gen.code, gen.stderr).toBe(0);
    expect([...gen.stdout]).toHaveLength(20);
    const info = await lstm(['info', '-m', bundle]);
    expect(info.stdout).toContain('at epoch 1, batch 1');
    expect(info.stdout).toContain('0 epochs and 1 batches');
    const resumed = await lstm(['-q', 'train', wordsFile, '--resume', bundle, '--epochs', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await latestManifest(bundle)).progress).toMatchObject({ epoch: 1, batch: 0 });
  });

  it('--eval-every n validates and checkpoints every n batches, moves best inside the epoch, and leaves the weights as without it', async () => {
    const scheduled = out('eval-every');
    const plain = out('eval-at-epoch-end');
    const [a, b] = await Promise.all([
      lstm(['train', shortFile, '--out', scheduled, ...evalFlags, '--epochs', '2', '--eval-every', '5', '--json']),
      lstm(['train', shortFile, '--out', plain, ...evalFlags, '--epochs', '2', '--json']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const evaluations = jsonLines(a.stdout).filter((e) => e.event === 'evaluation');
    const batches = (jsonLines(a.stdout).find((e) => e.event === 'start') as unknown as { batchesPerEpoch: number })
      .batchesPerEpoch;
    expect(evaluations.map((e) => [e.epoch, e.batch])).toEqual(
      [1, 2].flatMap((epoch) => Array.from({ length: Math.floor((batches - 1) / 5) }, (_, i) => [epoch, 5 * (i + 1)])),
    );
    expect(evaluations[0].best).toBe(true); // the first validation of a run is its best so far: best moved inside the epoch
    expect(jsonLines(b.stdout).filter((e) => e.event === 'evaluation')).toEqual([]);
    // Validation never changes training: the same weights either way.
    expect((await bin(scheduled, 'weights.bin')).equals(await bin(plain, 'weights.bin'))).toBe(true);
    // Old mid-epoch checkpoints are pruned unless a pointer names them.
    const names = (await readdir(scheduled)).filter((n) => n.startsWith('epoch-'));
    const pinned = await Promise.all(['best', 'latest'].map((p) => readlink(path.join(scheduled, p))));
    for (const n of names.filter((n) => n.includes('-batch-'))) expect(pinned).toContain(n);
  });

  it('--eval-every takes a number of batches or a duration, and refuses anything else (exit 2)', async () => {
    const r = await lstm(['train', wordsFile, '--out', out('bad-eval'), '--eval-every', 'often']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--eval-every must be a number of batches (e.g. 500) or a duration (90s, 10m, 1h), got 'often'",
    );
  });

  it('validates on a fixed sample when the held-out part is large, and scores all of it once at the end', async () => {
    // 1,400 validation windows of 2 characters: more than the 1,024 sampled.
    const big = await textFile(dir, 'big.txt', words.repeat(12).slice(0, 28_000));
    const bundle = out('sampled');
    const r = await lstm(
      [
        'train',
        big,
        '--out',
        bundle,
        '--layers',
        '1',
        '--units',
        '4',
        '--seq-length',
        '2',
        '--batch-size',
        '256',
        '--val-fraction',
        '0.1',
        '--no-sample',
        '--workers',
        '1',
        '--epochs',
        '1',
        '--dropout',
        '0',
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const done = jsonLines(r.stdout).find((e) => e.event === 'done') as unknown as {
      valLossFull: number;
      bestValLoss: number;
    };
    expect(done.valLossFull).toBeGreaterThan(0);
    expect(done.valLossFull).not.toBe(done.bestValLoss); // a sample and the whole differ
    const m = await latestManifest(bundle);
    expect(m.history[0].valLossFull).toBe(done.valLossFull);
    expect(Math.abs(m.history[0].valLoss! - done.valLossFull)).toBeLessThan(0.1); // the sample represents the whole
  });

  it('a best pointer to a missing checkpoint is reported as exactly that', async () => {
    const bundle = out('dangling');
    await trainTiny(wordsFile, bundle, ['--epochs', '2', '--keep', '5']);
    await rm(path.join(bundle, await readlink(path.join(bundle, 'best'))), { recursive: true });
    const r = await lstm(['generate', '-m', bundle, '-n', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*dangling: 'best' points to epoch-000\d, which is missing/);
    expect(r.stderr).toMatch(/hint: checkpoints there: epoch-000\d/);
    expect(r.stderr).not.toMatch(/checkpoints there: .*best/);
  });
});

describe('failing early', () => {
  it('refuses an --out it cannot write before training, with exit 1 and no stack trace', async () => {
    const file = await textFile(dir, 'a-file', 'x');
    const r = await lstm(['train', wordsFile, '--out', path.join(file, 'model'), '--epochs', '1', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: cannot write checkpoints to .*a-file\/model: a part of the path is a file/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/epoch 1/);
  });
});

describe("failing early on this machine's file systems", () => {
  it.skipIf(!canMount).each([
    { what: 'a directory to be made', sub: ['new', 'model'] },
    { what: 'the directory itself', sub: [] },
  ])(`an --out on a read-only file system, $what: says so, exit 1, not "a bug"${mountSkip}`, async ({ sub }) => {
    const ro = out(`read-only-${sub.length}`);
    await mkdir(ro);
    mountReadOnly(ro);
    try {
      const target = path.join(ro, ...sub);
      const r = await lstm(['train', wordsFile, '--out', target, ...tinyFlags, '--epochs', '1']);
      expectOneLineError(r, 1);
      expect(r.stderr).toMatch(new RegExp(`^error: cannot write checkpoints to ${target}: read-only file system`));
      expect(r.stderr).toContain('hint: choose a location on a writable file system');
      expect(r.stderr).not.toContain('bug');
    } finally {
      unmount(ro);
    }
  });

  // The first checkpoint fits, the second only half: the save fails mid-way on a full disk.
  it.skipIf(!canMount)(
    `a full disk: the failed save removes what it half-wrote, and the earlier checkpoint loads${mountSkip}`,
    async () => {
      const sized = out('disk-sizing');
      await trainTiny(wordsFile, sized, ['--epochs', '1']);
      let checkpointBytes = 0;
      for (const name of await readdir(path.join(sized, 'epoch-0001'))) {
        checkpointBytes += Math.ceil((await lstat(path.join(sized, 'epoch-0001', name))).size / 4096) * 4096;
      }
      const mnt = out('small-disk');
      await mkdir(mnt);
      mountTmpfs(mnt, 1.5 * checkpointBytes + 2 * 4096); // one checkpoint and a half, and the lock
      try {
        const bundle = path.join(mnt, 'model');
        const r = await lstm(['train', wordsFile, '--out', bundle, ...tinyFlags, '--epochs', '5']);
        expectOneLineError(r, 1);
        expect(r.stderr).toContain(`error: cannot write checkpoints to ${bundle}: no space left on the device`);
        expect(await readdir(bundle)).toEqual(['best', 'epoch-0001', 'latest']); // no .tmp-*, no .lock
        expect((await latestManifest(bundle)).progress.epoch).toBe(1);
      } finally {
        unmount(mnt);
      }
    },
  );
});

describe('the bundle lock', () => {
  const endless = (bundle: string, ...more: string[]) => spawnEndlessTraining(wordsFile, bundle, more);
  const lockOf = async (bundle: string) =>
    JSON.parse(await readFile(path.join(bundle, '.lock'), 'utf8')) as {
      pid: number;
      hostname: string;
      startedAt: string;
      command: string;
    };
  const hasLock = (bundle: string) =>
    lstat(path.join(bundle, '.lock')).then(
      () => true,
      () => false,
    );
  const inUseBy = (bundle: string, pid: number) =>
    `error: ${bundle} is in use by another lstm run: pid ${pid} on ${hostname()}, since `;

  it('two runs into the same --out started together: one trains, the other is refused naming it, and the bundle holds one run', async () => {
    const bundle = out('contended');
    const runs = [1, 2].map((seed) => ({
      seed,
      p: spawnLstm(
        ['-q', 'train', wordsFile, '--out', bundle, ...tinyFlags, '--epochs', '8', '--random-seed', String(seed)],
        dir,
      ),
    }));
    const codes = await Promise.all(runs.map(({ p }) => p.exited.then((e) => e.code)));
    expect(codes.slice().sort()).toEqual([0, 1]);
    const winner = runs[codes.indexOf(0)];
    const loser = runs[codes.indexOf(1)];
    expect(loser.p.stderr()).toMatch(
      new RegExp(
        `^${inUseBy(bundle, winner.p.child.pid!)}.*\\(lstm -q train .* --random-seed ${winner.seed}\\)\\nhint: wait for it to finish or stop it \\(kill ${winner.p.child.pid}\\), or use another directory\\n$`,
      ),
    );
    const names = await readdir(bundle);
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]); // no lock or temporary files left
    for (const name of names) {
      const m = (await readCheckpoint(path.join(bundle, name), checkpointSpecs)).manifest;
      expect(m.hyperparameters.randomSeed, name).toBe(winner.seed);
    }
    expect((await latestManifest(bundle)).progress.epoch).toBe(8);
  });

  it('records its holder, refuses --resume while it trains, and is released when the run stops on SIGINT', async () => {
    const bundle = out('held');
    const p = endless(bundle);
    try {
      await firstCheckpoint(p);
      const holder = await lockOf(bundle);
      expect(holder).toMatchObject({ pid: p.child.pid, hostname: hostname() });
      expect(holder.command).toContain(`lstm train ${wordsFile} --out ${bundle} `);
      expect(Date.now() - Date.parse(holder.startedAt)).toBeLessThan(60_000);
      const before = await readlink(path.join(bundle, 'latest'));
      const r = await lstm(['train', wordsFile, '--resume', bundle, '--epochs', '1']);
      expectOneLineError(r, 1);
      expect(r.stderr.startsWith(inUseBy(bundle, p.child.pid!))).toBe(true);
      expect(r.stderr).toContain(`hint: wait for it to finish or stop it (kill ${p.child.pid})`);
      p.child.kill('SIGINT');
      expect((await p.exited).code, p.stderr()).toBe(130);
      expect(await readlink(path.join(bundle, 'latest'))).not.toBe(before); // the holder went on training
    } finally {
      p.child.kill('SIGKILL');
    }
    expect(await hasLock(bundle)).toBe(false);
    expect(await readdir(bundle)).not.toContainEqual(expect.stringMatching(/^\./));
  });

  it('is released by a second Ctrl-C, which quits at once', async () => {
    const bundle = out('quit-at-once');
    // A bigger network, so the save after the first Ctrl-C is still ahead when the second comes.
    const p = endless(bundle, '--units', '128', '--batch-size', '64');
    try {
      await firstCheckpoint(p);
      expect((await lockOf(bundle)).pid).toBe(p.child.pid);
      p.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 10));
      p.child.kill('SIGINT');
      expect((await p.exited).code).toBe(130);
    } finally {
      p.child.kill('SIGKILL');
    }
    expect(p.stderr()).toContain('SIGINT again: quitting now');
    expect(await hasLock(bundle)).toBe(false);
  });

  it.each([
    { what: 'a run killed with kill -9', mode: 'killed' },
    { what: 'a dead process, in an otherwise empty --out', mode: 'planted' },
  ])('a lock left by $what is taken over, with a note naming it', async ({ mode }) => {
    const bundle = out(`stale-${mode}`);
    let pid: number;
    if (mode === 'killed') {
      const p = endless(bundle);
      await firstCheckpoint(p);
      p.child.kill('SIGKILL');
      await p.exited;
      pid = p.child.pid!;
      expect((await lockOf(bundle)).pid).toBe(pid); // kill -9 leaves it
    } else {
      pid = await deadPid();
      await mkdir(bundle);
      await writeFile(
        path.join(bundle, '.lock'),
        JSON.stringify({
          pid,
          hostname: hostname(),
          startedAt: '2025-01-02T03:04:05Z',
          command: 'lstm train old.txt',
          token: 'beef',
        }),
      );
    }
    const args =
      mode === 'killed'
        ? ['--resume', bundle, '--epochs', String((await latestManifest(bundle)).progress.epoch + 1)]
        : ['--out', bundle, ...tinyFlags, '--epochs', '1'];
    const r = await lstm(['-q', 'train', wordsFile, ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `^warning: took over the lock of ${bundle} left by pid ${pid} on ${hostname()}, since .*, which no longer runs$`,
        'm',
      ),
    );
    expect(await hasLock(bundle)).toBe(false);
    expect((await readdir(bundle)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it.each([
    { what: 'removed', says: (bundle: string) => `${bundle}/.lock was removed` },
    { what: 'taken over', says: () => 'it was taken over by pid ' },
  ])('a run whose lock is $what stops before its next save, without writing, and says why', async ({ what, says }) => {
    const bundle = out(`lost-${what.replace(' ', '-')}`);
    const other = idleProcess();
    const p = endless(bundle);
    try {
      await firstCheckpoint(p);
      await rm(path.join(bundle, '.lock'));
      if (what === 'taken over') {
        await writeFile(
          path.join(bundle, '.lock'),
          JSON.stringify({
            pid: other.pid,
            hostname: hostname(),
            startedAt: new Date().toISOString(),
            command: 'lstm train other.txt',
            token: 'cafe',
          }),
        );
      }
      expect((await p.exited).code).toBe(1);
    } finally {
      p.child.kill('SIGKILL');
      other.stop();
    }
    expect(p.stderr()).toContain(`error: lost the lock of ${bundle}: ${says(bundle)}`);
    expect(p.stderr()).toMatch(/; stopped without saving\nhint: another process may be writing to /);
    // Nothing written after it noticed: latest is the last checkpoint it reported, and nothing newer exists.
    const saved = jsonLines(p.stdout())
      .filter((e) => e.event === 'checkpoint')
      .map((e) => path.basename(e.path as string));
    expect(await readlink(path.join(bundle, 'latest'))).toBe(saved.at(-1));
    const names = await readdir(bundle);
    expect(names.filter((n) => n.startsWith('epoch-')).every((n) => saved.includes(n))).toBe(true);
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    // Another's lock stays where it is.
    expect(await hasLock(bundle)).toBe(what === 'taken over');
  });
});

const hasTensorflow = await initBackend('tensorflow', 'train').then(
  () => true,
  () => false,
);

describe.skipIf(!hasTensorflow)(
  `on both engines${hasTensorflow ? '' : " (skipped: tfjs-node is not built here; 'npm run native' builds it)"}`,
  () => {
    it("trains the same model on tensorflow as on wasm: every epoch's losses agree to 1e-4, with dropout and 2 threads", async () => {
      const flags = ['--epochs', '3', '--layers', '2', '--units', '12', '--dropout', '0.2', '--workers', '2', '--json'];
      const [tfRun, wasmRun] = await Promise.all([
        lstm([
          '--backend',
          'tensorflow',
          '-q',
          'train',
          wordsFile,
          '--out',
          out('on-tensorflow'),
          ...tinyFlags,
          ...flags,
        ]),
        lstm(['--backend', 'wasm', '-q', 'train', wordsFile, '--out', out('on-wasm'), ...tinyFlags, ...flags]),
      ]);
      expect(tfRun.code, tfRun.stderr).toBe(0);
      expect(wasmRun.code, wasmRun.stderr).toBe(0);
      expect(tfRun.stderr).toBe(wasmRun.stderr); // the same warnings, and nothing from TensorFlow's own logging
      const epochs = (r: RunResult) =>
        jsonLines(r.stdout).filter((e) => e.event === 'epoch') as unknown as { trainLoss: number; valLoss: number }[];
      const [a, b] = [epochs(tfRun), epochs(wasmRun)];
      expect(a).toHaveLength(3);
      a.forEach((e, i) => {
        expect(Math.abs(e.trainLoss - b[i].trainLoss), `epoch ${i + 1} train`).toBeLessThan(1e-4);
        expect(Math.abs(e.valLoss - b[i].valLoss), `epoch ${i + 1} validation`).toBeLessThan(1e-4);
      });
      expect((await latestManifest(out('on-tensorflow'))).backend).toBe('tensorflow');
    });
  },
);

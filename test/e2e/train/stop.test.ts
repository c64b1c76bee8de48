/**
 * How `lstm train` stops, end to end: on SIGINT after the current batch (and resumes
 * exactly), on --max-time, by itself after --patience (halving the learning rate on a
 * plateau), and inside an epoch with a usable, validated checkpoint.
 */
import { readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { copyBundle, useBundles } from '../../helpers/bundles.js';
import { lstm } from '../../helpers/cli.js';
import { jsonLines, spawnLstm, textFile, tinyFlags, waitUntil, words } from '../../helpers/tiny.js';
import { bin, expectOneLineError, latestManifest, trainTexts } from '../../helpers/train.js';

const shared = useBundles('words');
const { out, texts } = trainTexts('train-stop');

describe('lstm train', () => {
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
      '16',
      '--dropout',
      '0.1',
      '--val-fraction',
      '0.05',
      '--no-sample',
      '--workers',
      '1',
    ];
    const p = spawnLstm(
      ['train', texts.words, '--out', bundle, ...flags, '--epochs', '10000', '--patience', '10000', '--json'],
      texts.dir,
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
    // Said as a stop the user asked for, not an error: where, what was saved, how to go on.
    const saved = jsonLines(p.stdout())
      .filter((e) => e.event === 'checkpoint')
      .at(-1)!.path as string;
    expect(p.stderr()).toMatch(
      new RegExp(
        `\\nstopped by SIGINT at (epoch \\d+, batch \\d+|the end of epoch \\d+); saved ${saved}; best .* at epoch \\d+`,
      ),
    );
    expect(p.stderr()).toContain(`\ncontinue with: lstm train --resume ${bundle}\n`);
    expect(p.stderr()).not.toContain('error');
    expect(p.stderr()).not.toContain('    at ');
    const events = jsonLines(p.stdout());
    expect(events.at(-1)).toMatchObject({ event: 'done', reason: 'interrupted', signal: 'SIGINT', saved });

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
      texts.words,
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
    const ref = await lstm(['-q', 'train', texts.words, '--out', reference, ...flags, '--epochs', total]);
    expect(ref.code, ref.stderr).toBe(0);
    expect((await bin(bundle, 'weights.bin')).equals(await bin(reference, 'weights.bin'))).toBe(true);
  });

  it('stops on SIGTERM the same way, exiting 143 (128 + 15) as a program a signal stopped', async () => {
    const bundle = out('sigterm');
    const p = spawnLstm(
      ['train', texts.words, '--out', bundle, ...tinyFlags, '--epochs', '10000', '--patience', '10000'],
      texts.dir,
    );
    try {
      await waitUntil(() => p.stderr().includes('\nepoch 1 '), 30_000, 'the first epoch');
      p.child.kill('SIGTERM');
      expect((await p.exited).code, p.stderr()).toBe(143);
    } finally {
      p.child.kill('SIGKILL');
    }
    expect(p.stderr()).toMatch(/\nstopped by SIGTERM at .*; saved .*epoch-\d{4}.*; best /);
    expect(p.stderr()).toContain(`\ncontinue with: lstm train --resume ${bundle}\n`);
    expect(p.stderr()).not.toContain('error');
  });
});

describe('stop conditions', () => {
  it('halves the learning rate after --lr-plateau epochs without a better validation loss, and stops by itself after --patience, saying why', async () => {
    // The held-out tail is text the memorised head does not predict: validation soon stops improving.
    const drifting = await textFile(texts.dir, 'drift.txt', 'abcdefgh'.repeat(110) + 'qzxwvjkyupmr'.repeat(10));
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
      // Any gain counts (the rule with a minimum gain: test/unit/train/schedule.test.ts).
      '--min-gain',
      '0',
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
    '8',
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
    const r = await lstm(['train', texts.words, '--out', bundle, ...evalFlags, '--max-time', '0.001s', '--json']);
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
    expect(info.stdout).toContain('0 epochs and 1 batch,');
    // Named as it is reported (epoch 1, batch 1), listed as --checkpoint takes it.
    expect((await readdir(bundle)).filter((n) => n.startsWith('epoch-'))).toEqual(['epoch-0001-batch-00001']);
    expect(info.stdout).toContain('\ncheckpoints: 1:1 (latest, best); --checkpoint takes any of them\n');
    const chosen = await lstm(['info', '-m', bundle, '--checkpoint', '1:1', '--json']);
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      path: path.join(bundle, 'epoch-0001-batch-00001'),
      checkpoints: [{ checkpoint: '1:1', dir: 'epoch-0001-batch-00001', pointers: ['latest', 'best'] }],
    });
    const end = await lstm(['generate', '-m', bundle, '--checkpoint', '1', '-n', '5']);
    expectOneLineError(end, 1);
    expect(end.stderr).toContain("has no checkpoint '1' (no epoch-0001/lstm.json)");
    expect(end.stderr).toContain('hint: checkpoints there: 1:1 (latest, best); --checkpoint takes any of them');

    // The same bundle as an older lstm named it (by the epochs done): it lists, loads and resumes alike.
    const legacy = await copyBundle(bundle, out('first-epoch-legacy'));
    await rename(path.join(legacy, 'epoch-0001-batch-00001'), path.join(legacy, 'epoch-0000-batch-00001'));
    for (const pointer of ['best', 'latest']) {
      await rm(path.join(legacy, pointer));
      await symlink('epoch-0000-batch-00001', path.join(legacy, pointer));
    }
    expect((await lstm(['info', '-m', legacy])).stdout).toContain('\ncheckpoints: 1:1 (latest, best);');
    const old = await lstm(['info', '-m', legacy, '--checkpoint', '1:1', '--json']);
    expect(JSON.parse(old.stdout).path).toBe(path.join(legacy, 'epoch-0000-batch-00001'));

    const [resumed, resumedLegacy] = await Promise.all(
      [bundle, legacy].map((b) => lstm(['-q', 'train', texts.words, '--resume', b, '--epochs', '1', '--workers', '1'])),
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumedLegacy.code, resumedLegacy.stderr).toBe(0);
    expect((await latestManifest(bundle)).progress).toMatchObject({ epoch: 1, batch: 0 });
    expect((await bin(legacy, 'weights.bin')).equals(await bin(bundle, 'weights.bin'))).toBe(true);
  });

  it('--eval-every n validates and checkpoints every n batches, moves best inside the epoch, and leaves the weights as without it', async () => {
    const scheduled = out('eval-every');
    const plain = out('eval-at-epoch-end');
    const [a, b] = await Promise.all([
      lstm(['train', texts.short, '--out', scheduled, ...evalFlags, '--epochs', '2', '--eval-every', '5', '--json']),
      lstm(['train', texts.short, '--out', plain, ...evalFlags, '--epochs', '2', '--json']),
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

  it('validates on a fixed sample when the held-out part is large, and scores all of it once at the end', async () => {
    // 1,400 validation windows of 2 characters: more than the 1,024 sampled.
    const big = await textFile(texts.dir, 'big.txt', words.repeat(12).slice(0, 28_000));
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
    const bundle = await copyBundle(shared.words.model, out('dangling'));
    await rm(path.join(bundle, await readlink(path.join(bundle, 'best'))), { recursive: true });
    const r = await lstm(['generate', '-m', bundle, '-n', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*dangling: 'best' points to epoch-000\d, which is missing/);
    expect(r.stderr).toMatch(/hint: checkpoints there: \d[^;]*; --checkpoint takes any of them/);
    expect(r.stderr).not.toMatch(/checkpoints there: .*best/);
  });
});

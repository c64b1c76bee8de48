/**
 * `lstm train --resume` end to end: resuming equals not stopping, remembers the run's
 * settings and the text it read, and refuses early (leaving the bundle untouched) what does
 * not fit it: another vocabulary, a moved or changed text, an --out that holds a model.
 */
import { cp, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { copyBundle, copyWithText, useBundles } from '../../helpers/bundles.js';
import { lstm } from '../../helpers/cli.js';
import { ABC_EPOCHS, abc, snapshot, textFile, tinyFlags, trainTiny, words } from '../../helpers/tiny.js';
import { bin, expectOneLineError, latestManifest } from '../../helpers/train.js';
import { trainTexts } from '../../helpers/train.js';

const shared = useBundles('abc', 'words');
const { out, texts } = trainTexts('train-resume');

describe('lstm train --resume', () => {
  // Each regulariser resumes exactly in-process (test/unit/train/resume.test.ts); here, all at once.
  it.each([
    {
      with: 'dropout, variational dropout, DropConnect and a weight average',
      regularisers: ['--variational-dropout', '--weight-drop', '0.3', '--ema', '0.9'],
      recorded: { variationalDropout: true, weightDrop: 0.3, ema: 0.9 },
    },
  ])('resumes exactly: 2 epochs then --resume to 4 equals 4 epochs in one go (with $with)', async (c) => {
    const flags = ['--layers', '2', '--units', '8', '--seq-length', '8', '--batch-size', '8', '--dropout', '0.3'];
    const [whole, halves] = [`whole-${c.regularisers.join('')}`, `halves-${c.regularisers.join('')}`];
    await Promise.all([
      trainTiny(texts.short, out(whole), [...flags, ...c.regularisers, '--epochs', '4']),
      trainTiny(texts.short, out(halves), [...flags, ...c.regularisers, '--epochs', '2']),
    ]);
    const r = await lstm([
      '-q',
      'train',
      texts.short,
      '--resume',
      out(halves),
      '--epochs',
      '4',
      '--workers',
      '1',
      '--no-sample',
    ]);
    expect(r.code, r.stderr).toBe(0);

    expect((await bin(out(halves), 'weights.bin')).equals(await bin(out(whole), 'weights.bin'))).toBe(true);
    expect((await bin(out(halves), 'optimizer.bin')).equals(await bin(out(whole), 'optimizer.bin'))).toBe(true);
    const [one, two] = await Promise.all(
      [whole, halves].map(
        async (n) => (await readCheckpoint(await resolveCheckpoint(out(n), 'latest'), checkpointSpecs)).manifest,
      ),
    );
    const losses = (m: typeof one) => m.history.map((e) => [e.epoch, e.trainLoss, e.valLoss]);
    expect(losses(two)).toEqual(losses(one));
    expect(two.progress.step).toBe(one.progress.step);
    expect(two.progress.epoch).toBe(4);
    expect(two.hyperparameters).toMatchObject(c.recorded); // the resume kept them
  });

  it('refuses to --resume on a text with characters outside the bundle vocabulary (exit 1), leaving it untouched', async () => {
    const bundle = await copyBundle(shared.abc.model, out('vocab'));
    const before = await snapshot(bundle);
    const other = await textFile(texts.dir, 'abcxyz.txt', abc + 'xyz'.repeat(20));
    const r = await lstm(['train', other, '--resume', bundle, '--epochs', '1000', '--workers', '1']);
    expectOneLineError(r, 1);
    expect(r.stderr).toContain("has 3 characters the bundle's vocabulary lacks: 'x' 'y' 'z'");
    expect(r.stdout).toBe('');
    expect(await snapshot(bundle)).toEqual(before);
  });

  it('refuses an --epochs total the bundle has already reached (exit 2), leaving it untouched', async () => {
    const bundle = await copyBundle(shared.abc.model, out('reached'));
    const before = await snapshot(bundle);
    const r = await lstm(['train', '--resume', bundle, '--epochs', '1', '--workers', '1']);
    expectOneLineError(r, 2);
    expect(r.stderr).toMatch(
      /^error: --epochs 1 is the total, and .* has trained \d+ epochs already: nothing is left to train\n/,
    );
    expect(r.stderr).toMatch(/hint: give a larger total, e\.g\. --epochs \d+/);
    expect(await snapshot(bundle)).toEqual(before);
  });

  it('refuses to train into an --out that already holds a model without --resume (exit 2), leaving it untouched', async () => {
    const bundle = await copyBundle(shared.words.model, out('taken'));
    const before = await snapshot(bundle);
    const r = await lstm(['train', texts.words, '--out', bundle, ...tinyFlags, '--epochs', '1']);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain(`${bundle} already holds a model`);
    expect(r.stderr).toContain(`--resume ${bundle}`);
    expect(await snapshot(bundle)).toEqual(before);
  });
});

describe('resume', () => {
  it("keeps the run's --epochs and --min-gain when they are not given again", async () => {
    const bundle = out('stopped');
    // --max-time stops after the first batch, mid-epoch, with a checkpoint.
    await trainTiny(texts.words, bundle, ['--epochs', '3', '--min-gain', '0.01', '--max-time', '0.001s']);
    const first = await latestManifest(bundle);
    expect(first.progress.epoch).toBe(0);
    expect(first.progress.batch).toBeGreaterThan(0);
    const r = await lstm(['-q', 'train', texts.words, '--resume', bundle, '--workers', '1']);
    expect(r.code).toBe(0);
    const m = await latestManifest(bundle);
    expect(m.history).toHaveLength(3); // not the default 20
    expect(m.hyperparameters.epochs).toBe(3);
    expect(m.hyperparameters.minGain).toBe(0.01); // a stop condition, kept like --epochs
  });

  it('warns when the text differs from the one trained on, and continues', async () => {
    // The abc model (1x16, 30 epochs; its epochs are the quickest) on its own letters in another order.
    const bundle = await copyBundle(shared.abc.model, out('other-text'));
    const other = await textFile(texts.dir, 'shuffled.txt', 'hgfedcba'.repeat(100));
    const r = await lstm([
      'train',
      other,
      '--resume',
      bundle,
      '--epochs',
      String(ABC_EPOCHS + 1),
      '--no-sample',
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*shuffled\.txt is not the text .* was trained on/);
    expect((await latestManifest(bundle)).progress.epoch).toBe(ABC_EPOCHS + 1);
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
    const first = await lstm(['-q', 'train', 'short.txt', '--out', 'recorded', ...tinyFlags, ...flags], {
      cwd: texts.dir,
    });
    expect(first.code, first.stderr).toBe(0);
    expect((await latestManifest(out('recorded'))).corpus).toMatchObject({ name: 'short.txt', path: texts.short });
    await cp(out('recorded'), out('recorded-given'), { recursive: true, verbatimSymlinks: true });

    const [without, given] = await Promise.all([
      lstm(['train', '--resume', out('recorded'), '--epochs', '2', '--workers', '1', '--no-sample']),
      lstm([
        '-q',
        'train',
        texts.short,
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
    expect(without.stderr).toContain(`reading ${texts.short}, the text ${out('recorded')} was trained on`);
    expect((await bin(out('recorded'), 'weights.bin')).equals(await bin(out('recorded-given'), 'weights.bin'))).toBe(
      true,
    );
    expect((await latestManifest(out('recorded'))).progress.epoch).toBe(2);
  });

  it('without a corpus, refuses when the recorded file moved or changed (exit 1, one line, how to pass it), leaving the bundle untouched', async () => {
    // A copy of the shared words bundle whose record names a copy of words.txt, which this test moves and changes.
    const { model: bundle, text } = await copyWithText(shared.words, out('will-change'));
    const before = await snapshot(bundle);

    await rename(text, `${text}.moved`);
    const moved = await lstm(['train', '--resume', bundle, '--epochs', '3']);
    expectOneLineError(moved, 1);
    expect(moved.stderr).toContain(`error: ${bundle} was trained on ${text}, which is no longer there`);
    expect(moved.stderr).toContain(`hint: pass the corpus explicitly: lstm train <corpus> --resume ${bundle}`);

    await writeFile(text, words.replace('fox', 'cat'));
    const changed = await lstm(['train', '--resume', bundle, '--epochs', '3']);
    expectOneLineError(changed, 1);
    expect(changed.stderr).toContain(`error: ${text} has changed since ${bundle} was trained on it (sha256 `);
    expect(changed.stderr).toContain(
      `hint: to train on it as it is now, pass the corpus explicitly: lstm train ${text} --resume ${bundle}`,
    );
    expect(await snapshot(bundle)).toEqual(before);

    // Passed explicitly, the changed text trains on (with the warning a different text gets).
    const explicit = await lstm(['train', text, '--resume', bundle, '--epochs', '3', '--workers', '1', '--no-sample']);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toMatch(/warning: .*will-change\/words\.txt is not the text .* was trained on/);
  });

  it('without a corpus, refuses a bundle that does not record its path (saved by an older lstm): exit 2, naming the corpus to pass', async () => {
    const bundle = await copyBundle(shared.words.model, out('no-path'));
    const manifest = path.join(bundle, 'latest', 'lstm.json');
    const doc = JSON.parse(await readFile(manifest, 'utf8'));
    delete doc.corpus.path;
    await writeFile(manifest, JSON.stringify(doc));
    const r = await lstm(['train', '--resume', bundle, '--epochs', '3']);
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
    const bundle = await copyBundle(shared.abc.model, out('spelled'));
    const next = String(ABC_EPOCHS + 1);
    const r = await lstm([
      '-q',
      'train',
      shared.abc.text,
      '--resume',
      bundle,
      '--out',
      `${bundle}/`,
      '--epochs',
      next,
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await latestManifest(bundle)).progress.epoch).toBe(ABC_EPOCHS + 1);
  });
});

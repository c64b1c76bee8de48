/**
 * `lstm train` end to end: it learns, it reports as JSON, it is reproducible, it fits its
 * defaults to a small text and says so, it aborts a diverging run loudly, and it trains the
 * same model on both engines.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { useBundles } from '../../helpers/bundles.js';
import { defaults } from '../../../src/config.js';
import { lstm, ok, type RunResult } from '../../helpers/cli.js';
import { ABC_EPOCHS, jsonLines, textFile, tinyFlags, trainTiny } from '../../helpers/tiny.js';
import { bin, expectOneLineError, latestManifest } from '../../helpers/train.js';
import { trainTexts } from '../../helpers/train.js';

const { abc } = useBundles('abc');
const { out, texts } = trainTexts('train-learn');

describe('lstm train', () => {
  it('learns a repetitive text: train loss below 0.1 nats within 30 epochs', async () => {
    // The shared abc bundle is that run: tinyFlags, 30 epochs, --json (its stdout kept).
    const bundle = abc.model;
    const epochs = jsonLines(await readFile(abc.events, 'utf8')).filter((e) => e.event === 'epoch') as unknown as {
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
      trainTiny(texts.short, out('seed-a'), [...flags, '--random-seed', '7']),
      trainTiny(texts.short, out('seed-b'), [...flags, '--random-seed', '7']),
    ]);
    await trainTiny(texts.short, out('seed-c'), [...flags, '--random-seed', '8']);
    const [a, b, c] = await Promise.all(['seed-a', 'seed-b', 'seed-c'].map((n) => bin(out(n), 'weights.bin')));
    expect(a.equals(b)).toBe(true);
    expect((await bin(out('seed-a'), 'optimizer.bin')).equals(await bin(out('seed-b'), 'optimizer.bin'))).toBe(true);
    expect(a.length).toBe(c.length);
    expect(a.equals(c)).toBe(false);
  });

  it('--json prints only JSON events on stdout: start, then epoch and checkpoint per epoch, then done', async () => {
    // The shared abc run again: 30 epochs, each checkpoint kept (--keep 30), so each event's path can be read back.
    const bundle = abc.model;
    const events = jsonLines(await readFile(abc.events, 'utf8')); // throws on any line that is not JSON
    expect(events.map((e) => e.event)).toEqual([
      'start',
      ...Array.from({ length: ABC_EPOCHS }, () => ['epoch', 'checkpoint']).flat(),
      'done',
    ]);
    const [start] = events;
    expect(start).toMatchObject({ resumed: false, workers: 1, vocabSize: 8, epoch: 0, batch: 0, out: bundle });
    expect(start.params).toBe(4 * 16 * (8 + 1 + 16) + 16 * 8 + 8);
    expect(events.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual(
      Array.from({ length: ABC_EPOCHS }, (_, i) => i + 1),
    );
    for (const e of events.filter((e) => e.event === 'checkpoint')) {
      const { progress } = (await readCheckpoint(e.path as string, checkpointSpecs)).manifest;
      expect(progress.epoch).toBe(e.epoch);
      expect(progress.elapsedSeconds).toBe(e.elapsedSeconds); // the run's time when it was saved
    }
    expect(events.at(-1)).toMatchObject({ event: 'done', reason: 'epochs', epochs: ABC_EPOCHS, out: bundle });
  });

  // Deterministic: with this seed, 64 units, lr 1 and no clipping the loss leaves 3x
  // its start within the first few batches (checked for seeds 1-8 on this text).
  it('aborts a diverging run (--lr 1 --clip 0) with a non-zero exit and a hint about --lr', async () => {
    const r = await lstm([
      'train',
      texts.words,
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

describe('defaults fitted to the text', () => {
  it('from a bundled base that reads the small text well: gentle steps instead, said with the figure', async () => {
    // The base's own writing is a text in its style: it reads it at well under 3.3 bits a character.
    const play = ok(await lstm(['generate', '-m', 'bundled/shakespeare', 'KING.', '-n', '4000', '--random-seed', '3']));
    const text = await textFile(texts.dir, 'play.txt', `KING.${play}`);
    const bundle = out('familiar');
    const r = await lstm(['train', text, '--out', bundle, '--epochs', '1', '--no-sample', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^starting from bundled\/shakespeare /);
    const bits = Number(/predicts the held-out ones it knows at ([\d.]+) bits each/.exec(lines[0])![1]);
    expect(bits).toBeLessThan(defaults.smallText.familiar.maxBaseBits);
    expect(lines[1]).toContain(
      `and bundled/shakespeare already reads it well (${bits.toFixed(2)} bits a character, under 3.3): using --dropout 0.2, --batch-size 32, --lr 0.0005 for gentle steps from its weights`,
    );
    expect((await latestManifest(bundle)).hyperparameters).toMatchObject({ dropout: 0.2, batchSize: 32, lr: 0.0005 });
  });

  it('a text small for its network takes dropout 0.5, batch 32 and lr 0.003, and says so; a resume keeps them', async () => {
    const flags = ['--layers', '1', '--units', '64', '--epochs', '1', '--no-sample', '--workers', '1']; // ~21k parameters for ~2k characters
    const fitted = out('fitted');
    const r = await lstm(['train', texts.words, '--out', fitted, ...flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /training characters is a small text for [\d,]+ parameters: using --dropout 0\.5, --batch-size 32, --lr 0\.003 against overfitting/,
    );
    // One word on overfitting: the note says what is done against it, no warning that it will overfit beside it.
    expect(r.stderr).not.toContain('overfit;');
    expect(r.stderr.match(/overfit/g)).toHaveLength(1);
    expect((await latestManifest(fitted)).hyperparameters).toMatchObject({ dropout: 0.5, batchSize: 32, lr: 0.003 });
    // Without --from it says where it starts (train/transfer.ts; the rule: test/unit/train/transfer.test.ts);
    // with --from none it trains from scratch without a word on it.
    expect(r.stderr).toContain('training from scratch: no bundled base is a 1x64 network\n');
    expect((await latestManifest(fitted)).lineage).toBeUndefined();
    // With the recipe given whole, nothing is fitted: then the warning is the one word.
    const chosen = await lstm([
      'train',
      texts.words,
      '--out',
      out('chosen'),
      ...flags,
      ...['--dropout', '0.1', '--batch-size', '16', '--lr', '0.002'],
      ...['--from', 'none'],
    ]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).not.toContain('from scratch');
    expect(chosen.stderr).not.toContain('small text');
    expect(chosen.stderr).toMatch(
      /warning: the model has [\d,]+ parameters for [\d,]+ training characters: it will overfit; .*\(or use a longer text, fewer --units or more --dropout\)\n/,
    );
    // A flag given is kept and the note names only the others: fitToText's rows in test/unit/train/settings.test.ts.
    const resumed = await lstm(['train', '--resume', fitted, '--epochs', '2', '--workers', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('small text');
    expect(resumed.stderr).not.toContain('overfit'); // said when it started; a resume changes neither network nor recipe
    expect((await latestManifest(fitted)).hyperparameters).toMatchObject({
      dropout: 0.5,
      batchSize: 32,
      lr: 0.003,
      epochs: 2,
    });
  });
});

const hasTensorflow = await initBackend('tensorflow', 'batches').then(
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
          texts.words,
          '--out',
          out('on-tensorflow'),
          ...tinyFlags,
          ...flags,
        ]),
        lstm(['--backend', 'wasm', '-q', 'train', texts.words, '--out', out('on-wasm'), ...tinyFlags, ...flags]),
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

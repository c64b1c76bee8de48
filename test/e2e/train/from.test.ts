/**
 * `lstm train --from MODEL`: fine-tuning end to end, real processes in a temp dir. A tiny
 * base learns text A; the fine-tune on text B (new characters, and without one of A's)
 * gets the union vocabulary, starts from the base's weights bit for bit, records its
 * lineage (shown by info, kept by --resume and export, chained), never touches the base,
 * refuses what does not fit it, and starts lower than training from scratch.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs, fromLayersWeights, netConfig, type Params } from '../../../src/params.js';
import type { Manifest } from '../../../src/store/manifest.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { tempDir, trainedSnapshot, useBundles } from '../../helpers/bundles.js';
import { expectCleanError, lstm, ok } from '../../helpers/cli.js';
import { jsonLines, sentence as textA, snapshot, tinyFlags, trainTiny } from '../../helpers/tiny.js';

/** Text A is what the base learns (a.txt); text B (b.txt) has A's words and more: '!', 'T', 'd', 'g', 'l' are new, and '.' is missing. */
const ADDED = ['!', 'T', 'd', 'g', 'l'];
const UNION = ['␠', '!', '.', 'T', 'a', 'c', 'd', 'e', 'g', 'h', 'l', 'm', 'n', 'o', 's', 't'].map((c) =>
  c === '␠' ? ' ' : c,
);

/** The shared base (tinyFlags in batches of 16, 15 epochs of a.txt) and its fine-tune on b.txt (3 epochs, no network or recipe flags). */
const shared = useBundles('base', 'tuned');
const base = shared.base.model;
const tuned = shared.tuned.model;
const fileA = shared.base.text;
const fileB = shared.tuned.text;
const out = tempDir('from');
let dir: string;
beforeAll(() => {
  dir = out();
});

/** A checkpoint of a model (its best, or `which`), with its parameters in the training form, by character. */
async function model(dirOrBundle: string, which?: string): Promise<{ manifest: Manifest; params: Params }> {
  const ckpt = await readCheckpoint(await resolveCheckpoint(dirOrBundle, which), checkpointSpecs);
  return { manifest: ckpt.manifest, params: fromLayersWeights(netConfig(ckpt.manifest.network), ckpt.weights) };
}

/** Character ch's layer-0 input row, output column and output bias. */
function rowsOf(
  m: { manifest: Manifest; params: Params },
  ch: string,
): { input: number[]; column: number[]; bias: number } {
  const { units: U, vocabSize: V } = m.manifest.network;
  const j = m.manifest.vocab.indexOf(ch);
  expect(j, `${ch} in the vocabulary`).toBeGreaterThanOrEqual(0);
  const G = 4 * U;
  return {
    input: Array.from(m.params.get('lstm0/W')!.subarray(j * G, (j + 1) * G)),
    column: Array.from({ length: U }, (_, u) => m.params.get('dense/W')![u * V + j]),
    bias: m.params.get('dense/b')![j],
  };
}

/** A string as a regular expression matching exactly it. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The per-epoch training losses of a `--json` run. */
const trainLosses = (stdout: string) =>
  jsonLines(stdout)
    .filter((e) => e.event === 'epoch')
    .map((e) => e.trainLoss as number);

describe('lstm train --from', () => {
  it('makes the vocabulary the union in code-point order and records the lineage: the base, its corpus and best figure, added and kept characters', async () => {
    const [b, t] = await Promise.all([model(base), model(tuned, 'latest')]);
    expect(t.manifest.vocab).toEqual(UNION);
    expect(t.manifest.lineage).toEqual({
      base: {
        model: base,
        epoch: b.manifest.progress.epoch,
        batch: 0,
        weightsSha256: b.manifest.files['weights.bin'].sha256,
        corpus: { name: 'a.txt', sha256: b.manifest.corpus.sha256, characters: textA.length },
        network: b.manifest.network,
        bestValLoss: b.manifest.progress.bestValLoss,
        bestEpoch: b.manifest.progress.bestEpoch,
      },
      added: ADDED,
      unseen: ['.'],
    });
    // A new run: its own corpus, epochs and history; the base's network and recipe.
    expect(t.manifest.corpus.name).toBe('b.txt');
    expect(t.manifest.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(t.manifest.network).toEqual({ ...b.manifest.network, vocabSize: UNION.length });
    const { seqLength, batchSize, lr, dropout, valFraction, randomSeed } = t.manifest.hyperparameters;
    expect({ seqLength, batchSize, lr, dropout, valFraction, randomSeed }).toEqual({
      seqLength: 16,
      batchSize: 16,
      lr: 0.01,
      dropout: 0,
      valFraction: 0.05,
      randomSeed: 42,
    });
  });

  it("starts from the base's weights: every known character's input row, output column and bias bit for bit, a new one's bias the base's lowest", async () => {
    // A learning rate of 1e-30 moves no float32 weight above ~1e-21 in size (an Adam step is
    // at most a few lr): the saved checkpoint is the fine-tune's start.
    const still = out('still');
    const r = await lstm([
      '-q',
      'train',
      fileB,
      '--from',
      base,
      '--out',
      still,
      '--epochs',
      '1',
      '--lr',
      '1e-30',
      '--workers',
      '1',
      '--no-sample',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // Its network is the base's: the word on overfitting does not offer fewer --units.
    expect(r.stderr).toMatch(/it will overfit; .*\(or use a longer text or more --dropout\)\n/);
    const [b, s] = await Promise.all([model(base), model(still, 'latest')]);
    for (const a of b.params.values()) expect(Math.min(...Array.from(a, Math.abs))).toBeGreaterThan(1e-20);
    for (const ch of b.manifest.vocab) expect(rowsOf(s, ch), ch).toEqual(rowsOf(b, ch));
    const U = b.manifest.network.units;
    const G = 4 * U;
    const restOf = (m: typeof b) => Array.from(m.params.get('lstm0/W')!.subarray(m.manifest.network.vocabSize * G));
    expect(restOf(s), 'layer 0 bias and recurrent rows').toEqual(restOf(b));
    const lowest = Math.min(...b.params.get('dense/b')!);
    for (const ch of ADDED) expect(rowsOf(s, ch).bias, ch).toBe(lowest);
  });

  it('keeps the input row of a character the new text lacks exactly through training (it never gets a gradient)', async () => {
    const [b, t] = await Promise.all([model(base), model(tuned, 'latest')]);
    expect(rowsOf(t, '.').input).toEqual(rowsOf(b, '.').input);
    expect(rowsOf(t, 'a').input).not.toEqual(rowsOf(b, 'a').input);
  });

  it('lstm info shows the lineage in sentences, as text and in --json', async () => {
    const text = ok(await lstm(['info', '-m', tuned, '--checkpoint', 'latest']));
    expect(text).toMatch(
      new RegExp(
        `^lineage: {5}Fine-tuned from ${literal(base)}, a 1x16 LSTM trained for \\d+ epochs on a\\.txt \\(1,440 characters, sha256 [0-9a-f]{12}…\\); best validation \\d\\.\\d{3} bits per character at epoch \\d+\\.$`,
        'm',
      ),
    );
    expect(text).toContain("\n             Its text added 5 characters the base did not know: '!' 'T' 'd' 'g' 'l'.\n");
    expect(text).toContain(
      "\n             1 character of the base is not in its text and kept as the base had it: '.'.\n",
    );
    const doc = JSON.parse(ok(await lstm(['info', '-m', tuned, '--json'])));
    expect(doc.lineage.added).toEqual(ADDED);
    expect(doc.lineage.base.model).toBe(base);
    expect(doc.lineageSentences).toHaveLength(3);
    expect(doc.lineageSentences[1]).toBe("Its text added 5 characters the base did not know: '!' 'T' 'd' 'g' 'l'.");
    // A model trained from scratch has none.
    const plain = JSON.parse(ok(await lstm(['info', '-m', base, '--json'])));
    expect([plain.lineage, plain.lineageSentences]).toEqual([null, []]);
  });

  it("generates from a seed with a character only the base's text had", async () => {
    const r = await lstm(['generate', '-m', tuned, '--seed', 'the mat.', '--length', '40', '--random-seed', '3']);
    expect([...ok(r)]).toHaveLength(40);
  });
});

// The other refusals of a fine-tune (--units, --lowercase, --out equal to the base, --resume with
// --from) are rules of train/settings.ts, tested in-process as rows of test/unit/train/settings.test.ts.
describe('refusals', () => {
  it.each<[string, () => string[], number, () => string]>([
    [
      '--layers that differ from the base',
      () => ['--layers', '2', '--out', out('r-layers')],
      2,
      () => `error: --layers must be 1 to fine-tune ${base} (its network is 1x16), got 2`,
    ],
    [
      '--out equal to the base, named by its best checkpoint',
      () => ['--out', base, '--from', path.join(base, 'best')],
      2,
      () => `error: --out ${base} is inside the base model ${base}`,
    ],
    [
      'a base that is not there',
      () => ['--out', out('r-missing'), '--from', out('nothing')],
      1,
      () => `error: no model at ${out('nothing')}`,
    ],
  ])('%s: one line, nothing written', async (_name, args, code, message) => {
    const before = [await snapshot(dir), await snapshot(base)];
    const r = await lstm(['train', fileB, '--from', base, ...args(), '--epochs', '1', '--workers', '1']);
    expectCleanError(expect, r, code);
    expect(r.stderr.split('\n')[0]).toContain(message());
    expect([await snapshot(dir), await snapshot(base)]).toEqual(before);
  });
});

describe('a fine-tuned run', () => {
  it('resumes from its own checkpoint, not the base: 2 epochs then --resume to 3 equal the 3 of the shared fine-tune in one go, and the lineage stays', async () => {
    const flags = ['--workers', '1', '--no-sample'];
    const first = await lstm(['-q', 'train', fileB, '--from', base, '--out', out('halves'), '--epochs', '2', ...flags]);
    expect(first.code, first.stderr).toBe(0);
    const r = await lstm(['-q', 'train', '--resume', out('halves'), '--epochs', '3', ...flags]);
    expect(r.code, r.stderr).toBe(0);
    const [whole, halves] = await Promise.all([
      readCheckpoint(path.join(tuned, 'latest'), checkpointSpecs),
      readCheckpoint(path.join(out('halves'), 'latest'), checkpointSpecs),
    ]);
    expect(halves.manifest.progress.epoch).toBe(3);
    expect(halves.manifest.files['weights.bin'].sha256).toBe(whole.manifest.files['weights.bin'].sha256);
    expect(halves.manifest.lineage).toEqual(whole.manifest.lineage);
    expect(halves.manifest.lineage?.base.model).toBe(base);
  });

  it('starts at a lower loss than training from scratch on the same text with the same settings (first epoch)', async () => {
    // The shared fine-tune took the base's recipe, tinyFlags' in batches of 16: the same settings as this run from scratch.
    const scratch = await lstm([
      'train',
      fileB,
      '--out',
      out('cmp-scratch'),
      ...tinyFlags,
      '--batch-size',
      '16',
      '--epochs',
      '1',
      '--json',
    ]);
    const [scratchLoss] = trainLosses(ok(scratch));
    const t = await model(tuned, 'latest');
    expect(t.manifest.hyperparameters).toMatchObject({
      lr: 0.01,
      batchSize: 16,
      seqLength: 16,
      dropout: 0,
      valFraction: 0.05,
    });
    expect(t.manifest.history[0].trainLoss).toBeLessThan(scratchLoss * 0.75);
  });

  it('chains: a fine-tune of an exported fine-tune records both bases, and info tells them in order', async () => {
    const exported = out('exported');
    ok(await lstm(['export', '-m', tuned, '--out', exported]));
    const again = out('again');
    await trainTiny(fileA, again, ['--from', exported, '--epochs', '1']);
    const m = (await model(again, 'latest')).manifest;
    expect(m.lineage?.base.model).toBe(exported);
    expect(m.lineage?.base.corpus.name).toBe('b.txt');
    expect(m.lineage?.base.lineage?.base.model).toBe(base);
    expect(m.lineage?.added).toEqual([]);
    expect(m.lineage?.unseen).toEqual(['!', 'T', 'd', 'g', 'l']);
    expect(m.vocab).toEqual(UNION);
    const text = ok(await lstm(['info', '-m', again]));
    expect(text).toContain(`${exported} was itself fine-tuned from ${base}, a 1x16 LSTM trained for `);
  });
});

describe('the base', () => {
  // Last in this file: after every fine-tune of it here, and the shared one.
  it('is left untouched by every fine-tune of it', async () => {
    expect(await snapshot(base)).toEqual(await trainedSnapshot(shared.base));
  });
});

/**
 * `lstm train` on worker threads with the LSTM state carried across batches (--stateful),
 * end to end: a run stopped inside an epoch saves the carried state and resumes bit for bit;
 * and the stateful recipe is a model of its own, recorded as such. That a step split across
 * threads adds up to one thread's is tested in-process: test/unit/train/step.test.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint } from '../../../src/store/read.js';
import { tempDir, useBundles, WORDS_FLAGS } from '../../helpers/bundles.js';
import { lstm } from '../../helpers/cli.js';
import { maxAbsDiff } from '../../helpers/net.js';
import { jsonLines, tinyFlags } from '../../helpers/tiny.js';

/** `words` and `stateful`: the same run but for --stateful, which trained on 2 worker threads. */
const shared = useBundles('words', 'stateful');
const out = tempDir('workers');

/** The float32 weights of a bundle's latest checkpoint. */
const savedWeights = async (bundle: string) =>
  new Float32Array((await readFile(path.join(bundle, 'latest', 'weights.bin'))).buffer.slice(0));
const manifestOf = async (bundle: string) =>
  (await readCheckpoint(path.join(bundle, 'latest'), checkpointSpecs)).manifest;

describe('stateful training: the LSTM state carried across batches', () => {
  it('a run stopped inside an epoch saves the carried state and resumes bit for bit (2 threads)', async () => {
    const { text } = shared.stateful;
    const cut = out('st-cut');
    const flags = [...tinyFlags, ...WORDS_FLAGS, '--stateful', '--workers', '2'];
    const first = await lstm(['train', text, '--out', cut, ...flags, '--max-time', '0.001s', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(jsonLines(first.stdout).find((e) => e.event === 'done')).toMatchObject({
      reason: 'time',
      epochs: 0,
      batch: 1,
    });
    const saved = await readCheckpoint(path.join(cut, 'latest'), checkpointSpecs, { optimizer: true });
    expect(saved.manifest.hyperparameters).toMatchObject({ stateful: true, workers: 2 });
    expect(saved.manifest.progress.streams).toBe(8); // one stream per row of the batch
    const h = saved.optimizer!.get('state/lstm0/h')!;
    expect(h.length).toBe(8 * 8); // [streams, units]
    expect(h.some((x) => x !== 0)).toBe(true);
    const r = await lstm(['-q', 'train', text, '--resume', cut, '--epochs', '2', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    // The shared stateful bundle is the same run, uninterrupted.
    expect(Buffer.from((await savedWeights(cut)).buffer)).toEqual(
      Buffer.from((await savedWeights(shared.stateful.model)).buffer),
    );
    // The epoch's end saves no state: the next epoch's streams start from zeros.
    expect((await manifestOf(cut)).progress.streams).toBeUndefined();
  });

  it('without --stateful (the default) it trains on independent windows: another model, recorded as such, judged read as streams too', async () => {
    const [plain, stateful] = [await manifestOf(shared.words.model), await manifestOf(shared.stateful.model)];
    expect(plain.hyperparameters).toMatchObject({ stateful: false, workers: 1 });
    expect(stateful.hyperparameters).toMatchObject({ stateful: true, workers: 2 });
    expect(plain.history[0].valLossCold).toBeGreaterThan(0); // judged read as streams, cold windows beside
    // Far more apart than two threads' rounding (under 1e-4: test/unit/train/step.test.ts).
    const [a, c] = [await savedWeights(shared.words.model), await savedWeights(shared.stateful.model)];
    expect(a.length).toBe(c.length);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-2);
  });
});

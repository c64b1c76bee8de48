/**
 * Crash safety of a save, in real processes: a save killed with SIGKILL at each of its
 * stages (test/helpers/save-and-die.mjs) leaves `latest` and `best` whole, verified
 * checkpoints, and training continues from latest. The in-process cases (leftovers, a save
 * that fails): test/unit/store/write.test.ts.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { saveCheckpoint } from '../../../src/store/write.js';
import { copyBundle } from '../../helpers/bundles.js';
import { lstm, repoRoot, run } from '../../helpers/cli.js';
import { bytesOf, dataOf, trainedBundle } from '../../helpers/store.js';

const fixture = trainedBundle('crash');

describe('crash safety', () => {
  // A save killed by SIGKILL inside itself, at each of its stages (test/helpers/save-and-die.mjs
  // saves the bundle's latest as the next epoch with best: true). Whatever the stage,
  // `latest` and `best` are whole, verified checkpoints: the old one until the pointer moves.
  it.each([
    { stage: 'written', latest: 2, best: 2, resumed: true }, // the new checkpoint complete in a temporary directory
    { stage: 'published', latest: 2, best: 2, resumed: true }, // renamed into place, no pointer moved yet
    { stage: 'latest', latest: 3, best: 2, resumed: false },
    { stage: 'best', latest: 3, best: 3, resumed: false }, // old checkpoints not yet pruned
    { stage: 'pruned', latest: 3, best: 3, resumed: false },
  ])(
    'killed when the save is $stage: latest is epoch $latest, best epoch $best, and resuming cleans up',
    async ({ stage, latest, best, resumed }) => {
      const b = path.join(fixture.dir, `killed-${stage}`);
      await copyBundle(fixture.bundle, b);
      const killed = await run(process.execPath, [
        path.join(repoRoot, 'test', 'helpers', 'save-and-die.mjs'),
        b,
        stage,
      ]);
      expect(killed.stdout + killed.stderr).toBe(''); // died inside the save, before reporting
      expect(killed.code).toBeNull();
      const read = async (which: string) =>
        readCheckpoint(await resolveCheckpoint(b, which), checkpointSpecs, { optimizer: true });
      const [l, bst] = [await read('latest'), await read('best')];
      expect([l.manifest.progress.epoch, bst.manifest.progress.epoch]).toEqual([latest, best]);
      expect(bytesOf(l.weights).equals(bytesOf(fixture.trained.weights))).toBe(true);
      expect(l.optimizer).toBeDefined();
      const leftovers = (await readdir(b)).filter((n) => n.startsWith('.tmp-'));
      expect(leftovers.length > 0).toBe(stage === 'written');

      // Training continues from latest, and its first save clears whatever the kill left behind.
      // A real `lstm train --resume` where the kill left something unusual (leftovers, or the
      // new checkpoint in place with no pointer to it, which the resumed run writes again); for
      // the later stages the resumed run's first save, which is saveCheckpoint of the next epoch.
      if (resumed) {
        const r = await lstm([
          '-q',
          'train',
          fixture.corpus,
          '--resume',
          b,
          '--epochs',
          String(latest + 1),
          '--workers',
          '1',
          '--no-sample',
        ]);
        expect(r.code, r.stderr).toBe(0);
      } else await saveCheckpoint(b, dataOf(l, latest + 1), { best: false, keep: 3 });
      expect((await readdir(b)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      expect((await read('latest')).manifest.progress.epoch).toBe(latest + 1);
    },
  );
});

/**
 * `lstm train` refuses early what would lose a model: an --out it cannot write (a file in
 * the way, a read-only file system) before training, and a full disk without leaving a
 * half-written checkpoint.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useBundles, WORDS_FLAGS } from '../../helpers/bundles.js';
import { lstm } from '../../helpers/cli.js';
import { canMount, mountReadOnly, mountSkip, mountTmpfs, unmount } from '../../helpers/mounts.js';
import { textFile, tinyFlags, words } from '../../helpers/tiny.js';
import { expectOneLineError, latestManifest } from '../../helpers/train.js';

const shared = useBundles('words');
const out = tempDir('train-disk');
let dir: string;
let wordsFile: string;
beforeAll(async () => {
  dir = out();
  wordsFile = await textFile(dir, 'words.txt', words);
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
      // The shared words bundle's first checkpoint is the size of this run's: the same network and recipe.
      const sized = shared.words.model;
      let checkpointBytes = 0;
      for (const name of await readdir(path.join(sized, 'epoch-0001'))) {
        checkpointBytes += Math.ceil((await lstat(path.join(sized, 'epoch-0001', name))).size / 4096) * 4096;
      }
      const mnt = out('small-disk');
      await mkdir(mnt);
      mountTmpfs(mnt, 1.5 * checkpointBytes + 2 * 4096); // one checkpoint and a half, and the lock
      try {
        const bundle = path.join(mnt, 'model');
        const r = await lstm(['train', wordsFile, '--out', bundle, ...tinyFlags, ...WORDS_FLAGS, '--epochs', '5']);
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

/**
 * Writing checkpoints: exact round trips, keeping and pruning, export, and crash safety
 * (leftovers of an interrupted save, but never another live process's; a save that fails,
 * e.g. on a full disk). A save killed with SIGKILL at each of its stages, in a real process:
 * test/e2e/store/crash.test.ts.
 */
import { existsSync } from 'node:fs';
import {
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointSpecs,
  fromLayersWeights,
  layersWeightSpecs,
  netConfig,
  optimizerSpecs,
  paramSpecs,
} from '../../../src/params.js';
import { sha256 } from '../../../src/store/atomic.js';
import type { LstmError } from '../../../src/errors.js';
import { checkpointName, holdsModel } from '../../../src/store/bundle.js';
import { listCheckpoints } from '../../../src/store/checkpoints.js';
import type { Checkpoint } from '../../../src/store/parse.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { exportCheckpoint, saveCheckpoint } from '../../../src/store/write.js';
import { canMount, mountSkip, mountTmpfs, unmount } from '../../helpers/mounts.js';
import { deadPid, idleProcess, snapshot } from '../../helpers/tiny.js';
import { bytesOf, dataOf, trainedBundle } from '../../helpers/store.js';

let dir: string;
let bundle: string;
let trained: Checkpoint;

const fixture = trainedBundle('write');
beforeAll(() => {
  ({ dir, bundle, trained } = fixture);
});

describe('save and load round trip', () => {
  it('lstm train wrote a complete, verified checkpoint with latest and best', async () => {
    expect(path.basename(trained.dir)).toBe('latest');
    expect(await readlink(path.join(bundle, 'latest'))).toBe('epoch-0002');
    expect(trained.manifest.progress.epoch).toBe(2);
    expect(trained.manifest.history).toHaveLength(2);
    expect(Object.keys(trained.manifest.files).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    for (const [name, entry] of Object.entries(trained.manifest.files)) {
      const bytes = await readFile(path.join(trained.dir, name));
      expect(bytes.length, name).toBe(entry.size);
      expect(sha256(bytes), name).toBe(entry.sha256);
    }
    const moments = [...trained.optimizer!.keys()];
    expect(moments.filter((n) => n.startsWith('m/'))).toHaveLength(4);
    expect(moments.filter((n) => n.startsWith('v/'))).toHaveLength(4);
    expect(await holdsModel(bundle)).toBe(true);
  });

  it('saveCheckpoint then readCheckpoint gives bit-identical weights, optimizer state and manifest', async () => {
    const to = path.join(dir, 'roundtrip');
    const data = dataOf(trained, 7);
    const saved = await saveCheckpoint(to, data, { best: true, keep: 3 });
    expect(saved).toBe(path.join(to, 'epoch-0007'));
    expect(await readlink(path.join(to, 'latest'))).toBe('epoch-0007');
    expect(await readlink(path.join(to, 'best'))).toBe('epoch-0007');

    const back = await readCheckpoint(await resolveCheckpoint(to, 'latest'), checkpointSpecs, { optimizer: true });
    // Checkpoints are float32, and say so: a resume continues from exactly these weights.
    expect(back.weightsDtype).toBe('float32');
    expect(back.manifest.files['weights.bin'].dtype).toBe('float32');
    const cfg = netConfig(trained.manifest.network);
    expect([...back.weights.keys()]).toEqual(layersWeightSpecs(cfg).map((s) => s.name));
    expect([...back.optimizer!.keys()]).toEqual(optimizerSpecs(cfg).map((s) => s.name));
    expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    expect(bytesOf(back.optimizer!).equals(bytesOf(trained.optimizer!))).toBe(true);
    expect((await readFile(path.join(saved, 'weights.bin'))).equals(bytesOf(trained.weights))).toBe(true);
    const { files: _f, savedAt: _s, ...rest } = back.manifest;
    expect(rest).toEqual(data.manifest);
    expect(back.modelTopology).toEqual(trained.modelTopology);

    // And through the parameter layout the trainer uses: fromLayersWeights is exact.
    const a = fromLayersWeights(cfg, trained.weights);
    const b = fromLayersWeights(cfg, back.weights);
    for (const s of paramSpecs(cfg))
      expect(bytesOf([b.get(s.name)!]).equals(bytesOf([a.get(s.name)!])), s.name).toBe(true);
  });

  it('keeps the last `keep` epochs plus best, and resolves epoch numbers', async () => {
    const to = path.join(dir, 'pruned');
    await saveCheckpoint(to, dataOf(trained, 1), { best: true, keep: 2 });
    for (const epoch of [2, 3, 4]) await saveCheckpoint(to, dataOf(trained, epoch), { best: false, keep: 2 });
    expect((await readdir(to)).sort()).toEqual(['best', 'epoch-0001', 'epoch-0003', 'epoch-0004', 'latest']);
    expect(await resolveCheckpoint(to)).toBe(path.join(to, 'best'));
    expect(await resolveCheckpoint(to, '3')).toBe(path.join(to, 'epoch-0003'));
    expect((await readCheckpoint(await resolveCheckpoint(to, 'best'), checkpointSpecs)).manifest.progress.epoch).toBe(
      1,
    );
    await expect(resolveCheckpoint(to, '2')).rejects.toThrow(/no checkpoint '2' \(no epoch-0002\/lstm\.json\)/);
  });

  it('names a checkpoint inside an epoch as reports count it (batch 12 of epoch 4: epoch-0004-batch-00012, --checkpoint 4:12), and still finds the names older bundles gave', async () => {
    expect(checkpointName(3, 12)).toBe('epoch-0004-batch-00012'); // 3 epochs done, 12 batches into the 4th
    expect(checkpointName(3, 0)).toBe('epoch-0003');
    const to = path.join(dir, 'positions');
    const at = (epoch: number, batch: number) => {
      const data = dataOf(trained, epoch);
      data.manifest.progress.batch = batch;
      return data;
    };
    await saveCheckpoint(to, at(1, 0), { best: false, keep: 5 });
    expect(await saveCheckpoint(to, at(1, 12), { best: true, keep: 5 })).toBe(path.join(to, 'epoch-0002-batch-00012'));
    // An older lstm named batch 5 of epoch 3 by the 2 epochs done: the name today's batch 5 of epoch 2 would get.
    await saveCheckpoint(to, at(2, 5), { best: false, keep: 5 });
    await rename(path.join(to, 'epoch-0003-batch-00005'), path.join(to, 'epoch-0002-batch-00005'));
    await rm(path.join(to, 'latest'));
    await symlink('epoch-0002-batch-00005', path.join(to, 'latest'));
    const position = async (which: string) =>
      (await readCheckpoint(await resolveCheckpoint(to, which), checkpointSpecs)).manifest.progress;
    expect(await position('2:12')).toMatchObject({ epoch: 1, batch: 12 });
    expect(await position('epoch-0002-batch-00012')).toMatchObject({ epoch: 1, batch: 12 });
    expect(await position('3:5')).toMatchObject({ epoch: 2, batch: 5 }); // by the old name, read from its manifest
    expect(await position('latest')).toMatchObject({ epoch: 2, batch: 5 });
    expect(await position('1')).toMatchObject({ epoch: 1, batch: 0 });
    // 2:5 would be named epoch-0002-batch-00005, but the directory of that name holds 3:5.
    await expect(resolveCheckpoint(to, '2:5')).rejects.toThrow(
      /has no checkpoint '2:5' \(no checkpoint there holds that batch\)/,
    );
    expect(await listCheckpoints(to)).toEqual([
      { name: 'epoch-0001', label: '1', pointers: [] },
      { name: 'epoch-0002-batch-00012', label: '2:12', pointers: ['best'] },
      { name: 'epoch-0002-batch-00005', label: '3:5', pointers: ['latest'] },
    ]);
    const refused = await resolveCheckpoint(to, '2').catch((err: LstmError) => err);
    expect(refused).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/has no checkpoint '2' \(no epoch-0002\/lstm\.json\)$/),
      hint: 'checkpoints there: 1, 2:12 (best), 3:5 (latest); --checkpoint takes any of them',
    });
  });

  it('exportCheckpoint writes a flat model without optimizer state that loads the same weights', async () => {
    const to = path.join(dir, 'exported');
    const { optimizer: _o, ...data } = dataOf(trained);
    await exportCheckpoint(to, { ...data, manifest: { ...data.manifest, optimizer: null } });
    expect((await readdir(to)).sort()).toEqual(['lstm.json', 'model.json', 'weights.bin']);
    expect(await resolveCheckpoint(to)).toBe(to);
    const back = await readCheckpoint(to, checkpointSpecs, { optimizer: true });
    expect(back.optimizer).toBeUndefined();
    expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('exportCheckpoint refuses float16 for a weight beyond its range (it would become Infinity), naming it, and writes nothing', async () => {
    const to = path.join(dir, 'float16-overflow');
    const { optimizer: _o, ...data } = dataOf(trained);
    const arrays = new Map(trained.weights);
    const bias = Float32Array.from(arrays.get('lstm_1/bias')!);
    bias[3] = -70000;
    arrays.set('lstm_1/bias', bias);
    const save = exportCheckpoint(to, {
      ...data,
      manifest: { ...data.manifest, optimizer: null },
      weights: { ...data.weights, arrays, dtype: 'float16' },
    });
    await expect(save).rejects.toThrow("weight lstm_1/bias holds -70000, beyond float16's range (largest 65504)");
    expect(existsSync(to)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    // As float32 it exports.
    await exportCheckpoint(to, {
      ...data,
      manifest: { ...data.manifest, optimizer: null },
      weights: { ...data.weights, arrays },
    });
    expect((await readCheckpoint(to, checkpointSpecs)).weights.get('lstm_1/bias')![3]).toBe(-70000);
  });
});

describe('crash safety', () => {
  it('leftovers of a save killed mid-way do not affect latest, and the next save removes them', async () => {
    const b = path.join(dir, 'crashed');
    await cp(bundle, b, { recursive: true, verbatimSymlinks: true });
    const before = await snapshot(b);
    // What a save killed at various points leaves: a temp checkpoint with partial files, a
    // complete but unpublished one, and a temp symlink never renamed over `latest`.
    const partial = path.join(b, '.tmp-epoch-0003-99999-deadbeef');
    await mkdir(partial);
    await writeFile(
      path.join(partial, 'model.json'),
      (await readFile(path.join(trained.dir, 'model.json'))).subarray(0, 50),
    );
    await writeFile(
      path.join(partial, 'weights.bin'),
      (await readFile(path.join(trained.dir, 'weights.bin'))).subarray(0, 64),
    );
    await cp(await realpath(trained.dir), path.join(b, '.tmp-epoch-0003-99999-cafebabe'), { recursive: true });
    await symlink('epoch-0003', path.join(b, '.tmp-link-latest-99999-0badf00d'));

    for (const which of ['latest', 'best']) {
      const back = await readCheckpoint(await resolveCheckpoint(b, which), checkpointSpecs, { optimizer: true });
      expect(back.manifest.progress.epoch).toBe(2);
      expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    }

    const saved = await saveCheckpoint(b, dataOf(trained, 3), { best: false, keep: 5 });
    const names = await readdir(b);
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await readlink(path.join(b, 'latest'))).toBe('epoch-0003');
    expect((await readCheckpoint(saved, checkpointSpecs)).manifest.progress.epoch).toBe(3);
    // Nothing that was there before changed.
    const after = await snapshot(b);
    for (const [key, hash] of Object.entries(before)) if (key !== 'latest') expect(after[key], key).toBe(hash);
  });

  it("cleanup leaves the temporary files of another live process alone, and removes a dead one's", async () => {
    const b = path.join(dir, 'shared-leftovers');
    await cp(bundle, b, { recursive: true, verbatimSymlinks: true });
    const other = idleProcess(); // a real second process, saving into the same directory
    try {
      const live = `.tmp-epoch-0003-${other.pid}-0123abcd`;
      const dead = `.tmp-epoch-0003-${await deadPid()}-4567cdef`;
      for (const name of [live, dead]) {
        await mkdir(path.join(b, name));
        await writeFile(path.join(b, name, 'weights.bin'), 'half written');
      }
      await saveCheckpoint(b, dataOf(trained, 3), { best: false, keep: 5 });
      expect((await readdir(b)).filter((n) => n.startsWith('.tmp-'))).toEqual([live]);
      expect(await readFile(path.join(b, live, 'weights.bin'), 'utf8')).toBe('half written');
    } finally {
      other.stop();
    }
  });
});

describe('a save that fails', () => {
  /** latest and best of `b` load, with the trained weights, at epoch 2. */
  const expectIntact = async (b: string) => {
    for (const which of ['latest', 'best']) {
      const back = await readCheckpoint(await resolveCheckpoint(b, which), checkpointSpecs, { optimizer: true });
      expect(back.manifest.progress.epoch, which).toBe(2);
      expect(bytesOf(back.weights).equals(bytesOf(trained.weights)), which).toBe(true);
    }
  };

  it('removes what it half-wrote (a failure injected after the files are written); the earlier checkpoint loads', async () => {
    const b = path.join(dir, 'failed-save');
    await cp(bundle, b, { recursive: true, verbatimSymlinks: true });
    const before = await snapshot(b);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    const save = saveCheckpoint(b, dataOf(trained, 3), {
      best: true,
      keep: 1,
      onStage: (s) => {
        if (s === 'written') throw enospc;
      },
    });
    await expect(save).rejects.toThrow(`cannot write checkpoints to ${b}: no space left on the device`);
    expect(await snapshot(b)).toEqual(before); // no .tmp-* left, nothing else touched
    await expectIntact(b);
  });

  // A real full disk: a tmpfs with room for the bundle and half a checkpoint more.
  it.skipIf(!canMount)(
    `removes what it half-wrote on a full tmpfs; the earlier checkpoint loads${mountSkip}`,
    async () => {
      const mnt = path.join(dir, 'small-disk');
      await mkdir(mnt);
      const pageBytes = async (d: string): Promise<number> => {
        let total = 0;
        for (const name of await readdir(d)) {
          const info = await lstat(path.join(d, name));
          if (info.isDirectory()) total += await pageBytes(path.join(d, name));
          else if (info.isFile()) total += Math.ceil(info.size / 4096) * 4096;
        }
        return total;
      };
      mountTmpfs(mnt, (await pageBytes(bundle)) + (await pageBytes(await realpath(trained.dir))) / 2);
      try {
        const b = path.join(mnt, 'bundle');
        await cp(bundle, b, { recursive: true, verbatimSymlinks: true });
        const before = await snapshot(b);
        await expect(saveCheckpoint(b, dataOf(trained, 3), { best: true, keep: 5 })).rejects.toThrow(
          `cannot write checkpoints to ${b}: no space left on the device`,
        );
        expect(await snapshot(b)).toEqual(before);
        await expectIntact(b);
      } finally {
        unmount(mnt);
      }
    },
  );
});

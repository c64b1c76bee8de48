/**
 * `lstm export`: a checkpoint as a standalone model, never over something that is not a
 * model, nor into a bundle another run is writing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../src/layout.js';
import { readCheckpoint } from '../../src/store/read.js';
import { expectCleanError, lstm } from '../helpers/cli.js';
import { canMount, mountReadOnly, mountSkip, unmount } from '../helpers/mounts.js';
import {
  assertBuilt, deadPid, firstCheckpoint, makeTempDir, removeDir, sentence, snapshot, spawnEndlessTraining, textFile, trainTiny,
} from '../helpers/tiny.js';

let dir: string;
let bundle: string;
let sentenceFile: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('export');
  bundle = path.join(dir, 'for-export');
  sentenceFile = await textFile(dir, 'sentence.txt', sentence);
  await trainTiny(sentenceFile, bundle, ['--epochs', '1']);
});
afterAll(() => removeDir(dir));

describe('lstm export', () => {
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
    const files = Object.keys((await readCheckpoint(out, checkpointSpecs)).manifest.files).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(2);
    expect((await lstm(['export', '-m', bundle, '--out', out, '--force', '--note', 'how=test'])).code).toBe(0);
    expect((await readCheckpoint(out, checkpointSpecs)).manifest.notes).toEqual({ how: 'test' });
  });

  it('--checkpoint banana is a usage error (exit 2) and writes nothing', async () => {
    const out = path.join(dir, 'banana-export');
    const r = await lstm(['export', '-m', bundle, '--out', out, '--checkpoint', 'banana']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--checkpoint must be best, latest, an epoch number or epoch-NNNN[-batch-NNNNN], got 'banana'");
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to write into a bundle another run is training, naming it, with or without --force', async () => {
    const training = path.join(dir, 'being-trained');
    const p = spawnEndlessTraining(sentenceFile, training);
    try {
      await firstCheckpoint(p);
      for (const force of [[], ['--force']]) {
        const r = await lstm(['export', '-m', bundle, '--out', training, ...force]);
        expectCleanError(expect, r, 1);
        expect(r.stderr).toContain(`error: ${training} is in use by another lstm run: pid ${p.child.pid} on ${hostname()}, since `);
      }
    } finally {
      p.child.kill('SIGKILL');
    }
    await p.exited;
    expect((await readCheckpoint(path.join(training, 'latest'), checkpointSpecs, { optimizer: true })).optimizer).toBeDefined(); // still the run's own
  });

  it('exports into a directory holding only a lock a dead process left, with a note, and leaves no lock', async () => {
    const out = path.join(dir, 'stale');
    await mkdir(out);
    const pid = await deadPid();
    await writeFile(path.join(out, '.lock'), JSON.stringify({ pid, hostname: hostname(), startedAt: '2025-01-02T03:04:05Z', command: 'lstm export', token: 'abc' }));
    const r = await lstm(['export', '-m', bundle, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: took over the lock of ${out} left by pid ${pid} on ${hostname()}`);
    expect((await readdir(out)).sort()).toEqual(['lstm.json', 'model.json', 'weights.bin']);
  });

  it.skipIf(!canMount)(`says a new --out is on a read-only file system, exit 1, not "a bug"${mountSkip}`, async () => {
    const ro = path.join(dir, 'read-only');
    await mkdir(ro);
    mountReadOnly(ro);
    try {
      const r = await lstm(['export', '-m', bundle, '--out', path.join(ro, 'new')]);
      expectCleanError(expect, r, 1);
      expect(r.stderr).toContain(`error: cannot export to ${path.join(ro, 'new')}: read-only file system (${ro})\nhint: choose a location on a writable file system`);
    } finally {
      unmount(ro);
    }
  });
});

/**
 * `lstm train` owns its bundle, end to end: a lock other runs respect (refused by name), that
 * records its holder, is released when the run stops, is taken over from a dead holder with
 * a note, and whose loss stops the run before it writes again.
 */
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint } from '../../../src/store/read.js';
import { tempDir } from '../../helpers/bundles.js';
import { lstm } from '../../helpers/cli.js';
import {
  deadPid,
  firstCheckpoint,
  idleProcess,
  jsonLines,
  spawnEndlessTraining,
  spawnLstm,
  textFile,
  tinyFlags,
  waitUntil,
  words,
} from '../../helpers/tiny.js';
import { expectOneLineError, latestManifest } from '../../helpers/train.js';

const out = tempDir('train-lock');
let dir: string;
let wordsFile: string;
beforeAll(async () => {
  dir = out();
  wordsFile = await textFile(dir, 'words.txt', words);
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
      // The second comes once the first is taken (signals sent together may arrive as one).
      await waitUntil(() => p.stderr().includes('finishing this batch'), 10_000, 'the first SIGINT taken');
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
        ? ['--resume', bundle, '--epochs', String((await latestManifest(bundle)).progress.epoch + 1), '--workers', '1']
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

/**
 * The bundle lock: one run per bundle. A live holder (a real second process) is refused by
 * name, a dead one's lock is taken over with a note, another host's never; a holder notices
 * a lock removed or taken over, and never removes another's. Processes racing for it:
 * test/e2e/store/lock-race.test.ts.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LstmError } from '../../../src/errors.js';
import { holdsModel, isEmptyOrAbsent } from '../../../src/store/bundle.js';
import { acquireLock, LOCK_FILE, type LockHolder } from '../../../src/store/lock.js';
import { deadPid, idleProcess, makeTempDir, removeDir } from '../../helpers/tiny.js';

let dir: string;
let n = 0;
/** A fresh directory for each case. */
const fresh = async () => {
  const d = path.join(dir, `b${++n}`);
  await mkdir(d);
  return d;
};
/** Writes a lock file as another run would have. */
const plant = (d: string, h: Partial<LockHolder>) =>
  writeFile(
    path.join(d, LOCK_FILE),
    `${JSON.stringify({
      pid: 1,
      hostname: hostname(),
      startedAt: '2025-01-02T03:04:05.678Z',
      command: 'lstm train old.txt --out x',
      token: 'f00d',
      ...h,
    })}\n`,
  );
/** The error with which taking the lock of `d` is refused. */
const refusal = (d: string) =>
  acquireLock(d, 'me').then(
    () => expect.fail('the lock was taken'),
    (e: unknown) => e as LstmError,
  );
const holderOf = async (d: string) => JSON.parse(await readFile(path.join(d, LOCK_FILE), 'utf8')) as LockHolder;

beforeAll(async () => {
  dir = await makeTempDir('lock');
});
afterAll(() => removeDir(dir));

describe('taking the lock', () => {
  it('records pid, host, start time and command, and is released (only by its holder)', async () => {
    const d = await fresh();
    const { lock, note } = await acquireLock(d, 'lstm train a.txt --out b');
    expect(note).toBeUndefined();
    const h = await holderOf(d);
    expect(h).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'lstm train a.txt --out b' });
    expect(Date.now() - Date.parse(h.startedAt)).toBeLessThan(60_000);
    expect(await readdir(d)).toEqual([LOCK_FILE]); // its temporary file is gone
    await lock.check();
    await lock.release();
    expect(await readdir(d)).toEqual([]);
  });

  it('creates the directory it locks', async () => {
    const d = path.join(await fresh(), 'new', 'bundle');
    const { lock } = await acquireLock(d, 'lstm export');
    expect(await readdir(d)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it('refuses a live holder (another real process), naming its pid, host, start and command', async () => {
    const d = await fresh();
    const other = idleProcess();
    try {
      await plant(d, { pid: other.pid });
      const err = await refusal(d);
      expect(err.message).toBe(
        `${d} is in use by another lstm run: pid ${other.pid} on ${hostname()}, since 2025-01-02 03:04:05 UTC (lstm train old.txt --out x)`,
      );
      expect(err.hint).toBe(`wait for it to finish or stop it (kill ${other.pid}), or use another directory`);
      expect(err.exitCode).toBe(1);
      expect((await holderOf(d)).pid).toBe(other.pid); // untouched
    } finally {
      other.stop();
    }
  });

  it('refuses a second lock of this same process (it is alive)', async () => {
    const d = await fresh();
    const { lock } = await acquireLock(d, 'first');
    await expect(acquireLock(d, 'second')).rejects.toThrow(`pid ${process.pid} on ${hostname()}`);
    await lock.release();
  });

  it('takes over a lock whose process no longer runs, with a note naming it', async () => {
    const d = await fresh();
    const dead = await deadPid();
    await plant(d, { pid: dead });
    const { lock, note } = await acquireLock(d, 'me');
    expect(note).toBe(
      `took over the lock of ${d} left by pid ${dead} on ${hostname()}, since 2025-01-02 03:04:05 UTC (lstm train old.txt --out x), which no longer runs`,
    );
    expect((await holderOf(d)).pid).toBe(process.pid);
    expect(await readdir(d)).toEqual([LOCK_FILE]); // the stale lock moved aside is gone too
    await lock.release();
  });

  it('never takes over a lock from another host, and says how to remove it', async () => {
    const d = await fresh();
    await plant(d, { hostname: 'elsewhere.example', pid: await deadPid() });
    await expect(acquireLock(d, 'me')).rejects.toThrow(
      /^.* is locked by lstm on another host: pid \d+ on elsewhere\.example, since /,
    );
    const err = await refusal(d);
    expect(err.hint).toBe(
      `lstm cannot tell whether it still runs there; if it does not, remove ${path.join(d, LOCK_FILE)}`,
    );
    expect((await holderOf(d)).hostname).toBe('elsewhere.example');
  });

  it('refuses a lock file it cannot read, and says how to remove it', async () => {
    const d = await fresh();
    await writeFile(path.join(d, LOCK_FILE), 'not json');
    await expect(acquireLock(d, 'me')).rejects.toThrow(`${path.join(d, LOCK_FILE)} is not a lock file lstm can read`);
  });
});

describe('holding the lock', () => {
  it.each([
    { what: 'removed', change: (f: string) => rm(f), says: /was removed; stopped without saving$/ },
    {
      what: 'taken over',
      change: (f: string) =>
        writeFile(
          f,
          JSON.stringify({
            pid: 4242,
            hostname: 'h',
            startedAt: '2025-01-02T03:04:05Z',
            command: 'lstm train x',
            token: 't',
          }),
        ),
      says: /it was taken over by pid 4242 on h, since 2025-01-02 03:04:05 UTC \(lstm train x\); stopped without saving$/,
    },
  ])(
    'check() throws once the lock is $what, and release() leaves what is there alone',
    async ({ change, says, what }) => {
      const d = await fresh();
      const { lock } = await acquireLock(d, 'me');
      await change(path.join(d, LOCK_FILE));
      await expect(lock.check()).rejects.toThrow(says);
      await expect(lock.check()).rejects.toThrow(`lost the lock of ${d}: `);
      await lock.release();
      expect(await readdir(d)).toEqual(what === 'removed' ? [] : [LOCK_FILE]);
    },
  );

  it('a lock does not make a directory a model, and a directory holding only a lock counts as empty', async () => {
    const d = await fresh();
    await plant(d, { pid: await deadPid() });
    expect(await holdsModel(d)).toBe(false);
    expect(await isEmptyOrAbsent(d)).toBe(true);
    await writeFile(path.join(d, 'notes.txt'), 'x');
    expect(await isEmptyOrAbsent(d)).toBe(false);
  });
});

/**
 * A bundle belongs to one run at a time: `<bundle>/.lock` names the process that writes
 * into it (pid, host, start time, command, and a random token that tells two runs with
 * the same pid apart). A second `train`, `train --resume` or `export` into the bundle is
 * refused while the holder lives; a lock left by a process that died on this host (kill -9,
 * a power cut) is taken over; a lock from another host is never taken over, since lstm
 * cannot see that host's processes.
 *
 * Race-safety. The lock file is always written whole under a temporary name and then
 * hard-linked to `.lock`: link() fails if `.lock` exists, so exactly one of two processes
 * creates it. A stale lock is removed only by the one process that creates the claim file
 * named after it (`.lock-takeover-<hash of the stale lock>-<n>`, exclusively, the same
 * way), and only after reading that the stale lock is still there: nobody else can remove
 * it, and nothing can replace it while it exists, so it is that lock and no other that goes.
 * Then every taker links its own lock again and one wins. A claim whose process died
 * mid-way is passed by the next number. The holder re-reads the file before every save
 * (`check`), so a run whose lock was removed or taken over stops without writing.
 *
 * The names `.lock` and `.lock-*` are neither checkpoints nor pointers nor temporary
 * entries: a lock does not make a directory look like a model (bundle.ts) and cleanup
 * never removes it.
 */
import { randomBytes } from 'node:crypto';
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { copyFile, link, lstat, readFile, rm, rmdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runtimeError, type LstmError } from '../errors.js';
import { fsError } from '../fs-errors.js';
import { makeDir, processAlive, sha256, tempName, writeDurable } from './atomic.js';

export const LOCK_FILE = '.lock';

/** The lock and its takeover claims: what a directory holds for locking, not content. */
export const isLockFile = (name: string) => name === LOCK_FILE || name.startsWith(`${LOCK_FILE}-`);

/** What a lock file records. */
export type LockHolder = { pid: number; hostname: string; startedAt: string; command: string; token: string };

export type Acquired = {
  lock: BundleLock;
  /** Set when a stale lock was taken over: one line saying whose (the CLI shows it). */
  note?: string;
};

/** How often acquiring retries while the lock changes hands or another process takes over a stale one. */
const ATTEMPTS = 100;

/** Tokens of the locks this process holds: a lock with our pid is ours only if listed here. */
const heldHere = new Set<string>();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock of `dir` (created if absent) for a run of `command`. Refuses a live
 * holder, a holder on another host and an unreadable lock file, each naming the holder
 * and what to do. File-system failures say `cannot <doing> <dir>: <why>`.
 */
export async function acquireLock(dir: string, command: string, doing = 'write to'): Promise<Acquired> {
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command,
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(me)}\n`;
  const path = join(dir, LOCK_FILE);
  let tmp: string | undefined;
  try {
    const made = await makeDir(dir);
    tmp = join(dir, tempName('lock'));
    await writeDurable(tmp, text);
    let note: string | undefined;
    let unreadable = 0;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await createExclusive(tmp, path)) {
        heldHere.add(me.token);
        return { lock: new BundleLock(dir, text, me.token, made), note };
      }
      const held = await readLock(path);
      if (held === undefined) continue; // released meanwhile: try again
      const holder = parseHolder(held);
      if (!holder) {
        // Without hard links, a lock is written in place: give its writer a moment.
        if (++unreadable < 5) {
          await pause(50);
          continue;
        }
        throw runtimeError(`${path} is not a lock file lstm can read`, `if no lstm run uses ${dir}, remove ${path}`);
      }
      if (holder.hostname !== me.hostname) {
        throw runtimeError(
          `${dir} is locked by lstm on another host: ${describe(holder)}`,
          `lstm cannot tell whether it still runs there; if it does not, remove ${path}`,
        );
      }
      // Our own pid in a lock this process does not hold: a dead process whose pid came round again.
      const alive = holder.pid === process.pid ? heldHere.has(holder.token) : processAlive(holder.pid);
      if (alive) {
        throw runtimeError(
          `${dir} is in use by another lstm run: ${describe(holder)}`,
          `wait for it to finish or stop it (kill ${holder.pid}), or use another directory`,
        );
      }
      const outcome = await removeStale(dir, held, tmp);
      if (outcome === 'removed')
        note = `took over the lock of ${dir} left by ${describe(holder)}, which no longer runs`;
      if (outcome === 'busy') await pause(10);
    }
    throw runtimeError(
      `cannot lock ${dir}: other processes keep taking and releasing it`,
      'make sure only one lstm writes to it, then retry',
    );
  } catch (err) {
    throw fsError(err, dir, doing) ?? err;
  } finally {
    if (tmp) await rm(tmp, { force: true });
  }
}

/** True when `dir` has a lock file (held, or left by a dead run). */
export async function isLocked(dir: string): Promise<boolean> {
  try {
    await lstat(join(dir, LOCK_FILE));
    return true;
  } catch {
    return false;
  }
}

/** The held lock of a bundle. */
export class BundleLock {
  readonly path: string;
  private released = false;

  constructor(
    readonly dir: string,
    private readonly text: string,
    private readonly token: string,
    /** The directories taking the lock created (outermost first): removed on release while still empty. */
    private readonly made: string[] = [],
  ) {
    this.path = join(dir, LOCK_FILE);
  }

  /**
   * Throws unless the lock file still names this run: called before every save, so a run
   * whose lock was removed or taken over stops without writing.
   */
  async check(): Promise<void> {
    const now = await readLock(this.path);
    if (now !== this.text) throw this.lost(now);
  }

  /** Puts a copy of the lock into `dir`, a directory about to replace the bundle (an export). */
  async copyInto(dir: string): Promise<void> {
    await writeDurable(join(dir, LOCK_FILE), this.text);
  }

  /**
   * Removes the lock file if it is still ours (never another run's), and the directories
   * taking it created if nothing was saved in them: a run that fails before its first
   * checkpoint leaves nothing behind.
   */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.token);
    if ((await readLock(this.path)) === this.text) await rm(this.path, { force: true });
    for (const dir of [...this.made].reverse()) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break; // not empty (or gone): keep it and its parents
    }
  }

  /** The same, synchronously: for `process.on('exit')` (a second Ctrl-C, a closed pipe). */
  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.token);
    try {
      if (readFileSync(this.path, 'utf8') === this.text) unlinkSync(this.path);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  }

  private lost(now: string | undefined): LstmError {
    const holder = now === undefined ? undefined : parseHolder(now);
    const why =
      now === undefined
        ? `${this.path} was removed`
        : holder
          ? `it was taken over by ${describe(holder)}`
          : `${this.path} was replaced`;
    return runtimeError(
      `lost the lock of ${this.dir}: ${why}; stopped without saving`,
      `another process may be writing to ${this.dir}; check it before continuing (lstm train --resume ${this.dir})`,
    );
  }
}

/** `pid 123 on host, since 2025-01-02 10:11:12 UTC (lstm train ...)`. */
function describe(h: LockHolder): string {
  const since = h.startedAt.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  return `pid ${h.pid} on ${h.hostname}, since ${since} (${h.command})`;
}

/**
 * Creates `to` as a copy of the complete file `from`, only if `to` does not exist.
 * Hard links do that atomically; file systems without them get an exclusive copy.
 */
async function createExclusive(from: string, to: string): Promise<boolean> {
  try {
    try {
      await link(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
      await copyFile(from, to, constants.COPYFILE_EXCL);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Removes the stale lock `stale` from `dir` if it is still there, holding its takeover
 * claim (created from `mine`, our complete lock file, so the claim names its process).
 * 'removed': this call removed it; 'gone': it had gone already; 'busy': another live
 * process holds the claim and is taking it over now.
 */
async function removeStale(dir: string, stale: string, mine: string): Promise<'removed' | 'gone' | 'busy'> {
  const path = join(dir, LOCK_FILE);
  const id = sha256(Buffer.from(stale)).slice(0, 16);
  for (let n = 0; n < 10; n++) {
    const claim = join(dir, `${LOCK_FILE}-takeover-${id}-${n}`);
    if (await createExclusive(mine, claim)) {
      try {
        if ((await readLock(path)) !== stale) return 'gone';
        await rm(path);
        return 'removed';
      } finally {
        await rm(claim, { force: true });
      }
    }
    const text = await readLock(claim);
    if (text === undefined) return 'gone'; // its claimer has just finished
    const claimer = parseHolder(text);
    if (!claimer || processAlive(claimer.pid)) return 'busy';
    // Its claimer died mid-way: the next claim.
  }
  return 'busy';
}

/** The lock file's text, or undefined when there is none. */
async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    const ok =
      Number.isSafeInteger(h.pid) &&
      typeof h.hostname === 'string' &&
      typeof h.startedAt === 'string' &&
      typeof h.command === 'string';
    return ok ? (h as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bundle locks a command holds (store/lock.ts), released on every way out: a return,
 * an error, and process.exit (a second Ctrl-C, a closed stdout pipe) through a synchronous
 * 'exit' handler. `kill -9` is the one way out that leaves a lock; the next run takes it over.
 */
import { acquireLock, type BundleLock } from '../store/lock.js';
import { shellCommand } from '../shell.js';
import type { Reporter } from './reporter.js';

export class HeldLocks {
  private readonly held: BundleLock[] = [];
  private readonly atExit = () => {
    for (const lock of this.held) lock.releaseSync();
  };

  constructor(private readonly reporter: Reporter) {}

  /** Takes the lock of `dir` (`doing` words its file-system errors); a stale lock taken over is noted. */
  async take(dir: string, doing: string): Promise<BundleLock> {
    const { lock, note } = await acquireLock(dir, shellCommand(['lstm', ...process.argv.slice(2)]), doing);
    if (note) this.reporter.warn(note);
    if (this.held.length === 0) process.on('exit', this.atExit);
    this.held.push(lock);
    return lock;
  }

  async release(): Promise<void> {
    process.off('exit', this.atExit);
    for (const lock of this.held.splice(0)) await lock.release();
  }
}

/**
 * Small file systems for the disk-full and read-only tests: a tmpfs of a given size, and a
 * read-only bind mount of a directory. Mounting needs root (CAP_SYS_ADMIN); where it is not
 * allowed, `canMount` is false and the tests that need it skip, saying why.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sh = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'ignore' });

/** Whether this process may mount file systems (tried once, on a throwaway tmpfs). */
export const canMount = (() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lstm-mount-probe-'));
  try {
    sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    sh('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(dir);
  }
})();

/** Why a mount test is skipped, for its title. */
export const mountSkip = canMount ? '' : ' (skipped: mounting a tmpfs is not allowed here; it needs root)';

/** Mounts an empty tmpfs of `bytes` (rounded up to pages) on the existing directory `dir`. */
export function mountTmpfs(dir: string, bytes: number): void {
  sh('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / 1024)}k`, 'tmpfs', dir]);
}

/** Makes the existing directory `dir` read-only by bind-mounting it onto itself. */
export function mountReadOnly(dir: string): void {
  sh('mount', ['--bind', dir, dir]);
  sh('mount', ['-o', 'remount,ro,bind', dir]);
}

export function unmount(dir: string): void {
  sh('umount', [dir]);
}

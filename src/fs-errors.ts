/** The operating system's file errors as errors the user can act on (errors.ts). */
import { resolve, sep } from 'node:path';
import { dataError, type LstmError } from './errors.js';

/**
 * Operating-system errors that are conditions of the user's machine, not bugs: why, in
 * plain words, and what to do. ENOENT is here for a missing parent directory or a file
 * removed while lstm ran.
 */
const FS_CONDITIONS: Record<string, [why: string, hint: string]> = {
  EACCES: ['permission denied', 'check its permissions, or choose another location'],
  EPERM: ['operation not permitted', 'check its permissions, or choose another location'],
  EROFS: ['read-only file system', 'choose a location on a writable file system'],
  ENOSPC: ['no space left on the device', 'free some space, or choose another location'],
  EDQUOT: ['disk quota exceeded', 'free some space, or choose another location'],
  ENOTDIR: ['a part of the path is a file', 'check the path'],
  EISDIR: ['it is a directory', 'give the path of a file'],
  EEXIST: ['a file is in the way', 'remove it, or choose another location'],
  EMFILE: ['too many open files', 'close other programs or raise the limit (ulimit -n), then retry'],
  ENFILE: ['too many open files on this system', 'close other programs, then retry'],
  ENOENT: ['no such file or directory', 'check the path'],
  ENOTSUP: [
    'this file system takes no new directories (a system one such as /proc?)',
    'choose a location on an ordinary file system',
  ],
};

/** What a failed system call was doing, for `cannot <doing> <path>`. */
const SYSCALL_DOING: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the directory',
  rmdir: 'remove',
  unlink: 'remove',
  rename: 'rename',
  link: 'create',
  symlink: 'create the link',
  scandir: 'list',
  stat: 'read',
  lstat: 'read',
  access: 'write to',
  copyfile: 'copy',
  fsync: 'write',
  readlink: 'read',
};

/**
 * A file-system error as a data error naming the path (`cannot <doing> <path>: <why>`),
 * or undefined when it is not one of the conditions above. `path` and `doing` default to
 * the error's own path and system call; where the error arose outside `path` (the
 * read-only ancestor of a directory to create), that place is named too.
 */
export function fsError(err: unknown, path?: string, doing?: string): LstmError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const known = e?.code === undefined ? undefined : FS_CONDITIONS[e.code];
  const where = path ?? e?.path;
  if (!known || !where) return undefined;
  // The place that failed, when it is not the path itself or a (temporary) entry inside it.
  const inside = (p: string) => resolve(p) === resolve(where) || resolve(p).startsWith(resolve(where) + sep);
  const at = e?.path && !inside(e.path) ? ` (${e.path})` : '';
  return dataError(`cannot ${doing ?? SYSCALL_DOING[e?.syscall ?? ''] ?? 'use'} ${where}: ${known[0]}${at}`, known[1]);
}

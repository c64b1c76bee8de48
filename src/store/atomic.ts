/**
 * Crash-safe file operations. A checkpoint is written into a temporary directory next
 * to its final place, every file and the directory are fsynced, and one rename makes it
 * visible; pointers (`latest`, `best`) are symlinks replaced by rename. A process killed
 * at any instant, even with kill -9, leaves either the old or the new state, never half.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, open, mkdir, rename, rm, symlink, readdir } from 'node:fs/promises';
import { join, dirname, basename, resolve } from 'node:path';

export const TMP_PREFIX = '.tmp-';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes a file and fsyncs it. */
export async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a directory so that renames and new entries in it are durable. */
export async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

/**
 * Creates `dir` and its parents. Node reports a directory that cannot be made under a
 * read-only or unwritable ancestor as ENOENT; this finds that ancestor and throws the
 * real reason (EROFS, EACCES, ENOTDIR) with the ancestor as the error's path.
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw (await ancestorError(resolve(dir))) ?? err;
  }
}

async function ancestorError(dir: string): Promise<NodeJS.ErrnoException | undefined> {
  for (let at = dirname(dir); ; at = dirname(at)) {
    try {
      if (!(await lstat(at)).isDirectory()) return Object.assign(new Error(`ENOTDIR: ${at}`), { code: 'ENOTDIR', path: at, syscall: 'mkdir' });
      await access(at, constants.W_OK);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return err as NodeJS.ErrnoException;
    }
    if (at === dirname(at)) return undefined;
  }
}

/** A fresh temporary directory inside `parent` (same file system, so rename is atomic). */
export async function tempDir(parent: string, label: string): Promise<string> {
  await makeDir(parent);
  const dir = join(parent, `${TMP_PREFIX}${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir);
  return dir;
}

/** Moves a finished temporary directory to `dest`, which must not exist yet. */
export async function publishDir(tmp: string, dest: string): Promise<void> {
  await syncDir(tmp);
  await rename(tmp, dest);
  await syncDir(dirname(dest));
}

/** Points the symlink `link` at `target` (a sibling name) atomically. */
export async function pointTo(link: string, target: string): Promise<void> {
  const tmp = join(dirname(link), `${TMP_PREFIX}link-${basename(link)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await symlink(target, tmp);
  await rename(tmp, link);
  await syncDir(dirname(link));
}

/** Names this module gives temporary entries: `.tmp-<label>-<pid>-<8 hex>`. */
const LEFTOVER = /^\.tmp-.+-\d+-[0-9a-f]{8}$/;

/** Removes leftovers of interrupted saves (our temporary directories and links) in `dir`. */
export async function removeLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) if (LEFTOVER.test(name)) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Puts the finished directory `tmp` at `dest`, replacing what is there: the old one is
 * renamed aside first and removed only after the new one is in place, so a crash leaves
 * one of them whole (the old one then under a `.tmp-old-*` name next to `dest`).
 */
export async function replaceDir(tmp: string, dest: string): Promise<void> {
  const aside = join(dirname(dest), `${TMP_PREFIX}old-${basename(dest)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  let moved = false;
  try {
    await rename(dest, aside);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await publishDir(tmp, dest);
  if (moved) await rm(aside, { recursive: true, force: true });
}

/**
 * Crash-safe file operations. A checkpoint is written into a temporary directory next
 * to its final place, every file and the directory are fsynced, and one rename makes it
 * visible; pointers (`latest`, `best`) are symlinks replaced by rename. A process killed
 * at any instant, even with kill -9, leaves either the old or the new state, never half.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, rename, rm, symlink, readdir } from 'node:fs/promises';
import { join, dirname, basename } from 'node:path';

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

/** A fresh temporary directory inside `parent` (same file system, so rename is atomic). */
export async function tempDir(parent: string, label: string): Promise<string> {
  await mkdir(parent, { recursive: true });
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

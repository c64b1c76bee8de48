/**
 * Crash-safe file operations. A checkpoint is written into a temporary directory next
 * to its final place, every file and the directory are fsynced, and one rename makes it
 * visible; pointers (`latest`, `best`) are symlinks replaced by rename. A process killed
 * at any instant, even with kill -9, leaves either the old or the new state, never half.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, mkdir, rename, rm, symlink, readdir } from 'node:fs/promises';
import { join, dirname, basename, resolve } from 'node:path';

const TMP_PREFIX = '.tmp-';

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

/**
 * Writes a whole file so that `path` holds either its old content or the new, never a part:
 * a temporary file next to it (same directory, same file system), fsynced, then renamed
 * over it. The temporary file is removed when any step fails.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), tempName(`file-${basename(path)}`));
  try {
    await writeDurable(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dirname(path));
}

/** fsyncs a directory so that renames and new entries in it are durable. */
async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

/** A name for a temporary entry of this process: `.tmp-<label>-<pid>-<8 hex>` (see LEFTOVER). */
export const tempName = (label: string) => `${TMP_PREFIX}${label}-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Creates `dir` and its missing parents, one directory at a time from the deepest that
 * exists. (Node's recursive mkdir retries forever where a file system answers ENOENT with
 * the parent present, as /proc and /sys do.) A failure names the place it arose: a file in
 * the way, a parent that cannot be written, or a file system that takes no new directory.
 * Returns the directories it made, the outermost first.
 */
export async function makeDir(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const found = await lstat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR') throw err; // ENOTDIR: a file further up
      return undefined;
    });
    if (found?.isDirectory()) break;
    if (found) throw Object.assign(new Error(`ENOTDIR: ${at}`), { code: 'ENOTDIR', path: at, syscall: 'mkdir' });
    missing.push(at);
    if (at === dirname(at)) break;
  }
  const made: string[] = [];
  for (const at of missing.reverse()) {
    try {
      await mkdir(at);
      made.push(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await lstat(at)).isDirectory()) continue; // made meanwhile
      // The existing parent is the place that refused (read-only, or not ours to write).
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        throw Object.assign(err as Error, { path: dirname(at) });
      if (code !== 'ENOENT') throw err;
      // The parent is there (made or found just now), yet the file system says it is not.
      throw Object.assign(new Error(`ENOTSUP: ${at}`), { code: 'ENOTSUP', path: at, syscall: 'mkdir' });
    }
  }
  return made;
}

/** A fresh temporary directory inside `parent` (same file system, so rename is atomic). */
export async function tempDir(parent: string, label: string): Promise<string> {
  await makeDir(parent);
  const dir = join(parent, tempName(label));
  await mkdir(dir);
  return dir;
}

/** Moves a finished temporary directory to `dest`, which must not exist yet. */
async function publishDir(tmp: string, dest: string): Promise<void> {
  await syncDir(tmp);
  await rename(tmp, dest);
  await syncDir(dirname(dest));
}

/** Points the symlink `link` at `target` (a sibling name) atomically. */
export async function pointTo(link: string, target: string): Promise<void> {
  const tmp = join(dirname(link), tempName(`link-${basename(link)}`));
  await symlink(target, tmp);
  try {
    await rename(tmp, link);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(link));
}

/** Names this module gives temporary entries: `.tmp-<label>-<pid>-<8 hex>`. */
const LEFTOVER = /^\.tmp-.+-(\d+)-[0-9a-f]{8}$/;

/**
 * Whether a process with this id runs on this machine. EPERM means it runs under another
 * user. Ids below 1 would address process groups, never one process: not alive.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes leftovers of interrupted saves (temporary directories and links) in `dir`: those
 * of this process and of processes that no longer run. Another live process's temporary
 * entries are its save in progress (an export next to a bundle, or a run that does not
 * hold the lock yet), never ours to remove.
 */
export async function removeLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(LEFTOVER.exec(name)?.[1] ?? NaN);
    if (pid === process.pid || (!Number.isNaN(pid) && !processAlive(pid)))
      await rm(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Puts the finished directory `tmp` at `dest`, replacing what is there: the old one is
 * renamed aside first and removed only after the new one is in place, so a crash leaves
 * one of them whole (the old one then under a `.tmp-old-*` name next to `dest`).
 */
export async function replaceDir(tmp: string, dest: string): Promise<void> {
  const aside = join(dirname(dest), tempName(`old-${basename(dest)}`));
  let moved = false;
  try {
    await rename(dest, aside);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await publishDir(tmp, dest);
  } catch (err) {
    if (moved) await rename(aside, dest).catch(() => {}); // the old one back where it was
    throw err;
  }
  if (moved) await rm(aside, { recursive: true, force: true });
}

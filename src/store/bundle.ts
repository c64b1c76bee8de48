/**
 * The layout of a bundle directory. A bundle (`models/NAME/`) holds checkpoints
 * `epoch-0007/` (and `epoch-0008-batch-00012/` for an interrupted epoch) with symlinks
 * `latest` and `best`. An exported model is a single checkpoint: its files sit directly in
 * the directory. Each checkpoint directory holds `model.json` + `weights.bin` (an ordinary
 * TF.js Layers model), `lstm.json` (the manifest) and, for resuming, `optimizer.bin`.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLockFile } from './lock.js';
import { MANIFEST } from './manifest.js';

export const POINTERS = ['latest', 'best'] as const;

/** Checkpoint directory names: `epoch-0007`, or `epoch-0008-batch-00012` mid-epoch. */
export const CHECKPOINT_NAME = /^epoch-\d+(-batch-\d+)?$/;

/** Checkpoint directory name for a position in training. */
export function checkpointName(epoch: number, batch: number): string {
  const e = `epoch-${String(epoch).padStart(4, '0')}`;
  return batch > 0 ? `${e}-batch-${String(batch).padStart(5, '0')}` : e;
}

/** True when `dir` holds a checkpoint's files directly. */
export async function isCheckpointDir(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, MANIFEST))).isFile();
  } catch {
    return false;
  }
}

/** True when `dir` holds a single exported checkpoint (files directly, no `latest`). */
export async function isFlatExport(dir: string): Promise<boolean> {
  return (await isCheckpointDir(dir)) && !(await exists(join(dir, 'latest')));
}

/** True when `dir` is a bundle or checkpoint (something a later save must not clobber). */
export async function holdsModel(dir: string): Promise<boolean> {
  if (await isCheckpointDir(dir)) return true;
  for (const link of POINTERS) if (await exists(join(dir, link))) return true;
  return false;
}

/**
 * True when `path` does not exist or is an empty directory. A lock counts as empty: the
 * caller's own, or one a dead run left (taking the lock decides which).
 */
export async function isEmptyOrAbsent(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).every(isLockFile);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** lstat-based: a dangling symlink exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

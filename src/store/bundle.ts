/**
 * The layout of a bundle directory. A bundle (`models/NAME/`) holds checkpoints
 * `epoch-0007/` (and `epoch-0008-batch-00012/` inside epoch 8) with symlinks
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

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Checkpoint directory name for a position in training (`epoch` completed epochs, `batch`
 * batches into the next), numbered as reports say it: the end of epoch 7 is `epoch-0007`,
 * batch 12 of epoch 8 is `epoch-0008-batch-00012` ("epoch 8, batch 12", `--checkpoint 8:12`).
 */
export function checkpointName(epoch: number, batch: number): string {
  return batch > 0 ? `epoch-${pad(epoch + 1, 4)}-batch-${pad(batch, 5)}` : `epoch-${pad(epoch, 4)}`;
}

/**
 * The name earlier versions of lstm gave a mid-epoch position: by the completed epochs
 * (`epoch-0007-batch-00012` for batch 12 of epoch 8). Bundles with such names still load;
 * which position a name holds is read from its manifest (store/checkpoints.ts).
 */
export const legacyCheckpointName = (epoch: number, batch: number) => `epoch-${pad(epoch, 4)}-batch-${pad(batch, 5)}`;

/** A position as `--checkpoint` takes it and `lstm info` lists it: `7` (the end of epoch 7), `8:12` (batch 12 of epoch 8). */
export const positionLabel = (epoch: number, batch: number) => (batch > 0 ? `${epoch + 1}:${batch}` : `${epoch}`);

/** `7` or `8:12` as a position (completed epochs, batches into the next); undefined when it is neither. */
export function parsePosition(label: string): { epoch: number; batch: number } | undefined {
  const match = /^([1-9]\d*)(?::([1-9]\d*))?$/.exec(label);
  if (!match) return undefined;
  return match[2] === undefined
    ? { epoch: Number(match[1]), batch: 0 }
    : { epoch: Number(match[1]) - 1, batch: Number(match[2]) };
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

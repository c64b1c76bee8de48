/**
 * Loading a model: the one call a command makes into store/. It finds the checkpoint a
 * model path means (read.ts `resolveCheckpoint`), reads and verifies its files (read.ts),
 * and parses them into what a command works from (parse.ts `loadedModel`, which the
 * `lstm web` page shares).
 */
import { checkpointSpecs } from '../params.js';
import { loadedModel, type LoadedModel } from './parse.js';
import { readCheckpointFiles, resolveCheckpoint } from './read.js';

export type LoadOptions = {
  /** Which checkpoint of a bundle: best (the default), latest, or an epoch number or name. */
  which?: string;
  /** Also read Adam's state (optimizer.bin), to resume training. */
  optimizer?: boolean;
  /**
   * Runs between finding the checkpoint and reading it: `lstm train --resume` takes the
   * bundle's lock there, so no other run moves `latest` while it is read.
   */
  beforeReading?: (dir: string) => Promise<unknown>;
};

/** A loaded model and the verified bytes of each file read (lstm.json included): what `lstm web` serves. */
export type StoredModel = LoadedModel & { files: ReadonlyMap<string, Uint8Array> };

/** The model at `path` (a bundle, or one checkpoint's directory), verified and parsed. */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<StoredModel> {
  const dir = await resolveCheckpoint(path, options.which);
  await options.beforeReading?.(dir);
  const { checkpoint, files } = await readCheckpointFiles(dir, checkpointSpecs, { optimizer: options.optimizer });
  return { ...loadedModel(checkpoint, path), files };
}

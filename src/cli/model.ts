/** Finding and loading the model a command names with --model (or the bundled one). */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { dataError } from '../errors.js';
import { checkpointSpecs } from '../params.js';
import { loadedModel, type LoadedModel } from '../store/parse.js';
import type { Checkpoint } from '../store/parse.js';
import { readCheckpoint, resolveCheckpoint } from '../store/read.js';
import { bundledModelDir } from './paths.js';

/** How messages and pages name the model: the --model path as given, or the bundled model's name. */
export function modelName(model: string | undefined): string {
  return model ?? `${basename(bundledModelDir())} (bundled)`;
}

/** The model path a command uses: --model, else the bundled model. */
export function modelPath(model: string | undefined): string {
  if (model !== undefined) return model;
  const path = bundledModelDir();
  if (!existsSync(path)) {
    throw dataError(
      'no --model given and no bundled model is installed',
      'train one: lstm train corpus.txt --out models/mine, then pass --model models/mine',
    );
  }
  return path;
}

/** Reads and verifies a checkpoint of the model (`which`: best, latest or an epoch). */
export async function readModelCheckpoint(model: string | undefined, which?: string): Promise<Checkpoint> {
  return readCheckpoint(await resolveCheckpoint(modelPath(model), which), checkpointSpecs);
}

export async function loadModel(model: string | undefined, which?: string): Promise<LoadedModel> {
  return loadedModel(await readModelCheckpoint(model, which), modelPath(model));
}

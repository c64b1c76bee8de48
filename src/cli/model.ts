/** Finding and loading the model a command names with --model (or the bundled one). */
import { existsSync } from 'node:fs';
import { dataError } from '../errors.js';
import { checkpointSpecs, fromLayersWeights, netConfig, type NetConfig, type Params } from '../layout.js';
import type { Manifest } from '../store/manifest.js';
import { readCheckpoint, resolveCheckpoint, type Checkpoint } from '../store/read.js';
import type { TextSettings } from '../text/normalise.js';
import { Vocab } from '../text/vocab.js';
import { bundledModelDir } from './paths.js';

export type LoadedModel = {
  checkpoint: Checkpoint;
  cfg: NetConfig;
  vocab: Vocab;
  params: Params;
  /** How text is read for this model: as its training text was. */
  textSettings: TextSettings;
  path: string;
};

/** The model path a command uses: --model, else the bundled model. */
export function modelPath(model: string | undefined): string {
  if (model !== undefined) return model;
  const path = bundledModelDir();
  if (!existsSync(path)) {
    throw dataError('no --model given and no bundled model is installed', "train one: lstm train corpus.txt --out models/mine, then pass --model models/mine");
  }
  return path;
}

/** Reads and verifies a checkpoint of the model (`which`: best, latest or an epoch). */
export async function readModelCheckpoint(model: string | undefined, which?: string): Promise<Checkpoint> {
  return readCheckpoint(await resolveCheckpoint(modelPath(model), which), checkpointSpecs);
}

export async function loadModel(model: string | undefined, which?: string): Promise<LoadedModel> {
  const checkpoint = await readModelCheckpoint(model, which);
  const cfg = netConfig(checkpoint.manifest.network);
  return {
    checkpoint, cfg, vocab: new Vocab(checkpoint.manifest.vocab), params: fromLayersWeights(cfg, checkpoint.weights),
    textSettings: textSettingsOf(checkpoint.manifest), path: modelPath(model),
  };
}

/** The text settings a bundle was trained with. */
export function textSettingsOf(m: Manifest): TextSettings {
  return { lowercase: Boolean(m.hyperparameters.lowercase), keepBoilerplate: Boolean(m.corpus.keepBoilerplate) };
}

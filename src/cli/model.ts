/** Finding and loading the model a command names with --model (or the bundled one). */
import { existsSync } from 'node:fs';
import { dataError } from '../errors.js';
import { fromLayersWeights, type NetConfig, type Params } from '../net/params.js';
import { readCheckpoint, resolveCheckpoint, type Checkpoint } from '../store/checkpoint.js';
import { Vocab } from '../text/vocab.js';

import { bundledModelDir } from './paths.js';

export type LoadedModel = { checkpoint: Checkpoint; cfg: NetConfig; vocab: Vocab; params: Params; path: string };

export async function loadModel(model: string | undefined, which?: string): Promise<LoadedModel> {
  let path = model;
  if (path === undefined) {
    path = bundledModelDir();
    if (!existsSync(path)) {
      throw dataError('no --model given and no bundled model is installed', "train one: lstm train corpus.txt --out models/mine, then pass --model models/mine");
    }
  }
  const checkpoint = await readCheckpoint(await resolveCheckpoint(path, which));
  const n = checkpoint.manifest.network;
  const cfg: NetConfig = { vocabSize: n.vocabSize, layers: n.layers, units: n.units, dropout: n.dropout };
  return { checkpoint, cfg, vocab: new Vocab(checkpoint.manifest.vocab), params: fromLayersWeights(cfg, checkpoint.weights), path };
}

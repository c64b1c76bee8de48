/** The model a command names with --model, or the bundled one, and how messages name it. */
import { existsSync } from 'node:fs';
import { dataError } from '../errors.js';
import { bundledModelDir, bundledName, modelDir } from './paths.js';

/** How pages and titles name the model: the --model path as given, or the bundled model's name. */
export function modelName(model: string | undefined): string {
  return model ?? bundledName(bundledModelDir());
}

/** How sentences name the model: the --model path as given, or `the bundled model`. */
export function modelInWords(model: string | undefined): string {
  return model ?? 'the bundled model';
}

/** The model path a command loads (store/load.ts): --model (paths.ts's modelDir), else the bundled model. */
export function modelPath(model: string | undefined): string {
  if (model !== undefined) return modelDir(model);
  const path = bundledModelDir();
  if (!existsSync(path)) {
    throw dataError(
      'no --model given and no bundled model is installed',
      'train one: lstm train corpus.txt --out models/mine, then pass --model models/mine',
    );
  }
  return path;
}

/**
 * What models a directory holds, each summed up from its best checkpoint's lstm.json alone
 * (checked, but no weights read, so a listing is quick): the text it learnt from, its
 * held-out figure and how it was read, its vocabulary, its size on disk and when it was saved.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataError } from '../errors.js';
import { checkManifest } from './check-manifest.js';
import { holdsModel } from './bundle.js';
import { MANIFEST, type Manifest } from './manifest.js';
import { resolveCheckpoint } from './read.js';

export type ModelSummary = {
  path: string;
  /** The text it learnt from (the corpus's name), and where that came from when recorded. */
  corpus: string;
  origin?: string;
  /** The best held-out loss in nats, and how the held-out part was read for it. */
  valLoss: number | null;
  reading: 'streams' | 'cold windows';
  vocabSize: number;
  network: { layers: number; units: number };
  bytes: number;
  savedAt: string;
  /** A fine-tune: the base it started from, as given to --from. */
  base?: string;
};

/** A model directory that could not be read: the reason, in one line. */
export type Unreadable = { path: string; problem: string };

/** The summary of the model at `path` (a bundle or an export), or why it cannot be read. */
export async function summarise(path: string): Promise<ModelSummary | Unreadable> {
  try {
    const dir = await resolveCheckpoint(path);
    const manifestPath = join(dir, MANIFEST);
    const manifest = parsed(await readFile(manifestPath, 'utf8'), manifestPath) as Manifest;
    checkManifest(manifest, manifestPath);
    return {
      path,
      corpus: manifest.corpus.name,
      ...(manifest.corpus.origin ? { origin: manifest.corpus.origin } : {}),
      valLoss: manifest.progress.bestValLoss,
      reading: manifest.hyperparameters.stateful === undefined ? 'cold windows' : 'streams',
      vocabSize: manifest.network.vocabSize,
      network: { layers: manifest.network.layers, units: manifest.network.units },
      bytes: await diskBytes(path),
      savedAt: manifest.savedAt,
      ...(manifest.lineage ? { base: manifest.lineage.base.model } : {}),
    };
  } catch (err) {
    return { path, problem: err instanceof Error ? err.message : String(err) };
  }
}

function parsed(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw dataError(`${path}: not valid JSON`);
  }
}

/** The directories inside `dir` that hold a model, by name; none when `dir` is absent. */
export async function modelsIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) if (await holdsModel(join(dir, name))) found.push(join(dir, name));
  return found;
}

/** Bytes of every file under `path`, links not followed (best and latest point at checkpoints counted once). */
async function diskBytes(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.isFile() ? info.size : 0;
  let total = 0;
  for (const name of await readdir(path)) total += await diskBytes(join(path, name));
  return total;
}

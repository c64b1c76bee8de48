/**
 * The model a new run starts from: the one --from names (`readBase`), or without --from a
 * bundled base (`bundledStart`, the rule in train/transfer.ts). Bases are the bundled models
 * trained from scratch on a general text (no lineage: a fine-tune such as bundled/macbeth
 * knows one text and is no base) whose network is the run's. Only their manifests are read
 * to find them, so a run on another network pays nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MANIFEST, type Manifest } from '../store/manifest.js';
import { holdsModel } from '../store/bundle.js';
import { loadModel, type StoredModel } from '../store/load.js';
import type { BaseRun } from '../train/decision.js';
import type { Hyperparameters } from '../config.js';
import type { FineTuneStart } from '../train/from.js';
import { baseFigures, type Candidate, chooseStart, scratchLine } from '../train/transfer.js';
import type { Reporter } from './reporter.js';
import { bundledName, bundledRoot, modelDir } from './paths.js';

/** The model a fine-tune starts from, as read. */
export type Base = { model: StoredModel; run: BaseRun };

/** `--from`: the base of a fine-tune, found and verified as `generate --model` does it. */
export async function readBase(given: string): Promise<Base> {
  const path = modelDir(given);
  const model = await loadModel(path);
  const manifest = model.checkpoint.manifest;
  // A checkpoint directory inside a bundle (models/base/epoch-0003) belongs to that bundle.
  const inBundle = model.checkpoint.dir === path && (await holdsModel(dirname(resolve(path))));
  return {
    model,
    run: {
      dir: given,
      bundle: inBundle ? dirname(resolve(path)) : path,
      hyperparameters: manifest.hyperparameters,
      network: manifest.network,
    },
  };
}

/** The bundled bases of `network`'s shape, read and verified. */
async function bundledBases(network: { layers: number; units: number }): Promise<Candidate[]> {
  const root = bundledRoot();
  const candidates: Candidate[] = [];
  for (const name of (await readdir(root)).sort()) {
    const dir = join(root, name);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.lineage || manifest.network.layers !== network.layers || manifest.network.units !== network.units)
      continue;
    const model = await loadModel(dir);
    candidates.push({ name: bundledName(dir), checkpoint: model.checkpoint });
  }
  return candidates;
}

/** A bundled base a run without --from starts from: its name and why it was taken. */
/** `bits`: how well it reads the text's held-out sample (bits per character), which fits a small text's recipe. */
export type ChosenBase = { name: string; why: string; bits: number };

/**
 * A new run's start without --from: a bundled base's, when the rule takes one (the run says
 * so with its lineage), else none: from scratch, said here in one line. `loadBackend` is
 * called before any network is scored.
 */
export async function bundledStart(
  text: string,
  hyper: Hyperparameters,
  loadBackend: () => Promise<unknown>,
  reporter: Reporter,
): Promise<{ from: FineTuneStart; chosen: ChosenBase } | undefined> {
  const candidates = await bundledBases(hyper);
  if (candidates.length) await loadBackend();
  const choice = chooseStart(candidates, text, hyper);
  if (!choice.start) {
    reporter.info(scratchLine(choice, `no bundled base is a ${hyper.layers}x${hyper.units} network`));
    return undefined;
  }
  const { from, measured } = choice.start;
  return {
    from,
    chosen: {
      name: measured.name,
      why: `${baseFigures(measured)} (--from none trains from scratch)`,
      bits: measured.baseBits,
    },
  };
}

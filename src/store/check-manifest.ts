/**
 * Checking an lstm.json read from disk or fetched by the page (store/manifest.ts has its
 * form): the fields that loading, `lstm info` and resuming rely on, so a damaged or
 * foreign manifest is refused with one message naming the file.
 */
import { FORMAT_VERSION } from '../config.js';
import { dataError } from '../errors.js';
import type { Lineage, Manifest } from './manifest.js';

/** Refuses a manifest that is not one this lstm wrote and reads, naming the file. */
export function checkManifest(manifest: Manifest, path: string): void {
  if (manifest?.format !== 'lstm-bundle') throw dataError(`${path}: not an lstm model manifest`);
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw dataError(
      `${path}: format version ${manifest.formatVersion}, this lstm reads version ${FORMAT_VERSION}`,
      'use the lstm version that wrote it, or retrain',
    );
  }
  const damaged = 'the model is damaged or not from this tool; use another checkpoint or retrain';
  const network = manifest.network;
  const okNetwork =
    network &&
    [network.layers, network.units, network.vocabSize].every((x) => Number.isInteger(x) && x > 0) &&
    typeof network.dropout === 'number' &&
    network.dropout >= 0 &&
    network.dropout < 1 &&
    Array.isArray(manifest.vocab) &&
    manifest.vocab.length === network.vocabSize &&
    new Set(manifest.vocab).size === manifest.vocab.length &&
    manifest.vocab.every((c) => typeof c === 'string' && Array.from(c).length === 1) &&
    manifest.files &&
    typeof manifest.files === 'object';
  if (!okNetwork)
    throw dataError(
      `${path}: network or vocabulary is malformed (the vocabulary must have vocabSize distinct single characters)`,
      damaged,
    );
  // What resuming relies on. (Shapes are checked against model.json when weights load.)
  const hyper = manifest.hyperparameters;
  const progress = manifest.progress;
  const okTraining =
    hyper &&
    Number.isInteger(hyper.layers) &&
    Number.isInteger(hyper.units) &&
    Number.isInteger(hyper.seqLength) &&
    hyper.seqLength > 0 &&
    Number.isInteger(hyper.batchSize) &&
    hyper.batchSize > 0 &&
    typeof hyper.lr === 'number' &&
    typeof hyper.randomSeed === 'number' &&
    progress &&
    Number.isInteger(progress.epoch) &&
    Number.isInteger(progress.batch) &&
    Array.isArray(manifest.history) &&
    [progress.streams, progress.lrHalvings].every((x) => x === undefined || (Number.isInteger(x) && x >= 0)) &&
    (progress.plateau === undefined ||
      (typeof progress.plateau.best === 'number' &&
        Number.isInteger(progress.plateau.epochs) &&
        progress.plateau.epochs >= 0));
  if (!okTraining) throw dataError(`${path}: hyperparameters or progress are malformed`, damaged);
  if (manifest.lineage !== undefined && !okLineage(manifest.lineage))
    throw dataError(`${path}: lineage (the base model of a fine-tune) is malformed`, damaged);
}

/** A lineage record and every base's below it: the fields `lstm info` reads. */
function okLineage(lineage: Lineage, depth = 0): boolean {
  const chars = (a: unknown) =>
    Array.isArray(a) && a.every((char) => typeof char === 'string' && Array.from(char).length === 1);
  const base = lineage?.base;
  return (
    depth < 1000 &&
    typeof base === 'object' &&
    base !== null &&
    typeof base.model === 'string' &&
    Number.isInteger(base.epoch) &&
    Number.isInteger(base.network?.layers) &&
    Number.isInteger(base.network?.units) &&
    typeof base.corpus?.name === 'string' &&
    typeof base.corpus.sha256 === 'string' &&
    (base.bestValLoss === null || typeof base.bestValLoss === 'number') &&
    chars(lineage.added) &&
    chars(lineage.unseen) &&
    (base.lineage === undefined || okLineage(base.lineage, depth + 1))
  );
}

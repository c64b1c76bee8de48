/**
 * Shared by read.test.ts and write.test.ts: a bundle made by `lstm train` in a temp dir,
 * and the checkpoint's arrays as bytes.
 */
import path from 'node:path';
import { checkpointSpecs, type Named } from '../../../src/params.js';
import type { Checkpoint } from '../../../src/store/parse.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { assertBuilt, makeTempDir, textFile, trainTiny, words } from '../../helpers/tiny.js';

export type TrainedBundle = {
  /** The temp dir (the caller removes it). */
  dir: string;
  /** The text trained on: `words`. */
  corpus: string;
  /** A bundle made by `lstm train`: 2 LSTM layers of 8 units, 2 epochs. */
  bundle: string;
  /** Its latest checkpoint, optimizer state included. */
  trained: Checkpoint;
};

/** Trains the bundle (for beforeAll). */
export async function trainedBundle(label: string): Promise<TrainedBundle> {
  assertBuilt();
  const dir = await makeTempDir(label);
  const corpus = await textFile(dir, 'words.txt', words);
  const bundle = path.join(dir, 'bundle');
  await trainTiny(corpus, bundle, [
    '--epochs',
    '2',
    '--layers',
    '2',
    '--units',
    '8',
    '--dropout',
    '0.2',
    '--seq-length',
    '8',
  ]);
  const trained = await readCheckpoint(await resolveCheckpoint(bundle, 'latest'), checkpointSpecs, { optimizer: true });
  return { dir, corpus, bundle, trained };
}

/** Named arrays (in their order) or a list of arrays as one buffer of their float32 bytes. */
export const bytesOf = (arrays: Named | Float32Array[]) =>
  Buffer.concat([...arrays.values()].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

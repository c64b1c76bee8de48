/**
 * Shared by the store tests (test/unit/store read and write, test/e2e/store crash): a bundle
 * made by `lstm train` (the shared `words` bundle: 2 LSTM layers of 8 units, 2 epochs), its
 * latest checkpoint, a temp dir of the test file's own, and the checkpoint's arrays as bytes.
 */
import { beforeAll } from 'vitest';
import { checkpointSpecs, layersWeightSpecs, type Named, netConfig, optimizerSpecs } from '../../src/params.js';
import type { Checkpoint } from '../../src/store/parse.js';
import { readCheckpoint, resolveCheckpoint } from '../../src/store/read.js';
import type { CheckpointData } from '../../src/store/write.js';
import { tempDir, useBundles } from './bundles.js';

export type TrainedBundle = {
  /** The test file's own temp dir (removed after it). */
  dir: string;
  /** The text trained on: `words`. */
  corpus: string;
  /** A bundle made by `lstm train`, shared by the run: read it, or copy it to change it. */
  bundle: string;
  /** Its latest checkpoint, optimizer state included. */
  trained: Checkpoint;
};

/** Registers the hooks that fill in a TrainedBundle (before the file's tests run). */
export function trainedBundle(label: string): TrainedBundle {
  const { words } = useBundles('words');
  const own = tempDir(label);
  const t = { bundle: words.model, corpus: words.text } as TrainedBundle;
  beforeAll(async () => {
    t.dir = own();
    t.trained = await readCheckpoint(await resolveCheckpoint(t.bundle, 'latest'), checkpointSpecs, {
      optimizer: true,
    });
  });
  return t;
}

/** What saveCheckpoint takes, from a loaded checkpoint (optionally at another position). */
export function dataOf(ckpt: Checkpoint, epoch = ckpt.manifest.progress.epoch): CheckpointData {
  const { files: _files, savedAt: _savedAt, ...manifest } = ckpt.manifest;
  const cfg = netConfig(ckpt.manifest.network);
  return {
    manifest: { ...manifest, progress: { ...manifest.progress, epoch, batch: 0 } },
    modelTopology: ckpt.modelTopology,
    weights: { specs: layersWeightSpecs(cfg), arrays: ckpt.weights },
    optimizer: ckpt.optimizer && { specs: optimizerSpecs(cfg), arrays: ckpt.optimizer },
  };
}

/** Named arrays (in their order) or a list of arrays as one buffer of their float32 bytes. */
export const bytesOf = (arrays: Named | Float32Array[]) =>
  Buffer.concat([...arrays.values()].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

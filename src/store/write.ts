/**
 * Writing checkpoints: saving into a bundle (atomically, then moving the pointers and
 * pruning old checkpoints), and exporting a single checkpoint. Arrays arrive named and
 * are written in the order of the specs they come with (params.ts's flat form); this
 * module does not know what the arrays mean. Checkpoints are float32; an export may store
 * its weights as float16 (float16.ts).
 */
import { readdir, readlink, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { dataError } from '../errors.js';
import { fsError } from '../fs-errors.js';
import { flatten, type ArraySpec, type Named } from '../params.js';
import { makeDir, pointTo, removeLeftovers, replaceDir, sha256, tempDir, writeDurable } from './atomic.js';
import { CHECKPOINT_NAME, checkpointName, POINTERS } from './bundle.js';
import { FLOAT16_MAX, firstOverflow, toFloat16 } from './float16.js';
import type { BundleLock } from './lock.js';
import {
  MANIFEST,
  MODEL_JSON,
  OPTIMIZER_BIN,
  WEIGHTS_BIN,
  type FileEntry,
  type Manifest,
  type ManifestBody,
  type WeightsDtype,
} from './manifest.js';

type ArrayFile = { specs: ArraySpec[]; arrays: Named };

export type CheckpointData = {
  manifest: ManifestBody;
  /** The Layers topology (store/topology.ts). */
  modelTopology: object;
  /** The Layers weights (params.ts's layersWeightSpecs). */
  weights: ArrayFile;
  /** Adam's state (params.ts's optimizerSpecs); absent in exports. */
  optimizer?: ArrayFile;
};

/** What an export writes: a checkpoint without optimizer state, its weights float32 or float16. */
export type ExportData = Omit<CheckpointData, 'optimizer' | 'weights'> & {
  weights: ArrayFile & { dtype?: WeightsDtype };
};

/** Moments of a save, for tests that crash or fail a save at a chosen point. */
export type SaveStage = 'written' | 'published' | 'latest' | 'best' | 'pruned';
export type SaveOptions = {
  best: boolean;
  keep: number;
  onStage?: (stage: SaveStage) => void | Promise<void>;
  /** The bundle's lock, checked before anything is written and again before publishing. */
  lock?: Pick<BundleLock, 'check'>;
};

const bytesOf = (file: ArrayFile, dtype: WeightsDtype = 'float32'): Uint8Array => {
  if (dtype === 'float16') checkHalfRange(file);
  const flat = flatten(file.specs, file.arrays);
  const values = dtype === 'float16' ? toFloat16(flat) : flat;
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
};

/** Refuses weights that float16 would turn into ±Infinity: that would be a broken model, not a smaller one. */
function checkHalfRange(file: ArrayFile): void {
  for (const s of file.specs) {
    const values = file.arrays.get(s.name);
    const at = values ? firstOverflow(values) : -1;
    if (at >= 0)
      throw dataError(
        `weight ${s.name} holds ${values![at]}, beyond float16's range (largest ${FLOAT16_MAX})`,
        'export it without --float16',
      );
  }
}

/**
 * A weight entry of model.json. float16 is declared as TF.js declares quantized weights (the
 * tensorflowjs converter's `--quantize_float16`): the weight stays float32 and says how it
 * is stored, so `tf.loadLayersModel` decodes it with no help.
 */
const weightEntry = (s: ArraySpec, dtype: WeightsDtype) => ({
  name: s.name,
  shape: s.shape,
  dtype: 'float32',
  ...(dtype === 'float16' ? { quantization: { dtype: 'float16' } } : {}),
});

/** Serialises a checkpoint into a directory (files only; no atomicity here); weights.bin holds `dtype` values. */
async function writeFiles(dir: string, data: CheckpointData, dtype: WeightsDtype = 'float32'): Promise<void> {
  const files: Record<string, FileEntry> = {};
  const put = async (name: string, bytes: Uint8Array, extra: Partial<FileEntry> = {}) => {
    await writeDurable(join(dir, name), bytes);
    files[name] = { size: bytes.length, sha256: sha256(bytes), ...extra };
  };
  const modelJson = {
    format: 'layers-model',
    generatedBy: `${data.manifest.tool.name} ${data.manifest.tool.version}`,
    convertedBy: null,
    modelTopology: data.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: data.weights.specs.map((s) => weightEntry(s, dtype)) }],
  };
  await put(MODEL_JSON, Buffer.from(JSON.stringify(modelJson)));
  await put(WEIGHTS_BIN, bytesOf(data.weights, dtype), { dtype });
  if (data.optimizer) await put(OPTIMIZER_BIN, bytesOf(data.optimizer));
  const manifest: Manifest = { ...data.manifest, savedAt: new Date().toISOString(), files };
  await writeDurable(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Saves a checkpoint into a bundle atomically and moves the pointers: `latest` always,
 * `best` when asked. Older checkpoints beyond the last `keep` are removed, except the best.
 * A save that fails (a full disk, a lost lock) removes what it half-wrote; the checkpoints
 * and pointers already there stay as they were.
 */
export async function saveCheckpoint(bundle: string, data: CheckpointData, options: SaveOptions): Promise<string> {
  const name = checkpointName(data.manifest.progress.epoch, data.manifest.progress.batch);
  const dest = join(bundle, name);
  const stage = async (s: SaveStage) => options.onStage?.(s);
  let tmp: string | undefined;
  try {
    await options.lock?.check();
    await makeDir(bundle);
    tmp = await tempDir(bundle, name);
    await writeFiles(tmp, data);
    await stage('written');
    await options.lock?.check(); // writing took a while: still ours?
    await replaceDir(tmp, dest); // replaces only a re-save of the same position
    tmp = undefined;
    await stage('published');
    await pointTo(join(bundle, 'latest'), name);
    await stage('latest');
    if (options.best) {
      await pointTo(join(bundle, 'best'), name);
      await stage('best');
    }
    await prune(bundle, options.keep);
    await stage('pruned');
  } catch (err) {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw saveError(bundle, err);
  }
  return dest;
}

/**
 * Writes a single checkpoint as a flat directory (an export for inference), atomically.
 * With the lock of `dest`, the lock is checked and moves into the new directory with it.
 * Its weights are float32 unless `data.weights.dtype` says float16.
 */
export async function exportCheckpoint(
  dest: string,
  data: ExportData,
  lock?: Pick<BundleLock, 'check' | 'copyInto'>,
): Promise<void> {
  let tmp: string | undefined;
  try {
    tmp = await tempDir(resolve(dest, '..'), 'export');
    await writeFiles(tmp, data, data.weights.dtype);
    await lock?.check();
    await lock?.copyInto(tmp);
    await replaceDir(tmp, dest);
  } catch (err) {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw fsError(err, dest, 'export to') ?? err;
  }
}

async function prune(bundle: string, keep: number): Promise<void> {
  await removeLeftovers(bundle);
  const pinned = new Set<string>();
  for (const link of POINTERS) {
    try {
      pinned.add(await readlink(join(bundle, link)));
    } catch {
      // no such pointer yet
    }
  }
  // --keep counts end-of-epoch checkpoints; a mid-epoch one (epoch-0004-batch-00012) is
  // kept only while a pointer names it.
  const names = (await readdir(bundle)).filter((n) => CHECKPOINT_NAME.test(n)).sort();
  const ends = names.filter((n) => !n.includes('-batch-'));
  const old = new Set([
    ...ends.slice(0, Math.max(0, ends.length - keep)),
    ...names.filter((n) => n.includes('-batch-')),
  ]);
  for (const name of old) if (!pinned.has(name)) await rm(join(bundle, name), { recursive: true, force: true });
}

/** Saving into a bundle: the verb of its file-system errors (errors.ts `fsError`). */
export const SAVING = 'write checkpoints to';

/** A file-system failure while saving, as an error the user can act on. */
function saveError(path: string, err: unknown): Error {
  return fsError(err, path, SAVING) ?? (err instanceof Error ? err : new Error(String(err)));
}

/**
 * Checkpoints on disk. A checkpoint directory holds `model.json` + `weights.bin` (an
 * ordinary TF.js Layers model), `lstm.json` (the manifest) and, for resuming,
 * `optimizer.bin` (Adam's first then second moments, float32, in parameter order).
 *
 * A bundle (`models/NAME/`) holds checkpoints `epoch-0007/` (and `epoch-0008-batch-0012/`
 * for an interrupted epoch) with symlinks `latest` and `best`. An exported bundle is a
 * single checkpoint: its files sit directly in the directory.
 *
 * Loading treats every file as untrusted: format version, sizes and hashes from the
 * manifest, weight paths confined to the directory, shapes against the vocabulary and
 * network. Each failure is one error naming the file and the problem.
 */
import { lstat, mkdir, readFile, readdir, readlink, realpath, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { FORMAT_VERSION } from '../config.js';
import { dataError } from '../errors.js';
import { pointTo, removeLeftovers, replaceDir, sha256, tempDir, TMP_PREFIX, writeDurable } from './atomic.js';
import { layersWeightShapes, MANIFEST, MODEL_JSON, OPTIMIZER_BIN, WEIGHTS_BIN, type FileEntry, type Manifest } from './manifest.js';

export type OptimizerTensors = { m: Float32Array[]; v: Float32Array[] };

export type CheckpointData = {
  manifest: Omit<Manifest, 'files' | 'savedAt'>;
  /** The Layers topology and weight specs, from net/keras. */
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[];
  /** Layers weights in file order. */
  weights: Float32Array[];
  optimizer?: OptimizerTensors;
};

export type Checkpoint = {
  dir: string;
  manifest: Manifest;
  /** The parsed model.json (topology and weight specs). */
  modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: CheckpointData['weightSpecs'] }[] };
  weights: Float32Array[];
  optimizer?: OptimizerTensors;
};

const concat = (arrays: Float32Array[]): Uint8Array => {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return new Uint8Array(out.buffer);
};

/** Serialises a checkpoint into a directory (files only; no atomicity here). */
async function writeFiles(dir: string, data: CheckpointData): Promise<void> {
  const files: Record<string, FileEntry> = {};
  const put = async (name: string, bytes: Uint8Array) => {
    await writeDurable(join(dir, name), bytes);
    files[name] = { size: bytes.length, sha256: sha256(bytes) };
  };
  const modelJson = {
    format: 'layers-model',
    generatedBy: `${data.manifest.tool.name} ${data.manifest.tool.version}`,
    convertedBy: null,
    modelTopology: data.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: data.weightSpecs }],
  };
  await put(MODEL_JSON, Buffer.from(JSON.stringify(modelJson)));
  await put(WEIGHTS_BIN, concat(data.weights));
  if (data.optimizer) await put(OPTIMIZER_BIN, concat([...data.optimizer.m, ...data.optimizer.v]));
  const manifest: Manifest = { ...data.manifest, savedAt: new Date().toISOString(), files };
  await writeDurable(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}

/** Checkpoint directory name for a position in training. */
export function checkpointName(epoch: number, batch: number): string {
  const e = `epoch-${String(epoch).padStart(4, '0')}`;
  return batch > 0 ? `${e}-batch-${String(batch).padStart(5, '0')}` : e;
}

/**
 * Saves a checkpoint into a bundle atomically and moves the pointers: `latest` always,
 * `best` when asked. Older checkpoints beyond the last `keep` are removed, except the best.
 */
export async function saveCheckpoint(
  bundle: string, data: CheckpointData, options: { best: boolean; keep: number },
): Promise<string> {
  const name = checkpointName(data.manifest.progress.epoch, data.manifest.progress.batch);
  const dest = join(bundle, name);
  try {
    await mkdir(bundle, { recursive: true });
    const tmp = await tempDir(bundle, name);
    await writeFiles(tmp, data);
    await replaceDir(tmp, dest); // replaces only a re-save of the same position
    await pointTo(join(bundle, 'latest'), name);
    if (options.best) await pointTo(join(bundle, 'best'), name);
    await prune(bundle, options.keep);
  } catch (err) {
    throw saveError(bundle, err);
  }
  return dest;
}

/** Writes a single checkpoint as a flat directory (an export for inference), atomically. */
export async function exportCheckpoint(dest: string, data: CheckpointData): Promise<void> {
  const tmp = await tempDir(resolve(dest, '..'), 'export');
  try {
    await writeFiles(tmp, data);
    await replaceDir(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function prune(bundle: string, keep: number): Promise<void> {
  await removeLeftovers(bundle);
  const pinned = new Set<string>();
  for (const link of ['latest', 'best']) {
    try {
      pinned.add(await readlink(join(bundle, link)));
    } catch {
      // no such pointer yet
    }
  }
  // --keep counts end-of-epoch checkpoints; a mid-epoch one (epoch-0004-batch-00012) is
  // kept only while a pointer names it.
  const names = (await readdir(bundle)).filter((n) => /^epoch-\d+(-batch-\d+)?$/.test(n)).sort();
  const ends = names.filter((n) => !n.includes('-batch-'));
  const old = new Set([...ends.slice(0, Math.max(0, ends.length - keep)), ...names.filter((n) => n.includes('-batch-'))]);
  for (const name of old) if (!pinned.has(name)) await rm(join(bundle, name), { recursive: true, force: true });
}

/** True when `dir` holds a checkpoint's files directly. */
async function isCheckpointDir(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, MANIFEST))).isFile();
  } catch {
    return false;
  }
}

/** True when `path` does not exist or is an empty directory. */
export async function isEmptyOrAbsent(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Makes sure checkpoints can be written into `bundle` before any training time is spent:
 * creates it and writes and removes a probe file. Errors name the path.
 */
export async function ensureWritable(bundle: string): Promise<void> {
  try {
    await mkdir(bundle, { recursive: true });
    const probe = join(bundle, `${TMP_PREFIX}probe-${process.pid}-00000000`);
    await writeDurable(probe, 'probe');
    await rm(probe, { force: true });
  } catch (err) {
    throw saveError(bundle, err);
  }
}

/** A file-system failure while saving, as an error the user can act on. */
export function saveError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device', ENOTDIR: 'a part of the path is a file', EEXIST: 'a file is in the way',
  };
  if (code && why[code]) return dataError(`cannot write checkpoints to ${path}: ${why[code]}`, 'choose another --out, or free space and retry');
  return err instanceof Error ? err : new Error(String(err));
}

/** True when `dir` is a bundle or checkpoint (something a later save must not clobber). */
export async function holdsModel(dir: string): Promise<boolean> {
  if (await isCheckpointDir(dir)) return true;
  for (const link of ['latest', 'best']) {
    try {
      await lstat(join(dir, link));
      return true;
    } catch {
      // absent
    }
  }
  return false;
}

/**
 * The checkpoint directory a model path means: the path itself when it holds a checkpoint
 * (an export), else its `best` (or `which`: `latest`, `best`, or an epoch number/name).
 */
export async function resolveCheckpoint(modelPath: string, which?: string): Promise<string> {
  let info;
  try {
    info = await stat(modelPath);
  } catch {
    throw dataError(`no model at ${modelPath}`, "train one with 'lstm train <corpus> --out <dir>', or pass --model <dir>");
  }
  if (!info.isDirectory()) throw dataError(`${modelPath} is not a model directory`, 'pass the directory that holds lstm.json, or a bundle with best/ and latest/');
  if (await isCheckpointDir(modelPath) && which === undefined) return modelPath;
  const name = which === undefined ? 'best' : /^\d+$/.test(which) ? checkpointName(Number(which), 0) : which;
  if (!/^(best|latest|epoch-\d+(-batch-\d+)?)$/.test(name)) {
    throw dataError(`--checkpoint must be best, latest or an epoch number, got '${which}'`);
  }
  const dir = join(modelPath, name);
  if (await isCheckpointDir(dir)) {
    // A bundle is untrusted: its pointers must not lead outside it.
    const [real, root] = await Promise.all([realpath(dir), realpath(modelPath)]);
    if (dirname(real) !== root) throw dataError(`${dir} points outside ${modelPath}`, 'a checkpoint must be a directory inside its bundle');
    return dir;
  }
  if (await isCheckpointDir(modelPath)) {
    throw dataError(`${modelPath} is a single exported checkpoint; it has no checkpoint '${which}'`, 'leave out --checkpoint');
  }
  let available: string[] = [];
  try {
    available = (await readdir(modelPath)).filter((n) => n === 'best' || n === 'latest' || n.startsWith('epoch-'));
  } catch {
    // unreadable
  }
  throw dataError(
    `${modelPath} has no checkpoint '${name}' (no ${join(name, MANIFEST)})`,
    available.length ? `available: ${available.join(', ')}` : "this is not a model bundle; train one with 'lstm train'",
  );
}

/** Reads and verifies a checkpoint directory. */
export async function readCheckpoint(dir: string, options: { optimizer?: boolean } = {}): Promise<Checkpoint> {
  const manifestPath = join(dir, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw dataError(`${manifestPath}: ${code === 'ENOENT' ? 'missing' : 'not valid JSON'}`, 'the model is incomplete or damaged; use another checkpoint or retrain');
  }
  checkManifest(manifest, manifestPath);

  const files = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name === OPTIMIZER_BIN && !options.optimizer) continue;
    files.set(name, await readVerified(dir, name, entry));
  }
  for (const required of [MODEL_JSON, WEIGHTS_BIN]) {
    if (!files.has(required)) throw dataError(`${manifestPath}: does not list ${required}`, 'the model is incomplete; retrain or re-export it');
  }

  const modelJsonPath = join(dir, MODEL_JSON);
  let modelJson: Checkpoint['modelJson'];
  try {
    modelJson = JSON.parse(Buffer.from(files.get(MODEL_JSON)!).toString('utf8'));
  } catch {
    throw dataError(`${modelJsonPath}: not valid JSON`);
  }
  const groups = modelJson?.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !Array.isArray(groups[0]?.paths) || groups[0].paths.length !== 1) {
    throw dataError(`${modelJsonPath}: expected one weights group with one file, found another layout`);
  }
  const weightPath = groups[0].paths[0];
  if (typeof weightPath !== 'string' || isAbsolute(weightPath) || normalize(weightPath).split(/[\\/]/).includes('..') ||
      !resolve(dir, weightPath).startsWith(resolve(dir) + sep)) {
    throw dataError(`${modelJsonPath}: weight path '${weightPath}' leaves the model directory`, 'weight files must sit inside the bundle; this file was tampered with or is not from lstm');
  }
  if (normalize(weightPath) !== WEIGHTS_BIN) {
    throw dataError(`${modelJsonPath}: weight path '${weightPath}' is not ${WEIGHTS_BIN}`);
  }

  const expected = layersWeightShapes(manifest.network);
  const specs = groups[0].weights;
  if (!Array.isArray(specs) || specs.length !== expected.length) {
    throw dataError(`${modelJsonPath}: has ${specs?.length ?? 0} weights, expected ${expected.length} for ${manifest.network.layers} LSTM layers`);
  }
  specs.forEach((spec, i) => {
    if (typeof spec !== 'object' || spec === null || (spec.dtype ?? 'float32') !== 'float32' || JSON.stringify(spec.shape) !== JSON.stringify(expected[i])) {
      throw dataError(
        `${modelJsonPath}: weight ${spec?.name ?? `#${i + 1}`} has shape [${spec?.shape ?? '?'}], expected [${expected[i]}] (float32) for vocabulary ${manifest.network.vocabSize} and ${manifest.network.units} units`,
      );
    }
  });
  const weights = split(files.get(WEIGHTS_BIN)!, expected, join(dir, WEIGHTS_BIN));

  let optimizer: OptimizerTensors | undefined;
  if (options.optimizer && files.has(OPTIMIZER_BIN)) {
    const paramShapes = paramShapesOf(manifest.network);
    const all = split(files.get(OPTIMIZER_BIN)!, [...paramShapes, ...paramShapes], join(dir, OPTIMIZER_BIN));
    optimizer = { m: all.slice(0, paramShapes.length), v: all.slice(paramShapes.length) };
  }
  return { dir, manifest, modelJson, weights, optimizer };
}

/** Shapes of the training parameters (params.ts layout) for optimizer state. */
function paramShapesOf(net: Manifest['network']): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l < net.layers; l++) shapes.push([(l === 0 ? net.vocabSize : net.units) + 1 + net.units, 4 * net.units]);
  shapes.push([net.units, net.vocabSize], [net.vocabSize]);
  return shapes;
}

function split(bytes: Uint8Array, shapes: number[][], path: string): Float32Array[] {
  const total = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== total * 4) {
    throw dataError(`${path}: ${bytes.length} bytes, expected ${total * 4} for the shapes in model.json`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out: Float32Array[] = [];
  let at = 0;
  for (const s of shapes) {
    const n = s.reduce((a, b) => a * b, 1);
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function readVerified(dir: string, name: string, entry: FileEntry): Promise<Uint8Array> {
  const path = join(dir, name);
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw dataError(`${join(dir, MANIFEST)}: lists a file '${name}' outside the model directory`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw dataError(`${path}: missing`, 'the model is incomplete; use another checkpoint (--checkpoint latest) or retrain');
  }
  if (bytes.length !== entry.size) {
    throw dataError(`${path}: ${bytes.length} bytes, lstm.json says ${entry.size}`, 'the file was truncated or changed; use another checkpoint or retrain');
  }
  if (sha256(bytes) !== entry.sha256) {
    throw dataError(`${path}: sha256 does not match lstm.json`, 'the file is corrupted or was changed; use another checkpoint or retrain');
  }
  return bytes;
}

function checkManifest(m: Manifest, path: string): void {
  if (m?.format !== 'lstm-bundle') throw dataError(`${path}: not an lstm model manifest`);
  if (m.formatVersion !== FORMAT_VERSION) {
    throw dataError(`${path}: format version ${m.formatVersion}, this lstm reads version ${FORMAT_VERSION}`, 'use the lstm version that wrote it, or retrain');
  }
  const damaged = 'the model is damaged or not from this tool; use another checkpoint or retrain';
  const n = m.network;
  const okNetwork = n && [n.layers, n.units, n.vocabSize].every((x) => Number.isInteger(x) && x > 0) &&
    typeof n.dropout === 'number' && n.dropout >= 0 && n.dropout < 1 &&
    Array.isArray(m.vocab) && m.vocab.length === n.vocabSize && new Set(m.vocab).size === m.vocab.length &&
    m.vocab.every((c) => typeof c === 'string' && Array.from(c).length === 1) && m.files && typeof m.files === 'object';
  if (!okNetwork) throw dataError(`${path}: network or vocabulary is malformed (the vocabulary must have vocabSize distinct single characters)`, damaged);
  // What resuming relies on. (Shapes are checked against model.json when weights load.)
  const h = m.hyperparameters;
  const p = m.progress;
  const okTraining = h && Number.isInteger(h.layers) && Number.isInteger(h.units) && Number.isInteger(h.seqLength) && h.seqLength > 0 &&
    Number.isInteger(h.batchSize) && h.batchSize > 0 && typeof h.lr === 'number' && typeof h.randomSeed === 'number' &&
    p && Number.isInteger(p.epoch) && Number.isInteger(p.batch) && Array.isArray(m.history);
  if (!okTraining) throw dataError(`${path}: hyperparameters or progress are malformed`, damaged);
}

/** Resuming builds the network from the hyperparameters: they must describe the saved one. */
export function checkResumable(m: Manifest, dir: string): void {
  const h = m.hyperparameters;
  const n = m.network;
  if (h.layers !== n.layers || h.units !== n.units || h.dropout !== n.dropout) {
    throw dataError(
      `${join(dir, MANIFEST)}: hyperparameters (${h.layers}x${h.units}, dropout ${h.dropout}) disagree with the network (${n.layers}x${n.units}, dropout ${n.dropout})`,
      'the model is damaged; resume from another checkpoint or retrain',
    );
  }
}

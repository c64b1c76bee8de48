/**
 * Reading checkpoints: which directory a model path means (`resolveCheckpoint`), and
 * loading one (`readCheckpoint`). Every file is untrusted: format version, sizes and
 * hashes from the manifest, weight paths confined to the directory, and the arrays'
 * names and shapes against the specs the caller gives (layout.ts's `checkpointSpecs`).
 * Each failure is one error naming the file and the problem. Weights stored as float16 (an
 * export's TF.js float16 quantization, the only one accepted) come back as float32.
 */
import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { dataError } from '../errors.js';
import { sizeOf, unflatten, type ArraySpec, type Named, type NetConfig } from '../layout.js';
import { sha256 } from './atomic.js';
import { CHECKPOINT_NAME, checkpointName, isCheckpointDir } from './bundle.js';
import { fromFloat16 } from './float16.js';
import {
  BYTES_PER_VALUE, checkManifest, MANIFEST, MODEL_JSON, OPTIMIZER_BIN, WEIGHTS_BIN, WEIGHTS_DTYPES, type FileEntry, type Manifest,
  type WeightsDtype,
} from './manifest.js';

/** What the array files of a checkpoint must hold, given its network. */
export type SpecsOf = { weights: (network: NetConfig) => ArraySpec[]; optimizer: (network: NetConfig, progress: Manifest['progress']) => ArraySpec[] };

export type Checkpoint = {
  dir: string;
  manifest: Manifest;
  /** model.json's Layers topology. */
  modelTopology: object;
  /** weights.bin, named by the weight specs (float32 whatever the file stores). */
  weights: Named;
  /** How weights.bin stores them. */
  weightsDtype: WeightsDtype;
  /** optimizer.bin, named by the optimizer specs, when asked for and present. */
  optimizer?: Named;
};

type WeightEntry = { name: string; shape: number[]; dtype?: string; quantization?: { dtype?: unknown } };
type ModelJson = { modelTopology: object; weightsManifest: { paths: string[]; weights: WeightEntry[] }[] };

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
    available = (await readdir(modelPath)).filter((n) => CHECKPOINT_NAME.test(n)).sort();
  } catch {
    // unreadable
  }
  const hint = available.length ? `checkpoints there: ${available.join(', ')} (pass --checkpoint <epoch>)` : "this is not a model bundle; train one with 'lstm train'";
  // A pointer whose checkpoint is gone is reported as exactly that.
  let target: string | undefined;
  try {
    target = await readlink(dir);
  } catch {
    // not a symlink
  }
  if (target !== undefined) throw dataError(`${modelPath}: '${name}' points to ${target}, which is missing`, hint);
  throw dataError(
    `${modelPath} has no checkpoint '${name}' (no ${join(name, MANIFEST)})`,
    hint,
  );
}

/** Reads and verifies a checkpoint directory; `optimizer` also loads Adam's state (to resume). */
export async function readCheckpoint(dir: string, specsOf: SpecsOf, options: { optimizer?: boolean } = {}): Promise<Checkpoint> {
  const manifestPath = join(dir, MANIFEST);
  // Every file is read from the directory the path means now: `latest` may move to a newer
  // checkpoint while a run saves, and a read must not mix two checkpoints' files.
  const here = await realpath(dir).catch(() => dir);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(here, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw dataError(`${manifestPath}: ${code === 'ENOENT' ? 'missing' : 'not valid JSON'}`, 'the model is incomplete or damaged; use another checkpoint or retrain');
  }
  checkManifest(manifest, manifestPath);
  const stored = manifest.files?.[WEIGHTS_BIN]?.dtype ?? 'float32';
  if (!WEIGHTS_DTYPES.includes(stored)) {
    throw dataError(`${manifestPath}: says ${WEIGHTS_BIN} holds ${JSON.stringify(stored)} values; lstm reads ${WEIGHTS_DTYPES.join(' and ')}`, 'the model is damaged or from a newer lstm; re-export it');
  }

  const files = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name === OPTIMIZER_BIN && !options.optimizer) continue;
    files.set(name, await readVerified(here, dir, name, entry));
  }
  for (const required of [MODEL_JSON, WEIGHTS_BIN]) {
    if (!files.has(required)) throw dataError(`${manifestPath}: does not list ${required}`, 'the model is incomplete; retrain or re-export it');
  }

  const modelJsonPath = join(dir, MODEL_JSON);
  let modelJson: ModelJson;
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

  const n = manifest.network;
  const expected = specsOf.weights(n);
  const listed = groups[0].weights;
  if (!Array.isArray(listed) || listed.length !== expected.length) {
    throw dataError(`${modelJsonPath}: has ${listed?.length ?? 0} weights, expected ${expected.length} for ${n.layers} LSTM layers`);
  }
  listed.forEach((spec, i) => {
    const want = expected[i];
    if (typeof spec !== 'object' || spec === null || (spec.dtype ?? 'float32') !== 'float32' || spec.name !== want.name ||
        JSON.stringify(spec.shape) !== JSON.stringify(want.shape)) {
      throw dataError(
        `${modelJsonPath}: weight #${i + 1} is ${spec?.name ?? '?'} [${spec?.shape ?? '?'}], expected ${want.name} [${want.shape}] (float32) for vocabulary ${n.vocabSize} and ${n.units} units`,
      );
    }
  });
  const weightsDtype = storedAs(listed, modelJsonPath);
  if (weightsDtype !== stored) {
    throw dataError(`${manifestPath}: says ${WEIGHTS_BIN} holds ${stored} values, ${MODEL_JSON} declares ${weightsDtype}`, 'the model was changed after it was written; re-export it');
  }
  const weights = arrays(files.get(WEIGHTS_BIN)!, expected, join(dir, WEIGHTS_BIN), weightsDtype);
  const optimizer = options.optimizer && files.has(OPTIMIZER_BIN)
    ? arrays(files.get(OPTIMIZER_BIN)!, specsOf.optimizer(n, manifest.progress), join(dir, OPTIMIZER_BIN))
    : undefined;
  return { dir, manifest, modelTopology: modelJson.modelTopology, weights, weightsDtype, optimizer };
}

/**
 * How model.json says the weights are stored: float32 (no quantization), or float16 as TF.js
 * declares it (`quantization: {dtype: 'float16'}`), the same for every weight. TF.js's other
 * quantizations (uint8, uint16: affine, with min and scale) are never written by lstm.
 */
function storedAs(listed: WeightEntry[], modelJsonPath: string): WeightsDtype {
  const each = listed.map((spec, i): WeightsDtype => {
    const q = spec.quantization;
    if (q === undefined) return 'float32';
    if (typeof q === 'object' && q !== null && q.dtype === 'float16') return 'float16';
    const as = typeof q === 'object' && q !== null ? JSON.stringify(q.dtype) : JSON.stringify(q);
    throw dataError(
      `${modelJsonPath}: weight #${i + 1} ${spec.name} is quantized as ${as}; lstm reads float32 weights, or float16 ones (quantization {"dtype":"float16"})`,
      'export it again from its training bundle: lstm export -m <bundle> --out <dir> (add --float16 for half the size)',
    );
  });
  const mixed = each.findIndex((d) => d !== each[0]);
  if (mixed > 0) {
    throw dataError(`${modelJsonPath}: weight #${mixed + 1} ${listed[mixed].name} is stored as ${each[mixed]}, weight #1 as ${each[0]}; lstm stores every weight of a model alike`);
  }
  return each[0] ?? 'float32';
}

/** A file's bytes (`dtype` values, float32 by default) as named float32 arrays in spec order; the size must be exact. */
function arrays(bytes: Uint8Array, specs: ArraySpec[], path: string, dtype: WeightsDtype = 'float32'): Named {
  const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
  const size = BYTES_PER_VALUE[dtype];
  if (bytes.length !== total * size) {
    throw dataError(`${path}: ${bytes.length} bytes, expected ${total * size} for the shapes in model.json (${dtype}, ${size} bytes per value)`);
  }
  // A copy: aligned, and independent of the file buffer.
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return unflatten(specs, dtype === 'float16' ? fromFloat16(new Uint16Array(copy)) : new Float32Array(copy));
}

/** Reads `name` from the real directory `here`; errors name it under `dir`, as the user gave it. */
async function readVerified(here: string, dir: string, name: string, entry: FileEntry): Promise<Uint8Array> {
  const path = join(dir, name);
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw dataError(`${join(dir, MANIFEST)}: lists a file '${name}' outside the model directory`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(here, name));
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

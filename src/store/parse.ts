/**
 * A checkpoint from its files' bytes: the part of reading that touches no file system, so
 * `lstm` (store/read.ts) and the `lstm web` page (which fetches the same files) check a
 * bundle alike. Every file is untrusted: sizes and hashes against lstm.json (`checkFile`,
 * the hash computed by the caller: Node's crypto, or the browser's SubtleCrypto), one
 * weights file named weights.bin, the weights' names and shapes against the specs the caller
 * gives (params.ts `checkpointSpecs`), float32 or TF.js float16 only.
 */
import { dataError } from '../errors.js';
import { plural } from '../figures.js';
import {
  fromLayersWeights,
  netConfig,
  sizeOf,
  unflatten,
  type ArraySpec,
  type Named,
  type NetConfig,
  type Params,
} from '../params.js';
import type { TextSettings } from '../text/normalise.js';
import { Vocab } from '../text/vocab.js';
import { fromFloat16 } from './float16.js';
import {
  BYTES_PER_VALUE,
  MANIFEST,
  MODEL_JSON,
  OPTIMIZER_BIN,
  WEIGHTS_BIN,
  WEIGHTS_DTYPES,
  type FileEntry,
  type Manifest,
  type WeightsDtype,
} from './manifest.js';

/** What the array files of a checkpoint must hold, given its network. */
export type SpecsOf = {
  weights: (network: NetConfig) => ArraySpec[];
  optimizer: (network: NetConfig, progress: Manifest['progress'], hyper?: Manifest['hyperparameters']) => ArraySpec[];
};

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

const join = (dir: string, name: string) => `${dir.replace(/\/+$/, '')}/${name}`;

/** A file's bytes against its lstm.json entry (`sha256`: the bytes' hash, hex). */
export function checkFile(path: string, bytes: Uint8Array, entry: FileEntry, sha256: string): void {
  if (bytes.length !== entry.size) {
    throw dataError(
      `${path}: ${plural(bytes.length, 'byte')}, lstm.json says ${entry.size}`,
      'the file was truncated or changed; use another checkpoint or retrain',
    );
  }
  if (sha256 !== entry.sha256) {
    throw dataError(
      `${path}: sha256 does not match lstm.json`,
      'the file is corrupted or was changed; use another checkpoint or retrain',
    );
  }
}

/** The dtype lstm.json says weights.bin holds, checked. */
function storedDtype(manifest: Manifest, manifestPath: string): WeightsDtype {
  const stored = manifest.files?.[WEIGHTS_BIN]?.dtype ?? 'float32';
  if (!WEIGHTS_DTYPES.includes(stored)) {
    throw dataError(
      `${manifestPath}: says ${WEIGHTS_BIN} holds ${JSON.stringify(stored)} values; lstm reads ${WEIGHTS_DTYPES.join(' and ')}`,
      'the model is damaged or from a newer lstm; re-export it',
    );
  }
  return stored;
}

/**
 * The checkpoint in `files` (name -> bytes, each already checked with `checkFile`),
 * described by `manifest` (already checked with `checkManifest`). `dir` names files in errors.
 */
export function checkpointFromFiles(
  dir: string,
  manifest: Manifest,
  files: ReadonlyMap<string, Uint8Array>,
  specsOf: SpecsOf,
  options: { optimizer?: boolean } = {},
): Checkpoint {
  const manifestPath = join(dir, MANIFEST);
  const stored = storedDtype(manifest, manifestPath);
  for (const required of [MODEL_JSON, WEIGHTS_BIN]) {
    if (!files.has(required))
      throw dataError(`${manifestPath}: does not list ${required}`, 'the model is incomplete; retrain or re-export it');
  }

  const modelJsonPath = join(dir, MODEL_JSON);
  let modelJson: ModelJson;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(files.get(MODEL_JSON)!));
  } catch {
    throw dataError(`${modelJsonPath}: not valid JSON`);
  }
  const groups = modelJson?.weightsManifest;
  if (
    !Array.isArray(groups) ||
    groups.length !== 1 ||
    !Array.isArray(groups[0]?.paths) ||
    groups[0].paths.length !== 1
  ) {
    throw dataError(`${modelJsonPath}: expected one weights group with one file, found another layout`);
  }
  const weightPath = groups[0].paths[0];
  // Any absolute path, drive letter or `..` part could lead out of the directory.
  if (
    typeof weightPath !== 'string' ||
    /^([\\/]|[A-Za-z]:)/.test(weightPath) ||
    weightPath.split(/[\\/]/).includes('..')
  ) {
    throw dataError(
      `${modelJsonPath}: weight path '${weightPath}' leaves the model directory`,
      'weight files must sit inside the bundle; this file was tampered with or is not from lstm',
    );
  }
  if (weightPath.replace(/^(\.[\\/])+/, '') !== WEIGHTS_BIN) {
    throw dataError(`${modelJsonPath}: weight path '${weightPath}' is not ${WEIGHTS_BIN}`);
  }

  const network = manifest.network;
  const expected = specsOf.weights(network);
  const listed = groups[0].weights;
  if (!Array.isArray(listed) || listed.length !== expected.length) {
    throw dataError(
      `${modelJsonPath}: has ${plural(listed?.length ?? 0, 'weight')}, expected ${expected.length} for ${plural(network.layers, 'LSTM layer')}`,
    );
  }
  listed.forEach((spec, i) => {
    const want = expected[i];
    if (
      typeof spec !== 'object' ||
      spec === null ||
      (spec.dtype ?? 'float32') !== 'float32' ||
      spec.name !== want.name ||
      JSON.stringify(spec.shape) !== JSON.stringify(want.shape)
    ) {
      throw dataError(
        `${modelJsonPath}: weight #${i + 1} is ${spec?.name ?? '?'} [${spec?.shape ?? '?'}], expected ${want.name} [${want.shape}] (float32) for vocabulary ${network.vocabSize} and ${network.units} units`,
      );
    }
  });
  const weightsDtype = storedAs(listed, modelJsonPath);
  if (weightsDtype !== stored) {
    throw dataError(
      `${manifestPath}: says ${WEIGHTS_BIN} holds ${stored} values, ${MODEL_JSON} declares ${weightsDtype}`,
      'the model was changed after it was written; re-export it',
    );
  }
  const weights = arrays(files.get(WEIGHTS_BIN)!, expected, join(dir, WEIGHTS_BIN), weightsDtype);
  const optimizer =
    options.optimizer && files.has(OPTIMIZER_BIN)
      ? arrays(
          files.get(OPTIMIZER_BIN)!,
          specsOf.optimizer(network, manifest.progress, manifest.hyperparameters),
          join(dir, OPTIMIZER_BIN),
        )
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
    throw dataError(
      `${modelJsonPath}: weight #${mixed + 1} ${listed[mixed].name} is stored as ${each[mixed]}, weight #1 as ${each[0]}; lstm stores every weight of a model alike`,
    );
  }
  return each[0] ?? 'float32';
}

/**
 * A file's bytes (`dtype` values, float32 by default) as named float32 arrays in spec order;
 * the size must be exact.
 */
function arrays(bytes: Uint8Array, specs: ArraySpec[], path: string, dtype: WeightsDtype = 'float32'): Named {
  const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
  const size = BYTES_PER_VALUE[dtype];
  if (bytes.length !== total * size) {
    throw dataError(
      `${path}: ${plural(bytes.length, 'byte')}, expected ${total * size} for the shapes in model.json (${dtype}, ${size} bytes per value)`,
    );
  }
  // A copy: aligned, and independent of the file buffer.
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return unflatten(specs, dtype === 'float16' ? fromFloat16(new Uint16Array(copy)) : new Float32Array(copy));
}

/** A checkpoint ready to run: what every command (and the web page) works from. */
export type LoadedModel = {
  checkpoint: Checkpoint;
  cfg: NetConfig;
  vocab: Vocab;
  params: Params;
  /** How text is read for this model: as its training text was. */
  textSettings: TextSettings;
  path: string;
};

/** The checkpoint as a network, vocabulary and text settings; `path` is what the user named. */
export function loadedModel(checkpoint: Checkpoint, path: string): LoadedModel {
  const cfg = netConfig(checkpoint.manifest.network);
  return {
    checkpoint,
    cfg,
    vocab: new Vocab(checkpoint.manifest.vocab),
    params: fromLayersWeights(cfg, checkpoint.weights),
    textSettings: textSettingsOf(checkpoint.manifest),
    path,
  };
}

/** The text settings a bundle was trained with. */
export function textSettingsOf(m: Manifest): TextSettings {
  return { lowercase: Boolean(m.hyperparameters.lowercase), keepBoilerplate: Boolean(m.corpus.keepBoilerplate) };
}

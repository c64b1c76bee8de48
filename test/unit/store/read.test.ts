/**
 * Reading checkpoints: every kind of damage refused with an error naming the file,
 * resolveCheckpoint's refusals, float16 exports (read back within half precision, their
 * declaration checked), and the saved model.json + weights.bin, float32 or float16, as an
 * ordinary TF.js Layers model.
 */
import { cp, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { checkpointSpecs, fromLayersWeights, layersWeightSpecs, netConfig, type Named } from '../../../src/params.js';
import { initBackend } from '../../../src/net/backend.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { forwardLogits } from '../../../src/net/lstm.js';
import { sha256 } from '../../../src/store/atomic.js';
import { fromFloat16, toFloat16 } from '../../../src/store/float16.js';
import type { Manifest } from '../../../src/store/manifest.js';
import type { Checkpoint } from '../../../src/store/parse.js';
import { readCheckpoint, resolveCheckpoint } from '../../../src/store/read.js';
import { exportCheckpoint } from '../../../src/store/write.js';
import { Vocab } from '../../../src/text/vocab.js';
import { makeBatch, type Batch } from '../../../src/text/windows.js';
import { maxAbsDiff, tensorsOf, weightsOf } from '../../helpers/net.js';
import { words } from '../../helpers/tiny.js';
import { bytesOf, trainedBundle } from '../../helpers/store.js';

let dir: string;
let corpus: string;
let trained: Checkpoint;

const fixture = trainedBundle('read');
beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
  ({ dir, corpus, trained } = fixture);
});

let copies = 0;
/** A private copy of the trained bundle's latest checkpoint directory. */
async function copyCheckpoint(): Promise<string> {
  const to = path.join(dir, `copy-${copies++}`);
  // From the real directory: copying the `latest` symlink itself would share the files.
  await cp(await realpath(trained.dir), to, { recursive: true });
  return to;
}

/** A new float16 export of the trained checkpoint (what `lstm export --float16` writes). */
async function exportFloat16(): Promise<string> {
  const to = path.join(dir, `float16-${copies++}`);
  const { files: _files, savedAt: _savedAt, ...manifest } = trained.manifest;
  await exportCheckpoint(to, {
    manifest: { ...manifest, optimizer: null },
    modelTopology: trained.modelTopology,
    weights: {
      specs: layersWeightSpecs(netConfig(trained.manifest.network)),
      arrays: trained.weights,
      dtype: 'float16',
    },
  });
  return to;
}

/** Replaces a file of a checkpoint and records its new size and hash in lstm.json, so only deeper checks can object. */
async function rewriteWithHash(ckptDir: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  await writeFile(path.join(ckptDir, name), data);
  const manifestPath = path.join(ckptDir, 'lstm.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  manifest.files[name] = { ...manifest.files[name], size: data.length, sha256: sha256(data) };
  await writeFile(manifestPath, JSON.stringify(manifest));
}

async function editJson(file: string, edit: (doc: any) => void): Promise<void> {
  const doc = JSON.parse(await readFile(file, 'utf8'));
  edit(doc);
  await writeFile(file, JSON.stringify(doc));
}

/** The LstmError readCheckpoint throws for `dir`. */
async function loadError(ckptDir: string, options: { optimizer?: boolean } = {}): Promise<LstmError> {
  try {
    await readCheckpoint(ckptDir, checkpointSpecs, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LstmError);
    expect((err as LstmError).kind).toBe('data');
    return err as LstmError;
  }
  throw new Error(`readCheckpoint(${ckptDir}) succeeded; expected an error`);
}

describe('loading refuses damaged checkpoints with one error naming the file', () => {
  const weightsBin = (d: string) => path.join(d, 'weights.bin');

  it.each([
    {
      name: 'one byte of weights.bin flipped',
      damage: async (d: string) => {
        const b = await readFile(weightsBin(d));
        b[Math.floor(b.length / 2)] ^= 0x01;
        await writeFile(weightsBin(d), b);
      },
      file: 'weights.bin',
      message: /weights\.bin: sha256 does not match lstm\.json/,
    },
    {
      name: 'bytes appended to weights.bin',
      damage: async (d: string) =>
        writeFile(weightsBin(d), Buffer.concat([await readFile(weightsBin(d)), Buffer.from([1, 2, 3, 4])])),
      file: 'weights.bin',
      message: /weights\.bin: ([\d,]+) bytes, lstm\.json says \d+/,
    },
    {
      name: 'weights.bin truncated',
      damage: async (d: string) => writeFile(weightsBin(d), (await readFile(weightsBin(d))).subarray(0, 100)),
      file: 'weights.bin',
      message: /weights\.bin: 100 bytes, lstm\.json says \d+/,
    },
    {
      name: 'weights.bin missing',
      damage: (d: string) => rm(weightsBin(d)),
      file: 'weights.bin',
      message: /weights\.bin: missing/,
    },
    {
      name: 'model.json missing',
      damage: (d: string) => rm(path.join(d, 'model.json')),
      file: 'model.json',
      message: /model\.json: missing/,
    },
    {
      name: 'lstm.json missing',
      damage: (d: string) => rm(path.join(d, 'lstm.json')),
      file: 'lstm.json',
      message: /lstm\.json: missing/,
    },
    {
      name: 'lstm.json not JSON',
      damage: (d: string) => writeFile(path.join(d, 'lstm.json'), '{"format": "lstm-'),
      file: 'lstm.json',
      message: /lstm\.json: not valid JSON/,
    },
    {
      name: 'formatVersion 99',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.formatVersion = 99)),
      file: 'lstm.json',
      message: /lstm\.json: format version 99, this lstm reads version 1/,
    },
    {
      name: 'vocabulary size disagreeing with the network',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => m.vocab.pop()),
      file: 'lstm.json',
      message: /lstm\.json: network or vocabulary is malformed/,
    },
    ...[
      ['streams', -1],
      ['streams', 1.5],
      ['lrHalvings', -2],
      ['lrHalvings', '3'],
    ].map(([key, value]) => ({
      name: `progress.${key} = ${JSON.stringify(value)} (they size the saved LSTM state and the learning rate)`,
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.progress[key as string] = value)),
      file: 'lstm.json',
      message: /lstm\.json: hyperparameters or progress are malformed/,
    })),
    {
      name: 'a lineage whose base names no model',
      damage: (d: string) =>
        editJson(
          path.join(d, 'lstm.json'),
          (m) =>
            (m.lineage = {
              base: {
                epoch: 3,
                corpus: { name: 'a.txt', sha256: 'ab' },
                network: { layers: 1, units: 8 },
                bestValLoss: null,
              },
              added: [],
              unseen: [],
            }),
        ),
      file: 'lstm.json',
      message: /lstm\.json: lineage \(the base model of a fine-tune\) is malformed/,
    },
    {
      name: "a lineage whose base's own lineage has characters that are strings of two",
      damage: (d: string) =>
        editJson(path.join(d, 'lstm.json'), (m) => {
          const base = {
            model: 'm',
            epoch: 3,
            batch: 0,
            corpus: { name: 'a.txt', sha256: 'ab' },
            network: { layers: 1, units: 8 },
            bestValLoss: 1.5,
          };
          m.lineage = { base: { ...base, lineage: { base, added: ['ab'], unseen: [] } }, added: [], unseen: [] };
        }),
      file: 'lstm.json',
      message: /lstm\.json: lineage \(the base model of a fine-tune\) is malformed/,
    },
    {
      name: "weight path '../x.bin' (hash of model.json fixed, and ../x.bin present)",
      damage: async (d: string) => {
        await cp(weightsBin(d), path.join(d, '..', 'x.bin'));
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].paths = ['../x.bin'];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message: /model\.json: weight path '\.\.\/x\.bin' leaves the model directory/,
    },
    {
      name: 'absolute weight path (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].paths = [weightsBin(d)];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message: /leaves the model directory/,
    },
    {
      name: 'wrong weight shape in model.json (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].weights[1].shape = [9, 32];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message:
        /model\.json: weight #2 is lstm_1\/recurrent_kernel \[9,32\], expected lstm_1\/recurrent_kernel \[8,32\]/,
    },
    {
      name: 'a weight renamed in model.json (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].weights[0].name = 'lstm_9/kernel';
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message: /model\.json: weight #1 is lstm_9\/kernel \[\d+,32\], expected lstm_1\/kernel \[\d+,32\]/,
    },
    {
      name: 'a weight missing from model.json (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].weights.pop();
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message: /model\.json: has 7 weights, expected 8 for 2 LSTM layers/,
    },
    {
      name: 'network units changed in lstm.json (shapes no longer fit)',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.network.units = 9)),
      file: 'model.json',
      message: /model\.json: weight #1 is lstm_1\/kernel \[\d+,32\], expected lstm_1\/kernel \[\d+,36\]/,
    },
    {
      name: 'weights.bin of the wrong length with a matching hash',
      damage: async (d: string) => rewriteWithHash(d, 'weights.bin', (await readFile(weightsBin(d))).subarray(4)),
      file: 'weights.bin',
      message: /weights\.bin: [\d,]+ bytes, expected \d+ for the shapes in model\.json/,
    },
    {
      name: 'a file listed in lstm.json outside the directory',
      damage: (d: string) =>
        editJson(path.join(d, 'lstm.json'), (m) => (m.files['../lstm.json'] = { size: 1, sha256: 'x' })),
      file: 'lstm.json',
      message: /lists a file '\.\.\/lstm\.json' outside the model directory/,
    },
  ])('$name', async ({ damage, file, message }) => {
    const d = await copyCheckpoint();
    expect((await readCheckpoint(d, checkpointSpecs)).weights.size).toBe(8); // intact before
    await damage(d);
    const err = await loadError(d);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(path.join(d, file));
    expect(err.message).not.toContain('\n');
  });

  it('a damaged optimizer.bin fails only when the optimizer state is asked for (resume)', async () => {
    const d = await copyCheckpoint();
    const file = path.join(d, 'optimizer.bin');
    const b = await readFile(file);
    b[0] ^= 0x80;
    await writeFile(file, b);
    expect((await readCheckpoint(d, checkpointSpecs)).optimizer).toBeUndefined();
    const err = await loadError(d, { optimizer: true });
    expect(err.message).toBe(`${file}: sha256 does not match lstm.json`);
  });

  it.each([
    { name: 'a path that does not exist', target: () => path.join(dir, 'nowhere'), message: /no model at/ },
    { name: 'a file, not a directory', target: () => corpus, message: /is not a model directory/ },
    {
      name: 'an empty directory',
      target: async () => {
        const d = path.join(dir, 'empty');
        await mkdir(d, { recursive: true });
        return d;
      },
      message: /has no checkpoint 'best'/,
    },
  ])('resolveCheckpoint refuses $name', async ({ target, message }) => {
    await expect(resolveCheckpoint(await target())).rejects.toThrow(message);
  });
});

describe('float16 weights (an export made with --float16)', () => {
  it('read back as float32, each within half precision of the original, from a weights.bin half the size', async () => {
    const d = await exportFloat16();
    const back = await readCheckpoint(d, checkpointSpecs);
    expect(back.weightsDtype).toBe('float16');
    expect(trained.weightsDtype).toBe('float32');
    expect(back.manifest.files['weights.bin'].dtype).toBe('float16');
    expect(back.manifest.files['weights.bin'].size * 2).toBe(trained.manifest.files['weights.bin'].size);
    const modelJson = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
    for (const spec of modelJson.weightsManifest[0].weights)
      expect(spec).toEqual({
        name: spec.name,
        shape: spec.shape,
        dtype: 'float32',
        quantization: { dtype: 'float16' },
      });
    expect([...back.weights.keys()]).toEqual([...trained.weights.keys()]);
    let compared = 0;
    for (const [name, original] of trained.weights) {
      const w = back.weights.get(name)!;
      expect(w).toBeInstanceOf(Float32Array);
      // Rounding to 11 significant bits moves a value by at most 2^-11 of it; below the
      // smallest normal half (2^-14) the spacing is 2^-24, so by at most 2^-25.
      for (let i = 0; i < original.length; i++) {
        expect(Math.abs(w[i] - original[i]), `${name}[${i}]`).toBeLessThanOrEqual(
          Math.max(Math.abs(original[i]) * 2 ** -11, 2 ** -25),
        );
        compared++;
      }
      expect(bytesOf([w]).equals(bytesOf([fromFloat16(toFloat16(original))])), name).toBe(true);
    }
    expect(compared).toBe(trained.manifest.files['weights.bin'].size / 4);
  });

  const quantizeAll = (q: unknown) => async (d: string) => {
    const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
    for (const w of json.weightsManifest[0].weights) {
      if (q === undefined) delete w.quantization;
      else w.quantization = q;
    }
    await rewriteWithHash(d, 'model.json', JSON.stringify(json));
  };

  it.each([
    {
      name: "quantization dtype 'uint8' (TF.js's affine quantization; hash fixed)",
      damage: quantizeAll({ dtype: 'uint8', min: -1, scale: 0.01 }),
      file: 'model.json',
      message:
        /model\.json: weight #1 lstm_1\/kernel is quantized as "uint8"; lstm reads float32 weights, or float16 ones \(quantization \{"dtype":"float16"\}\)/,
    },
    {
      name: "quantization dtype 'bfloat16' (hash fixed)",
      damage: quantizeAll({ dtype: 'bfloat16' }),
      file: 'model.json',
      message: /weight #1 lstm_1\/kernel is quantized as "bfloat16"/,
    },
    {
      name: 'quantization that is not an object (hash fixed)',
      damage: quantizeAll('float16'),
      file: 'model.json',
      message: /weight #1 lstm_1\/kernel is quantized as "float16"; lstm reads/,
    },
    {
      name: 'one weight without its quantization (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        delete json.weightsManifest[0].weights[2].quantization;
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json',
      message: /model\.json: weight #3 lstm_1\/bias is stored as float32, weight #1 as float16/,
    },
    {
      name: 'model.json declaring float32 while lstm.json says float16 (hash fixed)',
      damage: quantizeAll(undefined),
      file: 'lstm.json',
      message: /lstm\.json: says weights\.bin holds float16 values, model\.json declares float32/,
    },
    {
      name: "lstm.json's weights dtype 'int8'",
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.files['weights.bin'].dtype = 'int8')),
      file: 'lstm.json',
      message: /lstm\.json: says weights\.bin holds "int8" values; lstm reads float32 and float16/,
    },
    {
      name: 'weights.bin replaced by the float32 one (hash fixed)',
      damage: async (d: string) =>
        rewriteWithHash(d, 'weights.bin', await readFile(path.join(trained.dir, 'weights.bin'))),
      file: 'weights.bin',
      message:
        /weights\.bin: ([\d,]+) bytes, expected \d+ for the shapes in model\.json \(float16, 2 bytes per value\)/,
    },
  ])('refused: $name', async ({ damage, file, message }) => {
    const d = await exportFloat16();
    expect((await readCheckpoint(d, checkpointSpecs)).weightsDtype).toBe('float16'); // intact before
    await damage(d);
    const err = await loadError(d);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(path.join(d, file));
    expect(err.message).not.toContain('\n');
  });
});

describe('the saved files are an ordinary TF.js Layers model', () => {
  /** A window of the training text as a one-window time-major batch, and as one-hot [1, T, V]. */
  async function window(ckpt: Checkpoint): Promise<{ batch: Batch; onehot: tf.Tensor3D }> {
    const vocab = new Vocab(ckpt.manifest.vocab);
    const ids = vocab.encode(words.slice(0, 40));
    const T = 30;
    const batch = makeBatch(ids, [3], T);
    const V = vocab.size;
    const data = new Float32Array(T * V);
    for (let t = 0; t < T; t++) data[t * V + batch.inputs[t]] = 1;
    return { batch, onehot: tf.tensor3d(data, [1, T, V]) };
  }

  async function loadWith(ckpt: Checkpoint, edit?: (topology: any) => void): Promise<tf.LayersModel> {
    const modelJson = JSON.parse(await readFile(path.join(ckpt.dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const weightData = new Uint8Array(await readFile(path.join(ckpt.dir, 'weights.bin'))).buffer;
    edit?.(modelJson.modelTopology);
    return tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData,
      }),
    );
  }

  /** The loaded model's softmax over the window (the model is disposed). */
  async function theirProbabilities(model: tf.LayersModel): Promise<Float32Array> {
    const { onehot } = await window(trained);
    const theirs = tf.tidy(() => (model.predict(onehot) as tf.Tensor).dataSync() as Float32Array);
    onehot.dispose();
    model.dispose();
    return theirs;
  }

  /** Our forward pass's softmax over the window, with `weights` (the Layers form). */
  async function ourProbabilities(weights: Named): Promise<Float32Array> {
    const { batch, onehot } = await window(trained);
    onehot.dispose();
    const cfg = netConfig(trained.manifest.network);
    const ts = tensorsOf(cfg, fromLayersWeights(cfg, weights));
    const ours = tf.tidy(() => tf.softmax(forwardLogits(weightsOf(cfg, ts), cfg, batch)).dataSync() as Float32Array);
    ts.forEach((t) => t.dispose());
    return ours;
  }

  /** Max |difference| between the loaded model's softmax and ours over the window. */
  const worstDifference = async (model: tf.LayersModel, weights = trained.weights) =>
    maxAbsDiff(await theirProbabilities(model), await ourProbabilities(weights));

  /**
   * A model directory as a browser loads it: tf.io.http, TF.js's own loader (it reads
   * model.json, follows its weight paths and decodes each weight as declared), with a fetch
   * that serves the directory's files instead of a web server.
   */
  const asServed = (d: string) =>
    tf.io.http('https://model.test/model.json', {
      fetchFunc: async (url: string | URL | Request) =>
        new Response(
          await readFile(path.join(d, path.basename(new URL(url instanceof Request ? url.url : url).pathname))),
        ),
    });

  it('tf.loadLayersModel(tf.io.fromMemory(...)) loads it with exactly the saved weights', async () => {
    const model = await loadWith(trained);
    const loaded = model.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(loaded).toHaveLength(trained.weights.size);
    expect(bytesOf(loaded).equals(bytesOf(trained.weights))).toBe(true);
    model.dispose();
  });

  it('with the LSTM gates read as sigmoid, it predicts the same probabilities as our forward pass', async () => {
    const sigmoidGates = (topology: any) => {
      for (const l of topology.config.layers) if (l.class_name === 'LSTM') l.config.recurrent_activation = 'sigmoid';
    };
    expect(await worstDifference(await loadWith(trained, sigmoidGates))).toBeLessThan(1e-5);
  });

  // The saved topology says "recurrent_activation": "sigmoid" (tf.layers.lstm's default is
  // hard_sigmoid), so a browser loading model.json gets our probabilities.
  it('as saved, it predicts the same probabilities as our forward pass', async () => {
    expect(await worstDifference(await loadWith(trained))).toBeLessThan(1e-5);
  });

  it('a float16 export loads as served (tf.io.http) with the very weights lstm reads from it, and predicts our probabilities', async () => {
    const d = await exportFloat16();
    const ours = await readCheckpoint(d, checkpointSpecs);
    const model = await tf.loadLayersModel(asServed(d));
    const loaded = model.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(bytesOf(loaded).equals(bytesOf(ours.weights))).toBe(true); // TF.js decodes float16 as lstm does, bit for bit
    const theirs = await theirProbabilities(model);
    expect(maxAbsDiff(theirs, await ourProbabilities(ours.weights))).toBeLessThan(1e-5);
    // And against the float32 model it was exported from: half precision costs little.
    const fromFloat32 = maxAbsDiff(theirs, await ourProbabilities(trained.weights));
    expect(fromFloat32).toBeGreaterThan(0);
    expect(fromFloat32).toBeLessThan(1e-3);
  });
});

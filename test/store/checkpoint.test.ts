/**
 * Checkpoints on disk: exact round trips, every kind of damage refused with an error naming
 * the file, the saved model.json + weights.bin as an ordinary TF.js Layers model, and
 * crash safety (leftovers of an interrupted save; `lstm train` killed with SIGKILL).
 */
import { cp, lstat, mkdir, readdir, readFile, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LstmError } from '../../src/errors.js';
import { initBackend } from '../../src/net/backend.js';
import { fromLayersWeights } from '../../src/net/keras.js';
import { forwardLogits } from '../../src/net/lstm.js';
import { paramSpecs, type NetConfig } from '../../src/net/params.js';
import { sha256 } from '../../src/store/atomic.js';
import {
  checkpointName, exportCheckpoint, holdsModel, readCheckpoint, resolveCheckpoint, saveCheckpoint,
  type Checkpoint, type CheckpointData,
} from '../../src/store/checkpoint.js';
import type { Manifest } from '../../src/store/manifest.js';
import { Vocab } from '../../src/text/vocab.js';
import { makeBatch, type Batch } from '../../src/text/windows.js';
import { lstm } from '../helpers/cli.js';
import { assertBuilt, makeTempDir, removeDir, snapshot, spawnLstm, textFile, trainTiny, waitUntil, words } from '../train/tiny.js';

let dir: string;
let corpus: string;
/** A shorter text for the kill tests: quick epochs, so a kill often lands during a save. */
let shortCorpus: string;
/** A bundle made by `lstm train`: 2 LSTM layers of 8 units, 2 epochs. */
let bundle: string;
let trained: Checkpoint;

beforeAll(async () => {
  assertBuilt();
  await initBackend('wasm');
  dir = await makeTempDir('checkpoint');
  corpus = await textFile(dir, 'words.txt', words);
  shortCorpus = await textFile(dir, 'short.txt', words.slice(0, 1000));
  bundle = path.join(dir, 'bundle');
  await trainTiny(corpus, bundle, ['--epochs', '2', '--layers', '2', '--units', '8', '--dropout', '0.2', '--seq-length', '8']);
  trained = await readCheckpoint(await resolveCheckpoint(bundle, 'latest'), { optimizer: true });
});

afterAll(() => removeDir(dir));

let copies = 0;
/** A private copy of the trained bundle's latest checkpoint directory. */
async function copyCheckpoint(): Promise<string> {
  const to = path.join(dir, `copy-${copies++}`);
  // From the real directory: copying the `latest` symlink itself would share the files.
  await cp(await realpath(trained.dir), to, { recursive: true });
  return to;
}

/** What saveCheckpoint takes, from a loaded checkpoint (optionally at another position). */
function dataOf(ckpt: Checkpoint, epoch = ckpt.manifest.progress.epoch): CheckpointData {
  const { files: _files, savedAt: _savedAt, ...manifest } = ckpt.manifest;
  return {
    manifest: { ...manifest, progress: { ...manifest.progress, epoch, batch: 0 } },
    modelTopology: ckpt.modelJson.modelTopology,
    weightSpecs: ckpt.modelJson.weightsManifest[0].weights,
    weights: ckpt.weights,
    optimizer: ckpt.optimizer,
  };
}

const bytesOf = (arrays: Float32Array[]) => Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

/** Replaces a file of a checkpoint and records its new size and hash in lstm.json, so only deeper checks can object. */
async function rewriteWithHash(ckptDir: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  await writeFile(path.join(ckptDir, name), data);
  const manifestPath = path.join(ckptDir, 'lstm.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  manifest.files[name] = { size: data.length, sha256: sha256(data) };
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
    await readCheckpoint(ckptDir, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LstmError);
    expect((err as LstmError).kind).toBe('data');
    return err as LstmError;
  }
  throw new Error(`readCheckpoint(${ckptDir}) succeeded; expected an error`);
}

describe('save and load round trip', () => {
  it('lstm train wrote a complete, verified checkpoint with latest and best', async () => {
    expect(path.basename(trained.dir)).toBe('latest');
    expect(await readlink(path.join(bundle, 'latest'))).toBe('epoch-0002');
    expect(trained.manifest.progress.epoch).toBe(2);
    expect(trained.manifest.history).toHaveLength(2);
    expect(Object.keys(trained.manifest.files).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    for (const [name, entry] of Object.entries(trained.manifest.files)) {
      const bytes = await readFile(path.join(trained.dir, name));
      expect(bytes.length, name).toBe(entry.size);
      expect(sha256(bytes), name).toBe(entry.sha256);
    }
    expect(trained.optimizer!.m).toHaveLength(4);
    expect(trained.optimizer!.v).toHaveLength(4);
    expect(await holdsModel(bundle)).toBe(true);
  });

  it('saveCheckpoint then readCheckpoint gives bit-identical weights, optimizer state and manifest', async () => {
    const to = path.join(dir, 'roundtrip');
    const data = dataOf(trained, 7);
    const saved = await saveCheckpoint(to, data, { best: true, keep: 3 });
    expect(saved).toBe(path.join(to, 'epoch-0007'));
    expect(await readlink(path.join(to, 'latest'))).toBe('epoch-0007');
    expect(await readlink(path.join(to, 'best'))).toBe('epoch-0007');

    const back = await readCheckpoint(await resolveCheckpoint(to, 'latest'), { optimizer: true });
    expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    expect(bytesOf(back.optimizer!.m).equals(bytesOf(trained.optimizer!.m))).toBe(true);
    expect(bytesOf(back.optimizer!.v).equals(bytesOf(trained.optimizer!.v))).toBe(true);
    expect((await readFile(path.join(saved, 'weights.bin'))).equals(bytesOf(trained.weights))).toBe(true);
    const { files: _f, savedAt: _s, ...rest } = back.manifest;
    expect(rest).toEqual(data.manifest);
    expect(back.modelJson.modelTopology).toEqual(trained.modelJson.modelTopology);

    // And through the parameter layout the trainer uses: fromLayersWeights is exact.
    const cfg: NetConfig = { ...trained.manifest.network };
    const a = fromLayersWeights(cfg, trained.weights);
    const b = fromLayersWeights(cfg, back.weights);
    for (const s of paramSpecs(cfg)) expect(bytesOf([b.get(s.name)!]).equals(bytesOf([a.get(s.name)!])), s.name).toBe(true);
  });

  it('keeps the last `keep` epochs plus best, and resolves epoch numbers', async () => {
    const to = path.join(dir, 'pruned');
    await saveCheckpoint(to, dataOf(trained, 1), { best: true, keep: 2 });
    for (const epoch of [2, 3, 4]) await saveCheckpoint(to, dataOf(trained, epoch), { best: false, keep: 2 });
    expect((await readdir(to)).sort()).toEqual(['best', 'epoch-0001', 'epoch-0003', 'epoch-0004', 'latest']);
    expect(await resolveCheckpoint(to)).toBe(path.join(to, 'best'));
    expect(await resolveCheckpoint(to, '3')).toBe(path.join(to, 'epoch-0003'));
    expect((await readCheckpoint(await resolveCheckpoint(to, 'best'))).manifest.progress.epoch).toBe(1);
    await expect(resolveCheckpoint(to, '2')).rejects.toThrow(/no checkpoint 'epoch-0002'.*|available/);
    expect(checkpointName(3, 12)).toBe('epoch-0003-batch-00012');
  });

  it('exportCheckpoint writes a flat model without optimizer state that loads the same weights', async () => {
    const to = path.join(dir, 'exported');
    const { optimizer: _o, ...data } = dataOf(trained);
    await exportCheckpoint(to, { ...data, manifest: { ...data.manifest, optimizer: null } });
    expect((await readdir(to)).sort()).toEqual(['lstm.json', 'model.json', 'weights.bin']);
    expect(await resolveCheckpoint(to)).toBe(to);
    const back = await readCheckpoint(to, { optimizer: true });
    expect(back.optimizer).toBeUndefined();
    expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

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
      file: 'weights.bin', message: /weights\.bin: sha256 does not match lstm\.json/,
    },
    {
      name: 'bytes appended to weights.bin',
      damage: async (d: string) => writeFile(weightsBin(d), Buffer.concat([await readFile(weightsBin(d)), Buffer.from([1, 2, 3, 4])])),
      file: 'weights.bin', message: /weights\.bin: (\d+) bytes, lstm\.json says \d+/,
    },
    {
      name: 'weights.bin truncated',
      damage: async (d: string) => writeFile(weightsBin(d), (await readFile(weightsBin(d))).subarray(0, 100)),
      file: 'weights.bin', message: /weights\.bin: 100 bytes, lstm\.json says \d+/,
    },
    { name: 'weights.bin missing', damage: (d: string) => rm(weightsBin(d)), file: 'weights.bin', message: /weights\.bin: missing/ },
    { name: 'model.json missing', damage: (d: string) => rm(path.join(d, 'model.json')), file: 'model.json', message: /model\.json: missing/ },
    { name: 'lstm.json missing', damage: (d: string) => rm(path.join(d, 'lstm.json')), file: 'lstm.json', message: /lstm\.json: missing/ },
    { name: 'lstm.json not JSON', damage: (d: string) => writeFile(path.join(d, 'lstm.json'), '{"format": "lstm-'), file: 'lstm.json', message: /lstm\.json: not valid JSON/ },
    {
      name: 'formatVersion 99',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.formatVersion = 99)),
      file: 'lstm.json', message: /lstm\.json: format version 99, this lstm reads version 1/,
    },
    {
      name: 'vocabulary size disagreeing with the network',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => m.vocab.pop()),
      file: 'lstm.json', message: /lstm\.json: network or vocabulary is malformed/,
    },
    {
      name: "weight path '../x.bin' (hash of model.json fixed, and ../x.bin present)",
      damage: async (d: string) => {
        await cp(weightsBin(d), path.join(d, '..', 'x.bin'));
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].paths = ['../x.bin'];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json', message: /model\.json: weight path '\.\.\/x\.bin' leaves the model directory/,
    },
    {
      name: 'absolute weight path (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].paths = [weightsBin(d)];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json', message: /leaves the model directory/,
    },
    {
      name: 'wrong weight shape in model.json (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].weights[1].shape = [9, 32];
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json', message: /model\.json: weight \S+ has shape \[9,32\], expected \[8,32\]/,
    },
    {
      name: 'a weight missing from model.json (hash fixed)',
      damage: async (d: string) => {
        const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8'));
        json.weightsManifest[0].weights.pop();
        await rewriteWithHash(d, 'model.json', JSON.stringify(json));
      },
      file: 'model.json', message: /model\.json: has 7 weights, expected 8 for 2 LSTM layers/,
    },
    {
      name: 'network units changed in lstm.json (shapes no longer fit)',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.network.units = 9)),
      file: 'model.json', message: /model\.json: weight \S+ has shape \[\d+,32\], expected \[\d+,36\]/,
    },
    {
      name: 'weights.bin of the wrong length with a matching hash',
      damage: async (d: string) => rewriteWithHash(d, 'weights.bin', (await readFile(weightsBin(d))).subarray(4)),
      file: 'weights.bin', message: /weights\.bin: \d+ bytes, expected \d+ for the shapes in model\.json/,
    },
    {
      name: 'a file listed in lstm.json outside the directory',
      damage: (d: string) => editJson(path.join(d, 'lstm.json'), (m) => (m.files['../lstm.json'] = { size: 1, sha256: 'x' })),
      file: 'lstm.json', message: /lists a file '\.\.\/lstm\.json' outside the model directory/,
    },
  ])('$name', async ({ damage, file, message }) => {
    const d = await copyCheckpoint();
    expect((await readCheckpoint(d)).weights).toHaveLength(8); // intact before
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
    expect((await readCheckpoint(d)).optimizer).toBeUndefined();
    const err = await loadError(d, { optimizer: true });
    expect(err.message).toBe(`${file}: sha256 does not match lstm.json`);
  });

  it.each([
    { name: 'a path that does not exist', target: () => path.join(dir, 'nowhere'), message: /no model at/ },
    { name: 'a file, not a directory', target: () => corpus, message: /is not a model directory/ },
    { name: 'an empty directory', target: async () => { const d = path.join(dir, 'empty'); await mkdir(d, { recursive: true }); return d; }, message: /has no checkpoint 'best'/ },
  ])('resolveCheckpoint refuses $name', async ({ target, message }) => {
    await expect(resolveCheckpoint(await target())).rejects.toThrow(message);
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
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }));
  }

  /** Max |difference| between the loaded model's softmax and ours over the window. */
  async function worstDifference(model: tf.LayersModel): Promise<number> {
    const { batch, onehot } = await window(trained);
    const theirs = (model.predict(onehot) as tf.Tensor).dataSync();
    const cfg: NetConfig = { ...trained.manifest.network };
    const params = fromLayersWeights(cfg, trained.weights);
    const ts = paramSpecs(cfg).map((s) => tf.tensor(params.get(s.name)!, s.shape));
    const ours = tf.tidy(() => tf.softmax(forwardLogits({ W: ts.slice(0, cfg.layers) as tf.Tensor2D[], denseW: ts[cfg.layers] as tf.Tensor2D, denseB: ts[cfg.layers + 1] as tf.Tensor1D }, cfg, batch)).dataSync());
    ts.forEach((t) => t.dispose());
    onehot.dispose();
    model.dispose();
    expect(theirs.length).toBe(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    return worst;
  }

  it('tf.loadLayersModel(tf.io.fromMemory(...)) loads it with exactly the saved weights', async () => {
    const model = await loadWith(trained);
    const loaded = model.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(loaded).toHaveLength(trained.weights.length);
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
});

describe('crash safety', () => {
  it('leftovers of a save killed mid-way do not affect latest, and the next save removes them', async () => {
    const b = path.join(dir, 'crashed');
    await cp(bundle, b, { recursive: true, verbatimSymlinks: true });
    const before = await snapshot(b);
    // What a save killed at various points leaves: a temp checkpoint with partial files, a
    // complete but unpublished one, and a temp symlink never renamed over `latest`.
    const partial = path.join(b, '.tmp-epoch-0003-99999-deadbeef');
    await mkdir(partial);
    await writeFile(path.join(partial, 'model.json'), (await readFile(path.join(trained.dir, 'model.json'))).subarray(0, 50));
    await writeFile(path.join(partial, 'weights.bin'), (await readFile(path.join(trained.dir, 'weights.bin'))).subarray(0, 64));
    await cp(await realpath(trained.dir), path.join(b, '.tmp-epoch-0003-99999-cafebabe'), { recursive: true });
    await symlink('epoch-0003', path.join(b, '.tmp-link-latest-99999-0badf00d'));

    for (const which of ['latest', 'best']) {
      const back = await readCheckpoint(await resolveCheckpoint(b, which), { optimizer: true });
      expect(back.manifest.progress.epoch).toBe(2);
      expect(bytesOf(back.weights).equals(bytesOf(trained.weights))).toBe(true);
    }

    const saved = await saveCheckpoint(b, dataOf(trained, 3), { best: false, keep: 5 });
    const names = await readdir(b);
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await readlink(path.join(b, 'latest'))).toBe('epoch-0003');
    expect((await readCheckpoint(saved)).manifest.progress.epoch).toBe(3);
    // Nothing that was there before changed.
    const after = await snapshot(b);
    for (const [key, hash] of Object.entries(before)) if (key !== 'latest') expect(after[key], key).toBe(hash);
  });

  // `lstm train` SIGKILLed at three different moments after its first checkpoint:
  // `latest` must always be a complete, verified checkpoint.
  it.each([
    { delayMs: 0, resume: false },
    { delayMs: 40 + Math.floor(Math.random() * 60), resume: false },
    { delayMs: 150 + Math.floor(Math.random() * 250), resume: true },
  ])('SIGKILL $delayMs ms after the first checkpoint leaves a loadable latest', async ({ delayMs, resume }) => {
    const out = path.join(dir, `killed-${delayMs}-${copies++}`);
    const p = spawnLstm(['-q', 'train', shortCorpus, '--out', out,
      '--layers', '1', '--units', '8', '--seq-length', '8', '--batch-size', '4', '--dropout', '0.1', '--val-fraction', '0.05',
      '--no-sample', '--workers', '1', '--keep', '1', '--epochs', '10000', '--patience', '10000']);
    try {
      await waitUntil(async () => {
        try {
          await lstat(path.join(out, 'latest'));
          return true;
        } catch {
          return false;
        }
      }, 30_000, `${out}/latest`);
      await new Promise((r) => setTimeout(r, delayMs));
      expect(p.child.exitCode).toBeNull(); // still training when killed
      p.child.kill('SIGKILL');
      expect((await p.exited).signal).toBe('SIGKILL');
    } finally {
      p.child.kill('SIGKILL');
    }
    const latest = await readCheckpoint(await resolveCheckpoint(out, 'latest'), { optimizer: true });
    expect(latest.manifest.progress.epoch).toBeGreaterThanOrEqual(1);
    expect(latest.optimizer).toBeDefined();
    const best = await readCheckpoint(await resolveCheckpoint(out, 'best'));
    expect(best.manifest.progress.epoch).toBeGreaterThanOrEqual(1);
    if (!resume) return;
    // Training continues from it, and its first save clears whatever the kill left behind.
    const epochs = String(latest.manifest.progress.epoch + 1);
    const r = await lstm(['-q', 'train', shortCorpus, '--resume', out, '--epochs', epochs, '--workers', '1', '--no-sample']);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect((await readCheckpoint(await resolveCheckpoint(out, 'latest'))).manifest.progress.epoch).toBe(Number(epochs));
  });
});

/**
 * The bench's in-process stages, each run in a child process of its own by bench.ts
 * (`--stage NAME`): the stock Layers LSTM, the fused step on one thread or on workers, the
 * matMul ceiling, and generation stateful or windowed.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { choose } from '../src/generate/sampling.js';
import { Adam } from '../src/net/adam.js';
import { initBackend } from '../src/net/backend.js';
import { initParams } from '../src/net/init.js';
import { forwardLogits, toDevice } from '../src/net/lstm.js';
import { StatefulLstm } from '../src/net/stateful.js';
import { makeTrainStep } from '../src/train/step.js';

export type Config = {
  backend: string;
  units: number;
  layers: number;
  seqLength: number;
  batch: number;
  vocabSize: number;
  repeats: number;
  vocabSource: string;
};
export type StageResult = {
  msPerUnit: number[];
  unit: string;
  chars: number;
  flops?: number;
  peakRssMB: number;
  note?: string;
};

/** FLOPs of one training batch: forward matmuls, and about twice that backward. */
export function trainFlops(c: Config): number {
  const { units: U, vocabSize: V, seqLength: T, batch: B } = c;
  let fwd = 0;
  for (let l = 0; l < c.layers; l++) fwd += 2 * T * B * ((l === 0 ? V : U) + 1 + U) * 4 * U;
  fwd += 2 * T * B * U * V;
  return 3 * fwd;
}

/** What every stage shares: a synthetic batch, a timer and the peak RSS. */
function bench(c: Config) {
  const { vocabSize: V, seqLength: T, batch: B } = c;
  const ids = (n: number, k: number) => Int32Array.from({ length: n }, (_, i) => (i * 31 + k * 17 + ((i * i) % 7)) % V);
  const batch = { batch: B, seqLength: T, inputs: ids(T * B, 1), targets: ids(T * B, 2) };
  const time = async (f: () => unknown | Promise<unknown>, repeats: number, warmup = 1) => {
    for (let i = 0; i < warmup; i++) await f();
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await f();
      ms.push(performance.now() - t0);
    }
    return ms;
  };
  const rss = () => process.resourceUsage().maxRSS / 1024;
  return { ids, batch, time, rss, chars: T * B };
}
type Bench = ReturnType<typeof bench>;

async function stock(c: Config, b: Bench, backend: string): Promise<StageResult> {
  const { units: U, vocabSize: V, seqLength: T, batch: B, layers: L } = c;
  const model = tf.sequential();
  for (let l = 0; l < L; l++) {
    // glorotUniform: the default orthogonal recurrent initializer takes minutes at 300x1200.
    model.add(
      tf.layers.lstm({
        units: U,
        returnSequences: true,
        recurrentInitializer: 'glorotUniform',
        ...(l === 0 ? { inputShape: [T, V] } : {}),
      }),
    );
    model.add(tf.layers.dropout({ rate: 0.2 }));
  }
  model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
  const oneHot = (a: Int32Array) =>
    tf.tidy(() => tf.transpose(tf.reshape(tf.oneHot(tf.tensor1d(a, 'int32'), V), [T, B, V]), [1, 0, 2]).toFloat());
  const xs = oneHot(b.batch.inputs);
  const ys = oneHot(b.batch.targets);
  const ms = await b.time(() => model.trainOnBatch(xs, ys), c.repeats);
  return { msPerUnit: ms, unit: 'batch', chars: b.chars, flops: trainFlops(c), peakRssMB: b.rss(), note: backend };
}

async function fused(c: Config, b: Bench, backend: string, workers: number): Promise<StageResult> {
  const cfg = { vocabSize: c.vocabSize, layers: c.layers, units: c.units, dropout: 0.2 };
  const adam = new Adam(cfg, initParams(cfg, 1), { lr: 2e-3, clip: 5 });
  const trainStep = await makeTrainStep(adam, workers, backend as Parameters<typeof makeTrainStep>[2]);
  let k = 0;
  const ms = await b.time(
    () => trainStep.step(b.batch, { randomSeed: 1, epoch: 0, batch: k++ }),
    Math.max(c.repeats, 5),
  );
  await trainStep.dispose();
  const note = `${workers} thread(s)`;
  return { msPerUnit: ms, unit: 'batch', chars: b.chars, flops: trainFlops(c), peakRssMB: b.rss(), note };
}

async function matmul(c: Config, b: Bench): Promise<StageResult> {
  const { units: U, vocabSize: V, seqLength: T, batch: B } = c;
  const a = tf.randomUniform([T * B, V + U]);
  const w = tf.randomUniform([V + U, 4 * U]);
  // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element.
  const run = () => {
    const p = tf.matMul(a, w);
    p.dataSync();
    p.dispose();
  };
  const ms = await b.time(run, 10, 2);
  const note = `[${T * B}, ${V + U}] x [${V + U}, ${4 * U}]`;
  return { msPerUnit: ms, unit: 'matmul', chars: 0, flops: 2 * T * B * (V + U) * 4 * U, peakRssMB: b.rss(), note };
}

/** Generation one step per character, carrying the state. */
async function stateful(c: Config, b: Bench): Promise<StageResult> {
  const cfg = { vocabSize: c.vocabSize, layers: c.layers, units: c.units, dropout: 0.2 };
  const net = new StatefulLstm(cfg, initParams(cfg, 1));
  const n = 2000;
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const run = () => {
    net.reset(1);
    for (let i = 0; i < n; i++) net.feed([choose(net.logits, { temperature: 0.8 }, random)]);
  };
  const ms = await b.time(run, c.repeats);
  const note = 'stateful: one step per character';
  return { msPerUnit: ms.map((x) => x / n), unit: 'char', chars: 1, peakRssMB: b.rss(), note };
}

/** Generation as the TF.js example does it: the whole window again for every character. */
async function windowed(c: Config, b: Bench): Promise<StageResult> {
  const { vocabSize: V, seqLength: T } = c;
  const cfg = { vocabSize: V, layers: c.layers, units: c.units, dropout: 0.2 };
  const w = toDevice(cfg, initParams(cfg, 1));
  const window = Array.from(b.ids(T, 3));
  const n = 60;
  const run = () => {
    for (let i = 0; i < n; i++) {
      const inputs = Int32Array.from(window);
      const logits = forwardLogits(w, cfg, { batch: 1, seqLength: T, inputs, targets: new Int32Array(T) });
      const last = logits.dataSync().subarray((T - 1) * V);
      logits.dispose();
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
      window.shift();
      window.push(best);
    }
  };
  const ms = await b.time(run, c.repeats);
  const note = `re-runs the ${T}-character window per character`;
  return { msPerUnit: ms.map((x) => x / n), unit: 'char', chars: 1, peakRssMB: b.rss(), note };
}

/** Runs the stage `name` in this process. */
export async function stage(name: string, c: Config): Promise<StageResult> {
  const backend = await initBackend(c.backend, 'batches');
  const b = bench(c);
  if (name === 'probe') return { msPerUnit: [0], unit: 'probe', chars: 0, peakRssMB: b.rss(), note: backend };
  if (name === 'stock') return stock(c, b, backend);
  if (name === 'fused') return fused(c, b, backend, 1);
  if (name === 'workers') return fused(c, b, backend, Math.min(availableParallelism(), 8));
  if (name === 'matmul') return matmul(c, b);
  if (name === 'generate') return stateful(c, b);
  if (name === 'windowed') return windowed(c, b);
  throw new Error(`unknown stage ${name}`);
}

/**
 * `npm run bench [-- --backend cpu]`: training and generation speed, in one run, on one
 * backend and config (2x300 units, 50 steps, batch 64, the Macbeth vocabulary):
 *
 *   (a) stock tf.layers.lstm trained with trainOnBatch, as users write it
 *   (b) this project's fused step on one thread
 *   (c) the same with worker threads (one per core)
 *   (d) the matMul ceiling: [3200, 372] x [372, 1200]
 *   (e) generation: stateful per character versus re-running the 50-character window
 *
 * Each stage runs in its own child process, so its peak RSS is its own and stages do not
 * disturb each other. Prints a table and writes the same as JSON to bench/results/.
 * Never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const MACBETH = join(root, '..', 'shared', 'corpora', 'macbeth.txt');

type Config = { backend: string; units: number; layers: number; seqLength: number; batch: number; vocabSize: number; repeats: number; vocabSource: string };
type StageResult = { msPerUnit: number[]; unit: string; chars: number; flops?: number; peakRssMB: number; note?: string };

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** FLOPs of one training batch: forward matmuls, and about twice that backward. */
function trainFlops(c: Config): number {
  const { units: U, vocabSize: V, seqLength: T, batch: B } = c;
  let fwd = 0;
  for (let l = 0; l < c.layers; l++) fwd += 2 * T * B * ((l === 0 ? V : U) + 1 + U) * 4 * U;
  fwd += 2 * T * B * U * V;
  return 3 * fwd;
}

async function stage(name: string, c: Config): Promise<StageResult> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../src/net/backend.js');
  const backend = await initBackend(c.backend, 'train');
  const { units: U, vocabSize: V, seqLength: T, batch: B, layers: L } = c;
  const chars = T * B;
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

  if (name === 'stock') {
    const model = tf.sequential();
    for (let l = 0; l < L; l++) {
      // glorotUniform: the default orthogonal recurrent initializer takes minutes at 300x1200.
      model.add(tf.layers.lstm({ units: U, returnSequences: true, recurrentInitializer: 'glorotUniform', ...(l === 0 ? { inputShape: [T, V] } : {}) }));
      model.add(tf.layers.dropout({ rate: 0.2 }));
    }
    model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
    const oneHot = (a: Int32Array) => tf.tidy(() => tf.transpose(tf.reshape(tf.oneHot(tf.tensor1d(a, 'int32'), V), [T, B, V]), [1, 0, 2]).toFloat());
    const xs = oneHot(batch.inputs);
    const ys = oneHot(batch.targets);
    const ms = await time(() => model.trainOnBatch(xs, ys), c.repeats);
    return { msPerUnit: ms, unit: 'batch', chars, flops: trainFlops(c), peakRssMB: rss() };
  }
  if (name === 'fused' || name === 'workers') {
    const { initParams } = await import('../src/net/init.js');
    const { Adam } = await import('../src/net/adam.js');
    const { makeTrainStep } = await import('../src/train/step.js');
    const cfg = { vocabSize: V, layers: L, units: U, dropout: 0.2 };
    const adam = new Adam(cfg, initParams(cfg, 1), { lr: 2e-3, clip: 5 });
    const workers = name === 'workers' ? Math.min(availableParallelism(), 8) : 1;
    const trainStep = await makeTrainStep(adam, workers, backend);
    let k = 0;
    const ms = await time(() => trainStep.step(batch, { randomSeed: 1, epoch: 0, batch: k++ }), Math.max(c.repeats, 5));
    await trainStep.dispose();
    return { msPerUnit: ms, unit: 'batch', chars, flops: trainFlops(c), peakRssMB: rss(), note: `${workers} thread(s)` };
  }
  if (name === 'matmul') {
    const a = tf.randomUniform([T * B, V + U]);
    const w = tf.randomUniform([V + U, 4 * U]);
    // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element.
    const ms = await time(() => { const p = tf.matMul(a, w); p.dataSync(); p.dispose(); }, 10, 2);
    return { msPerUnit: ms, unit: 'matmul', chars: 0, flops: 2 * T * B * (V + U) * 4 * U, peakRssMB: rss(), note: `[${T * B}, ${V + U}] x [${V + U}, ${4 * U}]` };
  }
  if (name === 'generate' || name === 'windowed') {
    const { initParams } = await import('../src/net/init.js');
    const cfg = { vocabSize: V, layers: L, units: U, dropout: 0.2 };
    const params = initParams(cfg, 1);
    const n = name === 'generate' ? 2000 : 60;
    if (name === 'generate') {
      const { StatefulLstm } = await import('../src/net/stateful.js');
      const { choose } = await import('../src/generate/sampling.js');
      const net = new StatefulLstm(cfg, params);
      let seed = 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const run = () => {
        net.reset(1);
        for (let i = 0; i < n; i++) net.feed([choose(net.logits, { temperature: 0.8 }, random)]);
      };
      const ms = await time(run, c.repeats);
      return { msPerUnit: ms.map((x) => x / n), unit: 'char', chars: 1, peakRssMB: rss(), note: 'stateful: one step per character' };
    }
    const { forwardLogits, toDevice } = await import('../src/net/lstm.js');
    const w = toDevice(cfg, params);
    const window = Array.from(ids(T, 3));
    const run = () => {
      for (let i = 0; i < n; i++) {
        const logits = forwardLogits(w, cfg, { batch: 1, seqLength: T, inputs: Int32Array.from(window), targets: new Int32Array(T) });
        const last = logits.dataSync().subarray((T - 1) * V);
        logits.dispose();
        let best = 0;
        for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
        window.shift();
        window.push(best);
      }
    };
    const ms = await time(run, c.repeats);
    return { msPerUnit: ms.map((x) => x / n), unit: 'char', chars: 1, peakRssMB: rss(), note: `re-runs the ${T}-character window per character` };
  }
  throw new Error(`unknown stage ${name}`);
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm')!;
  let vocabSize = 72; // Macbeth's vocabulary with case kept; used when the corpus is absent
  let vocabSource = 'synthetic (Macbeth corpus not found)';
  if (existsSync(MACBETH)) {
    const { readCorpus } = await import('../src/text/corpus.js');
    vocabSize = new Set(readCorpus(readFileSync(MACBETH), MACBETH).text).size;
    vocabSource = '../shared/corpora/macbeth.txt';
  }
  const c: Config = { backend, units: 300, layers: 2, seqLength: 50, batch: 64, vocabSize, repeats: Number(arg('repeats', '3')), vocabSource };

  const one = arg('stage');
  if (one) {
    const result = await stage(one, JSON.parse(arg('config')!));
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }

  const stages = (arg('only') ?? 'stock,fused,workers,matmul,generate,windowed').split(',');
  const results: Record<string, StageResult & { medianMs: number; charsPerSecond: number; gflops: number | null }> = {};
  for (const name of stages) {
    process.stderr.write(`bench: ${name} on ${backend}...\n`);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--stage', name, '--config', JSON.stringify(c)], {
      encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`stage ${name} failed with status ${child.status}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as StageResult;
    const med = median(r.msPerUnit);
    results[name] = { ...r, medianMs: med, charsPerSecond: r.unit === 'char' ? 1000 / med : (r.chars * 1000) / med, gflops: r.flops ? r.flops / (med * 1e6) : null };
  }

  const ratio = (a?: number, b?: number) => (a && b ? a / b : null);
  const ratios = {
    'fused/stock': ratio(results.fused?.charsPerSecond, results.stock?.charsPerSecond),
    'workers/stock': ratio(results.workers?.charsPerSecond, results.stock?.charsPerSecond),
    'fused GFLOP/s / matmul GFLOP/s': ratio(results.fused?.gflops ?? undefined, results.matmul?.gflops ?? undefined),
    'stateful/windowed generation': ratio(results.generate?.charsPerSecond, results.windowed?.charsPerSecond),
  };
  const doc = {
    date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: availableParallelism(),
    config: c, results, ratios,
  };
  const labels: Record<string, string> = {
    stock: '(a) stock tf.layers.lstm trainOnBatch', fused: '(b) fused step, 1 thread', workers: '(c) fused step, workers',
    matmul: '(d) matMul ceiling', generate: '(e) generate, stateful', windowed: '(e) generate, windowed',
  };
  let table = `backend ${backend}, ${c.layers}x${c.units} LSTM, T=${c.seqLength}, B=${c.batch}, V=${c.vocabSize} (${c.vocabSource})\n`;
  table += `${'stage'.padEnd(40)} ${'median ms'.padStart(10)} ${'per'.padStart(7)} ${'chars/s'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'peak RSS MB'.padStart(12)}  note\n`;
  for (const [name, r] of Object.entries(results)) {
    table += `${labels[name].padEnd(40)} ${r.medianMs.toFixed(r.unit === 'char' ? 3 : 1).padStart(10)} ${r.unit.padStart(7)} ${(r.chars ? Math.round(r.charsPerSecond).toString() : '-').padStart(9)} ${(r.gflops?.toFixed(2) ?? '-').padStart(8)} ${r.peakRssMB.toFixed(0).padStart(12)}  ${r.note ?? ''}\n`;
  }
  for (const [k, v] of Object.entries(ratios)) table += `${k.padEnd(40)} ${v === null ? '-' : v.toFixed(2) + 'x'}\n`;
  process.stdout.write(table);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `bench-${backend}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  process.stderr.write(`wrote ${file}\n`);
}

await main();

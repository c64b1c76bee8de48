/**
 * `npm run bench [-- --backend wasm] [-- --only fused,workers]`: training and generation
 * speed in one run (2x300 units, 50 steps, batch 64, the Macbeth vocabulary), on wasm and,
 * when tfjs-node loads, on tensorflow, with PyTorch's time for the same step beside them:
 *
 *   (a) stock tf.layers.lstm trained with trainOnBatch, as users write it
 *   (b) this project's fused step on one thread
 *   (c) the same with worker threads (one per core)
 *   (d) the matMul ceiling: [3200, 372] x [372, 1200]
 *   (e) generation: stateful per character versus re-running the 50-character window
 *   (f) one epoch of `lstm train` on Macbeth at defaults (when ../shared/corpora has it)
 *   (g) `lstm generate` with the bundled model: start-up and characters per second
 *   (t) PyTorch (bench/torch_ref.py) when `import torch` works in python3 or LSTM_TORCH_PYTHON
 *
 * Each stage runs in its own child process, so its peak RSS is its own and stages do not
 * disturb each other. Prints a table and writes the same as JSON to bench/results/.
 * Never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const MACBETH = join(root, '..', 'shared', 'corpora', 'macbeth.txt');

type Config = {
  backend: string;
  units: number;
  layers: number;
  seqLength: number;
  batch: number;
  vocabSize: number;
  repeats: number;
  vocabSource: string;
};
type StageResult = {
  msPerUnit: number[];
  unit: string;
  chars: number;
  flops?: number;
  peakRssMB: number;
  note?: string;
};

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

  if (name === 'probe') return { msPerUnit: [0], unit: 'probe', chars: 0, peakRssMB: rss(), note: backend };
  if (name === 'stock') {
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
    return {
      msPerUnit: ms,
      unit: 'batch',
      chars,
      flops: trainFlops(c),
      peakRssMB: rss(),
      note: `${workers} thread(s)`,
    };
  }
  if (name === 'matmul') {
    const a = tf.randomUniform([T * B, V + U]);
    const w = tf.randomUniform([V + U, 4 * U]);
    // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element.
    const ms = await time(
      () => {
        const p = tf.matMul(a, w);
        p.dataSync();
        p.dispose();
      },
      10,
      2,
    );
    return {
      msPerUnit: ms,
      unit: 'matmul',
      chars: 0,
      flops: 2 * T * B * (V + U) * 4 * U,
      peakRssMB: rss(),
      note: `[${T * B}, ${V + U}] x [${V + U}, ${4 * U}]`,
    };
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
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const run = () => {
        net.reset(1);
        for (let i = 0; i < n; i++) net.feed([choose(net.logits, { temperature: 0.8 }, random)]);
      };
      const ms = await time(run, c.repeats);
      return {
        msPerUnit: ms.map((x) => x / n),
        unit: 'char',
        chars: 1,
        peakRssMB: rss(),
        note: 'stateful: one step per character',
      };
    }
    const { forwardLogits, toDevice } = await import('../src/net/lstm.js');
    const w = toDevice(cfg, params);
    const window = Array.from(ids(T, 3));
    const run = () => {
      for (let i = 0; i < n; i++) {
        const logits = forwardLogits(w, cfg, {
          batch: 1,
          seqLength: T,
          inputs: Int32Array.from(window),
          targets: new Int32Array(T),
        });
        const last = logits.dataSync().subarray((T - 1) * V);
        logits.dispose();
        let best = 0;
        for (let v = 1; v < V; v++) if (last[v] > last[best]) best = v;
        window.shift();
        window.push(best);
      }
    };
    const ms = await time(run, c.repeats);
    return {
      msPerUnit: ms.map((x) => x / n),
      unit: 'char',
      chars: 1,
      peakRssMB: rss(),
      note: `re-runs the ${T}-character window per character`,
    };
  }
  throw new Error(`unknown stage ${name}`);
}

/** Runs one stage in a child process; undefined when it fails (reported on stderr). */
function runStage(name: string, c: Config): StageResult | undefined {
  process.stderr.write(`bench: ${name} on ${c.backend}...\n`);
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--stage', name, '--config', JSON.stringify(c)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (child.status !== 0) {
    process.stderr.write(`bench: stage ${name} on ${c.backend} failed with status ${child.status}\n`);
    return undefined;
  }
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as StageResult;
}

/** Wall time of a whole command, in ms, and its peak RSS (from /usr/bin/time when present, else none). */
function timeCommand(args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, stdout: r.stdout };
}

/** PyTorch's time for the same step, or undefined when torch is not importable. */
function torchStage(c: Config): StageResult | undefined {
  const python = process.env.LSTM_TORCH_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    process.stderr.write(
      `bench: no PyTorch row (${python} cannot import torch; set LSTM_TORCH_PYTHON to a python that can)\n`,
    );
    return undefined;
  }
  process.stderr.write(`bench: PyTorch reference (${python})...\n`);
  const r = spawnSync(
    python,
    [join(root, 'bench', 'torch_ref.py'), JSON.stringify({ ...c, repeats: Math.max(c.repeats, 5) })],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    process.stderr.write(`bench: torch_ref.py failed: ${r.stderr.split('\n').slice(-2).join(' ')}\n`);
    return undefined;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { msPerUnit: number[]; threads: number; torch: string };
  return {
    msPerUnit: out.msPerUnit,
    unit: 'batch',
    chars: c.seqLength * c.batch,
    flops: trainFlops(c),
    peakRssMB: NaN,
    note: `torch ${out.torch}, ${out.threads} threads`,
  };
}

type Row = StageResult & {
  backend: string;
  stage: string;
  medianMs: number;
  charsPerSecond: number;
  gflops: number | null;
};

async function main(): Promise<void> {
  let vocabSize = 72; // Macbeth's vocabulary with case kept; used when the corpus is absent
  let vocabSource = 'synthetic (Macbeth corpus not found)';
  if (existsSync(MACBETH)) {
    const { readCorpus } = await import('../src/text/corpus.js');
    vocabSize = new Set(readCorpus(readFileSync(MACBETH), MACBETH).text).size;
    vocabSource = '../shared/corpora/macbeth.txt';
  }
  const base: Config = {
    backend: 'wasm',
    units: 300,
    layers: 2,
    seqLength: 50,
    batch: 64,
    vocabSize,
    repeats: Number(arg('repeats', '3')),
    vocabSource,
  };

  const one = arg('stage');
  if (one) {
    const result = await stage(one, JSON.parse(arg('config')!));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  const stages = (arg('only') ?? 'stock,fused,workers,matmul,generate,windowed,epoch,cli,torch').split(',');
  let backends = arg('backend') ? [arg('backend')!] : ['wasm', 'tensorflow'];
  if (!arg('backend') && !runStage('probe', { ...base, backend: 'tensorflow' })) {
    process.stderr.write("bench: tensorflow does not load here ('npm run native' builds it); wasm only\n");
    backends = ['wasm'];
  }
  const rows: Row[] = [];
  const add = (backend: string, stage: string, r: StageResult | undefined) => {
    if (!r) return;
    const med = median(r.msPerUnit);
    rows.push({
      ...r,
      backend,
      stage,
      medianMs: med,
      charsPerSecond: r.unit === 'char' ? 1000 / med : (r.chars * 1000) / med,
      gflops: r.flops ? r.flops / (med * 1e6) : null,
    });
  };
  if (stages.includes('torch')) add('pytorch', 'torch', torchStage(base));
  for (const backend of backends) {
    const c = { ...base, backend };
    for (const name of stages.filter((n) => !['torch', 'epoch', 'cli'].includes(n)))
      add(backend, name, runStage(name, c));
    if (stages.includes('epoch')) add(backend, 'epoch', epochStage(c));
  }
  if (stages.includes('cli')) add('default', 'cli', cliStage());

  const torch = rows.find((r) => r.stage === 'torch');
  const labels: Record<string, string> = {
    stock: '(a) stock tf.layers.lstm trainOnBatch',
    fused: '(b) fused step, 1 thread',
    workers: '(c) fused step, workers',
    matmul: '(d) matMul ceiling',
    generate: '(e) generate, stateful',
    windowed: '(e) generate, windowed',
    epoch: '(f) Macbeth epoch, lstm train defaults',
    cli: '(g) lstm generate -n 2000, bundled',
    torch: '(t) PyTorch, same step',
  };
  const vsTorch = (r: Row) =>
    torch && r.unit === 'batch' && r.stage !== 'torch' ? r.charsPerSecond / torch.charsPerSecond : null;
  let table = `${base.layers}x${base.units} LSTM, T=${base.seqLength}, B=${base.batch}, V=${base.vocabSize} (${base.vocabSource}); ${cpus()[0]?.model}, ${availableParallelism()} cores\n`;
  table += `${'backend'.padEnd(11)} ${'stage'.padEnd(38)} ${'median ms'.padStart(10)} ${'per'.padStart(6)} ${'chars/s'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'vs torch'.padStart(8)} ${'RSS MB'.padStart(7)}  note\n`;
  for (const r of rows) {
    const ratio = vsTorch(r);
    table += `${r.backend.padEnd(11)} ${labels[r.stage].padEnd(38)} ${r.medianMs.toFixed(r.unit === 'char' ? 3 : 1).padStart(10)} ${r.unit.padStart(6)} ${(r.chars ? Math.round(r.charsPerSecond).toString() : '-').padStart(8)} ${(r.gflops?.toFixed(1) ?? '-').padStart(8)} ${(ratio === null ? '-' : `${ratio.toFixed(2)}x`).padStart(8)} ${(Number.isFinite(r.peakRssMB) ? r.peakRssMB.toFixed(0) : '-').padStart(7)}  ${r.note ?? ''}\n`;
  }
  const find = (b: string, st: string) => rows.find((r) => r.backend === b && r.stage === st);
  const tfBest = find('tensorflow', 'workers') ?? find('tensorflow', 'fused');
  const wasmFused = find('wasm', 'fused');
  if (tfBest && wasmFused)
    table += `tensorflow training step / wasm fused step (1 thread): ${(tfBest.charsPerSecond / wasmFused.charsPerSecond).toFixed(2)}x\n`;
  process.stdout.write(table);
  const doc = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    config: base,
    rows,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `bench-${backends.join('-')}.json`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  process.stderr.write(`wrote ${file}\n`);
}

/** One epoch of `lstm train` on Macbeth with default settings: seconds from the epoch event. */
function epochStage(c: Config): StageResult | undefined {
  if (!existsSync(MACBETH)) return undefined;
  process.stderr.write(`bench: a Macbeth epoch on ${c.backend}...\n`);
  const dir = mkdtempSync(join(tmpdir(), 'lstm-bench-'));
  try {
    const { stdout } = timeCommand([
      join(root, 'bin', 'lstm.js'),
      '--backend',
      c.backend,
      'train',
      MACBETH,
      '--out',
      join(dir, 'm'),
      '--epochs',
      '1',
      '--no-sample',
      '--json',
    ]);
    const epoch = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'epoch');
    return {
      msPerUnit: [epoch.seconds * 1000],
      unit: 'epoch',
      chars: 0,
      peakRssMB: epoch.rssMB,
      note: `${Math.round(epoch.charsPerSecond)} chars/s incl. validation`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `lstm generate` as users run it (backend chosen by lstm): start-up, then 2,000 characters. */
function cliStage(): StageResult {
  process.stderr.write('bench: lstm generate with the bundled model...\n');
  const bin = join(root, 'bin', 'lstm.js');
  const startup = [0, 1, 2].map(
    () => timeCommand([bin, 'generate', '--seed', 'MACBETH.', '-n', '1', '--random-seed', '1']).ms,
  );
  const long = [0, 1, 2].map(
    () => timeCommand([bin, 'generate', '--seed', 'MACBETH.', '-n', '2001', '--random-seed', '1']).ms,
  );
  const perChar = long.map((ms, i) => (ms - startup[i]) / 2000);
  return {
    msPerUnit: perChar,
    unit: 'char',
    chars: 1,
    peakRssMB: NaN,
    note: `start-up ${(median(startup) / 1000).toFixed(2)} s (generate -n 1, wall)`,
  };
}

await main();

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
 * `--quality TEXT --minutes N` measures time to quality instead (bench/quality.ts).
 * Never part of `npm test`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCorpus } from '../src/text/corpus.js';
import { cliStage, epochStage, MACBETH, root, runStage, torchStage } from './processes.js';
import { quality } from './quality.js';
import { record, row, table, type Row } from './report.js';
import { stage, type Config, type StageResult } from './stages.js';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

/** The network measured: the bench's fixed shape, with Macbeth's vocabulary when the corpus is at hand. */
function baseConfig(): Config {
  let vocabSize = 72; // Macbeth's vocabulary with case kept; used when the corpus is absent
  let vocabSource = 'synthetic (Macbeth corpus not found)';
  if (existsSync(MACBETH)) {
    vocabSize = new Set(readCorpus(readFileSync(MACBETH), MACBETH).text).size;
    vocabSource = '../shared/corpora/macbeth.txt';
  }
  const repeats = Number(arg('repeats', '3'));
  return { backend: 'wasm', units: 300, layers: 2, seqLength: 50, batch: 64, vocabSize, repeats, vocabSource };
}

/** Every stage asked for (--only), on every backend that loads (--backend). */
function measure(base: Config, stages: string[], backends: string[]): Row[] {
  const rows: Row[] = [];
  const add = (backend: string, stage: string, r: StageResult | undefined) => {
    if (r) rows.push(row(backend, stage, r));
  };
  if (stages.includes('torch')) add('pytorch', 'torch', torchStage(base));
  for (const backend of backends) {
    const c = { ...base, backend };
    for (const name of stages.filter((n) => !['torch', 'epoch', 'cli'].includes(n)))
      add(backend, name, runStage(name, c));
    if (stages.includes('epoch')) add(backend, 'epoch', epochStage(c));
  }
  if (stages.includes('cli')) add('default', 'cli', cliStage());
  return rows;
}

async function main(): Promise<void> {
  if (arg('quality')) return quality();
  const one = arg('stage');
  if (one) {
    const result = await stage(one, JSON.parse(arg('config')!));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const base = baseConfig();
  const stages = (arg('only') ?? 'stock,fused,workers,matmul,generate,windowed,epoch,cli,torch').split(',');
  let backends = arg('backend') ? [arg('backend')!] : ['wasm', 'tensorflow'];
  if (!arg('backend') && !runStage('probe', { ...base, backend: 'tensorflow' })) {
    process.stderr.write("bench: tensorflow does not load here ('npm run native' builds it); wasm only\n");
    backends = ['wasm'];
  }
  const rows = measure(base, stages, backends);
  process.stdout.write(table(base, rows));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `bench-${backends.join('-')}.json`);
  writeFileSync(file, `${JSON.stringify(record(base, rows), null, 2)}\n`);
  process.stderr.write(`wrote ${file}\n`);
}

await main();

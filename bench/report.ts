/** The bench's table and its JSON record. */
import { availableParallelism, cpus } from 'node:os';
import { median } from './processes.js';
import type { Config, StageResult } from './stages.js';

export type Row = StageResult & {
  backend: string;
  stage: string;
  medianMs: number;
  charsPerSecond: number;
  gflops: number | null;
};

/** A stage's result as a row of the table. */
export function row(backend: string, stage: string, r: StageResult): Row {
  const med = median(r.msPerUnit);
  return {
    ...r,
    backend,
    stage,
    medianMs: med,
    charsPerSecond: r.unit === 'char' ? 1000 / med : (r.chars * 1000) / med,
    gflops: r.flops ? r.flops / (med * 1e6) : null,
  };
}

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

/** The rows as a text table, with each training row's speed against PyTorch's. */
export function table(base: Config, rows: Row[]): string {
  const torch = rows.find((r) => r.stage === 'torch');
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
  return table;
}

/** The run's JSON record. */
export function record(base: Config, rows: Row[]) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    config: base,
    rows,
  };
}

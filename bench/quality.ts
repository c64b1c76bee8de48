/**
 * `npm run bench -- --quality TEXT --minutes N [--backend B] [--torch-minutes M] [-- lstm train flags]`:
 * time to quality. Trains `lstm train TEXT` (its defaults, or the flags after `--`) for N
 * minutes, and, where PyTorch imports, the same network from scratch in PyTorch
 * (bench/torch_quality.py) for M minutes (default N) on the same training part; then scores
 * every checkpoint and snapshot on the text's held-out tail with lstm's own code (net/score.ts):
 * bits per character read as streams and as cold windows, against minutes of training.
 * Prints a table and writes it as JSON to bench/results/quality-<text>.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { bits } from '../src/figures.js';
import { initBackend } from '../src/net/backend.js';
import { scoreText } from '../src/net/score.js';
import { loadModel } from '../src/store/load.js';
import { readCorpus } from '../src/text/corpus.js';
import { Vocab } from '../src/text/vocab.js';
import { split } from '../src/text/split.js';
import { root } from './processes.js';

/** One model scored: minutes of training, held-out bits per character both ways. */
type Point = { minutes: number; epoch: number; streams: number; cold: number };
type Curve = { name: string; points: Point[]; note?: string };

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** The text as lstm reads it, cut as lstm cuts it (defaults: 50-character windows, the last 10% held out). */
function textParts(file: string) {
  const corpus = readCorpus(readFileSync(file), file);
  const chars = Array.from(corpus.text);
  const { vocab } = Vocab.fromText(corpus.text);
  const { trainEnd } = split(vocab.encode(corpus.text), { seqLength: 50, valFraction: 0.1 });
  return { vocab, train: chars.slice(0, trainEnd).join(''), heldOut: chars.slice(trainEnd).join('') };
}

/** A model's held-out figures: its own vocabulary reads the tail (a fine-tune's is a union with its base's). */
function score(
  cfg: Parameters<typeof scoreText>[0],
  params: Parameters<typeof scoreText>[1],
  vocab: Vocab,
  heldOut: string,
) {
  const s = scoreText(cfg, params, vocab.encode(heldOut), 50, 64);
  return { cold: bits(s.lossSum / s.chars), streams: bits(s.stream.lossSum / s.stream.chars) };
}

/** `lstm train` for `minutes`, keeping every checkpoint; each scored at the run time it was saved. */
async function lstmCurve(file: string, minutes: number, heldOut: string, extra: string[]): Promise<Curve> {
  const out = join(mkdtempSync(join(tmpdir(), 'lstm-quality-')), 'model');
  const backend = arg('backend') ? ['--backend', arg('backend')!] : [];
  const args = ['train', file, '--out', out, '--max-time', `${minutes}m`, '--keep', '100000', '--json', '--no-sample'];
  process.stderr.write(`quality: lstm ${[...args, ...backend, ...extra].join(' ')}\n`);
  const run = spawnSync(process.execPath, [join(root, 'bin', 'lstm.js'), ...args, ...backend, ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`lstm train failed (status ${run.status})`);
  const events = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const start = events.find((e) => e.event === 'start');
  const batches = (start?.batchesPerEpoch as number) ?? 1;
  const points: Point[] = [];
  for (const e of events) {
    if (e.event !== 'checkpoint' || !existsSync(e.path as string)) continue;
    const model = await loadModel(e.path as string);
    const epoch = (e.epoch as number) + (e.batch as number) / batches;
    const minutes = (e.elapsedSeconds as number) / 60;
    points.push({ minutes, epoch, ...score(model.cfg, model.params, model.vocab, heldOut) });
  }
  rmSync(join(out, '..'), { recursive: true, force: true });
  const lineage = start?.lineage as { base?: { model?: string } } | undefined;
  const base = lineage?.base?.model;
  return {
    name: 'lstm',
    points,
    note: base ? `started from ${basename(dirname(base))}/${basename(base)}` : 'from scratch',
  };
}

/** PyTorch for `minutes` on the same training part, each snapshot scored with lstm's code. */
async function torchCurve(parts: ReturnType<typeof textParts>, minutes: number): Promise<Curve | undefined> {
  const python = process.env.LSTM_TORCH_PYTHON ?? 'python3';
  if (spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write(
      `quality: no PyTorch curve (${python} cannot import torch and numpy; set LSTM_TORCH_PYTHON)\n`,
    );
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lstm-quality-torch-'));
  const ids = Int32Array.from(parts.vocab.encode(parts.train));
  writeFileSync(join(dir, 'train.i32'), new Uint8Array(ids.buffer));
  const V = parts.vocab.size;
  const config = { ids: join(dir, 'train.i32'), vocabSize: V, minutes, every: (minutes * 60) / 10, out: dir };
  const shape = { units: 300, layers: 2, seqLength: 50, batch: 64 };
  process.stderr.write(`quality: PyTorch (${python}) for ${minutes} minutes...\n`);
  const r = spawnSync(python, [join(root, 'bench', 'torch_quality.py'), JSON.stringify({ ...config, ...shape })], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`torch_quality.py failed (status ${r.status})`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    snapshots: { seconds: number; file: string; epoch: number }[];
    torch: string;
  };
  const cfg = { vocabSize: V, layers: 2, units: 300, dropout: 0 };
  const points: Point[] = [];
  for (const s of out.snapshots) {
    const params = unflattenSnapshot(readFileSync(join(dir, s.file)), V);
    points.push({ minutes: s.seconds / 60, epoch: s.epoch, ...score(cfg, params, parts.vocab, parts.heldOut) });
  }
  rmSync(dir, { recursive: true, force: true });
  return { name: `PyTorch ${out.torch}`, points, note: 'from scratch' };
}

/** torch_quality.py's snapshot (src/params.ts's training form, flat) as named arrays. */
function unflattenSnapshot(bytes: Buffer, V: number): Map<string, Float32Array> {
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const U = 300;
  const sizes: [string, number][] = [
    ['lstm0/W', (V + 1 + U) * 4 * U],
    ['lstm1/W', (U + 1 + U) * 4 * U],
    ['dense/W', U * V],
    ['dense/b', V],
  ];
  const params = new Map<string, Float32Array>();
  let at = 0;
  for (const [name, n] of sizes) {
    params.set(name, all.slice(at, at + n));
    at += n;
  }
  if (at !== all.length) throw new Error(`snapshot holds ${all.length} floats, expected ${at}`);
  return params;
}

function table(text: string, curves: Curve[]): string {
  const rows = [`time to quality on ${text}: held-out bits per character (streams / cold windows)`];
  for (const c of curves) {
    rows.push(`\n${c.name} (${c.note ?? ''})`, '  minutes  epoch   streams   cold');
    for (const p of c.points)
      rows.push(
        `  ${p.minutes.toFixed(2).padStart(7)}  ${p.epoch.toFixed(1).padStart(5)}   ${p.streams.toFixed(3)}     ${p.cold.toFixed(3)}`,
      );
    const best = (k: 'streams' | 'cold') => Math.min(...c.points.map((p) => p[k])).toFixed(3);
    if (c.points.length) rows.push(`  best: ${best('streams')} streams, ${best('cold')} cold`);
  }
  return `${rows.join('\n')}\n`;
}

export async function quality(): Promise<void> {
  const file = arg('quality')!;
  const minutes = Number(arg('minutes') ?? '5');
  const torchMinutes = Number(arg('torch-minutes') ?? minutes);
  const dashes = process.argv.indexOf('--');
  const extra = dashes >= 0 ? process.argv.slice(dashes + 1) : [];
  const parts = textParts(file);
  await initBackend(arg('backend'), 'batches');
  const curves = [await lstmCurve(file, minutes, parts.heldOut, extra)];
  const torch = torchMinutes > 0 ? await torchCurve(parts, torchMinutes) : undefined;
  if (torch) curves.push(torch);
  process.stdout.write(table(basename(file), curves));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const name = `quality-${basename(file).replace(/\.[^.]*$/, '')}.json`;
  const record = { text: file, minutes, torchMinutes, lstmFlags: extra, curves, at: new Date().toISOString() };
  writeFileSync(join(root, 'bench', 'results', name), `${JSON.stringify(record, null, 2)}\n`);
  process.stderr.write(`wrote bench/results/${name}\n`);
}

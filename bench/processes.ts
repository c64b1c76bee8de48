/**
 * The bench's stages that are whole processes: each in-process stage in a child of its own
 * (so its peak RSS is its own), PyTorch's step (bench/torch_ref.py), an epoch of `lstm
 * train` on Macbeth, and `lstm generate` as users run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainFlops, type Config, type StageResult } from './stages.js';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const MACBETH = join(root, '..', 'shared', 'corpora', 'macbeth.txt');
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs one stage in a child process; undefined when it fails (reported on stderr). */
export function runStage(name: string, c: Config): StageResult | undefined {
  process.stderr.write(`bench: ${name} on ${c.backend}...\n`);
  const child = spawnSync(process.execPath, [join(here, 'bench.js'), '--stage', name, '--config', JSON.stringify(c)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
export function torchStage(c: Config): StageResult | undefined {
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

/** One epoch of `lstm train` on Macbeth with default settings: seconds from the epoch event. */
export function epochStage(c: Config): StageResult | undefined {
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
export function cliStage(): StageResult {
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

/**
 * Shared by the training, checkpoint and generation tests: tiny texts, the flags of a tiny
 * model, temp dirs, a model that has memorised a text, and a spawned `lstm` whose process
 * the test controls (signals).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { binPath, cliEnv, lstm, repoRoot, type RunResult } from './cli.js';

/** 800 characters with a period of 8: a 1x16 LSTM memorises it in a few dozen epochs. */
export const abc = 'abcdefgh'.repeat(100);

/** A short sentence repeated: memorisable, with context needed to know what follows 'at'. */
export const sentence = 'the cat sat on the mat. '.repeat(60);

/**
 * What a fine-tune of a model of `sentence` learns: its words and more; '!', 'T', 'd', 'g',
 * 'l' are new, and '.' is missing.
 */
export const sentenceB = 'the cat sat on the mat! The dog sat on the log! '.repeat(30);

/** ~2,300 characters of seeded random words: not memorisable in a few epochs. */
export const words = (() => {
  const list = [
    'the',
    'quick',
    'brown',
    'fox',
    'jumps',
    'over',
    'lazy',
    'dog',
    'and',
    'runs',
    'away',
    'from',
    'a',
    'cat',
  ];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: string[] = [];
  for (let i = 0; i < 500; i++) out.push(list[Math.floor(next() * list.length)]);
  return `${out.join(' ')}\n`;
})();

/**
 * Flags for a tiny, quick model (override by appending later flags: commander keeps the last).
 * A step of so small a network costs its kernels' dispatch, not arithmetic, so an epoch costs
 * about its number of batches: batches of 32 (4 an epoch on `words`). Runs that must learn in
 * few epochs append `--batch-size 16` or 8.
 */
export const tinyFlags = [
  '--layers',
  '1',
  '--units',
  '16',
  '--seq-length',
  '16',
  '--batch-size',
  '32',
  '--lr',
  '0.01',
  '--dropout',
  '0',
  '--val-fraction',
  '0.05',
  '--no-sample',
  '--workers',
  '1',
  // The tiny models memorise their text in a few dozen steps: no weight average lagging behind.
  '--ema',
  '0',
];

export function assertBuilt(): void {
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it in pretest)');
  }
}

export const makeTempDir = (label: string) => mkdtemp(path.join(os.tmpdir(), `lstm-${label}-`));
export const removeDir = (dir: string | undefined) =>
  dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();

/** Writes `text` to `dir/name` and returns the path. */
export async function textFile(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Trains with `lstm -q train corpus --out out ...flags`; throws with the output if it fails. */
export async function trainTiny(
  corpus: string,
  out: string,
  flags: string[] = [],
  timeoutMs = 60_000,
): Promise<RunResult> {
  const r = await lstm(['-q', 'train', corpus, '--out', out, ...tinyFlags, ...flags], { timeoutMs });
  if (r.code !== 0) throw new Error(`lstm train failed (${r.code}):\n${r.stderr}`);
  return r;
}

/** Epochs the abc model trains for. */
export const ABC_EPOCHS = 30;

/** sha256 of every file (and the target of every symlink) under `dir`, by relative path. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const p = path.join(dir, rel, name);
      const info = await lstat(p);
      const key = path.join(rel, name);
      if (info.isSymbolicLink()) out[key] = `-> ${await readlink(p)}`;
      else if (info.isDirectory()) await walk(key);
      else
        out[key] = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
    }
  };
  await walk('');
  return out;
}

export type Spawned = {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited and its pipes are closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Starts `node bin/lstm.js ...args` and hands back the live process. */
export function spawnLstm(args: string[], cwd = repoRoot): Spawned {
  const child = spawn(process.execPath, [binPath, ...args], { cwd, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => {});
  child.stdin.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    exited,
  };
}

/** A tiny `lstm train` of `corpus` into `bundle` that goes on until stopped, printing JSON events. */
export function spawnEndlessTraining(corpus: string, bundle: string, more: string[] = []): Spawned {
  return spawnLstm(
    ['train', corpus, '--out', bundle, ...tinyFlags, '--epochs', '10000', '--patience', '10000', '--json', ...more],
    path.dirname(bundle),
  );
}

/** Resolves once a spawned `lstm train --json` has reported its first checkpoint. */
export const firstCheckpoint = (p: Spawned) =>
  waitUntil(() => p.stdout().includes('"event":"checkpoint"'), 30_000, 'the first checkpoint');

/** Polls `check` every few milliseconds until it is true; throws after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Parses JSON-lines output; every non-empty line must be JSON. */
export const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });

/** A real, idle second process: its pid is alive until `stop()`. */
export function idleProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => void child.kill('SIGKILL') };
}

/** The pid of a process that has exited (and been reaped): nothing runs under it. */
export function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('close', () => resolve(child.pid!)));
}

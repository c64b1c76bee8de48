/**
 * Child processes, and this process's own end: every step runs its tools through `run`,
 * which reports an interrupted child (Ctrl-C) by throwing `Interrupted`, and temporary
 * paths are removed however the script exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { root } from './config.js';

/** A child ended by Ctrl-C (or another interrupting signal): main ends with status 130. */
export class Interrupted extends Error {}

const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export type RunOptions = { cwd?: string; env?: NodeJS.ProcessEnv; inherit?: boolean; timeout?: number };

export type RunResult = {
  ok: boolean;
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The command is not installed (ENOENT). */
  missing: boolean;
  timedOut: boolean;
  stdout: string;
  stderr: string;
};

/** Runs a command; never throws, except `Interrupted`. Output is captured unless `inherit` is set. */
export function run(command: string, args: string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.inherit ? ['ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    timeout: options.timeout,
    killSignal: 'SIGKILL',
  });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  // A Python child may exit with a status rather than the signal, its traceback ending in KeyboardInterrupt.
  const interrupted =
    (result.signal !== null && INTERRUPTS.includes(result.signal)) ||
    (result.status !== 0 && /^KeyboardInterrupt\s*$/m.test(result.stderr ?? ''));
  if (interrupted && !result.error)
    throw new Interrupted(`interrupted (${command} ${result.signal ?? 'KeyboardInterrupt'})`);
  return {
    ok: !result.error && result.status === 0,
    status: result.status,
    signal: result.signal,
    missing: code === 'ENOENT',
    timedOut: code === 'ETIMEDOUT',
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
}

/** The most telling line of a failed command's output, for a one-line error. */
export function gist(text: string, pattern: RegExp = /\b(error|ERR!|fatal)\b/i): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/Unknown (user|env|project) config/.test(line));
  const hit = lines.find((line) => pattern.test(line));
  return (hit ?? lines.at(-1) ?? 'no output').replace(/\s+/g, ' ').slice(0, 300);
}

/** The first `name` on PATH, like `which`. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Paths a step is writing; removed on any exit, including Ctrl-C. A step deletes its own once they are in place. */
export const temporaries = new Set<string>();

/**
 * Removes `temporaries` when the process exits, and turns a signal into one line and status
 * 130. Returns the function main calls once it has finished, after which signals are ignored.
 * The steps run synchronously, so a signal sent to this process alone is handled only when
 * they end; Ctrl-C reaches the child processes too, and `run` reports their interruption.
 */
export function cleanUpOnExit(): () => void {
  let finished = false;
  process.on('exit', () => {
    for (const path of temporaries) rmSync(path, { recursive: true, force: true });
  });
  for (const signal of INTERRUPTS) {
    process.on(signal, () => {
      if (finished) return;
      console.error(`native: interrupted (${signal}); run 'npm run native' again to finish`);
      process.exit(130);
    });
  }
  return () => {
    finished = true;
  };
}

/**
 * Runs the built CLI (`node bin/lstm.js ...`) as a real process, the way a user does:
 * stdout and stderr are pipes (not a TTY), stdin is what the test gives (empty by default).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { expect } from 'vitest';
import { TEST_BACKEND } from './backend.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = path.join(repoRoot, 'bin', 'lstm.js');

export type RunResult = { code: number | null; stdout: string; stderr: string };

export type RunOptions = {
  /** Bytes or text written to the child's stdin, which is then closed. */
  stdin?: string | Uint8Array;
  /** Variables added to (or, when undefined, removed from) the cleaned environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
};

/**
 * The parent's environment without variables that change what the CLI prints
 * (colour forcing, LSTM_* settings) or only slow its start (NODE_EXTRA_CA_CERTS), with
 * LSTM_BACKEND set to the suite's backend (helpers/backend.ts), plus `extra`.
 */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'NO_COLOR' || key === 'FORCE_COLOR' || (key.startsWith('LSTM_') && key !== 'LSTM_TEST_BACKEND'))
      delete env[key];
  }
  // lstm opens no TLS connection, and Node reads these certificates at every start (with
  // OpenSSL 3 a bundle of them takes ~70 ms here: nodejs/node issue 40524), which the
  // suite's hundreds of processes would pay.
  delete env.NODE_EXTRA_CA_CERTS;
  // Every command runs on the suite's backend (wasm unless LSTM_TEST_BACKEND says), so a
  // checkout with tfjs-node built runs the suite CI's first run does; tests of the choice
  // itself remove the variable.
  env.LSTM_BACKEND = TEST_BACKEND;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Spawns `command` with `args` and collects its exit code and output. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The child may exit without reading its stdin (usage errors): that is not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** Runs `node bin/lstm.js ...args`. */
export function lstm(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [binPath, ...args], options);
}

/** Runs a bash script (for pipelines); in it, the shell function `lstm` runs the built CLI. */
export function bash(script: string, options: RunOptions = {}): Promise<RunResult> {
  const prelude = 'lstm() { "$E2E_NODE" "$E2E_BIN" "$@"; }\n';
  return run('bash', ['-c', prelude + script], {
    ...options,
    env: { E2E_NODE: process.execPath, E2E_BIN: binPath, ...options.env },
  });
}

export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\x1b\[[0-9;]*[A-Za-z]/;

/** The stdout of a run that must succeed (exit 0; stderr shown if not). */
export function ok(r: RunResult): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The non-empty lines of an output. */
export const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/**
 * A user-facing failure: one `error:` line (plus an optional hint), no stack trace, nothing
 * on stdout. Takes the test's `expect` (concurrent tests must use their own).
 */
export function expectCleanError(expect: typeof import('vitest').expect, r: RunResult, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const errLines = lines(r.stderr);
  expect(errLines[0]).toMatch(/^error: \S/);
  expect(errLines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(errLines.filter((l) => /^\s+at /.test(l))).toEqual([]);
}

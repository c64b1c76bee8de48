/**
 * `npm run native` (scripts/native/, built to dist/scripts/native/main.js) through its own
 * process: bad input is one line and exit 1 without touching node_modules; where tfjs-node
 * is already built, a second run has nothing to do and ends with `lstm backends` showing
 * tensorflow. (The full build runs in CI's second pass: .ci/run.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/net/backend.js';
import { repoRoot, run } from '../../helpers/cli.js';

const script = path.join(repoRoot, 'dist', 'scripts', 'native', 'main.js');
// Without LSTM_BACKEND (which a suite forcing a backend sets): the closing `lstm backends`
// shows each command's own choice.
const native = (...args: string[]) =>
  run(process.execPath, [script, ...args], { timeoutMs: 120_000, env: { LSTM_BACKEND: undefined } });
const addonDir = path.join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
const hasTensorflow = await initBackend('tensorflow', 'batches').then(
  () => true,
  () => false,
);

describe('npm run native', () => {
  it.each([
    [
      'a wheel that does not exist',
      ['--wheel', '/nonexistent/tensorflow.whl'],
      'native: error: wheel not found: /nonexistent/tensorflow.whl',
    ],
    ['an unknown option', ['--frobnicate'], '--frobnicate'],
  ])('refuses %s in one line, exit 1, leaving tfjs-node as it was', async (_name, args, says) => {
    const before = existsSync(addonDir);
    const r = await native(...args);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(says);
    expect(r.stderr).not.toContain('    at ');
    expect(existsSync(addonDir)).toBe(before);
  });

  it('--help says what it does and needs', async () => {
    const r = await native('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--wheel PATH');
    expect(r.stdout).toContain('python3, make and a C++ compiler');
  });

  it.skipIf(!hasTensorflow)(
    `is idempotent: run again, it has nothing to do and shows lstm loading tensorflow${hasTensorflow ? '' : ' (skipped: not built here)'}`,
    async () => {
      const r = await native();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/native: nothing to do: the tensorflow backend loads — TensorFlow \d+\.\d+\.\d+/);
      expect(r.stdout).toMatch(/^ {2}tensorflow +yes +native TensorFlow/m);
      expect(r.stdout).toMatch(/^ {2}lstm train +tensorflow/m);
    },
  );
});

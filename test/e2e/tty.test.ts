/**
 * Progress on a terminal: an ora spinner line while training, and nothing runaway when the
 * terminal reports no width (ora would otherwise clear infinitely many wrapped lines).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, binPath } from '../helpers/cli.js';
import { sentence, tinyFlags } from '../helpers/tiny.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lstm-tty-'));
  await writeFile(path.join(dir, 'text.txt'), sentence);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!hasScript)('training on a terminal (via script)', () => {
  const train = (stty: string, out: string) =>
    bash(
      `cd ${dir} && timeout 60 script -qec "${stty}node ${binPath} train text.txt --out ${out} --epochs 2 ${tinyFlags.join(' ')}" /dev/null`,
      { env: { TERM: 'xterm-256color', CI: undefined } },
    );

  it('shows a progress line with batch count, running loss, the last validation and the ETA of the epoch and the run', async () => {
    const r = await train('stty cols 160 rows 30; ', 'm1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epoch 1 {2}batch \d+\/\d+ {2}loss \d+\.\d+ .* eta epoch \d+s, run \d+s/);
    // From epoch 2 on, the first epoch's validation figure is shown.
    expect(r.stdout).toMatch(/epoch 2 {2}batch \d+\/\d+ {2}loss \d+\.\d+ {2}val \d+\.\d+ .* eta epoch \d+s, run \d+s/);
    expect(r.stdout).toContain('epoch 2/2');
  });

  it('ends normally when the terminal reports no width', async () => {
    const r = await train('stty cols 0 rows 0; ', 'm2');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(100_000);
    expect(r.stdout).toContain('epoch 2/2');
  });
});

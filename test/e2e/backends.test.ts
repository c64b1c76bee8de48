/** `lstm backends`: which backends load here, and which one each command uses and why. */
import { describe, it } from 'vitest';
import { expectCleanError, lines, lstm } from '../helpers/cli.js';

describe.concurrent('lstm backends', () => {
  it('lists the three backends and, per command, the backend for its job, as JSON', async ({ expect }) => {
    const r = await lstm(['backends', '--json'], { env: { LSTM_BACKEND: undefined } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // TensorFlow's own start-up logging is silenced
    const doc = JSON.parse(r.stdout);
    const byName = Object.fromEntries(doc.backends.map((b: { name: string }) => [b.name, b]));
    expect(Object.keys(byName).sort()).toEqual(['cpu', 'tensorflow', 'wasm']);
    expect(byName.wasm.available).toBe(true);
    expect(byName.cpu.available).toBe(true);
    for (const b of doc.backends) expect(typeof b.detail).toBe('string');
    const tensorflow = byName.tensorflow.available as boolean;
    if (tensorflow)
      expect(byName.tensorflow.detail).toMatch(/^native TensorFlow \d+\.\d+\.\d+ via @tensorflow\/tfjs-node \d/);
    else expect(byName.tensorflow.detail).toContain('npm run native');
    // Training and scoring (batches) take native TensorFlow when it loads; the rest wasm (batch 1).
    const chosen = Object.fromEntries(
      Object.entries(doc.commands).map(([c, v]) => [c, (v as { backend: string }).backend]),
    );
    expect(chosen).toEqual({
      train: tensorflow ? 'tensorflow' : 'wasm',
      eval: tensorflow ? 'tensorflow' : 'wasm',
      generate: 'wasm',
      export: 'wasm',
      inspect: 'wasm',
    });
    expect(doc.default).toBe(chosen.train);
  });

  it('says that --backend decides when it is given', async ({ expect }) => {
    const r = await lstm(['--backend', 'cpu', 'backends']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lstm train +cpu +chosen with --backend/m);
    expect(r.stdout).toMatch(/^lstm generate +cpu /m);
  });

  it('refuses an unknown --backend as a usage error naming the choices', async ({ expect }) => {
    const r = await lstm(['--backend', 'gpu', 'backends']);
    expectCleanError(expect, r, 2);
    expect(lines(r.stderr)[0]).toBe(
      "error: option '--backend <name>' argument 'gpu' is invalid. Allowed choices are tensorflow, wasm, cpu.",
    );
  });

  it('refuses an unknown LSTM_BACKEND naming the variable, before any work: exit 2, one line', async ({ expect }) => {
    const r = await lstm(['generate', '-n', '5'], { env: { LSTM_BACKEND: 'foo' } });
    expectCleanError(expect, r, 2);
    expect(lines(r.stderr)[0]).toBe(
      "error: option '--backend <name>' value 'foo' from env 'LSTM_BACKEND' is invalid. Allowed choices are tensorflow, wasm, cpu.",
    );
    const good = await lstm(['generate', '-n', '5', '--random-seed', '1'], { env: { LSTM_BACKEND: 'cpu' } });
    expect(good.code, good.stderr).toBe(0);
  });
});

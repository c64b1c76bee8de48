/** `lstm backends`: which TensorFlow.js backends are available, and the default. */
import { describe, it } from 'vitest';
import { lstm } from '../helpers/cli.js';

describe.concurrent('lstm backends', () => {
  it('lists wasm and cpu as available and tensorflow as known, as JSON', async ({ expect }) => {
    const r = await lstm(['backends', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const byName = Object.fromEntries(doc.backends.map((b: { name: string }) => [b.name, b]));
    expect(Object.keys(byName).sort()).toEqual(['cpu', 'tensorflow', 'wasm']);
    expect(byName.wasm.available).toBe(true);
    expect(byName.cpu.available).toBe(true);
    expect(typeof byName.tensorflow.available).toBe('boolean');
    for (const b of doc.backends) expect(typeof b.detail).toBe('string');
    // The default is the first available one in order of preference.
    expect(doc.default).toBe(byName.tensorflow.available ? 'tensorflow' : 'wasm');
  });
});

/**
 * net/tfjs-node.ts loads tfjs-node's backend without the rest of TensorFlow.js, redirecting
 * its files' `@tensorflow/tfjs` to tfjs-core while they load. In a fresh process (a module
 * cache of its own): the backend computes, and a later import of `@tensorflow/tfjs` is still
 * the real package, on the same tfjs-core (one Tensor class). Where tfjs-node is not built (the
 * suite on wasm), the message says how to build it.
 */
import { describe, expect, it } from 'vitest';
import { TEST_BACKEND } from '../helpers/backend.js';
import { run } from '../helpers/cli.js';

const script = `
const { initBackend } = await import('./dist/src/net/backend.js');
const { tf } = await import('./dist/src/net/tf.js');
const backend = await initBackend('tensorflow', 'batches').catch((err) => 'unavailable: ' + err.message);
const tfjs = await import('@tensorflow/tfjs');
const product = backend === 'tensorflow' ? tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync()) : null;
console.log(JSON.stringify({ backend, product, union: typeof tfjs.loadLayersModel, same: tfjs.Tensor === tf.Tensor, tensors: tf.memory().numTensors }));
`;

describe('the tensorflow backend on its own', () => {
  it('computes on TensorFlow, and leaves @tensorflow/tfjs whole and on the same tfjs-core', async () => {
    const r = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // Only a suite run on wasm may find tfjs-node unbuilt.
    if (TEST_BACKEND !== 'tensorflow' && String(out.backend).startsWith('unavailable')) {
      expect(out.backend).toContain('npm run native');
      return;
    }
    expect(out).toEqual({ backend: 'tensorflow', product: [[17], [39]], union: 'function', same: true, tensors: 0 });
  });
});

/**
 * Loads tfjs-node's TensorFlow backend without the rest of TensorFlow.js.
 *
 * tfjs-node's entry point loads the whole `@tensorflow/tfjs` (layers, converter, data),
 * registers file:// model routers and a Keras progress bar, and its kernels each
 * `require('@tensorflow/tfjs')`, though they use only what tfjs-core exports. lstm needs
 * the addon, the kernels and the backend class: loading just those, with the kernels'
 * `@tensorflow/tfjs` resolved to the tfjs-core every other module uses, starts a command
 * (and each training worker) ~0.25 s sooner here (0.62 s against 0.88 s for
 * `node -e` loading either, measured with hyperfine). The redirect applies only to
 * requests from tfjs-node's own files, and only while they load, so a test that imports
 * `@tensorflow/tfjs` still gets the real one.
 */
import { readdirSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { requirePackage, tf } from './tf.js';

type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };

/** Registers the `tensorflow` backend; returns tfjs-node's version. Throws when it cannot load. */
export function loadTfjsNode(): string {
  const root = path.dirname(requirePackage.resolve('@tensorflow/tfjs-node/package.json'));
  const binding = requirePackage(addonPath(root));
  const corePath = requirePackage.resolve('@tensorflow/tfjs-core');
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, ...rest) {
    const fromTfjsNode = parent?.filename?.startsWith(root + path.sep) ?? false;
    return resolve.call(this, fromTfjsNode && request === '@tensorflow/tfjs' ? corePath : request, parent, ...rest);
  };
  try {
    requirePackage(path.join(root, 'dist', 'register_all_kernels.js'));
    requirePackage(path.join(root, 'dist', 'int64_tensors.js')); // native-lstm.ts uses it
    const { NodeJSKernelBackend } = requirePackage(path.join(root, 'dist', 'nodejs_kernel_backend.js')) as {
      NodeJSKernelBackend: new (binding: unknown, packageName: string) => InstanceType<typeof tf.KernelBackend>;
    };
    tf.registerBackend('tensorflow', () => new NodeJSKernelBackend(binding, '@tensorflow/tfjs-node'), 3);
  } finally {
    loader._resolveFilename = resolve;
  }
  return (requirePackage(path.join(root, 'dist', 'version.js')) as { version: string }).version;
}

/** The addon built for the newest N-API version this Node supports (what node-pre-gyp would pick). */
function addonPath(root: string): string {
  const napi = Number(process.versions.napi);
  let dirs: string[] = [];
  try {
    dirs = readdirSync(path.join(root, 'lib'));
  } catch {}
  const built = dirs
    .map((dir) => Number(/^napi-v(\d+)$/.exec(dir)?.[1]))
    .filter((version) => version <= napi)
    .sort((a, b) => b - a);
  if (built.length === 0) throw new Error("its native addon is not built: run 'npm run native'");
  return path.join(root, 'lib', `napi-v${built[0]}`, 'tfjs_binding.node');
}

/**
 * What `lstm web` serves, fixed at start-up: the page (dist/web/, built by
 * scripts/build-web.ts), TensorFlow.js's browser builds from node_modules (nothing from the
 * internet), the model's files as they were verified, the page's session, and, when given,
 * the training text for the originality figure.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session } from './session.js';
import { contentType, type Route } from './server.js';

/** TF.js's classic browser scripts (globals `tf`, `tf.wasm`) and the wasm binaries, by package. */
const TFJS_FILES: Record<string, string[]> = {
  '@tensorflow/tfjs-core': ['tf-core.min.js'],
  '@tensorflow/tfjs-backend-wasm': [
    'tf-backend-wasm.min.js',
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ],
};

const PAGE_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export async function pageRoutes(
  modelFiles: ReadonlyMap<string, Uint8Array>,
  session: Session,
  corpusText?: string,
): Promise<Map<string, Route>> {
  const routes = new Map<string, Route>();
  const add = (path: string, body: Uint8Array, type = contentType(path)) => routes.set(path, { body, type });
  for (const name of (await readdir(PAGE_DIR)).filter((n) => n !== 'inspect-page.js'))
    add(`/${name}`, await readFile(join(PAGE_DIR, name)));
  add('/', routes.get('/index.html')!.body, contentType('index.html'));
  const require = createRequire(import.meta.url);
  for (const [pkg, files] of Object.entries(TFJS_FILES)) {
    const dist = join(dirname(require.resolve(`${pkg}/package.json`)), 'dist');
    for (const file of files) add(`/tfjs/${file}`, await readFile(join(dist, file)));
  }
  for (const [name, bytes] of modelFiles) add(`/model/${name}`, bytes);
  add('/session.json', new TextEncoder().encode(JSON.stringify(session)));
  if (corpusText !== undefined) add('/corpus.txt', new TextEncoder().encode(corpusText));
  return routes;
}

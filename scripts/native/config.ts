/**
 * What `npm run native` builds from and where it works: the TensorFlow wheel it takes the
 * C library from, and the directories it reads and writes.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The wheel whose `tensorflow/libtensorflow_cc.so.2` exports the whole C API tfjs-node's binding calls. */
export const TF_WHEEL = { name: 'tensorflow-cpu', version: '2.21.0', file: 'tensorflow_cpu' };
export const WHEEL_MB = 274;

// npm runs the compiled dist/scripts/native/*.js, one level deeper than these sources (which tests may import).
const compiled = import.meta.url.endsWith('.js');
export const root = resolve(dirname(fileURLToPath(import.meta.url)), compiled ? '../../..' : '../..');
export const tfjsNodeDir = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
/** Where the libraries and headers are unpacked: the directory tfjs-node's binding.gyp reads. */
export const depsDir = join(tfjsNodeDir, 'deps');

/** ${XDG_CACHE_HOME:-~/.cache}: node-gyp keeps Node's headers there too. */
export const userCacheDir = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
export const cacheDir = join(userCacheDir, 'lstm');
export const buildLog = join(cacheDir, 'native-build.log');

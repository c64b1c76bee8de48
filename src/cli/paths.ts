/** Paths inside the installed package. */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_DIR } from '../config.js';

/** The bundled model, relative to the installed package (dist/src/cli -> package root). */
export const bundledModelDir = () => fileURLToPath(new URL(`../../../${DEFAULT_MODEL_DIR}`, import.meta.url));

/** The directory of every model bundled with lstm. */
export const bundledRoot = () => dirname(bundledModelDir());

/** Whether `path` is (inside) one of the bundled models. */
export function isBundled(path: string): boolean {
  const rel = relative(bundledRoot(), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

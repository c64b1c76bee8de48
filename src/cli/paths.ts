/** Paths inside the installed package. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
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

/** How messages and listings name a bundled model directory: `bundled/<name>`, as commands take it. */
export const bundledName = (dir: string) => `bundled/${relative(bundledRoot(), dir)}`;

/**
 * The directory a model argument names: `bundled/<name>` is the installed bundled model
 * from wherever lstm runs, unless a directory of that name is here (then it is that one);
 * any other path is itself.
 */
export function modelDir(given: string): string {
  const name = /^bundled\/([^/]+)\/?$/.exec(given)?.[1];
  if (name === undefined || name === '.' || name === '..' || existsSync(given)) return given;
  const dir = join(bundledRoot(), name);
  return existsSync(dir) ? dir : given;
}

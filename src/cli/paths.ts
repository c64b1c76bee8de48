/** Paths inside the installed package. */
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_DIR } from '../config.js';

/** The bundled model, relative to the installed package (dist/src/cli -> package root). */
export const bundledModelDir = () => fileURLToPath(new URL(`../../../${DEFAULT_MODEL_DIR}`, import.meta.url));

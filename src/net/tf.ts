/**
 * TensorFlow.js core and its backends, loaded with `require`. They ship as CommonJS: an ESM
 * `import` of them has Node scan each bundle's source for its export names first, which
 * cost ~85 ms of every command's start (and ~160 ms of CPU) on these cores. Modules
 * required here are the same instances an `import` elsewhere (a test) gets. knip cannot see
 * a package loaded through `requirePackage` (net/backend.ts): knip.json names the one it misses.
 */
import { createRequire } from 'node:module';

/** `require` for the TensorFlow.js packages (an optional one throws when it is not installed). */
export const requirePackage = createRequire(import.meta.url);

export const tf: typeof import('@tensorflow/tfjs-core') = requirePackage('@tensorflow/tfjs-core');

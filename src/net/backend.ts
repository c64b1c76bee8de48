/**
 * The one place a TensorFlow.js backend is chosen. Preference: `tensorflow` (tfjs-node,
 * native, fastest; an optional dependency that may be absent), then `wasm` (SIMD, one
 * thread in Node; the binary ships in the npm package), then `cpu` (plain JS, ~5x slower
 * than wasm). `--backend` overrides; an unavailable choice is an error naming what works.
 *
 * The net/ code imports only @tensorflow/tfjs-core and the one backend it uses (the full
 * @tensorflow/tfjs adds layers, converter and data: ~27 MB more per thread, and worker
 * threads each load their own copy). Only net/keras.ts, which builds the Layers topology
 * for saving, loads @tensorflow/tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '../errors.js';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export type BackendStatus = { name: BackendName; available: boolean; detail: string };

const registered = new Map<BackendName, Promise<string | undefined>>();

/** Makes a backend known to tfjs; resolves to an error message when it cannot load. */
function register(name: BackendName): Promise<string | undefined> {
  let pending = registered.get(name);
  if (!pending) {
    pending = (async () => {
      try {
        if (name === 'tensorflow') await import('@tensorflow/tfjs-node' as string);
        else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
        else await import('@tensorflow/tfjs-backend-cpu');
        return undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
          return `not installed (optional dependency ${name === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-backend-wasm'})`;
        }
        return firstLine(err);
      }
    })();
    registered.set(name, pending);
  }
  return pending;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/** Tries to activate one backend; resolves to an error message, or undefined on success. */
async function activate(name: BackendName): Promise<string | undefined> {
  const failed = await register(name);
  if (failed) return failed;
  try {
    if (!(await tf.setBackend(name))) return `tfjs could not initialise the ${name} backend`;
    await tf.ready();
    return undefined;
  } catch (err) {
    return firstLine(err);
  }
}

/** Whether each backend loads here (activates each in turn; the last one that loads stays active). */
export async function probeBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const name of BACKENDS) {
    const failed = await activate(name);
    out.push({ name, available: !failed, detail: failed ?? describe(name) });
  }
  return out;
}

function describe(name: BackendName): string {
  if (name === 'tensorflow') return 'native TensorFlow via @tensorflow/tfjs-node';
  if (name === 'wasm') return 'WebAssembly with SIMD, one thread';
  return 'plain JavaScript';
}

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/**
 * Activates the requested backend, or the best one that loads. Returns its name.
 * Quiets tfjs's console chatter (it suggests installing tfjs-node on stdout).
 */
export async function initBackend(requested?: string): Promise<BackendName> {
  // PROD skips debug checks and silences tfjs's console advice (it suggests tfjs-node).
  tf.env().set('PROD', true);
  if (requested !== undefined) {
    if (!isBackendName(requested)) {
      throw usageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${requested}'`);
    }
    const failed = await activate(requested);
    if (failed) {
      const available: string[] = [];
      for (const name of BACKENDS) if (name !== requested && !(await activate(name))) available.push(name);
      throw usageError(
        `the ${requested} backend is not available here (${failed})`,
        `available: ${available.join(', ') || 'none'}; run 'lstm backends' for details`,
      );
    }
    return requested;
  }
  const reasons: string[] = [];
  for (const name of BACKENDS) {
    const failed = await activate(name);
    if (!failed) return name;
    reasons.push(`${name}: ${failed}`);
  }
  throw usageError(`no TensorFlow.js backend loads here (${reasons.join('; ')})`);
}

export { tf };

/**
 * The one place a TensorFlow.js backend is chosen and loaded.
 *
 * Which backend for which job: training and scoring (eval) run large batched matmuls, where
 * native TensorFlow (tfjs-node, ~150 GFLOP/s on 2 cores here) beats wasm (~20 GFLOP/s, one
 * thread) by far: `lstm eval` of Macbeth's held-out tail takes 3.1 s on it, 5.9-7.7 s on wasm.
 * Generation steps one character at a time, where per-op overhead decides: wasm is ~2x faster
 * at batch 1 than tfjs-node here, starts in half the time and uses a quarter of the memory
 * (measured with npm run bench). `cpu`
 * (plain JS) is the fallback everywhere. `--backend` overrides; an unavailable choice is an
 * error naming what works.
 *
 * The net/ code imports only @tensorflow/tfjs-core and the one backend it uses (the full
 * @tensorflow/tfjs adds layers, converter and data: ~27 MB more per thread, and worker
 * threads each load their own copy); model.json's Layers topology is written out by
 * store/topology.ts. Only tests load @tensorflow/tfjs.
 */
import { requirePackage, tf } from './tf.js';
import { loadTfjsNode } from './tfjs-node.js';
import { usageError } from '../errors.js';

const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** How a command runs the network: on batches of windows (training, scoring), or a step at a time. */
export type Job = 'batches' | 'steps';

/** Backends in order of preference for each job (see the module comment for why). */
const PREFERENCE: Record<Job, readonly BackendName[]> = {
  batches: ['tensorflow', 'wasm', 'cpu'],
  steps: ['wasm', 'tensorflow', 'cpu'],
};

export const WHY: Record<Job, string> = {
  batches: 'batched matmuls: native TensorFlow is fastest, then wasm',
  steps: 'one step at a time: wasm has the least per-op overhead and memory',
};

const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

export type BackendStatus = { name: BackendName; available: boolean; detail: string };

const registered = new Map<BackendName, Promise<string | undefined>>();
/** tfjs-node's own version, once it has loaded. */
let tfjsNodeVersion: string | undefined;

/**
 * Settings TensorFlow reads from the environment when it loads (so they are set in the
 * main thread, before the addon loads: a worker thread's process.env is its own copy, and
 * the threads TensorFlow runs on read the process's). A value the user set is kept.
 * - Its C++ logging writes 3-4 lines to stderr on load (absl, CPU features, oneDNN):
 *   stderr is for lstm's own messages, so it is silenced unless LSTM_DEBUG=1.
 * - One thread per TensorFlow context: training runs one context per worker thread, one
 *   worker per core, each on its share of the batch. Measured on 2 cores (2x300, batch
 *   64): 330-360 ms per step that way, 430-530 ms with one context on both cores (the
 *   fused LSTM kernels parallelise poorly inside a step).
 */
function configureTensorFlow(): void {
  process.env.TF_NUM_INTRAOP_THREADS ??= '1';
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  if (process.env.LSTM_DEBUG === '1') return;
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '3';
  process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';
}

/** Makes a backend known to tfjs; resolves to an error message when it cannot load. */
function register(name: BackendName): Promise<string | undefined> {
  let pending = registered.get(name);
  if (!pending) {
    pending = (async () => {
      try {
        if (name === 'tensorflow') configureTensorFlow();
        let resolved: string;
        try {
          resolved = requirePackage.resolve(PACKAGES[name]);
        } catch {
          return name === 'tensorflow'
            ? `not installed (optional dependency ${PACKAGES[name]}; 'npm run native' builds it where its own download cannot run)`
            : `not installed (${PACKAGES[name]})`;
        }
        if (name === 'tensorflow') tfjsNodeVersion = loadTfjsNode();
        else requirePackage(resolved);
        return undefined;
      } catch (err) {
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
  if (name === 'tensorflow') {
    const version = tensorflowVersion();
    return `native TensorFlow${version ? ` ${version}` : ''} via @tensorflow/tfjs-node${tfjsNodeVersion ? ` ${tfjsNodeVersion}` : ''}`;
  }
  if (name === 'wasm') return 'WebAssembly with SIMD, one thread';
  return 'plain JavaScript';
}

/** The TensorFlow C library's version behind tfjs-node (while it is the active backend). */
function tensorflowVersion(): string | undefined {
  try {
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
    return typeof binding?.TF_Version === 'string' ? binding.TF_Version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a signal that interrupts this backend's compute can corrupt the process: TensorFlow's
 * oneDNN matrix kernels move the stack pointer into the heap (oneDNN issue 4845, fixed after
 * the TensorFlow 2.21 behind tfjs-node), so a run on it computes off the thread that hears
 * signals (train/thread.ts). wasm and plain JS are not affected.
 */
export const hurtBySignals = (name: BackendName) => name === 'tensorflow';

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** The backend a job would use here without --backend (probes in order of preference). */
export async function chooseBackend(job: Job): Promise<{ name: BackendName; reasons: string[] }> {
  const reasons: string[] = [];
  for (const name of PREFERENCE[job]) {
    const failed = await activate(name);
    if (!failed) return { name, reasons };
    reasons.push(`${name}: ${failed}`);
  }
  throw usageError(`no TensorFlow.js backend loads here (${reasons.join('; ')})`);
}

/**
 * Activates the requested backend, or the best one for the job that loads. Returns its
 * name. Quiets tfjs's console chatter (it suggests installing tfjs-node on stdout).
 */
export async function initBackend(requested: string | undefined, job: Job): Promise<BackendName> {
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
  return (await chooseBackend(job)).name;
}

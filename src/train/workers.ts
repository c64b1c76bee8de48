/**
 * Worker threads for data-parallel training. The parameters live in one SharedArrayBuffer
 * (params.ts's flat form) that the main thread refreshes before each step; each worker
 * computes the loss and gradients of its examples and sends the gradients back
 * (transferred, not copied).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runtimeError } from '../errors.js';
import { flatten, paramCount, paramSpecs, type ArraySpec, type NetConfig, type Params } from '../params.js';
import type { LayerState } from '../params.js';
import type { BackendName } from '../net/backend.js';
import type { MaskKey } from '../net/dropout.js';
import type { Batch } from '../text/windows.js';

export type WorkerInit = { cfg: NetConfig; backend: BackendName; params: SharedArrayBuffer };
export type ShareRequest = {
  id: number;
  batch: Batch;
  key: MaskKey;
  examples: number[];
  scale: number;
  state?: LayerState[];
};
/** A share's summed loss, its gradients in paramSpecs order and its rows of the state at the batch's end. */
export type ShareResult = { id: number; lossSum: number; grads: Float32Array[]; state: LayerState[]; error?: string };

/** The compiled worker script (tests running TypeScript sources use the built one). */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/src/train/worker.js', import.meta.url);
}

export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly shared: Float32Array;
  private readonly specs: ArraySpec[];
  private next = 0;

  private constructor(workers: Worker[], shared: Float32Array, cfg: NetConfig) {
    this.workers = workers;
    this.shared = shared;
    this.size = workers.length;
    this.specs = paramSpecs(cfg);
  }

  static async create(cfg: NetConfig, backend: BackendName, count: number): Promise<WorkerPool> {
    const buffer = new SharedArrayBuffer(paramCount(cfg) * 4);
    const init: WorkerInit = { cfg, backend, params: buffer };
    // One at a time: each worker's first step must not overlap another's (train/worker.ts).
    const workers: Worker[] = [];
    for (let k = 0; k < count; k++) {
      workers.push(
        await new Promise<Worker>((resolve, reject) => {
          const w = new Worker(workerUrl(), { workerData: init });
          w.once('error', reject);
          w.once('message', () => resolve(w));
        }),
      );
    }
    for (const w of workers) w.unref();
    return new WorkerPool(workers, new Float32Array(buffer), cfg);
  }

  /** Copies the current parameters into shared memory (call before dispatching). */
  publish(params: Params): void {
    flatten(this.specs, params, this.shared);
  }

  /** Sends worker k its share; resolves with its loss and gradients. */
  run(
    k: number,
    batch: Batch,
    key: MaskKey,
    examples: number[],
    scale: number,
    state?: LayerState[],
  ): Promise<ShareResult> {
    const id = ++this.next;
    const w = this.workers[k];
    const failed = (why: string) =>
      runtimeError(`a training worker ${why}`, 'rerun with --workers 1 to train on this thread only');
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (res: ShareResult) => {
        if (res.id !== id) return;
        cleanup();
        if (res.error) reject(failed(`failed: ${res.error}`));
        else resolve(res);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(failed(`failed: ${err.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(failed(`exited (code ${code}) during a step`));
      };
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage({ id, batch, key, examples, scale, state } satisfies ShareRequest);
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

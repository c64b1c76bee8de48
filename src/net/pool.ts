/**
 * Worker threads for data-parallel training. The parameters live in one
 * SharedArrayBuffer that the main thread refreshes before each step; each worker
 * computes the loss and gradients of its examples and sends the gradients back
 * (transferred, not copied).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runtimeError } from '../errors.js';
import type { Batch } from '../text/windows.js';
import type { MaskKey } from './dropout.js';
import { paramSpecs, type NetConfig, type Params } from './params.js';

export type WorkerInit = { cfg: NetConfig; backend: string; params: SharedArrayBuffer };
export type ShareRequest = { id: number; batch: Batch; key: MaskKey; examples: number[]; scale: number };
export type ShareResult = { id: number; lossSum: number; grads: Float32Array[]; error?: string };

/** The compiled worker script (tests running TypeScript sources use the built one). */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/src/net/worker.js', import.meta.url);
}

export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly views: Float32Array[];
  private readonly specs;
  private next = 0;

  private constructor(workers: Worker[], views: Float32Array[], cfg: NetConfig) {
    this.workers = workers;
    this.views = views;
    this.size = workers.length;
    this.specs = paramSpecs(cfg);
  }

  static async create(cfg: NetConfig, backend: string, count: number): Promise<WorkerPool> {
    const specs = paramSpecs(cfg);
    const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    const shared = new SharedArrayBuffer(total * 4);
    const views: Float32Array[] = [];
    let at = 0;
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      views.push(new Float32Array(shared, at * 4, n));
      at += n;
    }
    const init: WorkerInit = { cfg, backend, params: shared };
    const workers = await Promise.all(Array.from({ length: count }, () => new Promise<Worker>((resolve, reject) => {
      const w = new Worker(workerUrl(), { workerData: init });
      w.once('error', reject);
      w.once('message', () => resolve(w));
    })));
    for (const w of workers) w.unref();
    return new WorkerPool(workers, views, cfg);
  }

  /** Copies the current parameters into shared memory (call before dispatching). */
  publish(params: Params): void {
    this.specs.forEach((s, i) => this.views[i].set(params.get(s.name)!));
  }

  /** Sends worker k its share; resolves with its loss and gradients. */
  run(k: number, batch: Batch, key: MaskKey, examples: number[], scale: number): Promise<ShareResult> {
    const id = ++this.next;
    const w = this.workers[k];
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (res: ShareResult) => {
        if (res.id !== id) return;
        cleanup();
        if (res.error) reject(runtimeError(`a training worker failed: ${res.error}`, 'rerun with --workers 1 to train on this thread only'));
        else resolve(res);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(runtimeError(`a training worker failed: ${err.message}`, 'rerun with --workers 1 to train on this thread only'));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(runtimeError(`a training worker exited (code ${code}) during a step`, 'rerun with --workers 1 to train on this thread only'));
      };
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage({ id, batch, key, examples, scale } satisfies ShareRequest);
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

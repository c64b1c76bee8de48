/**
 * A training worker thread: holds its own TF.js backend (wasm is single-threaded in
 * Node, so threads are how a batch uses more than one core), reads the current
 * parameters from shared memory, and returns the loss and gradients of its share.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { paramSpecs, unflatten, type NetConfig } from '../params.js';
import { initBackend } from '../net/backend.js';
import { engineFor, trainingLossAndGrads, warmUp } from '../net/engine.js';
import { disposeWeights, toDevice } from '../net/lstm.js';
import type { ShareRequest, ShareResult, WorkerInit } from './workers.js';

const init = workerData as WorkerInit;
const cfg: NetConfig = init.cfg;
const engine = engineFor(await initBackend(init.backend, 'batches'));
const params = unflatten(paramSpecs(cfg), new Float32Array(init.params)); // views on the shared buffer

parentPort!.on('message', (req: ShareRequest) => {
  const w = toDevice(cfg, params);
  try {
    const { lossSum, grads, state } = trainingLossAndGrads(
      engine,
      w,
      cfg,
      req.batch,
      req.key,
      req.examples,
      req.scale,
      req.state,
    );
    const arrays = grads.map((g) => g.dataSync().slice() as Float32Array);
    grads.forEach((g) => g.dispose());
    const result: ShareResult = { id: req.id, lossSum, grads: arrays, state };
    const buffers = [...arrays, ...state.flatMap((s) => [s.h, s.c])].map((a) => a.buffer as ArrayBuffer);
    parentPort!.postMessage(result, buffers);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    disposeWeights(w);
  }
});
// A first step alone before real work, while the main thread waits (net/engine.ts warmUp).
const initial = toDevice(cfg, params);
try {
  warmUp(engine, initial, cfg);
} finally {
  disposeWeights(initial);
}
parentPort!.postMessage({ ready: true });

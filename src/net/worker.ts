/**
 * A training worker thread: holds its own TF.js backend (wasm is single-threaded in
 * Node, so threads are how a batch uses more than one core), reads the current
 * parameters from shared memory, and returns the loss and gradients of its share.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from './backend.js';
import { dropoutMasks } from './dropout.js';
import { disposeWeights, lossAndGrads, toDevice } from './lstm.js';
import { paramSpecs, type NetConfig } from './params.js';
import type { ShareRequest, ShareResult, WorkerInit } from './pool.js';

const init = workerData as WorkerInit;
const cfg: NetConfig = init.cfg;
const specs = paramSpecs(cfg);
await initBackend(init.backend);

// Views on the shared parameter buffer, in paramSpecs order.
const views: Float32Array[] = [];
let at = 0;
for (const s of specs) {
  const n = s.shape.reduce((a, b) => a * b, 1);
  views.push(new Float32Array(init.params, at * 4, n));
  at += n;
}

parentPort!.on('message', (req: ShareRequest) => {
  const w = toDevice(cfg, new Map(specs.map((s, i) => [s.name, views[i]])));
  try {
    const L = cfg.layers;
    const masks = cfg.dropout > 0
      ? dropoutMasks(req.key, cfg.dropout, L, cfg.units, req.batch.seqLength, req.examples)
      : undefined;
    const { lossSum, grads } = lossAndGrads(w, cfg, req.batch, masks, req.scale);
    const arrays = grads.map((g) => g.dataSync().slice() as Float32Array);
    grads.forEach((g) => g.dispose());
    const result: ShareResult = { id: req.id, lossSum, grads: arrays };
    parentPort!.postMessage(result, arrays.map((a) => a.buffer as ArrayBuffer));
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    disposeWeights(w);
  }
});
parentPort!.postMessage({ ready: true });

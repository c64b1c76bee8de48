/**
 * The training run's own thread (train/thread.ts starts it and says why): loads the backend,
 * runs the loop, and sends its events, lock checks and result to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../net/backend.js';
import { Vocab } from '../text/vocab.js';
import { trainModel } from './loop.js';
import type { RunEvents } from './run.js';
import { fromWire, toWire, type FromThread, type ThreadInit, type ToThread, type WireError } from './thread.js';

const { run, stop } = workerData as ThreadInit;
const port = parentPort!;
const send = (message: FromThread) => port.postMessage(message);

const pendingChecks = new Map<number, (error?: WireError) => void>();
let nextCheck = 0;
port.on('message', (message: ToThread) => {
  pendingChecks.get(message.id)?.(message.error);
  pendingChecks.delete(message.id);
});

/** The main thread's lock, checked there. */
const lock = {
  check: () =>
    new Promise<void>((resolve, reject) => {
      const id = nextCheck++;
      pendingChecks.set(id, (error) => (error ? reject(fromWire(error)) : resolve()));
      send({ type: 'check-lock', id });
    }),
};

const names = ['onStart', 'onBatch', 'onEpoch', 'onEvaluation', 'onCheckpoint'] as const;
const events = Object.fromEntries(
  names.map((name) => [name, (info: unknown) => send({ type: 'event', name, info })]),
) as RunEvents;

try {
  const backend = await initBackend(run.backend, 'batches');
  const result = await trainModel({
    ...run,
    vocab: new Vocab(run.vocab),
    backend,
    lock: run.locked ? lock : undefined,
    shouldStop: () => Atomics.load(stop, 0) === 1,
    events,
  });
  send({ type: 'done', result });
} catch (err) {
  send({ type: 'failed', error: toWire(err) });
} finally {
  port.close(); // nothing more to hear: the thread ends
}

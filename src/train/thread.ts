/**
 * A training run on a thread of its own (train/thread-worker.ts runs it), so that the main
 * thread, which hears SIGINT and SIGTERM, never computes (on tensorflow: net/backend.ts
 * hurtBySignals). A signal interrupts the thread
 * it is delivered to, and Linux delivers a process's signals to its main thread when that
 * thread does not block them; TensorFlow's oneDNN matrix kernels can corrupt the heap when
 * a signal interrupts them (oneDNN issue 4845, fixed after the TensorFlow 2.21 behind
 * tfjs-node: Ctrl-C ended ~1 run in 10 with "corrupted size vs. prev_size" here). With the
 * run off the main thread, a signal only ever interrupts a thread waiting for messages.
 *
 * The run's events come back as messages; the stop request is a shared flag the run polls
 * after every batch; the bundle's lock stays with the main thread, which checks it when the
 * run asks before each save.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LstmError, runtimeError, type ErrorKind } from '../errors.js';
import type { BundleLock } from '../store/lock.js';
import type { RunEvents, RunOptions, RunResult } from './run.js';

/**
 * What the thread is given: the run's options as data (a vocabulary as its characters). The
 * backend named is loaded in the main thread first (cli/run/train.ts says why).
 */
export type ThreadRun = Omit<RunOptions, 'vocab' | 'shouldStop' | 'events' | 'onSaveStage' | 'lock'> & {
  vocab: readonly string[];
  /** Whether the main thread holds the bundle's lock (the thread asks it to check before each save). */
  locked: boolean;
};
export type ThreadInit = { run: ThreadRun; stop: Int32Array };

/** An error as it crosses threads: an LstmError keeps its kind and hint. */
export type WireError = { message: string; kind?: ErrorKind; hint?: string; stack?: string };

export type FromThread =
  | { type: 'event'; name: keyof RunEvents; info: unknown }
  | { type: 'check-lock'; id: number }
  | { type: 'done'; result: RunResult }
  | { type: 'failed'; error: WireError };
export type ToThread = { type: 'lock-checked'; id: number; error?: WireError };

export function toWire(err: unknown): WireError {
  if (err instanceof LstmError) return { message: err.message, kind: err.kind, hint: err.hint };
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

export function fromWire(wire: WireError): Error {
  if (wire.kind) return new LstmError(wire.kind, wire.message, wire.hint);
  const err = new Error(wire.message);
  if (wire.stack) err.stack = wire.stack;
  return err;
}

/** The compiled thread script (tests running TypeScript sources use the built one). */
function threadUrl(): URL {
  const here = new URL('./thread-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/src/train/thread-worker.js', import.meta.url);
}

/**
 * Runs `run` on its own thread, delivering its events here; setting `stop[0]` to 1 asks it
 * to finish its batch, save and return 'interrupted'. Resolves with the run's result, or
 * rejects with its error (an LstmError as thrown there).
 */
export function trainInThread(
  run: ThreadRun,
  lock: Pick<BundleLock, 'check'> | undefined,
  events: RunEvents,
  stop: Int32Array,
): Promise<RunResult> {
  const init: ThreadInit = { run, stop };
  const thread = new Worker(threadUrl(), { workerData: init });
  return new Promise<RunResult>((resolve, reject) => {
    // Settled when the thread has ended, never before: a process exiting while the thread
    // still tears down its backend can crash.
    let outcome: { result: RunResult } | { error: unknown } | undefined;
    const fail = (error: unknown) => {
      outcome ??= { error };
    };
    thread.on('message', (message: FromThread) => {
      if (message.type === 'event') {
        try {
          (events[message.name] as ((info: unknown) => void) | undefined)?.(message.info);
        } catch (err) {
          fail(err);
          void thread.terminate();
        }
      } else if (message.type === 'check-lock') {
        const reply = (error?: WireError) => thread.postMessage({ type: 'lock-checked', id: message.id, error });
        (lock ? lock.check() : Promise.resolve()).then(
          () => reply(),
          (err: unknown) => reply(toWire(err)),
        );
      } else if (message.type === 'done') {
        outcome ??= { result: message.result };
      } else {
        fail(fromWire(message.error));
      }
    });
    thread.on('error', fail);
    thread.on('exit', (code) => {
      fail(runtimeError(`the training thread stopped (exit code ${code}) before the run ended`));
      if (outcome && 'result' in outcome) resolve(outcome.result);
      else reject(outcome?.error);
    });
  });
}

/**
 * Stopping a training run from the keyboard: the first SIGINT or SIGTERM asks the run to
 * finish its batch and save a checkpoint; a second one quits at once (exit 130), leaving the
 * checkpoints already saved as they are.
 */
import type { Reporter } from './reporter.js';

export type StopRequests = {
  /** Whether a stop was asked for (the loop polls it after every batch). */
  requested: () => boolean;
  /**
   * The run is over: a signal from now on (while the process saves, releases its lock and
   * exits) quits at once with 130, as a second one does, never by the signal's default.
   */
  dispose: () => void;
};

/** `onRequest` hears the first request as it comes (a run on another thread polls a flag it sets). */
export function listenForStop(reporter: Reporter, onRequest?: () => void): StopRequests {
  let stopRequested = false;
  const onSignal = (signal: string) => {
    if (stopRequested) {
      reporter.done();
      process.stderr.write(`\n${signal} again: quitting now; saved checkpoints are untouched\n`);
      process.exit(130);
    }
    stopRequested = true;
    onRequest?.();
    reporter.done();
    reporter.warn(`${signal}: finishing this batch and saving a checkpoint (press Ctrl-C again to quit at once)`);
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  return {
    requested: () => stopRequested,
    dispose: () => {
      stopRequested = true;
    },
  };
}

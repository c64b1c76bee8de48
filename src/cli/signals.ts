/**
 * Stopping a training run from the keyboard: the first SIGINT or SIGTERM asks the run to
 * finish its batch and save a checkpoint; a second one quits at once, leaving the
 * checkpoints already saved as they are. Either way the process exits as shells expect of a
 * program a signal stopped: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
import type { Reporter } from './reporter.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof EXIT_CODES;

/**
 * A run the user stopped, thrown once its end has been said (train-report.ts): not an error,
 * so cli/main.ts prints nothing more and exits with the signal's code.
 */
export class Stopped extends Error {
  readonly exitCode: number;

  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
    this.name = 'Stopped';
    this.exitCode = EXIT_CODES[signal];
  }
}

export type StopRequests = {
  /** Whether a stop was asked for (the loop polls it after every batch). */
  requested: () => boolean;
  /** The signal that asked for it, if one did. */
  signal: () => StopSignal | undefined;
  /**
   * The run is over: a signal from now on (while the process saves, releases its lock and
   * exits) quits at once with its code, as a second one does, never by the signal's default.
   */
  dispose: () => void;
};

/** `onRequest` hears the first request as it comes (a run on another thread polls a flag it sets). */
export function listenForStop(reporter: Reporter, onRequest?: () => void): StopRequests {
  let stopRequested = false;
  let by: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (stopRequested) {
      reporter.done();
      process.stderr.write(`\n${signal} again: quitting now; saved checkpoints are untouched\n`);
      process.exit(EXIT_CODES[signal]);
    }
    stopRequested = true;
    by = signal;
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
    signal: () => by,
    dispose: () => {
      stopRequested = true;
    },
  };
}

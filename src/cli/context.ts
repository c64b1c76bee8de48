/** What every command gets from the global options: the reporter, and the backend to use. */
import type { Job } from '../net/backend.js';
import { Reporter } from './reporter.js';

/** Which kind of work each command that runs the network does (it picks the backend). */
export const COMMAND_JOBS = {
  train: 'batches',
  generate: 'steps',
  eval: 'batches',
  export: 'steps',
  inspect: 'steps',
} as const satisfies Record<string, Job>;

export type GlobalFlags = { backend?: string; quiet?: boolean; color?: boolean };

export type Context = {
  reporter: Reporter;
  flags: GlobalFlags;
};

export function makeContext(flags: GlobalFlags): Context {
  return { reporter: new Reporter({ quiet: flags.quiet, color: flags.color }), flags };
}

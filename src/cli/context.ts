/** What every command gets from the global options: the reporter, and the backend to use. */
import { Reporter } from './reporter.js';

export type GlobalFlags = { backend?: string; quiet?: boolean; color?: boolean };

export type Context = {
  reporter: Reporter;
  flags: GlobalFlags;
};

export function makeContext(flags: GlobalFlags): Context {
  return { reporter: new Reporter({ quiet: flags.quiet, color: flags.color }), flags };
}

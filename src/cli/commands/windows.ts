/** `lstm windows`: its options and help; run/windows.ts runs it. */
import type { Command } from 'commander';
import { defaults } from '../../config.js';
import type { Context } from '../context.js';
import { corpusOptions, int, windowOptions, type CorpusFlags, type WindowFlags } from '../options.js';

export type WindowsFlags = CorpusFlags & WindowFlags & { json?: boolean; examples: number };

export function register(program: Command, context: () => Context): void {
  windowOptions(
    corpusOptions(
      program
        .command('windows')
        .description('show how a text becomes training windows, batches and a validation part')
        .argument('<corpus>', 'text file, or - for stdin'),
    ),
  )
    .option('--examples <n>', 'example windows to show', int('--examples', 0, 100), defaults.examples)
    .option('--json', 'print the same as JSON')
    .action(async (path: string, flags: WindowsFlags, cmd: Command) => {
      const { run } = await import('../run/windows.js');
      return run(path, flags, cmd, context());
    });
}

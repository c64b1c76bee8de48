/** `lstm windows`: its options and help; run/windows.ts runs it. */
import type { Command } from 'commander';
import { defaults } from '../../config.js';
import type { Context } from '../context.js';
import { examples, GROUP, groupOptions } from '../help.js';
import { corpusOptions, int, windowOptions, type CorpusFlags, type WindowFlags } from '../options.js';

export type WindowsFlags = CorpusFlags & WindowFlags & { json?: boolean; examples: number };

export function register(program: Command, context: () => Context): void {
  const command = windowOptions(
    corpusOptions(
      program
        .command('windows')
        .description('show how a text becomes training windows, batches and a validation part')
        .argument('<corpus>', 'text file, or - for stdin'),
    ),
  )
    .option('--examples <n>', 'example windows to show', int('--examples', 0, 100), defaults.examples)
    .option('--json', 'print the same as JSON');
  groupOptions(command, [
    [GROUP.data, ['--encoding', '--keep-boilerplate', '--lowercase', '--val-fraction']],
    [GROUP.windows, ['--seq-length', '--batch-size', '--stateful', '--no-stateful', '--random-seed']],
    [GROUP.output, ['--examples', '--json']],
  ]);
  command.addHelpText('after', '\nA small text: lstm help train says which texts are small.');
  examples(command, [
    ['how lstm train cuts a text into windows, batches and a held-out part', 'lstm windows macbeth.txt'],
    [
      'longer windows, read as streams carried from batch to batch',
      'lstm windows macbeth.txt --seq-length 100 --stateful',
    ],
  ]).action(async (path: string, flags: WindowsFlags, cmd: Command) => {
    const { run } = await import('../run/windows.js');
    return run(path, flags, cmd, context());
  });
}

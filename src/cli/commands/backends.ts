/** `lstm backends`: its options and help; run/backends.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('backends')
    .description('list the TensorFlow.js backends, whether each loads here, and which one each command uses')
    .option('--json', 'print the same as JSON');
  examples(command, [
    ['which backends load here, and which one each command picks', 'lstm backends'],
    ['what choosing one would give', 'lstm --backend cpu backends --json'],
  ]).action(async (flags: { json?: boolean }) => {
    const { run } = await import('../run/backends.js');
    return run(flags, context()); // global options are parsed; the list goes to stdout, uncoloured
  });
}

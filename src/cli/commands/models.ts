/** `lstm models`: its options and help; run/models.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';

export type ModelsFlags = { json?: boolean };

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('models')
    .description('list the models at hand: the bundled ones, those under ./models, and any directories given')
    .argument('[dirs...]', 'model directories, or directories of them')
    .option('--json', 'print the list as JSON');
  examples(command, [
    ['the bundled models and those under ./models', 'lstm models'],
    ['also the models in ~/runs, as JSON', 'lstm models ~/runs --json'],
  ]).action(async (dirs: string[], flags: ModelsFlags) => {
    const { run } = await import('../run/models.js');
    return run(dirs, flags, context());
  });
}

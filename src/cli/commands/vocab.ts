/** `lstm vocab`: its options and help; run/vocab.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { corpusOptions, type CorpusFlags } from '../options.js';

export type VocabFlags = CorpusFlags & { json?: boolean; out?: string };

export function register(program: Command, context: () => Context): void {
  corpusOptions(
    program
      .command('vocab')
      .description('show the vocabulary of a text: each character with its index and count')
      .argument('<corpus>', 'text file, or - for stdin'),
  )
    .option('--json', 'print the vocabulary as JSON')
    .option('--out <file>', 'also write the vocabulary as JSON to this file')
    .action(async (path: string, flags: VocabFlags) => {
      const { run } = await import('../run/vocab.js');
      return run(path, flags, context());
    });
}

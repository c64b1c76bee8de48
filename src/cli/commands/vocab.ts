/** `lstm vocab`: its options and help; run/vocab.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';
import { corpusOptions, type CorpusFlags } from '../options.js';

export type VocabFlags = CorpusFlags & { json?: boolean; out?: string };

export function register(program: Command, context: () => Context): void {
  const command = corpusOptions(
    program
      .command('vocab')
      .description('show the vocabulary of a text: each character with its index and count')
      .argument('<corpus>', 'text file, or - for stdin'),
  )
    .option('--json', 'print the vocabulary as JSON')
    .option('--out <file>', 'also write the vocabulary as JSON to this file');
  examples(command, [
    ['each character of a text with its index, code point and count', 'lstm vocab macbeth.txt'],
    ['the same as JSON, also written to a file', 'lstm vocab macbeth.txt --json --out vocab.json'],
  ]).action(async (path: string, flags: VocabFlags) => {
    const { run } = await import('../run/vocab.js');
    return run(path, flags, context());
  });
}

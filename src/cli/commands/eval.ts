/** `lstm eval`: its options and help; run/eval.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples, GROUP, groupOptions } from '../help.js';
import { checkpointOption, corpusOptions, int, modelOption, type CorpusFlags } from '../options.js';

export type EvalFlags = CorpusFlags & { model?: string; checkpoint?: string; json?: boolean; batchSize?: number };

export function register(program: Command, context: () => Context): void {
  const command = corpusOptions(
    program
      .command('eval')
      .description("a model's cross-entropy on a text, in nats and bits per character, and perplexity")
      .argument('<corpus>', 'text file, or - for stdin'),
  )
    .addOption(modelOption())
    .addOption(checkpointOption())
    .option(
      '--batch-size <n>',
      "windows evaluated at once, and the most streams the text is cut into (default: the model's batch size, as its validation read; 1: one stream)",
      int('--batch-size', 1),
    )
    .option('--json', 'print the result as JSON');
  groupOptions(command, [
    [GROUP.model, ['--model', '--checkpoint']],
    [GROUP.text, ['--encoding', '--keep-boilerplate', '--lowercase', '--batch-size']],
    [GROUP.output, ['--json']],
  ]);
  examples(command, [
    ['the bundled Macbeth model on a text', 'lstm eval macbeth.txt'],
    ["your model's latest checkpoint, as JSON", 'lstm eval macbeth.txt -m models/macbeth --checkpoint latest --json'],
    ['read as one stream, the figure lstm inspect totals', 'lstm eval macbeth.txt --batch-size 1'],
  ]).action(async (path: string, flags: EvalFlags, cmd: Command) => {
    const { run } = await import('../run/eval.js');
    return run(path, flags, cmd, context());
  });
}

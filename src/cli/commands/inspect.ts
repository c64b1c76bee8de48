/** `lstm inspect`: its options and help; run/inspect.ts runs it. */
import { Option, type Command } from 'commander';
import { defaults } from '../../config.js';
import { usageError } from '../../errors.js';
import type { UnknownPolicy } from '../../generate/seed.js';
import type { Encoding } from '../../text/corpus.js';
import type { Context } from '../context.js';
import { examples, GROUP, groupOptions } from '../help.js';
import { checkpointOption, encodingOption, int, modelOption } from '../options.js';

export type InspectFlags = {
  model?: string;
  checkpoint?: string;
  text?: string;
  json?: boolean;
  html?: string;
  units?: string;
  top: number;
  unknown: UnknownPolicy;
  encoding: Encoding;
};

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('inspect')
    .description(
      'how surprised the model is by each character of a text, what it expected instead, and what its units hold',
    )
    .argument('[file]', 'text file, or - for stdin (default: --text, else stdin when piped)')
    .addOption(modelOption())
    .addOption(checkpointOption())
    .option('--text <text>', 'the text to inspect')
    .addOption(encodingOption('how the file or piped text is encoded'))
    .option('--top <k>', 'expected characters listed per position', int('--top', 1, 1000), defaults.inspect.top)
    .option(
      '--json',
      'stream JSON: per character its probability, bits and the expected characters (one character per line)',
    )
    .option(
      '--units <list>',
      "with --json: these units' cell state, hidden output and gates in every layer, e.g. 0-9,42 or all",
      unitList,
    )
    .option(
      '--html <file>',
      'write a self-contained page: the text coloured by surprise, predictions on hover, a browser of every unit',
    )
    .addOption(
      new Option('--unknown <mode>', 'characters outside the vocabulary: error or skip')
        .choices(['error', 'skip'])
        .default('error'),
    );
  groupOptions(command, [
    [GROUP.model, ['--model', '--checkpoint']],
    [GROUP.text, ['--text', '--encoding', '--unknown']],
    [GROUP.output, ['--top', '--json', '--units', '--html']],
  ]);
  examples(command, [
    [
      'how surprised the bundled model is by each character',
      'lstm inspect --text "MACBETH. So foul and fair a day I have not seen."',
    ],
    [
      'a page: the text coloured by surprise, every unit to browse',
      'head -c 2000 macbeth.txt | lstm inspect --html page.html',
    ],
    ['per character as JSON, with what units 0-9 hold', 'lstm inspect --text "To be, or not to be" --json --units 0-9'],
  ]).action(async (file: string | undefined, flags: InspectFlags) => {
    const { run } = await import('../run/inspect.js');
    return run(file, flags, context());
  });
}

/**
 * `inspect --units`: `all`, or unit numbers and ranges (`0-9,42`), checked against the
 * model when it is loaded (run/inspect.ts).
 */
function unitList(value: string): string {
  if (value !== 'all' && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value.replace(/\s/g, ''))) {
    throw usageError(`--units must be 'all' or unit numbers and ranges like 0-9,42, got '${value}'`);
  }
  return value.replace(/\s/g, '');
}

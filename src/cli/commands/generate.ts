/** `lstm generate`: its options and help; run/generate.ts runs it. */
import { Option, type Command } from 'commander';
import { defaults } from '../../config.js';
import { LIMITS } from '../../generate/limits.js';
import type { UnknownPolicy } from '../../generate/seed.js';
import type { Encoding } from '../../text/corpus.js';
import type { Context } from '../context.js';
import { examples, GROUP, groupOptions } from '../help.js';
import { bounded, checkpointOption, encodingOption, modelOption } from '../options.js';

export type GenerateFlags = {
  /** The seed given as the command's argument (`lstm generate "MACBETH."`). */
  seedArgument?: string;
  model?: string;
  checkpoint?: string;
  seed?: string;
  prompt?: string;
  seedFile?: string;
  length: number;
  temperature: number;
  argmax?: boolean;
  topK?: number;
  topP?: number;
  randomSeed?: number;
  samples: number;
  stop?: string;
  echo?: boolean;
  json?: boolean;
  jsonl?: boolean;
  unknown: UnknownPolicy;
  encoding: Encoding;
  originality?: boolean;
  corpus?: string[];
};

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('generate')
    .description('generate text from a seed, streamed to stdout as it is made')
    .argument('[seed]', 'text to start from, as --seed (quote it: "MACBETH.")')
    .addOption(modelOption())
    .addOption(checkpointOption())
    .option('-s, --seed <text>', 'text to start from (default: stdin when piped, else nothing)')
    .option('-p, --prompt <text>', 'alias of --seed')
    .option('--seed-file <path>', 'read the seed text from a file, or - for stdin')
    .addOption(encodingOption('how a --seed-file or piped seed is encoded'));
  samplingOptions(command)
    .option('--stop <text>', 'end a sample once it has produced this text')
    .option('--echo', 'print the seed before the generated text')
    .addOption(
      new Option('--unknown <mode>', 'seed characters outside the vocabulary: error or skip')
        .choices(['error', 'skip'])
        .default('error'),
    )
    .option('--json', 'print the result as one JSON document when generation ends')
    .addOption(
      new Option(
        '--jsonl',
        'stream JSON lines as text is made: start, text chunks per sample, end per sample, done',
      ).conflicts('json'),
    )
    .option(
      '--originality',
      `then report the longest passage also found verbatim in the training text, and the share of the output inside passages of ${defaults.copiedMinLength}+ characters found there (on stderr; in the JSON with --json, --jsonl)`,
    )
    .option(
      '--corpus <path>',
      "the training text --originality compares with, as lstm train reads it (repeat for several files or a base model's text; a directory: its files; default: the files the model records)",
      (path: string, paths: string[] = []) => [...paths, path],
    );
  explained(command).action(async (seed: string | undefined, flags: GenerateFlags, cmd: Command) => {
    const { run } = await import('../run/generate.js');
    return run({ ...flags, seedArgument: seed }, cmd, context());
  });
}

/** How many characters, and how each is chosen (bounds: generate/limits.ts, shared with the web page). */
function samplingOptions(command: Command): Command {
  return command
    .option(
      '-n, --length <n>',
      'characters to generate (the seed not counted)',
      bounded('--length', LIMITS.length),
      defaults.length,
    )
    .option(
      '-t, --temperature <t>',
      'sampling temperature; 0 means argmax',
      bounded('--temperature', LIMITS.temperature, 'use --argmax or --temperature 0 for greedy output'),
      defaults.temperature,
    )
    .option('--argmax', 'always take the most likely character (same as --temperature 0)')
    .option('--top-k <k>', 'sample only from the k most likely characters', bounded('--top-k', LIMITS.topK))
    .option(
      '--top-p <p>',
      'sample only from the smallest set of characters whose probability reaches p',
      bounded('--top-p', LIMITS.topP),
    )
    .option(
      '--random-seed <n>',
      'seed for sampling, to repeat a result (default: drawn, reported with --json)',
      bounded('--random-seed', LIMITS.randomSeed),
    )
    .option(
      '--samples <n>',
      'independent samples, generated together',
      bounded('--samples', LIMITS.samples),
      defaults.samples,
    );
}

/** The options by concern, and examples. */
function explained(command: Command): Command {
  groupOptions(command, [
    [GROUP.model, ['--model', '--checkpoint']],
    [GROUP.seed, ['--seed', '--prompt', '--seed-file', '--encoding', '--unknown']],
    [
      GROUP.sampling,
      ['--length', '--temperature', '--argmax', '--top-k', '--top-p', '--random-seed', '--samples', '--stop'],
    ],
    [GROUP.output, ['--echo', '--json', '--jsonl', '--originality', '--corpus']],
  ]);
  return examples(command, [
    ['the bundled Macbeth model writes from a seed', 'lstm generate "MACBETH." -n 300'],
    [
      'your own model, cooler, the same text every time',
      'lstm generate -m models/macbeth "LADY MACBETH." -t 0.7 --random-seed 1',
    ],
    ['a piped text is the seed', 'echo "To be, or not" | lstm generate -n 200'],
  ]);
}

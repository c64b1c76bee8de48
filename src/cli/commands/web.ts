/** `lstm web`: its options and help; run/web.ts runs it. */
import { Option, type Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';
import { checkpointOption, int, modelOption } from '../options.js';

export type WebFlags = { model?: string; checkpoint?: string; port: number; host: string; corpus?: string[] };

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('web')
    .description(
      'a local page that runs the model in your browser: generate as you watch, inspect any text, see the training curves',
    )
    .addOption(modelOption())
    .addOption(checkpointOption())
    .addOption(
      new Option('--port <n>', 'port to listen on').argParser(int('--port', 0, 65_535)).default(0, 'a free one'),
    )
    .option(
      '--host <address>',
      'address to listen on; anything but loopback serves the model to your network',
      '127.0.0.1',
    )
    .option(
      '--corpus <path>',
      "the training text, for the page's originality figure, as generate --originality takes it (default: the files the model records, when they are still there)",
      (path: string, paths: string[] = []) => [...paths, path],
    );
  examples(command, [
    ['the bundled Macbeth model in your browser (the address is printed)', 'lstm web'],
    [
      'your model with its training text, for the originality figure',
      'lstm web -m models/macbeth --corpus macbeth.txt',
    ],
    ['on a fixed port', 'lstm web --port 8080'],
  ]).action(async (flags: WebFlags) => {
    const { run } = await import('../run/web.js');
    return run(flags, context());
  });
}

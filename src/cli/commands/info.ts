/** `lstm info`: its options and help; run/info.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';
import { checkpointOption, modelOption, svgFile } from '../options.js';

export type InfoFlags = { model?: string; checkpoint?: string; json?: boolean; plot?: string };

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('info')
    .description('show a model: architecture, vocabulary, training settings and loss history')
    .addOption(modelOption())
    .addOption(checkpointOption())
    .option('--json', 'print the same as JSON')
    .option(
      '--plot <file.svg>',
      'also draw the loss history (bits per character per epoch, the best marked) as an SVG picture in this file',
      svgFile,
    );
  examples(command, [
    ['the bundled Macbeth model: network, text, recipe, loss history', 'lstm info'],
    ['your model, and its training curves as a picture', 'lstm info -m models/macbeth --plot curves.svg'],
    ['one checkpoint of it, as JSON', 'lstm info -m models/macbeth --checkpoint latest --json'],
  ]).action(async (flags: InfoFlags, cmd: Command) => {
    const { run } = await import('../run/info.js');
    return run(flags, cmd, context());
  });
}

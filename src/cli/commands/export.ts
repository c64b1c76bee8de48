/** `lstm export`: its options and help; run/export.ts runs it. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../help.js';
import { checkpointOption, modelOption, origin } from '../options.js';

export type ExportFlags = {
  model: string;
  out: string;
  checkpoint?: string;
  float16?: boolean;
  force?: boolean;
  note?: string[];
  origin?: string;
};

export function register(program: Command, context: () => Context): void {
  const command = program
    .command('export')
    .description('write one checkpoint of a bundle as a standalone model for inference (smaller: no optimizer state)')
    .addOption(modelOption('model bundle').makeOptionMandatory())
    .requiredOption('--out <dir>', 'directory to write (must not hold a model unless --force)')
    .addOption(checkpointOption())
    .option(
      '--float16',
      'store the weights as half floats (TF.js float16 quantization): half the size, each weight rounded to 11 significant bits',
    )
    .option('--force', 'replace a model already in --out')
    .option('--note <key=value...>', 'record notes in lstm.json (e.g. how it was trained)')
    .option(
      '--origin <text>',
      "where the training text comes from, recorded with the corpus (replaces the bundle's)",
      origin,
    );
  examples(command, [
    ["a bundle's best checkpoint as a standalone model", 'lstm export -m models/macbeth --out exported/macbeth'],
    [
      'its latest checkpoint at half the size',
      'lstm export -m models/macbeth --checkpoint latest --float16 --out macbeth-half',
    ],
  ]).action(async (flags: ExportFlags, cmd: Command) => {
    const { run } = await import('../run/export.js');
    return run(flags, cmd, context());
  });
}

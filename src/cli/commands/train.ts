/** `lstm train`: its options and help; run/train.ts runs it. */
import { type Command, Option } from 'commander';
import { defaults } from '../../config.js';
import type { Context } from '../context.js';
import { examples, GROUP, groupOptions } from '../help.js';
import {
  corpusOptions,
  duration,
  evalEvery,
  int,
  num,
  origin,
  smallTextDefault,
  windowOptions,
  type CorpusFlags,
  type WindowFlags,
} from '../options.js';

export type TrainCommandFlags = CorpusFlags &
  WindowFlags & {
    out?: string;
    resume?: string;
    from?: string;
    epochs: number;
    maxTime?: number;
    evalEvery: { batches?: number; seconds?: number };
    patience: number;
    minGain: number;
    keep: number;
    layers: number;
    units: number;
    dropout: number;
    variationalDropout: boolean;
    weightDrop: number;
    ema: number;
    lr: number;
    lrDecay: number;
    lrDecayAfter: number;
    lrPlateau: number;
    clip: number;
    workers?: number;
    sample: boolean;
    json?: boolean;
    origin?: string;
  };

export function register(program: Command, context: () => Context): void {
  const command = windowOptions(
    corpusOptions(
      program
        .command('train')
        .description('train a character-level LSTM on a text, saving checkpoints every epoch')
        .argument(
          '[corpus...]',
          'text files or directories of them (the last --val-fraction of each file is held out), or - for stdin (with --resume: the files the bundle was trained on, unless given)',
        ),
    ),
  )
    .option('--out <dir>', 'model bundle directory (default: models/<corpus name>)')
    .option('--resume <dir>', 'continue training the bundle in <dir> (same vocabulary and settings)')
    .option(
      '--from <model>',
      "fine-tune: a new run starting from this model's weights (a bundle's best, or a checkpoint directory); its network and --lowercase, its other settings unless given, and the union of both vocabularies. Without it, a run starts from a bundled base when the base already predicts the text's held-out part well (it says which, and why); none: from scratch",
    );
  networkOptions(stopOptions(command))
    .option(
      '--origin <text>',
      'where the text comes from, recorded in the bundle (default: read from a Project Gutenberg header)',
      origin,
    )
    .option(
      '--workers <n>',
      `threads that share each batch (default: one per core, at most ${defaults.maxWorkers})`,
      int('--workers', 1, 64),
    )
    .option('--no-sample', 'no sample text after each epoch')
    .option('--json', 'print one JSON event per line on stdout (start, epoch, checkpoint, done)');
  explained(command).action(async (paths: string[], flags: TrainCommandFlags, cmd: Command) => {
    const { run } = await import('../run/train.js');
    return run(paths, flags, cmd, context());
  });
}

/** When a run stops, and how often it validates and keeps checkpoints. */
function stopOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--epochs <n>', 'stop after this many epochs in total')
        .argParser(int('--epochs', 1))
        .default(defaults.epochs, `${defaults.epochs}, or no limit when only --max-time is given`),
    )
    .option('--max-time <duration>', 'stop after this long, e.g. 90s, 10m, 1h30m', duration)
    .addOption(
      new Option(
        '--eval-every <n|duration>',
        "also validate and checkpoint inside an epoch, every n batches or this long (an epoch's end always does)",
      )
        .argParser(evalEvery)
        .default(evalEvery(defaults.evalEvery), defaults.evalEvery),
    )
    .option(
      '--patience <n>',
      'stop after this many epochs in a row without a better validation loss (by --min-gain)',
      int('--patience', 1),
      defaults.patience,
    )
    .option(
      '--min-gain <bits>',
      'bits per character a validation must gain to count as better for --patience (0: any gain)',
      num('--min-gain', 0, 1),
      defaults.minGain,
    )
    .option('--keep <n>', 'epoch checkpoints to keep besides best and latest', int('--keep', 1), defaults.keep);
}

/** The network, and how it learns. */
function networkOptions(command: Command): Command {
  return command
    .option('--layers <n>', 'stacked LSTM layers', int('--layers', 1, 16), defaults.layers)
    .option('--units <n>', 'units per LSTM layer', int('--units', 1, 4096), defaults.units)
    .addOption(
      new Option('--dropout <rate>', 'dropout after each LSTM layer')
        .argParser(num('--dropout', 0, 1, { openMax: true }))
        .default(defaults.dropout, smallTextDefault('dropout')),
    )
    .addOption(
      new Option(
        '--variational-dropout',
        'one dropout mask per sequence for all its steps, instead of a new one at every step',
      ).default(defaults.variationalDropout),
    )
    .option(
      '--no-variational-dropout',
      `a new dropout mask at every step (${defaults.variationalDropout ? 'undoes --variational-dropout' : 'the default'})`,
    )
    .option(
      '--weight-drop <rate>',
      'DropConnect on the recurrent weights: drop this fraction of them, a new mask every batch (0: off)',
      num('--weight-drop', 0, 1, { openMax: true }),
      defaults.weightDrop,
    )
    .addOption(
      new Option('--lr <rate>', 'Adam learning rate')
        .argParser(num('--lr', 0, 1, { openMin: true }))
        .default(defaults.lr, smallTextDefault('lr')),
    )
    .option(
      '--lr-decay <factor>',
      'multiply the learning rate by this each epoch after --lr-decay-after (1: constant)',
      num('--lr-decay', 0, 1, { openMin: true }),
      defaults.lrDecay,
    )
    .option(
      '--lr-decay-after <n>',
      'epochs at the full learning rate before --lr-decay applies',
      int('--lr-decay-after', 0),
      defaults.lrDecayAfter,
    )
    .option(
      '--lr-plateau <n>',
      'halve the learning rate after this many epochs in a row without a better validation loss (0: never)',
      int('--lr-plateau', 0),
      defaults.lrPlateau,
    )
    .option('--clip <norm>', 'clip gradients to this global norm (0: off)', num('--clip', 0, Infinity), defaults.clip)
    .option(
      '--ema <decay>',
      'keep an exponential moving average of the weights with this decay, e.g. 0.999: it is validated, sampled and saved as the model (0: off)',
      num('--ema', 0, 1, { openMax: true }),
      defaults.ema,
    );
}

/** The options by concern, what the defaults depend on, and examples. */
function explained(command: Command): Command {
  groupOptions(command, [
    [GROUP.data, ['--encoding', '--keep-boilerplate', '--lowercase', '--val-fraction', '--origin']],
    [
      GROUP.network,
      ['--layers', '--units', '--dropout', '--variational-dropout', '--no-variational-dropout', '--weight-drop'],
    ],
    [
      GROUP.optimisation,
      [
        '--seq-length',
        '--batch-size',
        '--stateful',
        '--no-stateful',
        '--lr',
        '--lr-decay',
        '--lr-decay-after',
        '--lr-plateau',
        '--clip',
        '--ema',
        '--random-seed',
      ],
    ],
    [
      GROUP.run,
      ['--resume', '--from', '--epochs', '--max-time', '--eval-every', '--patience', '--min-gain', '--workers'],
    ],
    [GROUP.output, ['--out', '--keep', '--no-sample', '--json']],
  ]);
  const small = defaults.smallText;
  command.addHelpText(
    'after',
    `
A small text has fewer training characters than ${small.charsPerParam} per parameter of the
network (the run says both when it starts); it takes the small-text values of
the options not given (from a bundled base that reads it at under ${small.familiar.maxBaseBits} bits a
character: --dropout ${small.familiar.dropout} --lr ${small.familiar.lr}). A resumed run (--resume) keeps the
bundle's settings; a fine-tune (--from) takes its base's unless given.`,
  );
  return examples(command, [
    ['train with the defaults into models/macbeth; Ctrl-C saves and stops', 'lstm train macbeth.txt'],
    ['carry on later, on the text the bundle records', 'lstm train --resume models/macbeth --epochs 60'],
    ['ten minutes in all, the last save included', 'lstm train macbeth.txt --out models/quick --max-time 10m'],
  ]);
}

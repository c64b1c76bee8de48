/**
 * Option definitions shared by several commands, with their parsers. Defaults and help
 * texts come from config.ts; a bad value is a usage error (exit 2) that says what was
 * expected and what arrived.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { defaults } from '../config.js';
import { CHECKPOINT_NAME, parsePosition, POINTERS } from '../store/bundle.js';
import { described, within, type Limit } from '../generate/limits.js';
import { ENCODINGS, type Encoding } from '../text/corpus.js';

/**
 * Parses a number within `limit` (`hint` says what to do instead, in the message). A whole
 * number is written as digits: `1e3` and `10.0` are refused where a count is asked for.
 */
export const bounded =
  (name: string, limit: Limit, hint = '') =>
  (value: string): number => {
    const n = Number(value);
    const written = limit.integer ? /^-?\d+$/.test(value.trim()) : value.trim() !== '';
    if (!written || !within(limit, n)) {
      throw new InvalidArgumentError(`${name} must be ${described(limit)}, got '${value}'${hint ? ` (${hint})` : ''}.`);
    }
    return n;
  };

/** Parses an integer within [min, max]. */
export const int = (name: string, min: number, max?: number) => bounded(name, { integer: true, min, max });

/** Parses a finite number in a range; `open` excludes the bounds. */
export const num = (name: string, min: number, max: number, { openMin = false, openMax = false, hint = '' } = {}) =>
  bounded(name, { min, max, openMin, openMax }, hint);

const SECONDS_PER = { s: 1, m: 60, h: 3600 } as const;

/**
 * A duration such as `90s`, `10m`, `1.5h` or `1m30s` in seconds (a bare number means seconds
 * unless `unit` is required); undefined when `value` is none.
 */
function seconds(value: string, unit: 'optional' | 'required'): number | undefined {
  const v = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(v)) return unit === 'required' || Number(v) <= 0 ? undefined : Number(v);
  // Hours, minutes, seconds: each at most once, in that order.
  const m = /^(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?$/.exec(v);
  if (!m || m.slice(1).every((n) => n === undefined)) return undefined;
  const [h, min, sec] = m.slice(1).map((n) => Number(n ?? 0));
  const total = h * SECONDS_PER.h + min * SECONDS_PER.m + sec;
  return total > 0 ? total : undefined;
}

/** `--max-time`: a duration such as `90s`, `10m`, `1.5h`, `1h30m` or a bare number of seconds, in seconds. */
export function duration(value: string): number {
  const parsed = seconds(value, 'optional');
  if (parsed === undefined) {
    throw new InvalidArgumentError(`--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got '${value}'.`);
  }
  return parsed;
}

/** `--eval-every`: a number of batches (`500`) or a duration (`90s`, `10m`, `1h`). */
export function evalEvery(value: string): { batches?: number; seconds?: number } {
  const v = value.trim();
  if (/^\d+$/.test(v) && Number(v) > 0) return { batches: Number(v) };
  const parsed = seconds(v, 'required');
  if (parsed !== undefined) return { seconds: parsed };
  throw new InvalidArgumentError(
    `--eval-every must be a number of batches (e.g. 500) or a duration (90s, 10m, 1h30m), got '${value}'.`,
  );
}

/** `--origin`: one line saying where the text comes from (it is shown as one line by `lstm info`). */
export function origin(value: string): string {
  const text = value.trim();
  if (text === '' || /[\u0000-\u001f\u007f]/.test(text)) {
    throw new InvalidArgumentError(
      `--origin must be one line of text, e.g. "Project Gutenberg eBook #1533, play text only", got '${value}'.`,
    );
  }
  return text;
}

/**
 * Parses a checkpoint as `lstm info` lists them: best, latest, the end of an epoch (`7`), a
 * batch inside one (`8:12`), or a checkpoint directory's name.
 */
export function checkpoint(value: string): string {
  const ok =
    (POINTERS as readonly string[]).includes(value) ||
    parsePosition(value) !== undefined ||
    CHECKPOINT_NAME.test(value);
  if (!ok) {
    throw new InvalidArgumentError(
      `--checkpoint must be best, latest, an epoch (7), a batch inside one (8:12) or a checkpoint directory's name, got '${value}' (lstm info lists them).`,
    );
  }
  return value;
}

/** `--plot`: the path of an SVG file to write (the extension says what it holds; a typo'd `.png` must not get SVG). */
export function svgFile(value: string): string {
  if (!/\.svg$/i.test(value)) {
    throw new InvalidArgumentError(`--plot must name an .svg file, got '${value}' (e.g. --plot curves.svg).`);
  }
  return value;
}

/**
 * `-m, --model`: the model a command reads (generate, eval, info, inspect, web, export).
 * `help` words it where not every model is accepted (export reads a training bundle).
 */
export const modelOption = (help = 'model bundle or exported checkpoint (default: the bundled Macbeth model)') =>
  new Option('-m, --model <dir>', help);

/** Which checkpoint of a bundle a command reads (generate, eval, info, export). */
export const checkpointOption = () =>
  new Option(
    '--checkpoint <name>',
    'which checkpoint of a bundle: best (default), latest, the end of an epoch (7) or a batch inside one (8:12), as lstm info lists them',
  ).argParser(checkpoint);

/** How input bytes are decoded (a byte-order mark overrides it: text/corpus.ts). */
export const encodingOption = (help: string) =>
  new Option('--encoding <name>', `${help} (a byte-order mark says UTF-8 or UTF-16 by itself)`)
    .choices([...ENCODINGS])
    .default('utf8' satisfies Encoding);

/** Options that say how a corpus file is read (vocab, windows, train, eval). */
export function corpusOptions(cmd: Command): Command {
  return cmd
    .addOption(encodingOption('how the file is encoded'))
    .option('--keep-boilerplate', "keep a Project Gutenberg file's header and license (stripped by default)")
    .option('--lowercase', 'lowercase the text (the classic Macbeth recipe does; case is kept by default)');
}

/**
 * A default as it applies: the general one, or a small text's (train/settings.ts
 * `fitToText`; the train command's help says what a small text is).
 */
export const smallTextDefault = (key: keyof typeof defaults.smallText & keyof typeof defaults) =>
  `${defaults[key]}, or ${defaults.smallText[key]} for a small text`;

/** Options that say how text becomes windows (windows, train). */
export function windowOptions(cmd: Command): Command {
  return cmd
    .option('--seq-length <n>', 'characters per training window', int('--seq-length', 1, 10_000), defaults.seqLength)
    .option(
      '--val-fraction <f>',
      'fraction of the text held out (at its end) for validation',
      num('--val-fraction', 0, 0.9),
      defaults.valFraction,
    )
    .addOption(
      new Option('--batch-size <n>', 'windows per batch')
        .argParser(int('--batch-size', 1, 100_000))
        .default(defaults.batchSize, smallTextDefault('batchSize')),
    )
    .option(
      '--random-seed <n>',
      'seed for shuffles, dropout and initialisation',
      int('--random-seed', 0, 2 ** 31 - 1),
      defaults.randomSeed,
    )
    .addOption(
      new Option(
        '--stateful',
        'contiguous streams that carry the LSTM state from batch to batch (truncated backpropagation through time)',
      ).default(defaults.stateful),
    )
    .option(
      '--no-stateful',
      `shuffled independent windows from a zero state (${defaults.stateful ? 'undoes --stateful' : 'the default'}; also undoes a fine-tuned base's stateful recipe)`,
    );
}

export type CorpusFlags = { encoding: Encoding; keepBoilerplate?: boolean; lowercase?: boolean };
export type WindowFlags = {
  seqLength: number;
  valFraction: number;
  batchSize: number;
  randomSeed: number;
  stateful: boolean;
};

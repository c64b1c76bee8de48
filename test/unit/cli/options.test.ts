/**
 * Usage errors, in-process: the option parsers of cli/options.ts as a table, and each
 * command's options parsed by the real program (buildProgram), so a parser wired to the
 * wrong option fails here. A refusal is a commander error (which cli/main.ts turns into
 * exit 2) or an LstmError with exit code 2, and says what was expected and what arrived.
 * The spawned tests (test/e2e) keep one usage error per command family to prove the exit
 * code, the one `error:` line and the empty stdout of a real process.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { buildProgram } from '../../../src/cli/main.js';
import { checkpoint, duration, evalEvery, int, num, origin, svgFile } from '../../../src/cli/options.js';

const CHECKPOINT =
  "--checkpoint must be best, latest, an epoch (7), a batch inside one (8:12) or a checkpoint directory's name, got '";

describe('the option parsers', () => {
  it.each<[string, (v: string) => unknown, string, unknown]>([
    ['int: a whole number in range', int('--n', 1, 10), '7', 7],
    ['int: surrounding spaces', int('--n', 1, 10), ' 7 ', 7],
    ['num: a bound is included unless open', num('--f', 0, 0.9), '0.9', 0.9],
    ['duration: seconds by default', duration, '90', 90],
    ['duration: minutes', duration, '10m', 600],
    ['duration: fractional hours', duration, '1.5h', 5400],
    ['duration: units together', duration, '1h30m', 5400],
    ['duration: minutes and seconds', duration, '1m 30s', 90],
    ['evalEvery: a duration of two units', evalEvery, '2m30s', { seconds: 150 }],
    ['evalEvery: batches', evalEvery, '500', { batches: 500 }],
    ['evalEvery: a duration', evalEvery, '90s', { seconds: 90 }],
    ['origin: trimmed', origin, '  PG #1533 ', 'PG #1533'],
    ['checkpoint: best', checkpoint, 'best', 'best'],
    ['checkpoint: an epoch number', checkpoint, '12', '12'],
    ['checkpoint: a mid-epoch directory name', checkpoint, 'epoch-0003-batch-00012', 'epoch-0003-batch-00012'],
    ['checkpoint: a batch inside an epoch, as lstm info lists it', checkpoint, '3:12', '3:12'],
    ['svgFile: any case of .svg', svgFile, 'a/Curves.SVG', 'a/Curves.SVG'],
  ])('%s', (_name, parse, value, expected) => {
    expect(parse(value)).toEqual(expected);
  });

  it.each<[string, (v: string) => unknown, string, string]>([
    [
      'int: zero below the range',
      int('--seq-length', 1, 10_000),
      '0',
      "--seq-length must be a whole number from 1 to 10000, got '0'.",
    ],
    ['int: not a number', int('--seq-length', 1, 10_000), 'abc', "got 'abc'"],
    ['int: a fraction', int('--seq-length', 1, 10_000), '1.5', "got '1.5'"],
    ['int: negative', int('--seq-length', 1, 10_000), '-5', "got '-5'"],
    ['int: no upper bound said as >=', int('--length', 0), '-5', "--length must be a whole number >= 0, got '-5'."],
    [
      'num: above the range',
      num('--val-fraction', 0, 0.9),
      '2',
      "--val-fraction must be a number >= 0 and <= 0.9, got '2'.",
    ],
    [
      'num: an open bound, and the empty string',
      num('--top-p', 0, 1, { openMin: true }),
      '',
      "--top-p must be a number > 0 and <= 1, got ''.",
    ],
    [
      'num: with its hint',
      num('--temperature', 0, Infinity, { hint: 'use --argmax' }),
      'x',
      "--temperature must be a number >= 0, got 'x' (use --argmax).",
    ],
    ['duration: zero', duration, '0s', "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got '0s'."],
    ['duration: a unit alone', duration, 'm', "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got 'm'."],
    [
      'duration: units out of order',
      duration,
      '30s1m',
      "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got '30s1m'.",
    ],
    [
      'duration: a unit twice',
      duration,
      '1m1m',
      "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got '1m1m'.",
    ],
    [
      'duration: a number after the units',
      duration,
      '1m30',
      "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got '1m30'.",
    ],
    [
      'evalEvery: a word',
      evalEvery,
      'often',
      "--eval-every must be a number of batches (e.g. 500) or a duration (90s, 10m, 1h30m), got 'often'.",
    ],
    ['evalEvery: a bare fraction', evalEvery, '1.5', "got '1.5'"],
    ['origin: empty', origin, ' ', '--origin must be one line of text'],
    ['origin: two lines', origin, 'two\nlines', '--origin must be one line of text'],
    ['checkpoint: a word', checkpoint, 'banana', `${CHECKPOINT}banana'`],
    ['checkpoint: epoch 0', checkpoint, '0', `${CHECKPOINT}0'`],
    ['checkpoint: batch 0', checkpoint, '3:0', `${CHECKPOINT}3:0'`],
    ['checkpoint: a batch without its epoch', checkpoint, ':12', `${CHECKPOINT}:12'`],
    ['checkpoint: a malformed name', checkpoint, 'epoch-x', `${CHECKPOINT}epoch-x'`],
    [
      'svgFile: another extension',
      svgFile,
      'curves.svg.txt',
      "--plot must name an .svg file, got 'curves.svg.txt' (e.g. --plot curves.svg).",
    ],
  ])('refuses %s', (_name, parse, value, message) => {
    expect(() => parse(value)).toThrow(InvalidArgumentError);
    expect(() => parse(value)).toThrow(message);
  });
});

type Refusal = { commander: boolean; exitCode: number; message: string };

/**
 * Parses `lstm ...args` with the real program, in-process, its output captured. Every row
 * below is refused before its command reads a file or loads a model.
 */
async function refusal(args: string[]): Promise<Refusal> {
  const program = buildProgram();
  let written = '';
  const output = { writeErr: (s: string) => void (written += s), writeOut: (s: string) => void (written += s) };
  for (const command of [program, ...program.commands]) command.configureOutput(output);
  try {
    await program.parseAsync(['node', 'lstm', ...args]);
  } catch (err) {
    if (err instanceof CommanderError) return { commander: true, exitCode: 2, message: written };
    if (err instanceof LstmError) return { commander: false, exitCode: err.exitCode, message: err.message };
    throw err;
  }
  throw new Error(`lstm ${args.join(' ')} was not refused`);
}

const nowhere = path.join(os.tmpdir(), 'lstm-options-test-nothing-here');
const model = ['-m', nowhere];

describe("each command's options, parsed by the real program", () => {
  it.each<[string, string[], string | RegExp]>([
    // generate
    [
      'generate --temperature -1',
      ['generate', ...model, '-s', 'abc', '--temperature', '-1'],
      /--temperature must be a number >= 0, got '-1'/,
    ],
    [
      'generate --top-p 0',
      ['generate', ...model, '-s', 'abc', '--top-p', '0'],
      /--top-p must be a number > 0 and <= 1, got '0'/,
    ],
    [
      'generate --length -5',
      ['generate', ...model, '-s', 'abc', '--length', '-5'],
      /--length must be a whole number >= 0, got '-5'/,
    ],
    ['generate --checkpoint banana', ['generate', ...model, '--checkpoint', 'banana'], `${CHECKPOINT}banana'`],
    ['generate --checkpoint 0', ['generate', ...model, '--checkpoint', '0'], `${CHECKPOINT}0'`],
    [
      'generate --jsonl with --json',
      ['generate', ...model, '--jsonl', '--json', '-s', 'a'],
      "option '--jsonl' cannot be used with option '--json'",
    ],
    ['generate --unknown maybe', ['generate', ...model, '--unknown', 'maybe'], "'maybe' is invalid"],
    // eval, info, export, inspect read --checkpoint with the same parser
    ['eval --checkpoint banana', ['eval', ...model, '--checkpoint', 'banana', 'a.txt'], `${CHECKPOINT}banana'`],
    ['info --checkpoint banana', ['info', ...model, '--checkpoint=banana'], `${CHECKPOINT}banana'`],
    ['info --checkpoint epoch-x', ['info', ...model, '--checkpoint=epoch-x'], `${CHECKPOINT}epoch-x'`],
    ['info --checkpoint -3', ['info', ...model, '--checkpoint=-3'], `${CHECKPOINT}-3'`],
    [
      'export --checkpoint banana',
      ['export', ...model, '--out', nowhere, '--checkpoint', 'banana'],
      `${CHECKPOINT}banana'`,
    ],
    [
      'inspect --checkpoint banana',
      ['inspect', ...model, '--text', 'ab', '--checkpoint', 'banana'],
      `${CHECKPOINT}banana'`,
    ],
    // info --plot
    [
      'info --plot curves.png',
      ['info', ...model, '--plot', 'curves.png'],
      "--plot must name an .svg file, got 'curves.png' (e.g. --plot curves.svg)",
    ],
    [
      'info --plot curves',
      ['info', ...model, '--plot', 'curves'],
      "--plot must name an .svg file, got 'curves' (e.g. --plot curves.svg)",
    ],
    [
      'info --plot curves.svg.txt',
      ['info', ...model, '--plot', 'curves.svg.txt'],
      "--plot must name an .svg file, got 'curves.svg.txt'",
    ],
    // --origin (train, export)
    ['train --origin empty', ['train', 'a.txt', '--out', nowhere, '--origin', ''], '--origin must be one line of text'],
    [
      'train --origin on two lines',
      ['train', 'a.txt', '--out', nowhere, '--origin', 'two\nlines'],
      '--origin must be one line of text',
    ],
    [
      'export --origin on two lines',
      ['export', ...model, '--out', nowhere, '--origin', 'two\nlines'],
      '--origin must be one line of text',
    ],
    // train
    [
      'train --eval-every often',
      ['train', 'a.txt', '--out', nowhere, '--eval-every', 'often'],
      "--eval-every must be a number of batches (e.g. 500) or a duration (90s, 10m, 1h30m), got 'often'",
    ],
    [
      'train --max-time soon',
      ['train', 'a.txt', '--max-time', 'soon'],
      "--max-time must be a duration like 90s, 10m, 1.5h or 1h30m, got 'soon'",
    ],
    // windows and vocab (the text commands)
    [
      'windows --seq-length 0',
      ['windows', '--seq-length', '0', 'a.txt'],
      "--seq-length must be a whole number from 1 to 10000, got '0'",
    ],
    [
      'windows --seq-length abc',
      ['windows', '--seq-length', 'abc', 'a.txt'],
      "--seq-length must be a whole number from 1 to 10000, got 'abc'",
    ],
    ['windows --seq-length 1.5', ['windows', '--seq-length', '1.5', 'a.txt'], "got '1.5'"],
    ['windows --seq-length -5', ['windows', '--seq-length', '-5', 'a.txt'], "got '-5'"],
    [
      'windows --val-fraction 2',
      ['windows', '--val-fraction', '2', 'a.txt'],
      '--val-fraction must be a number >= 0 and <= 0.9',
    ],
    [
      'windows --examples 101',
      ['windows', '--examples', '101', 'a.txt'],
      '--examples must be a whole number from 0 to 100',
    ],
    ['vocab --encoding utf16', ['vocab', '--encoding', 'utf16', 'a.txt'], "'utf16' is invalid"],
    ['vocab without its corpus', ['vocab'], "missing required argument 'corpus'"],
    ['an unknown option', ['vocab', '--bogus', 'a.txt'], "unknown option '--bogus'"],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
  ])('%s: a commander error (exit 2) naming what arrived', async (_name, args, message) => {
    const r = await refusal(args);
    expect(r.commander).toBe(true);
    expect(r.message).toMatch(/^error: /);
    if (typeof message === 'string') expect(r.message).toContain(message);
    else expect(r.message).toMatch(message);
  });

  it.each<[string, string[], string]>([
    [
      'generate --argmax with --temperature 2',
      ['generate', ...model, '--argmax', '--temperature', '2'],
      '--argmax and --temperature 2 contradict each other',
    ],
    [
      'generate --argmax with --temperature 0.8',
      ['generate', '--argmax', '--temperature', '0.8', '--model', nowhere],
      '--argmax and --temperature 0.8 contradict each other',
    ],
    [
      'generate --corpus without --originality',
      ['generate', ...model, '--corpus', 'x.txt'],
      '--corpus is the training text --originality compares the output with, and --originality is not given',
    ],
    [
      'generate --corpus - (stdin is the seed)',
      ['generate', ...model, '--originality', '--corpus', '-'],
      '--corpus - cannot read stdin: stdin is the seed',
    ],
    ['inspect --units without --json', ['inspect', ...model, '--text', 'abc', '--units', '1'], '--units needs --json'],
    [
      'inspect --units x',
      ['inspect', ...model, '--text', 'abc', '--json', '--units', 'x'],
      "--units must be 'all' or unit numbers and ranges",
    ],
    [
      'inspect with the text given twice',
      ['inspect', ...model, '--text', 'abc', 'file.txt'],
      'give the text once: --text or a file',
    ],
  ])('%s: a usage error (exit 2) from the command', async (_name, args, message) => {
    const r = await refusal(args);
    expect(r).toMatchObject({ commander: false, exitCode: 2 });
    expect(r.message).toContain(message);
  });

  it('a refused --plot or --checkpoint writes nothing', async () => {
    await refusal(['info', ...model, '--plot', `${nowhere}.png`]);
    await refusal(['export', ...model, '--out', nowhere, '--checkpoint', 'banana']);
    expect(existsSync(`${nowhere}.png`)).toBe(false);
    expect(existsSync(nowhere)).toBe(false);
  });
});

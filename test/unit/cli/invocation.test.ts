/**
 * Command lines as a bundle records them: the user's form (file names, no machine-specific
 * options) and shell quoting both ways. Pure; table-driven. The options that take a value
 * come from the real program, as in the CLI.
 */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { MACHINE_OPTIONS, shellWords, userCommand, valueOptions } from '../../../src/cli/invocation.js';
import { shellCommand } from '../../../src/shell.js';

const program = buildProgram();
const train = program.commands.find((c) => c.name() === 'train')!;
const takesValue = valueOptions(program, train);
const user = (line: string) => userCommand(shellWords(line), takesValue);

describe('userCommand', () => {
  it.each<[string, string, string]>([
    [
      "the bundled model's recorded line: the corpus by file name, no --out",
      'lstm train ../shared/corpora/macbeth.txt --out /tmp/runs/ship --epochs 120 --patience 8 --dropout 0.5 --batch-size 32 --lr-decay 0.9 --lr-decay-after 40',
      'lstm train macbeth.txt --epochs 120 --patience 8 --dropout 0.5 --batch-size 32 --lr-decay 0.9 --lr-decay-after 40',
    ],
    [
      'several files and a directory, which keeps its slash',
      'lstm train /home/me/texts/a.txt ./b.txt /home/me/essays/ --units 64',
      'lstm train a.txt b.txt essays/ --units 64',
    ],
    ['stdin stays -', 'lstm train - --lowercase', 'lstm train - --lowercase'],
    [
      'global options of this machine and terminal go, wherever they are',
      'lstm --backend wasm -q --no-color train x.txt --color',
      'lstm train x.txt',
    ],
    [
      'run options of this machine go: threads, disk, output',
      'lstm train x.txt --workers 2 --keep 5 --json --no-sample --seq-length 8',
      'lstm train x.txt --seq-length 8',
    ],
    [
      '--resume and its bundle go (the rest is what the resume changed)',
      'lstm train --resume /tmp/models/m --epochs 40',
      'lstm train --epochs 40',
    ],
    [
      '--option=value forms go the same way',
      'lstm train x.txt --out=/tmp/m --backend=cpu --lr=0.01',
      'lstm train x.txt --lr=0.01',
    ],
    [
      'what makes the model stays: seed, stop conditions, reading options, origin',
      'lstm train x.txt --random-seed 7 --max-time 10m --eval-every 500 --encoding latin1 --keep-boilerplate --origin PG',
      'lstm train x.txt --random-seed 7 --max-time 10m --eval-every 500 --encoding latin1 --keep-boilerplate --origin PG',
    ],
    [
      'values with spaces are quoted for a shell',
      `lstm train '/my texts/a b.txt' --origin 'Project Gutenberg eBook #1533, play text only'`,
      `lstm train 'a b.txt' --origin 'Project Gutenberg eBook #1533, play text only'`,
    ],
    [
      'a value that looks like an option is a value',
      'lstm train x.txt --out --weird --units 8',
      'lstm train x.txt --units 8',
    ],
    ['after -- every word is a file', 'lstm train --units 8 -- /a/-odd.txt', 'lstm train --units 8 -- -odd.txt'],
  ])('%s', (_name, line, expected) => {
    expect(user(line)).toBe(expected);
  });

  it.each([
    'lstm train ../shared/corpora/macbeth.txt --out /tmp/runs/ship --epochs 120',
    "lstm -q train '/my texts/a b.txt' essays/ --origin 'it''s' --workers 1",
  ])('changes nothing in its own output: %s', (line) => {
    expect(user(user(line))).toBe(user(line));
  });

  it('knows every machine-specific option as an option of lstm or lstm train (a renamed option fails here)', () => {
    const names = new Set([program, train].flatMap((c) => c.options.flatMap((o) => [o.long, o.short])));
    expect([...MACHINE_OPTIONS].filter((o) => !names.has(o))).toEqual([]);
  });
});

describe('shellWords', () => {
  it.each<[string, string, string[]]>([
    ['plain words', 'lstm train a.txt', ['lstm', 'train', 'a.txt']],
    ['runs of spaces and tabs', ' a \t b  ', ['a', 'b']],
    ['single quotes keep everything', `'a b' 'it'\\''s' '$x\\n'`, ['a b', "it's", '$x\\n']],
    ['double quotes keep all but escaped " \\ $ `', '"a \\"b\\" \\\\ \\$ \\n"', ['a "b" \\ $ \\n']],
    ['a backslash outside quotes keeps the next character', 'a\\ b c', ['a b', 'c']],
    ['an empty quoted word is a word', "a '' b", ['a', '', 'b']],
  ])('%s', (_name, line, expected) => {
    expect(shellWords(line)).toEqual(expected);
  });

  it('reads back what shellCommand writes', () => {
    const argv = ['lstm', 'train', "it's here.txt", 'a b', '', '$HOME', 'é 😀', '--origin', 'x "y" \\ z', '-'];
    expect(shellWords(shellCommand(argv))).toEqual(argv);
  });
});

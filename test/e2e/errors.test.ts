/** User-facing failures: exit codes, one `error:` line, no stack trace; bad input files and usage errors. */
import { describe, it } from 'vitest';
import { SAMPLE_TEXT } from '../../src/config.js';
import { expectCleanError, lines, lstm } from '../helpers/cli.js';
import { textFiles } from '../helpers/files.js';

const file = textFiles('errors');

describe.concurrent('errors', () => {
  it('a missing file: exit 1, one error line, no stack trace', async ({ expect }) => {
    const missing = file('missing.txt');
    const r = await lstm(['vocab', missing]);
    expectCleanError(expect, r, 1);
    expect(lines(r.stderr)[0]).toBe(`error: cannot read ${missing}: no such file`);
    // The hint works wherever lstm runs: the quick start's download, not a file of the repository.
    expect(lines(r.stderr)[1]).toBe(`hint: check the path (a text to start with: ${SAMPLE_TEXT})`);
  });

  it('a model that is not there: the hint names lstm models and bundled/<name>', async ({ expect }) => {
    const r = await lstm(['eval', '-m', file('no-model'), file('abra.txt')]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain(`error: no model at ${file('no-model')}\n`);
    expect(r.stderr).toContain("'lstm models' lists the models at hand (bundled/<name> for those bundled with lstm)");
  });

  it('invalid UTF-8: exit 1, names the offset and --encoding latin1', async ({ expect }) => {
    const r = await lstm(['vocab', file('latin1.txt')]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('invalid byte 0xe9 at offset 3');
    expect(r.stderr).toContain('--encoding latin1');
  });

  it.for([
    ['a binary file', 'binary.bin', 'looks like a binary file'],
    [
      'an empty file',
      'empty.txt',
      `has no text (it is empty)\nhint: give a file with some prose, e.g. Macbeth: ${SAMPLE_TEXT}`,
    ],
    ['a directory', 'a-directory', 'is a directory'],
  ])('%s: exit 1', async ([, name, message], { expect }) => {
    const r = await lstm(['vocab', file(name)]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain(message);
  });

  // Conditions of the machine, said in plain words, never "a bug in lstm".
  it.for([
    [
      'a corpus path through a file (ENOTDIR)',
      ['vocab', 'abra.txt/more.txt'],
      'error: cannot read ABRA/more.txt: a part of the path is a file',
    ],
    [
      'vocab --out naming a directory (EISDIR)',
      ['vocab', 'abra.txt', '--out', 'a-directory'],
      'error: cannot write DIR: it is a directory',
    ],
  ])('an operating-system error, %s: exit 1, plain words naming the path', async ([, args, message], { expect }) => {
    const r = await lstm(
      (args as string[]).map((a) => (a.startsWith('abra.txt') || a === 'a-directory' ? file(a) : a)),
    );
    expectCleanError(expect, r, 1);
    expect(lines(r.stderr)[0]).toBe(
      (message as string).replace('ABRA', file('abra.txt')).replace('DIR', file('a-directory')),
    );
    expect(r.stderr).not.toContain('bug');
  });

  it('empty stdin: exit 1', async ({ expect }) => {
    const r = await lstm(['vocab', '-'], { stdin: '' });
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('stdin has no text');
  });

  // One row per kind of usage error in a real process; every option's refusal is parsed
  // in-process by the real program: test/unit/cli/options.test.ts.
  it.for([
    ['an unknown option', ['vocab', '--bogus', 'abra.txt'], "unknown option '--bogus'"],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
    ['a missing argument', ['vocab'], "missing required argument 'corpus'"],
    [
      '--seq-length 0',
      ['windows', '--seq-length', '0', 'thousand.txt'],
      "--seq-length must be a whole number from 1 to 10000, got '0'",
    ],
  ])('usage error, %s: exit 2', async ([, args, message], { expect }) => {
    const r = await lstm((args as string[]).map((a) => (a.endsWith('.txt') ? file(a) : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain(message as string);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

/** The seed policy as a table: the user's text, the model's settings and vocabulary → the seed it is fed. Pure. */
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { seedText, type UnknownPolicy } from '../../../src/generate/seed.js';
import type { TextSettings } from '../../../src/text/normalise.js';
import { Vocab } from '../../../src/text/vocab.js';

const noNewline = new Vocab([...'abcé']);
const withNewline = new Vocab(['\n', ...'abcé']);

describe('seedText', () => {
  it.each<[string, string, Vocab, TextSettings, UnknownPolicy, { text: string; dropped: string[] }]>([
    [
      "echo's trailing newline, on a vocabulary without one: dropped",
      'abc\n',
      noNewline,
      {},
      'error',
      { text: 'abc', dropped: [] },
    ],
    [
      'a trailing CRLF, on a vocabulary without a newline: dropped',
      'abc\r\n',
      noNewline,
      {},
      'error',
      { text: 'abc', dropped: [] },
    ],
    [
      'a trailing newline, on a vocabulary with one: kept',
      'abc\n',
      withNewline,
      {},
      'error',
      { text: 'abc\n', dropped: [] },
    ],
    ['a newline alone becomes the empty seed', '\n', noNewline, {}, 'error', { text: '', dropped: [] }],
    [
      'read as the corpus was: BOM, NFC, lowercase',
      '\ufeffABCE\u0301\n',
      noNewline,
      { lowercase: true },
      'error',
      { text: 'abcé', dropped: [] },
    ],
    [
      'skip drops the other unknown characters and names each once',
      'aXbXc\n',
      noNewline,
      {},
      'skip',
      { text: 'abc', dropped: ['X'] },
    ],
    [
      'skip drops a second trailing newline as unknown',
      'abc\n\n',
      noNewline,
      {},
      'skip',
      { text: 'abc', dropped: ['\n'] },
    ],
  ])('%s', (_name, raw, vocab, settings, unknown, expected) => {
    expect(seedText(raw, settings, vocab, unknown)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    [
      'only one trailing newline is forgiven',
      'abc\n\n',
      "the seed has 1 character outside the model's vocabulary: '\\n'",
    ],
    ['a newline inside the seed is refused', 'a\nb', "the seed has 1 character outside the model's vocabulary: '\\n'"],
    [
      'other characters are refused, the trailing newline is not named',
      'aXZ\n',
      "the seed has 2 characters outside the model's vocabulary: 'X' 'Z'",
    ],
  ])('error: %s (a usage error)', (_name, raw, message) => {
    let err: unknown;
    try {
      seedText(raw, {}, noNewline, 'error');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LstmError);
    expect((err as LstmError).kind).toBe('usage');
    expect((err as LstmError).message).toBe(message);
    expect((err as LstmError).hint).toContain('--unknown skip');
  });

  it('names the text as the caller reads it: inspect reads a text, not a seed', () => {
    expect(() => seedText('aX', {}, noNewline, 'error', 'the text')).toThrow(
      "the text has 1 character outside the model's vocabulary: 'X'",
    );
  });
});

/**
 * Several files as one corpus: joinCorpora joins their texts with the document separator,
 * and splitDocuments holds out the last part of each, laid out as
 * [train 1, SEP, train 2, ... | val 1, SEP, val 2, ...]. Pure; table-driven. In the tables a
 * document is a run of one letter, `|` is the separator and `‖` marks trainEnd.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_SEPARATOR } from '../../../src/config.js';
import { LstmError } from '../../../src/errors.js';
import { joinCorpora, readCorpus, type Corpus } from '../../../src/text/corpus.js';
import { split, splitDocuments, type SplitOptions } from '../../../src/text/split.js';
import { epochPlan, validationStarts } from '../../../src/text/windows.js';

/** Ids of a text: one id per character, its char code ('|' is the separator). */
const ids = (text: string) => Uint16Array.from(text, (c) => c.charCodeAt(0));
const text = (a: ArrayLike<number>) => String.fromCharCode(...Array.from(a));
/** The documents joined by '|', their lengths, and the split shown as `train‖val`. */
function shown(docs: string[], options: SplitOptions): string {
  const s = splitDocuments(
    ids(docs.join('|')),
    docs.map((d) => d.length),
    options,
  );
  return `${text(s.ids.subarray(0, s.trainEnd))}‖${text(s.ids.subarray(s.trainEnd))}`;
}
const run = (c: string, n: number) => c.repeat(n);

describe('splitDocuments', () => {
  it.each<[string, string[], SplitOptions, string]>([
    [
      'holds out the last fraction of each document, each side joined by the separator',
      [run('a', 10), run('b', 20)],
      { seqLength: 2, valFraction: 0.2 },
      `${run('a', 8)}|${run('b', 16)}‖aa|bbbb`,
    ],
    [
      'keeps the order of the documents on both sides',
      [run('a', 10), run('b', 10), run('c', 10)],
      { seqLength: 2, valFraction: 0.1 },
      `${run('a', 9)}|${run('b', 9)}|${run('c', 9)}‖a|b|c`,
    ],
    ['rounds each share: 1.5 characters of 3 is 2', ['aaa', 'bbb'], { seqLength: 2, valFraction: 0.5 }, 'a|b‖aa|bb'],
    [
      'puts a document too short for a share wholly in training, with no empty part held out',
      [run('a', 10), 'bb', run('c', 10)],
      { seqLength: 2, valFraction: 0.2 },
      `${run('a', 8)}|bb|${run('c', 8)}‖aa|cc`,
    ],
    [
      'never holds out a whole document: one character of a one-character document stays in training',
      ['a', run('b', 10)],
      { seqLength: 2, valFraction: 0.9 },
      `a|b‖${run('b', 9)}`,
    ],
    [
      'holds out nothing with valFraction 0: the documents as joined, all training',
      [run('a', 4), run('b', 4)],
      { seqLength: 2, valFraction: 0 },
      'aaaa|bbbb‖',
    ],
  ])('%s', (_name, docs, options, expected) => {
    expect(shown(docs, options)).toBe(expected);
  });

  it.each<[string, Uint16Array, number[] | undefined, SplitOptions]>([
    ['one document', ids(run('x', 500)), [500], { seqLength: 10, valFraction: 0.1 }],
    ['lengths left out', ids(run('x', 500)), undefined, { seqLength: 10, valFraction: 0.1 }],
    [
      'one short document (split holds out a whole window)',
      ids(run('x', 40)),
      [40],
      { seqLength: 10, valFraction: 0.1 },
    ],
  ])('is split exactly for %s', (_name, input, lengths, options) => {
    expect(splitDocuments(input, lengths, options)).toEqual(split(input, options));
  });

  it('keeps 32-bit ids 32-bit', () => {
    const wide = Uint32Array.from([70000, 70000, 70000, 9, 70001, 70001, 70001]);
    const s = splitDocuments(wide, [3, 3], { seqLength: 1, valFraction: 0.34 });
    expect(s.ids).toBeInstanceOf(Uint32Array);
    expect(Array.from(s.ids)).toEqual([70000, 70000, 9, 70001, 70001, 70000, 9, 70001]);
    expect(s.trainEnd).toBe(5);
  });

  it('plans training windows inside the training parts only, and validation windows over the held-out parts', () => {
    const docs = [run('a', 300), run('b', 200), run('c', 100)];
    const s = splitDocuments(
      ids(docs.join('|')),
      docs.map((d) => d.length),
      { seqLength: 10, valFraction: 0.1 },
    );
    const trainEnd = 270 + 1 + 180 + 1 + 90;
    expect(s.trainEnd).toBe(trainEnd);
    for (const epoch of [0, 1, 2]) {
      const plan = epochPlan(s, epoch, 4, 42);
      expect(Math.max(...plan.starts) + 10).toBeLessThan(trainEnd); // the last target is at start + T
    }
    expect(text(s.ids.subarray(trainEnd))).toBe(`${run('a', 30)}|${run('b', 20)}|${run('c', 10)}`);
    expect(validationStarts(s)[0]).toBe(trainEnd);
  });

  it.each<[string, string[], SplitOptions, string, string]>([
    [
      'training parts shorter than a window',
      ['aa', 'bb'],
      { seqLength: 5, valFraction: 0 },
      'the training parts of the 2 files have 5 characters, too short for one 5-character training window (needs at least 6)',
      'use longer texts, or a shorter --seq-length',
    ],
    [
      'held-out parts shorter than a window',
      [run('a', 10), run('b', 10)],
      { seqLength: 3, valFraction: 0.1 },
      'the held-out parts (the last 10% of each of the 2 files) have 3 characters, too short for one 3-character validation window (needs at least 4)',
      'use longer texts, a shorter --seq-length or a larger --val-fraction, or --val-fraction 0 for none',
    ],
  ])('refuses %s, saying what to change', (_name, docs, options, message, hint) => {
    let error: unknown;
    try {
      splitDocuments(
        ids(docs.join('|')),
        docs.map((d) => d.length),
        options,
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LstmError);
    expect([(error as LstmError).kind, (error as LstmError).message, (error as LstmError).hint]).toEqual([
      'data',
      message,
      hint,
    ]);
  });

  it("refuses lengths that do not describe the ids (a bug, not the user's)", () => {
    expect(() => splitDocuments(ids('aaa|bbb'), [3, 4], { seqLength: 1, valFraction: 0 })).toThrow(
      /are not the 7 ids given/,
    );
  });
});

describe('joinCorpora', () => {
  const file = (name: string, content: string) => readCorpus(new TextEncoder().encode(content), name);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  it('joins the texts in order with the separator and records each file with its characters', () => {
    const a = file('a.txt', 'Fair is foul.\r\n');
    const b = file('b.txt', 'Hover 😀\n');
    const joined = joinCorpora([a, b], 'a.txt, b.txt', 'utf8');
    expect(joined.text).toBe(`Fair is foul.\n${DOCUMENT_SEPARATOR}Hover 😀\n`);
    expect(joined).toMatchObject({
      name: 'a.txt, b.txt',
      encoding: 'utf8',
      bytes: a.bytes + b.bytes,
      strippedBoilerplate: false,
    });
    expect(joined.documents).toEqual([
      {
        name: 'a.txt',
        encoding: 'utf8',
        bytes: 15,
        sha256: a.sha256,
        textSha256: a.textSha256,
        strippedBoilerplate: false,
        keptBoilerplate: false,
        characters: 14,
      },
      {
        name: 'b.txt',
        encoding: 'utf8',
        bytes: 11,
        sha256: b.sha256,
        textSha256: b.textSha256,
        strippedBoilerplate: false,
        keptBoilerplate: false,
        characters: 8,
      },
    ]);
  });

  it.each<[string, (c: Corpus) => string, (a: Corpus, b: Corpus) => string]>([
    [
      "sha256 is that of the files' sha256s, one per line (sha256sum's digests)",
      (c) => c.sha256,
      (a, b) => sha(`${a.sha256}\n${b.sha256}\n`),
    ],
    [
      'textSha256 is that of the joined text',
      (c) => c.textSha256,
      (a, b) => sha(`${a.text}${DOCUMENT_SEPARATOR}${b.text}`),
    ],
  ])('%s', (_name, pick, expected) => {
    const a = file('a.txt', 'one\n');
    const b = file('b.txt', 'two\n');
    expect(pick(joinCorpora([a, b], 'x', 'utf8'))).toBe(expected(a, b));
    expect(pick(joinCorpora([b, a], 'x', 'utf8'))).not.toBe(expected(a, b)); // the order is part of the corpus
  });

  it('refuses a file that contains the separator, naming the file and the line', () => {
    let error: unknown;
    try {
      joinCorpora([file('a.txt', 'one\n'), file('essays/b.txt', 'one\ntwo\fthree\n')], 'x', 'utf8');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LstmError);
    expect((error as LstmError).message).toBe(
      'essays/b.txt contains a form feed (U+000C) on line 2, the character lstm puts between files; one of several files cannot contain it',
    );
    expect((error as LstmError).hint).toBe(
      "remove it from the file (e.g. tr '\\f' '\\n' < essays/b.txt > clean.txt), or train on essays/b.txt alone",
    );
  });
});

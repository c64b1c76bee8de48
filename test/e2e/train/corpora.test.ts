/**
 * `lstm train` on more than one file, end to end: a directory or several files are one
 * corpus of documents (the last part of each held out), lstm.json records every file, a
 * resume re-reads and checks them, bad input is refused in one line naming the file; and a
 * bundle says where its text comes from (a Gutenberg header, or --origin) in `lstm info`.
 * Real processes, real files in a temp dir, tiny models of one or two epochs.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../../src/params.js';
import { readCheckpoint } from '../../../src/store/read.js';
import { expectCleanError, lstm, ok } from '../../helpers/cli.js';
import {
  assertBuilt,
  jsonLines,
  makeTempDir,
  removeDir,
  snapshot,
  textFile,
  tinyFlags,
  trainTiny,
  words,
} from '../../helpers/tiny.js';

let dir: string;
const at = (...parts: string[]) => path.join(dir, ...parts);
const latest = async (bundle: string) => (await readCheckpoint(path.join(bundle, 'latest'), checkpointSpecs)).manifest;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** tinyFlags as lstm.json's command has them: without --no-sample and --workers (this machine's). */
const TINY_AS_TYPED =
  '--layers 1 --units 16 --seq-length 16 --batch-size 32 --lr 0.01 --dropout 0 --val-fraction 0.05 --ema 0';

/** Two essays of seeded words (700 and 800 characters) and the code points of each. */
const first = `${words.slice(0, 699)}\n`;
const second = `${words.slice(700, 1499)}\n`;
const gutenberg = [
  'The Project Gutenberg eBook of Tiny Play',
  '',
  'Title: Tiny Play',
  '',
  'Release date: May 1, 2001 [eBook #99]',
  '',
  '*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
  '',
  words.slice(0, 800),
  '',
  '*** END OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
  'License.',
  '',
].join('\n');

beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('corpora');
  await mkdir(at('essays', 'drafts'), { recursive: true });
  await textFile(at('essays'), 'b-second.txt', second);
  await textFile(at('essays'), 'a-first.txt', first);
  await textFile(at('essays'), '.notes.txt', 'hidden: never read\n');
  await textFile(at('essays', 'drafts'), 'draft.txt', 'a draft: never read\n');
  await mkdir(at('texts'));
  await textFile(at('texts'), 'play.txt', gutenberg);
  await textFile(at('texts'), 'plain.txt', words);
  await textFile(at('texts'), 'paged.txt', 'page one\n\fpage two\n');
  await mkdir(at('mixed'));
  await textFile(at('mixed'), 'a.txt', first);
  await writeFile(at('mixed', 'photo.bin'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  await mkdir(at('empty'));
  await mkdir(at('hidden-only'));
  await textFile(at('hidden-only'), '.x.txt', first);
});

afterAll(() => removeDir(dir));

describe('several files as one corpus', () => {
  it('trains on a directory: its files by name, hidden files and subdirectories left out, the last part of each held out; the same as naming the files', async () => {
    const r = await lstm(['train', 'essays/', '--out', 'by-dir', ...tinyFlags, '--epochs', '1', '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('essays/: 2 files; subdirectories are not read (drafts/)');
    expect(r.stderr).toContain('essays/: 2 files, one after another with a form feed (U+000C) between them');
    // --val-fraction 0.05 of each: round(700 * 0.05) = 35 and 40 characters, and the separator between them.
    const start = jsonLines(r.stdout)[0];
    expect([start.trainChars, start.valChars]).toEqual([700 + 1 + 800 - 35 - 40, 35 + 1 + 40]);

    const m = await latest(at('by-dir'));
    expect(m.vocab).toContain('\f');
    expect(m.corpus).toMatchObject({
      name: 'essays/',
      characters: 700 + 1 + 800,
      bytes: 1500,
      separator: '\f',
      encoding: 'utf8',
      sha256: sha256(`${sha256(first)}\n${sha256(second)}\n`),
      textSha256: sha256(`${first}\f${second}`),
    });
    expect(m.corpus.path).toBeUndefined();
    expect(m.corpus.files).toEqual([
      {
        name: 'a-first.txt',
        path: at('essays', 'a-first.txt'),
        bytes: 700,
        characters: 700,
        sha256: sha256(first),
        textSha256: sha256(first),
        encoding: 'utf8',
        strippedBoilerplate: false,
      },
      {
        name: 'b-second.txt',
        path: at('essays', 'b-second.txt'),
        bytes: 800,
        characters: 800,
        sha256: sha256(second),
        textSha256: sha256(second),
        encoding: 'utf8',
        strippedBoilerplate: false,
      },
    ]);

    const named = await lstm(
      ['-q', 'train', 'essays/a-first.txt', 'essays/b-second.txt', '--out', 'by-name', ...tinyFlags, '--epochs', '1'],
      { cwd: dir },
    );
    expect(named.code, named.stderr).toBe(0);
    const both = await latest(at('by-name'));
    expect(both.corpus.name).toBe('a-first.txt, b-second.txt');
    expect({ ...both.corpus, name: 'essays/' }).toEqual(m.corpus);
    expect(await readFile(at('by-name', 'latest', 'weights.bin'))).toEqual(
      await readFile(at('by-dir', 'latest', 'weights.bin')),
    );
  });

  it("lstm info lists the files, with the command as typed but for this machine's options", async () => {
    const out = ok(await lstm(['info', '-m', at('by-dir'), '--checkpoint', 'latest']));
    expect(out).toContain('corpus:      essays/ (2 files), 1,501 characters, sha256 ');
    expect(out).toMatch(/^ {15}a-first\.txt {3}700 characters, sha256 [0-9a-f]{12}…$/m);
    expect(out).toMatch(/^ {15}b-second\.txt {2}800 characters, sha256 [0-9a-f]{12}…$/m);
    expect(out).toContain(`command:     lstm train essays/ ${TINY_AS_TYPED} --epochs 1\n`);
    const doc = JSON.parse(ok(await lstm(['info', '-m', at('by-dir'), '--checkpoint', 'latest', '--json'])));
    expect(doc.corpus.files.map((f: { name: string }) => f.name)).toEqual(['a-first.txt', 'b-second.txt']);
    expect(doc.invocation).toBe(`lstm train essays/ --out by-dir ${tinyFlags.join(' ')} --epochs 1 --json`);
  });

  it('--resume without a corpus re-reads every recorded file, and refuses one that changed or is gone, leaving the bundle untouched', async () => {
    await mkdir(at('resumed'));
    const a = await textFile(at('resumed'), 'one.txt', first);
    const b = await textFile(at('resumed'), 'two.txt', second);
    const bundle = at('resumed-model');
    await trainTiny(at('resumed'), bundle, ['--epochs', '1']);
    const again = await lstm(['train', '--resume', bundle, '--epochs', '2', '--workers', '1', '--no-sample']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`reading 2 files (resumed), the text ${bundle} was trained on`);
    expect((await latest(bundle)).progress.epoch).toBe(2);
    const before = await snapshot(bundle);

    await writeFile(b, second.replace('fox', 'cat'));
    const changed = await lstm(['-q', 'train', '--resume', bundle, '--epochs', '3']);
    expectCleanError(expect, changed, 1);
    expect(changed.stderr).toContain(`error: ${b} has changed since ${bundle} was trained on it (sha256 `);
    expect(changed.stderr).toContain(
      `hint: to train on them as they are now, pass the corpus explicitly: lstm train ${a} ${b} --resume ${bundle}`,
    );

    await rm(b);
    const gone = await lstm(['-q', 'train', '--resume', bundle, '--epochs', '3']);
    expectCleanError(expect, gone, 1);
    expect(gone.stderr).toContain(`error: ${bundle} was trained on ${b}, which is no longer there`);
    expect(await snapshot(bundle)).toEqual(before);
  });

  it.each<[string, string[], number, string]>([
    [
      'a binary file in a directory, by name',
      ['mixed'],
      1,
      `error: ${path.join('mixed', 'photo.bin')} looks like a binary file (NUL byte at offset 4), expected plain text`,
    ],
    ['an empty directory', ['empty'], 1, 'error: empty has no files to train on'],
    ['a directory of hidden files only', ['hidden-only'], 1, 'error: hidden-only has no files to train on'],
    [
      'a file holding the separator, among several',
      ['texts/plain.txt', 'texts/paged.txt'],
      1,
      'error: texts/paged.txt contains a form feed (U+000C) on line 2, the character lstm puts between files; one of several files cannot contain it',
    ],
    [
      'the same file twice',
      ['essays', 'essays/a-first.txt'],
      2,
      'error: essays/a-first.txt is given twice; each file is read once',
    ],
    [
      'the same file in two spellings',
      ['texts/plain.txt', './texts/plain.txt'],
      2,
      'error: ./texts/plain.txt is given twice (also as texts/plain.txt); each file is read once',
    ],
    [
      '- (stdin) among files',
      ['-', 'texts/plain.txt'],
      2,
      'error: - (stdin) cannot be combined with files: stdin is read as one text of its own',
    ],
    [
      'a missing file among several, as for one',
      ['texts/plain.txt', 'texts/nope.txt'],
      1,
      'error: cannot read texts/nope.txt: no such file',
    ],
  ])('refuses %s in one line, writing nothing', async (_name, args, code, message) => {
    const r = await lstm(['-q', 'train', ...args, '--out', 'refused', ...tinyFlags, '--epochs', '1'], { cwd: dir });
    expectCleanError(expect, r, code);
    expect(r.stderr).toContain(message);
    await expect(readFile(at('refused', 'latest', 'lstm.json'))).rejects.toThrow();
  });
});

describe('where the text comes from', () => {
  it('a Project Gutenberg file: the origin is read from its header, recorded, and shown by info and info --json', async () => {
    const bundle = at('play-model');
    await trainTiny(at('texts', 'play.txt'), bundle, ['--epochs', '1']);
    const origin = 'Project Gutenberg eBook #99, Tiny Play (header and license removed)';
    const m = await latest(bundle);
    expect(m.corpus).toMatchObject({ name: 'play.txt', origin, strippedBoilerplate: true });
    expect(m.corpus.files).toEqual([
      expect.objectContaining({ name: 'play.txt', path: at('texts', 'play.txt'), origin }),
    ]);
    expect(ok(await lstm(['info', '-m', bundle, '--checkpoint', 'latest']))).toContain(`\norigin:      ${origin}\n`);
    expect(JSON.parse(ok(await lstm(['info', '-m', bundle, '--checkpoint', 'latest', '--json']))).corpus.origin).toBe(
      origin,
    );
  });

  it('--origin is recorded; a resume keeps it and the command that started the bundle, and records its own invocation', async () => {
    const bundle = at('plain-model');
    const origin = 'Project Gutenberg eBook #1533, play text only';
    await trainTiny(at('texts', 'plain.txt'), bundle, ['--epochs', '1', '--origin', origin]);
    const first = await latest(bundle);
    expect(first.corpus.origin).toBe(origin);
    expect(first.command).toBe(`lstm train plain.txt ${TINY_AS_TYPED} --epochs 1 --origin '${origin}'`);

    const r = await lstm(['-q', 'train', '--resume', bundle, '--epochs', '2', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const resumed = await latest(bundle);
    expect(resumed.progress.epoch).toBe(2);
    expect(resumed.corpus.origin).toBe(origin);
    expect(resumed.command).toBe(first.command);
    expect(resumed.invocation).toBe(`lstm -q train --resume ${bundle} --epochs 2 --workers 1`);
    expect(ok(await lstm(['info', '-m', bundle, '--checkpoint', 'latest']))).toContain(`\norigin:      ${origin}\n`);
  });
});

/** `lstm vocab`: the vocabulary table and JSON, its options, reading stdin and other encodings. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'vitest';
import { expectCleanError, lines, lstm } from '../helpers/cli.js';
import { abra, abraVocab, gutenberg, textFiles } from '../helpers/files.js';

const file = textFiles('vocab');

describe.concurrent('lstm vocab', () => {
  it('prints a table of index, character, code point and count', async ({ expect }) => {
    const r = await lstm(['vocab', file('abra.txt')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toBe('vocabulary: 8 characters in 14 characters of text');
    expect(out).toHaveLength(1 + abraVocab.length);
    expect(out[1]).toMatch(/^0\s+\\n\s+U\+000A\s+1$/);
    expect(out[2]).toMatch(/^1\s+␠\s+U\+0020\s+1$/);
    expect(out[3]).toMatch(/^2\s+a\s+U\+0061\s+5$/);
    expect(out[8]).toMatch(/^7\s+😀\s+U\+1F600\s+1$/);
  });

  it('prints JSON with --json', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', file('abra.txt')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ corpus: file('abra.txt'), characters: 14, size: 8, vocab: abraVocab });
  });

  it('also writes the JSON to a file with --out, and keeps the table on stdout', async ({ expect }) => {
    const out = file('abra-vocab.json');
    const r = await lstm(['vocab', '--out', out, file('abra.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('vocabulary: 8 characters')).toBe(true);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc).toEqual({ corpus: file('abra.txt'), characters: 14, size: 8, vocab: abraVocab });
  });

  it('says nothing on stderr with --quiet', async ({ expect }) => {
    const out = file('abra-quiet.json');
    const r = await lstm(['--quiet', 'vocab', '--out', out, file('abra.txt')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(out)).toBe(true);
  });

  it('fails cleanly when --out cannot be written', async ({ expect }) => {
    const r = await lstm(['vocab', '--out', file('no-such-dir/vocab.json'), file('abra.txt')]);
    expectCleanError(expect, r, 1);
    expect(lines(r.stderr)[0]).toBe(
      `error: cannot write ${file('no-such-dir/vocab.json')}: the directory ${file('no-such-dir')} does not exist`,
    );
  });

  it('reads the corpus from stdin with -', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', '-'], { stdin: abra });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ corpus: 'stdin', characters: 14, size: 8, vocab: abraVocab });
  });

  it('decodes Latin-1 with --encoding latin1', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', '--encoding', 'latin1', file('latin1.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).vocab.map((e: { char: string }) => e.char)).toEqual(['\n', 'a', 'c', 'f', 'é']);
  });

  it.for<[string, number[], string, string[]]>([
    ['a UTF-16LE byte-order mark', [0xff, 0xfe], 'utf16le', []],
    ['a UTF-16BE byte-order mark', [0xfe, 0xff], 'utf16be', []],
    ['no byte-order mark and --encoding utf16le', [], 'utf16le', ['--encoding', 'utf16le']],
  ])('decodes UTF-16 with %s: the same vocabulary as UTF-8', async ([, bom, order, flags], { expect }) => {
    const units = Buffer.from(abra, 'utf16le');
    const name = file(`abra-${order}-${bom.length ? 'bom' : 'nobom'}.txt`);
    await writeFile(name, Buffer.concat([Buffer.from(bom), order === 'utf16be' ? Buffer.from(units).swap16() : units]));
    const r = await lstm(['vocab', '--json', ...flags, name]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ corpus: name, characters: 14, size: 8, vocab: abraVocab });
  });

  it('refuses damaged UTF-16 in one line that names the encoding and the byte offset (exit 1)', async ({ expect }) => {
    const name = file('broken-utf16.txt');
    await writeFile(
      name,
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('ab', 'utf16le'),
        Buffer.from([0x3d, 0xd8]),
        Buffer.from('c', 'utf16le'),
      ]),
    );
    const r = await lstm(['vocab', name]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain(`${name} is not valid UTF-16LE: unpaired surrogate 0xD83D at byte offset 6`);
  });

  it('says how to read UTF-16 without a byte-order mark', async ({ expect }) => {
    const name = file('abra-utf16-nobom-plain.txt');
    await writeFile(name, Buffer.from(abra, 'utf16le'));
    const r = await lstm(['vocab', name]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('hint: it looks like UTF-16LE without a byte-order mark: pass --encoding utf16le');
  });

  it('lowercases with --lowercase', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', '--lowercase', '-'], { stdin: 'AbA\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ characters: 4, size: 3 });
  });

  it('strips Project Gutenberg boilerplate and says so on stderr', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', file('gutenberg.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).characters).toBe('Fair is foul, and foul is fair.\n'.length);
    expect(r.stderr).toContain('header and license stripped');
  });

  it('keeps the boilerplate with --keep-boilerplate', async ({ expect }) => {
    const r = await lstm(['vocab', '--json', '--keep-boilerplate', file('gutenberg.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).characters).toBe(gutenberg.length);
    expect(r.stderr).toContain('header and license kept');
  });

  it('vocab --help exits 0 and shows its options', async ({ expect }) => {
    const r = await lstm(['vocab', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--json', '--out', '--encoding', '--keep-boilerplate', '--lowercase'])
      expect(r.stdout).toContain(option);
  });
});

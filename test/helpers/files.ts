/**
 * Shared by the CLI tests of the text commands (vocab, windows, errors, colour, pipes):
 * small texts with known answers, written once per test file into a temp dir.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { assertBuilt, makeTempDir, removeDir } from './tiny.js';

/** 14 characters, 8 distinct, one of them astral. */
export const abra = 'abracadabra 😀\n';
export const abraVocab = [
  { index: 0, char: '\n', codePoint: 0x0a, count: 1 },
  { index: 1, char: ' ', codePoint: 0x20, count: 1 },
  { index: 2, char: 'a', codePoint: 0x61, count: 5 },
  { index: 3, char: 'b', codePoint: 0x62, count: 2 },
  { index: 4, char: 'c', codePoint: 0x63, count: 1 },
  { index: 5, char: 'd', codePoint: 0x64, count: 1 },
  { index: 6, char: 'r', codePoint: 0x72, count: 2 },
  { index: 7, char: '😀', codePoint: 0x1f600, count: 1 },
];

/** 1000 characters of ASCII prose-like text. */
export const thousand = (() => {
  let s = '';
  for (let i = 0; s.length < 1000; i++) s += `line ${i}: so foul and fair a day I have not seen\n`;
  return s.slice(0, 1000);
})();

export const gutenberg = [
  'The Project Gutenberg eBook of Tiny Play',
  '',
  '*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
  '',
  'Fair is foul, and foul is fair.',
  '',
  '    *** END OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
  'Section 1. General Terms of Use',
  '',
].join('\n');

/**
 * Registers beforeAll/afterAll hooks that write the test files into a fresh temp dir
 * (abra.txt, thousand.txt, gutenberg.txt, latin1.txt, binary.bin, empty.txt, short.txt,
 * a-directory/, big.txt of 400 KB) and remove it; returns `file(name)`, a path in it.
 */
export function textFiles(label: string): (name: string) => string {
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await makeTempDir(label);
    const put = (name: string, data: string | Uint8Array) => writeFile(path.join(dir, name), data);
    await put('abra.txt', abra);
    await put('thousand.txt', thousand);
    await put('gutenberg.txt', gutenberg);
    await put('latin1.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café\n" in Latin-1
    await put('binary.bin', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]));
    await put('empty.txt', '');
    await put('short.txt', 'too short\n');
    await mkdir(path.join(dir, 'a-directory'));
    let big = '';
    for (let i = 0; big.length < 400_000; i++) big += `line ${i} of the quick brown fox ${(i * 7919) % 1000}\n`;
    await put('big.txt', big);
  }, 30_000);
  afterAll(() => removeDir(dir));
  return (name: string) => path.join(dir, name);
}

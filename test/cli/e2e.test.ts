/**
 * The built CLI as a user runs it: real processes, real files in a temp dir, pipes.
 * `npm test` builds first (pretest); run `npm run build` before `npx vitest` by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ANSI, bash, binPath, lstm, repoRoot, shellQuote, type RunResult } from '../helpers/cli.js';

let dir: string;
const file = (name: string) => path.join(dir, name);

// 14 characters, 8 distinct, one of them astral.
const abra = 'abracadabra 😀\n';
const abraVocab = [
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
const thousand = (() => {
  let s = '';
  for (let i = 0; s.length < 1000; i++) s += `line ${i}: so foul and fair a day I have not seen\n`;
  return s.slice(0, 1000);
})();

const gutenberg = [
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

/** More than 200 KB of stdout: 100 example windows of 2000 characters, input and target each. */
const bigExamples = ['windows', '--examples', '100', '--seq-length', '2000'];

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'lstm-e2e-'));
  await writeFile(file('abra.txt'), abra);
  await writeFile(file('thousand.txt'), thousand);
  await writeFile(file('gutenberg.txt'), gutenberg);
  await writeFile(file('latin1.txt'), Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café\n" in Latin-1
  await writeFile(file('binary.bin'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]));
  await writeFile(file('empty.txt'), '');
  await writeFile(file('short.txt'), 'too short\n');
  await mkdir(file('a-directory'));
  let big = '';
  for (let i = 0; big.length < 400_000; i++) big += `line ${i} of the quick brown fox ${(i * 7919) % 1000}\n`;
  await writeFile(file('big.txt'), big);
}, 30_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** A user-facing failure: one `error:` line (plus an optional hint), no stack trace, nothing on stdout. */
function expectCleanError(expect: typeof import('vitest').expect, r: RunResult, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const errLines = lines(r.stderr);
  expect(errLines[0]).toMatch(/^error: \S/);
  expect(errLines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(errLines.filter((l) => /^\s+at /.test(l))).toEqual([]);
}

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
    expect(r.stderr).toContain('cannot write');
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
});

describe.concurrent('lstm windows', () => {
  it('prints the split, windows and batches as JSON', async ({ expect }) => {
    const r = await lstm(['windows', '--json', '--seq-length', '20', '--batch-size', '8', '--random-seed', '7', file('thousand.txt')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    // 10% of 1000 held out; windows of 20 inputs + 1 target: floor(899 / 20) = 44 per epoch.
    expect(doc).toMatchObject({
      corpus: file('thousand.txt'),
      characters: 1000,
      seqLength: 20,
      valFraction: 0.1,
      train: { characters: 900, from: 0, to: 900 },
      validation: { characters: 100, from: 900, to: 1000, windows: 4 },
      windowsPerEpoch: 44,
      batchSize: 8,
      batchesPerEpoch: 5,
      predictionsPerEpoch: 5 * 8 * 20,
      randomSeed: 7,
    });
    expect(doc.vocabSize).toBe(new Set(thousand).size);
    expect(doc.examples).toHaveLength(3);
    for (const e of doc.examples) {
      expect(e.start + 21).toBeLessThanOrEqual(900);
      expect(e.input).toBe(thousand.slice(e.start, e.start + 20));
      expect(e.target).toBe(thousand.slice(e.start + 1, e.start + 21));
    }
  });

  it('repeats its examples for the same --random-seed', async ({ expect }) => {
    const args = ['windows', '--json', '--seq-length', '20', '--random-seed', '11', file('thousand.txt')];
    const [a, b] = await Promise.all([lstm(args), lstm(args)]);
    expect(JSON.parse(a.stdout).examples).toEqual(JSON.parse(b.stdout).examples);
  });

  it('holds nothing out with --val-fraction 0', async ({ expect }) => {
    const r = await lstm(['windows', '--json', '--val-fraction', '0', '--seq-length', '20', file('thousand.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ train: { characters: 1000 }, validation: { characters: 0, windows: 0 } });
  });

  it('reads stdin with - and describes the split in text', async ({ expect }) => {
    const r = await lstm(['windows', '--seq-length', '20', '--examples', '1', '-'], { stdin: thousand });
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^stdin: 1000 characters, vocabulary of \d+\n/);
    expect(out).toContain('training:   characters 0..900 (900, 90.0%)');
    expect(out).toContain('validation: characters 900..1000 (100, 10.0%), 4 windows');
    expect(out).toMatch(/window at \d+:\n  input  .*\n  target .*\n/);
  });

  it('refuses a text too short for the windows', async ({ expect }) => {
    const r = await lstm(['windows', file('short.txt')]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('too short');
  });
});

describe.concurrent('errors', () => {
  it('a missing file: exit 1, one error line, no stack trace', async ({ expect }) => {
    const missing = file('missing.txt');
    const r = await lstm(['vocab', missing]);
    expectCleanError(expect, r, 1);
    expect(lines(r.stderr)[0]).toBe(`error: cannot read ${missing}: no such file`);
  });

  it('invalid UTF-8: exit 1, names the offset and --encoding latin1', async ({ expect }) => {
    const r = await lstm(['vocab', file('latin1.txt')]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('invalid byte 0xe9 at offset 3');
    expect(r.stderr).toContain('--encoding latin1');
  });

  it.for([
    ['a binary file', 'binary.bin', 'looks like a binary file'],
    ['an empty file', 'empty.txt', 'has no text (it is empty)'],
    ['a directory', 'a-directory', 'is a directory'],
  ])('%s: exit 1', async ([, name, message], { expect }) => {
    const r = await lstm(['vocab', file(name)]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain(message);
  });

  it('empty stdin: exit 1', async ({ expect }) => {
    const r = await lstm(['vocab', '-'], { stdin: '' });
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('stdin has no text');
  });

  it.for([
    ['an unknown option', ['vocab', '--bogus', 'abra.txt'], "unknown option '--bogus'"],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
    ['a missing argument', ['vocab'], "missing required argument 'corpus'"],
    ['--seq-length 0', ['windows', '--seq-length', '0', 'thousand.txt'], "--seq-length must be a whole number from 1 to 10000, got '0'"],
    ['--seq-length abc', ['windows', '--seq-length', 'abc', 'thousand.txt'], "got 'abc'"],
    ['--seq-length 1.5', ['windows', '--seq-length', '1.5', 'thousand.txt'], "got '1.5'"],
    ['--seq-length -5', ['windows', '--seq-length', '-5', 'thousand.txt'], "got '-5'"],
    ['--val-fraction 2', ['windows', '--val-fraction', '2', 'thousand.txt'], '--val-fraction must be a number >= 0 and <= 0.9'],
    ['--examples 101', ['windows', '--examples', '101', 'thousand.txt'], '--examples must be a whole number from 0 to 100'],
    ['an unknown --encoding', ['vocab', '--encoding', 'utf16', 'abra.txt'], "'utf16' is invalid"],
  ])('usage error, %s: exit 2', async ([, args, message], { expect }) => {
    const r = await lstm((args as string[]).map((a) => (a.endsWith('.txt') ? file(a) : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain(message as string);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe.concurrent('colour', () => {
  const missing = () => ['vocab', file('missing.txt')];

  it.for([
    ['stderr is not a TTY', {}],
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['--no-color', {}, ['--no-color']],
  ] as [string, Record<string, string>, string[]?][])('no ANSI escapes on stderr when %s', async ([, env, flags], { expect }) => {
    const r = await lstm([...(flags ?? []), ...missing()], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error:');
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('colours stderr with --color even when it is not a TTY', async ({ expect }) => {
    // The control for the tests above: the error line can be coloured.
    const r = await lstm(['--color', ...missing()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ANSI);
  });

  // On a real terminal (util-linux `script` gives one), colour is on unless NO_COLOR says no.
  // CI=true (as CI sets it) makes chalk's detection answer "no colour": that is chalk's
  // policy for CI logs, so these run as a user's terminal would, without CI variables.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript).for([
    ['a TTY colours errors', {}, true],
    ['NO_COLOR=1 turns colour off on a TTY', { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR does not', { NO_COLOR: '' }, true],
  ] as [string, Record<string, string>, boolean][])('%s (via script)', async ([, env, coloured], { expect }) => {
    // `script` runs its command through a shell that does not know our `lstm` function.
    const command = [process.execPath, binPath, 'vocab', file('missing.txt')].map(shellQuote).join(' ');
    const r = await bash(`script -qec ${shellQuote(command)} /dev/null`, {
      env: { TERM: 'xterm-256color', CI: undefined, GITHUB_ACTIONS: undefined, ...env },
    });
    expect(r.stdout).toContain('error:');
    if (coloured) expect(r.stdout).toMatch(ANSI);
    else expect(r.stdout).not.toMatch(ANSI);
  });
});

describe.concurrent('pipes', () => {
  it('the large-output command really writes more than a pipe buffer', async ({ expect }) => {
    const r = await lstm([...bigExamples, file('big.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(200_000);
  });

  it('a closed pipe (| head -c 1) ends quietly with status 0', async ({ expect }) => {
    const r = await bash(`set -o pipefail; lstm ${bigExamples.join(' ')} ${shellQuote(file('big.txt'))} | head -c 1`);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('the same with --json', async ({ expect }) => {
    const r = await bash(`set -o pipefail; lstm ${bigExamples.join(' ')} --json ${shellQuote(file('big.txt'))} | head -c 1`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{');
    expect(r.stderr).toBe('');
  });
});

describe.concurrent('lstm backends', () => {
  it('lists wasm and cpu as available and tensorflow as known, as JSON', async ({ expect }) => {
    const r = await lstm(['backends', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const byName = Object.fromEntries(doc.backends.map((b: { name: string }) => [b.name, b]));
    expect(Object.keys(byName).sort()).toEqual(['cpu', 'tensorflow', 'wasm']);
    expect(byName.wasm.available).toBe(true);
    expect(byName.cpu.available).toBe(true);
    expect(typeof byName.tensorflow.available).toBe('boolean');
    for (const b of doc.backends) expect(typeof b.detail).toBe('string');
    // The default is the first available one in order of preference.
    expect(doc.default).toBe(byName.tensorflow.available ? 'tensorflow' : 'wasm');
  });
});

describe.concurrent('help and version', () => {
  it.for([['--help'], ['help']])('%s exits 0 and lists the commands', async ([flag], { expect }) => {
    const r = await lstm([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: lstm');
    for (const command of ['vocab', 'windows', 'backends']) expect(r.stdout).toContain(command);
  });

  it('vocab --help exits 0 and shows its options', async ({ expect }) => {
    const r = await lstm(['vocab', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--json', '--out', '--encoding', '--keep-boilerplate', '--lowercase']) expect(r.stdout).toContain(option);
  });

  it('windows --help shows the defaults from config', async ({ expect }) => {
    const r = await lstm(['windows', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--seq-length <n>[\s\S]*\(default: 50\)/);
  });

  it.for([['--version'], ['-V']])('%s prints the package version', async ([flag], { expect }) => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
    const r = await lstm([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });
});

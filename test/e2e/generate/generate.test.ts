/**
 * `lstm generate` end to end on a tiny model trained once (beforeAll) until it has
 * memorised 'abcdefgh' repeated: so argmax output is known exactly. And every kind of
 * malformed model it is pointed at is refused in one line.
 */
import { cp, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, useBundles } from '../../helpers/bundles.js';
import { bash, lstm, ok, shellQuote, type RunResult } from '../../helpers/cli.js';
import { textFile } from '../../helpers/tiny.js';

const { abc, lower } = useBundles('abc', 'lower');
/** The memorised abc model and its text. */
const m = { model: abc.model, abcFile: abc.text };
/** This file's own temp dir. */
const own = tempDir('generate');

const gen = (args: string[], stdin?: string | Uint8Array) => lstm(['generate', '-m', m.model, ...args], { stdin });

/** One `error:` line (plus an optional hint), no stack trace, nothing on stdout. */
function expectOneLineError(r: RunResult, code: number): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines[0]).toMatch(/^error: \S/);
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(
    lines.filter((l) => !l.startsWith('error:') && !l.startsWith('hint:') && !l.startsWith('(run with --help')),
  ).toEqual([]);
  expect(r.stderr).not.toContain('    at ');
}

describe('lstm generate', () => {
  it('--argmax continues the memorised text, the same every time', async () => {
    const [a, b] = await Promise.all([
      gen(['--argmax', '-s', 'abc', '-n', '21']),
      gen(['--argmax', '-s', 'abc', '-n', '21']),
    ]);
    expect(ok(a)).toBe('defghabcdefghabcdefgh');
    expect(ok(b)).toBe(ok(a));
    expect(a.stderr).toBe('');
  });

  it('--random-seed repeats a sample; another seed gives another', async () => {
    const args = (seed: number) => ['--temperature', '3', '-s', 'abc', '-n', '200', '--random-seed', String(seed)];
    const [a, b, c] = await Promise.all([gen(args(1)), gen(args(1)), gen(args(2))]);
    expect(ok(a)).toHaveLength(200);
    expect(ok(b)).toBe(ok(a));
    expect(ok(c)).toHaveLength(200);
    expect(ok(c)).not.toBe(ok(a));
    for (const ch of ok(a)) expect('abcdefgh').toContain(ch);
  });

  // One spawned usage error for the family: exit 2, nothing on stdout, no stack trace. The
  // other options' refusals are parsed in-process: test/unit/cli/options.test.ts.
  it('--temperature -1 is a usage error (exit 2)', async () => {
    const r = await gen(['-s', 'abc', '--temperature', '-1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--temperature must be a number >= 0, got '-1'/);
    expect(r.stderr).not.toContain('    at ');
  });

  it('reads the seed from piped stdin', async () => {
    const piped = await gen(['--argmax', '-n', '12'], 'abcdef');
    expect(ok(piped)).toBe('ghabcdefghab');
    expect(ok(await gen(['--argmax', '-n', '12', '-s', 'abcdef']))).toBe(ok(piped));
    expect(ok(await gen(['--argmax', '-n', '4', '--echo'], 'abc'))).toBe('abcdefg');
  });

  it('refuses seed characters outside the vocabulary (exit 2, naming them); --unknown skip drops them', async () => {
    const r = await gen(['--argmax', '-n', '5', '-s', 'abXcZ']);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain("the seed has 2 characters outside the model's vocabulary: 'X' 'Z'");
    expect(r.stderr).toContain('--unknown skip');
    const skipped = await gen(['--argmax', '-n', '5', '-s', 'abXcZ', '--unknown', 'skip']);
    expect(ok(skipped)).toBe('defgh');
    expect(skipped.stderr).toContain("dropped 2 seed characters outside the vocabulary: 'X' 'Z'");
  });

  it('--samples 3 --json gives one JSON document with 3 samples of --length characters', async () => {
    const r = await gen(['--samples', '3', '--json', '-n', '40', '-s', 'ab', '--random-seed', '9']);
    const doc = JSON.parse(ok(r));
    expect(doc).toMatchObject({ seed: 'ab', randomSeed: 9, temperature: 0.8, length: 40, topK: null, topP: null });
    expect(doc.samples).toHaveLength(3);
    for (const s of doc.samples) {
      expect(s).toHaveLength(40);
      for (const ch of s) expect('abcdefgh').toContain(ch);
    }
    // The same --random-seed gives the same document.
    expect(
      JSON.parse(ok(await gen(['--samples', '3', '--json', '-n', '40', '-s', 'ab', '--random-seed', '9']))),
    ).toEqual(doc);
  });

  it('--stop ends each sample once it has produced the stop string', async () => {
    expect(ok(await gen(['--argmax', '-s', 'abc', '-n', '100', '--stop', 'gh']))).toBe('defgh');
    const r = await gen([
      '--json',
      '--samples',
      '4',
      '--temperature',
      '1.5',
      '--random-seed',
      '3',
      '-s',
      'a',
      '-n',
      '300',
      '--stop',
      'ha',
    ]);
    for (const s of JSON.parse(ok(r)).samples as string[]) {
      expect(s.endsWith('ha')).toBe(true);
      expect(s.indexOf('ha')).toBe(s.length - 2);
    }
  });

  it('--length 1000000 | head -c 100 exits 0 quickly with nothing on stderr (pipefail)', async () => {
    const started = Date.now();
    const r = await bash(
      `set -o pipefail; lstm generate -m ${shellQuote(m.model)} --length 1000000 --random-seed 1 | head -c 100`,
      { timeoutMs: 20_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(Buffer.byteLength(r.stdout)).toBe(100);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('generate --jsonl: JSON lines as text is made', () => {
  type Line = { event: string; sample?: number; text?: string; characters?: number } & Record<string, unknown>;
  const parse = (out: string) =>
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);

  it('start, text chunks per sample, an end per sample and a summary: the same samples as --json', async () => {
    const args = [
      '--samples',
      '3',
      '-n',
      '60',
      '-s',
      'ab',
      '--random-seed',
      '9',
      '--temperature',
      '1.5',
      '--stop',
      'ha',
    ];
    const [streamed, whole] = await Promise.all([gen([...args, '--jsonl']), gen([...args, '--json'])]);
    const lines = parse(ok(streamed));
    const doc = JSON.parse(ok(whole));
    const { samples, ...header } = doc;
    expect(lines[0]).toEqual({ event: 'start', ...header, samples: 3 });
    const texts = [0, 1, 2].map((s) =>
      lines
        .filter((l) => l.event === 'text' && l.sample === s)
        .map((l) => l.text)
        .join(''),
    );
    expect(texts).toEqual(samples);
    // Each sample's end comes after its last text, and says how many characters it made.
    for (let s = 0; s < 3; s++) {
      const endAt = lines.findIndex((l) => l.event === 'end' && l.sample === s);
      expect(lines[endAt].characters).toBe([...samples[s]].length);
      expect(lines.slice(endAt + 1).some((l) => l.event === 'text' && l.sample === s)).toBe(false);
    }
    expect(lines.at(-1)).toMatchObject({ event: 'done', samples: 3, characters: samples.join('').length });
    expect(
      lines
        .filter((l) => l.event !== 'text')
        .map((l) => l.event)
        .sort(),
    ).toEqual(['done', 'end', 'end', 'end', 'start']);
  });

  it('--echo starts each sample with the seed', async () => {
    const lines = parse(ok(await gen(['--jsonl', '--echo', '--argmax', '-s', 'abc', '-n', '5', '--samples', '2'])));
    for (const s of [0, 1])
      expect(
        lines
          .filter((l) => l.sample === s && l.event === 'text')
          .map((l) => l.text)
          .join(''),
      ).toBe('abcdefgh');
  });

  it('a large --length piped into head -n 3 ends quietly with exit 0, and the lines parse (pipefail)', async () => {
    const started = Date.now();
    const r = await bash(
      `set -o pipefail; lstm generate -m ${shellQuote(m.model)} --jsonl --length 100000000 --random-seed 1 | head -n 3`,
      { timeoutMs: 20_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = parse(r.stdout);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ event: 'start', length: 100000000, samples: 1 });
    for (const l of lines.slice(1)) expect(l).toMatchObject({ event: 'text', sample: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

// Every kind of damage readCheckpoint refuses is a row of test/unit/store/read.test.ts (an
// LstmError of kind data, one line naming the file); here, through generate's own loading, one
// damaged file and one path without a model, and a pointer leading out of the bundle.
describe('generate -m with a malformed bundle: exit 1, one line, no stack trace', () => {
  /** A copy of the model's best checkpoint, damaged by `damage`. */
  async function damaged(name: string, damage: (d: string) => Promise<unknown>): Promise<string> {
    const d = path.join(own(), 'bad', name);
    await mkdir(path.dirname(d), { recursive: true });
    await cp(await realpath(path.join(m.model, 'best')), d, { recursive: true });
    await damage(d);
    return d;
  }

  it.each([
    {
      name: 'flipped byte in weights.bin',
      make: () =>
        damaged('flipped', async (d) => {
          const b = await readFile(path.join(d, 'weights.bin'));
          b[10] ^= 0xff;
          await writeFile(path.join(d, 'weights.bin'), b);
        }),
      message: /weights\.bin: sha256 does not match lstm\.json/,
    },
    { name: 'no such path', make: async () => path.join(own(), 'no-such-model'), message: /no model at/ },
  ])('$name', async ({ make, message }) => {
    const r = await lstm(['generate', '-m', await make(), '-s', 'abc', '-n', '10']);
    expectOneLineError(r, 1);
    expect(r.stderr).toMatch(message);
  });

  it('a checkpoint pointer that leads outside the bundle', async () => {
    const bundle = path.join(own(), 'escaping');
    await cp(m.model, bundle, { recursive: true, verbatimSymlinks: true });
    const outside = path.join(own(), 'outside');
    await mkdir(outside);
    await cp(await realpath(path.join(bundle, 'best')), path.join(outside, 'ckpt'), { recursive: true });
    await rm(path.join(bundle, 'best'));
    await symlink(path.join(outside, 'ckpt'), path.join(bundle, 'best'));
    const r = await lstm(['generate', '-m', bundle, '-n', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/points outside/);
  });
});

describe('the seed is read the way the corpus was', () => {
  const args = (s: string) => ['generate', '-m', lower.model, '--seed', s, '--random-seed', '3', '-n', '40'];

  // The one normaliser's other rules (NFD to NFC, a leading byte-order mark) are rows of
  // test/unit/generate/seed.test.ts and test/unit/text/normalise.test.ts; here, that generate reads
  // the seed with the model's own settings.
  it('upper case, on a --lowercase model: the same output as the normalised seed', async () => {
    const [given, normal] = await Promise.all([lstm(args('CAFÉ ABC')), lstm(args('café abc'))]);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toBe(ok(normal));
  });

  it('a seed piped from echo: its one trailing newline is dropped when the vocabulary has none', async () => {
    const model = shellQuote(m.model);
    const piped = await bash(`echo abc | lstm generate -m ${model} --argmax -n 12`);
    expect(ok(piped)).toBe(ok(await gen(['--argmax', '-n', '12', '-s', 'abc'])));
    expect(piped.stderr).toBe('');
    const file = await textFile(own(), 'seed.txt', 'abc\n');
    expect(ok(await gen(['--argmax', '-n', '12', '--seed-file', file]))).toBe(ok(piped));
    // Only that one: a second newline is refused like any unknown character, and dropped by
    // --unknown skip; that is the seed policy (generate/seed.ts), rows of test/unit/generate/seed.test.ts.
  });

  let asText: Promise<string> | undefined;
  it.each([
    ['UTF-16LE with a byte-order mark', [0xff, 0xfe], 'utf16le', []],
    ['UTF-16LE without one, with --encoding utf16le', [], 'utf16le', ['--encoding', 'utf16le']],
  ])('--seed-file in %s reads like the same seed given as text', async (name, bom, order, flags) => {
    asText ??= gen(['--argmax', '-n', '12', '--echo', '-s', 'abc']).then(ok); // made once for both rows
    const units = Buffer.from('abc\r\n', 'utf16le');
    const file = path.join(own(), `seed-${name.replace(/\W+/g, '-')}.txt`);
    await writeFile(
      file,
      Buffer.concat([Buffer.from(bom as number[]), order === 'utf16be' ? Buffer.from(units).swap16() : units]),
    );
    const r = await gen(['--argmax', '-n', '12', '--echo', '--seed-file', file, ...(flags as string[])]);
    expect(ok(r)).toBe(await asText);
  });

  it('a damaged UTF-16 seed is refused naming the encoding (exit 1)', async () => {
    const r = await gen(['--seed-file', '-'], Buffer.from([0xff, 0xfe, 0x61, 0x00, 0x62]));
    expectOneLineError(r, 1);
    expect(r.stderr).toContain('the seed on stdin is not valid UTF-16LE: an odd number of bytes (5)');
  });

  it('--echo prints the seed as the model read it', async () => {
    const r = await lstm(['generate', '-m', lower.model, '--seed', 'CAFE\u0301', '--echo', '-n', '0']);
    expect(ok(r)).toBe('café');
  });
});

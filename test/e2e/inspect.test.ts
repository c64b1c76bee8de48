/**
 * `lstm inspect` through the built CLI with the bundled model: the JSON reading (agreeing with
 * `lstm eval` read as one stream), units' values, the table for pipes, colour on a terminal,
 * the self-contained page, and one-line errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSI, bash, binPath, expectCleanError, lines, lstm, ok, shellQuote } from '../helpers/cli.js';
import { canMount, mountReadOnly, mountSkip, unmount } from '../helpers/mounts.js';
import { makeTempDir, removeDir, textFile } from '../helpers/tiny.js';

// 101 characters: 100 predicted, exactly two 50-character windows for `lstm eval`.
const speech =
  'MACBETH.\nIs this a dagger which I see before me,\nThe handle toward my hand? Come, let me clutch thee.';
const text101 = speech.slice(0, 101);
let dir: string;
/** `lstm inspect speech.txt --json`: made once, read by the JSON test and by the table's total. */
let speechJson: Promise<Record<string, any>> | undefined;
const inspectSpeech = () =>
  (speechJson ??= textFile(dir, 'speech.txt', text101).then(async (file) =>
    JSON.parse(ok(await lstm(['inspect', file, '--json']))),
  ));

beforeAll(async () => {
  dir = await makeTempDir('inspect');
});
afterAll(() => removeDir(dir));

type Char = {
  index: number;
  char: string;
  prob: number | null;
  bits: number | null;
  expected: { char: string; prob: number }[];
  units?: Unit[];
};
type Unit = { layer: number; unit: number; c: number; h: number; i: number; f: number; o: number };

describe('lstm inspect --json', () => {
  it('gives every character its probability, bits and expected characters, and the same bits per character as lstm eval read as one stream', async () => {
    const doc = await inspectSpeech();
    const file = path.join(dir, 'speech.txt');
    const chars = doc.chars as Char[];
    expect(chars.map((c) => c.char).join('')).toBe(text101);
    expect(chars[0]).toMatchObject({ index: 0, prob: null, bits: null, expected: [] });
    for (const c of chars.slice(1)) {
      expect(c.prob).toBeGreaterThan(0);
      expect(c.prob).toBeLessThanOrEqual(1);
      expect(c.bits).toBeCloseTo(-Math.log2(c.prob!), 12);
      expect(c.expected).toHaveLength(5);
      const probs = c.expected.map((e) => e.prob);
      expect([...probs].sort((a, b) => b - a)).toEqual(probs);
      // The character's own probability ranks where it should among the expected ones.
      const listed = c.expected.find((e) => e.char === c.char);
      if (listed) expect(listed.prob).toBe(c.prob);
      else expect(c.prob).toBeLessThanOrEqual(probs[4]);
    }
    expect(doc.predicted).toBe(100);
    const mean = chars.slice(1).reduce((s, c) => s + c.bits!, 0) / 100;
    expect(doc.bitsPerChar).toBeCloseTo(mean, 12);
    const evaluated = JSON.parse(ok(await lstm(['eval', file, '--batch-size', '1', '--json'])));
    expect(evaluated.characters).toBe(100);
    expect(doc.bitsPerChar).toBeCloseTo(evaluated.bitsPerChar, 4);
  });

  it('--units gives the chosen units of every layer: gates in (0, 1), hidden output = o * tanh(c); --top sets how many are expected', async () => {
    const doc = JSON.parse(
      ok(await lstm(['inspect', '--text', 'To be, or not', '--json', '--units', '0,297-299', '--top', '2'])),
    );
    expect(doc.units).toEqual([0, 297, 298, 299]);
    for (const c of doc.chars as Char[]) {
      expect(c.units!.map((u) => `${u.layer}:${u.unit}`)).toEqual([
        '0:0',
        '0:297',
        '0:298',
        '0:299',
        '1:0',
        '1:297',
        '1:298',
        '1:299',
      ]);
      for (const u of c.units!) {
        for (const gate of [u.i, u.f, u.o]) expect(gate > 0 && gate < 1).toBe(true);
        expect(u.h).toBeCloseTo(u.o * Math.tanh(u.c), 5);
      }
      if (c.index > 0) expect(c.expected).toHaveLength(2);
    }
  });

  it('is one JSON document written a character per line, so it can be read as a stream', async () => {
    const out = ok(await lstm(['inspect', '--text', 'abc de', '--json']));
    const rows = lines(out);
    expect(rows).toHaveLength(1 + 6 + 1);
    expect(JSON.parse(rows[3].replace(/,$/, ''))).toMatchObject({ index: 2, char: 'c' });
  });
});

describe('lstm inspect on a pipe or terminal', () => {
  it('piped: the text, then a tab-separated row per character, then the total (no colour)', async () => {
    const out = ok(await lstm(['inspect', '--text', text101]));
    expect(out).not.toMatch(ANSI);
    expect(out.startsWith(`${text101}\n\nindex\tchar\tbits\tprob\texpected\n`)).toBe(true);
    const rows = out.split('\n').filter((l) => /^\d+\t/.test(l));
    expect(rows).toHaveLength(101);
    expect(rows[0]).toBe('0\tM\t-\t-\t');
    expect(rows[9].split('\t')[1]).toBe('I');
    const doc = await inspectSpeech(); // the same text, from a file
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      `${doc.bitsPerChar.toFixed(3)} bits per character over 100 predicted characters`,
    );
  });

  it('--color colours the text by surprise with a legend; stdin works as input', async () => {
    const out = ok(await lstm(['--color', 'inspect'], { stdin: 'MACBETH.\nWhat is the night?' }));
    expect(out).toMatch(ANSI);
    expect(out.replace(new RegExp(ANSI.source, 'g'), '')).toContain('MACBETH.\nWhat is the night?');
    expect(out).toMatch(/surprise in bits:.*<1.*1-2.*2-4.*4-8.*8\+.*bits per character over 26 predicted characters/);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(
    'on a terminal it colours by itself, and NO_COLOR turns that into the plain table',
    async () => {
      const tty = (env: string) =>
        bash(`${env} script -qec ${shellQuote(`node ${binPath} inspect --text 'Is this a dagger'`)} /dev/null`, {
          env: { TERM: 'xterm-256color', CI: undefined },
        });
      const coloured = await tty('');
      expect(coloured.code).toBe(0);
      expect(coloured.stdout).toMatch(ANSI);
      expect(coloured.stdout).toContain('surprise in bits:');
      const plain = await tty('NO_COLOR=1');
      expect(plain.stdout).not.toMatch(ANSI);
      expect(plain.stdout).toContain('index\tchar\tbits');
    },
  );
});

describe('lstm inspect --html', () => {
  it('writes one self-contained page (nothing fetched) with the reading and every unit, and leaves no temporary file', async () => {
    // 2,000 characters of Macbeth's speech over and over: units follow its lines and words.
    const generated = `${speech}\n`.repeat(Math.ceil(2000 / (speech.length + 1))).slice(0, 2000);
    const source = await textFile(dir, 'generated.txt', generated);
    const page = path.join(dir, 'page.html');
    const r = await lstm(['inspect', source, '--html', page]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/wrote .*page\.html \(\d\.\d\d MB, 2,000 characters, \d\.\d{3} bits per character\)/);
    const html = await readFile(page, 'utf8');
    expect((await stat(page)).size).toBeLessThan(2_000_000);
    expect(html).not.toMatch(/\b(src|href)\s*=/i); // no external script, style or link: opens from file://
    expect(html).not.toMatch(/https?:\/\//);
    // Its text is a text, not a seed (the text itself, in the page's data, may say anything).
    expect(html.replace(/<script type="application\/json" id="inspection">.*?<\/script>/s, '')).not.toMatch(/seed/i);
    const data = JSON.parse(/<script type="application\/json" id="inspection">(.*?)<\/script>/s.exec(html)![1]);
    expect(data.chars.join('')).toBe(generated);
    expect(data.units).toMatchObject({ layers: 2, units: 300, length: 2000 });
    expect(data.units.scales).toHaveLength(600);
    expect(data.found.length).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('refuses a text longer than a page holds, saying how to cut it', async () => {
    const r = await lstm(['inspect', '--html', path.join(dir, 'big.html')], { stdin: 'a '.repeat(3000) });
    expectCleanError(expect, r, 2);
    expect(r.stderr).toMatch(/the text has 6,000 characters; a page holds at most 5,000/);
    expect(r.stderr).toMatch(/hint: inspect a part of it, e\.g\. head -c 5000/);
  });

  /** Where a page cannot be written: the error names the path given, never the temporary file beside it. */
  it.each<[string, (d: string) => Promise<string>, (page: string) => string]>([
    [
      'a missing directory',
      async (d) => path.join(d, 'missing-dir', 'p.html'),
      (page) => `error: cannot write ${page}: the directory ${path.dirname(page)} does not exist`,
    ],
    [
      'a file where its directory should be',
      async (d) => path.join(await textFile(d, 'not-a-dir.txt', 'x'), 'p.html'),
      (page) => `error: cannot write ${page}: a part of the path is a file`,
    ],
  ])('--html into %s: exit 1, one line naming it, nothing left behind', async (_name, target, says) => {
    const page = await target(dir);
    const r = await lstm(['inspect', '--text', speech, '--html', page]);
    expectCleanError(expect, r, 1);
    expect(lines(r.stderr)[0]).toBe(says(page));
    expect(r.stderr).not.toContain('.tmp');
  });

  it.skipIf(!canMount)(`--html into a read-only directory names the page${mountSkip}`, async () => {
    const ro = path.join(dir, 'read-only');
    await mkdir(ro);
    mountReadOnly(ro);
    try {
      const page = path.join(ro, 'p.html');
      const r = await lstm(['inspect', '--text', speech, '--html', page]);
      expectCleanError(expect, r, 1);
      expect(lines(r.stderr)[0]).toBe(`error: cannot write ${page}: read-only file system`);
      expect(r.stderr).not.toContain('.tmp');
    } finally {
      unmount(ro);
    }
  });
});

// The refusals decided before the model is read (--units without --json, a malformed --units,
// the text given twice) are parsed in-process: test/unit/cli/options.test.ts.
describe('lstm inspect errors', () => {
  it.each([
    {
      name: 'a unit past the layer',
      args: ['--text', 'abc', '--json', '--units', '2,300'],
      message: /--units 300: the model has 300 units per layer \(0-299\)/,
    },
    {
      name: 'a character outside the vocabulary',
      args: ['--text', 'abc ☃'],
      message: /^error: the text has 1 character outside the model's vocabulary: '☃'/,
    },
    {
      name: 'one character',
      args: ['--text', 'a'],
      message: /the text has 1 character; inspecting needs at least 2/,
    },
  ])('$name is a usage error (exit 2, one line)', async ({ args, message }) => {
    const r = await lstm(['inspect', ...args]);
    expectCleanError(expect, r, 2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/seed/i); // inspect reads a text, not a seed
  });

  it('a text past the limit is refused with a hint; --unknown skip drops unknown characters', async () => {
    const long = await lstm(['inspect', '--json'], { stdin: 'ab'.repeat(50_001) });
    expectCleanError(expect, long, 2);
    expect(long.stderr).toMatch(/the text has 100,002 characters; lstm inspect reads at most 100,000/);
    const skipped = await lstm(['inspect', '--text', 'ab☃c', '--unknown', 'skip', '--json']);
    expect(
      JSON.parse(ok(skipped))
        .chars.map((c: Char) => c.char)
        .join(''),
    ).toBe('abc');
    expect(skipped.stderr).toMatch(/dropped 1 character outside the vocabulary: '☃'/);
  });
});

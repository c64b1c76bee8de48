/**
 * `lstm generate --originality` end to end: a tiny model that has memorised 'abcdefgh'
 * repeated (so its argmax output is all copied), a fine-tune of it, and the bundled model,
 * whose training text is not on this machine. The training text is found from the bundle's
 * record or --corpus, checked before anything is generated, and reported on stderr (plain)
 * or in the JSON.
 */
import { rename, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { copyWithText, tempDir, useBundles } from '../../helpers/bundles.js';
import { lstm, ok, type RunResult } from '../../helpers/cli.js';
import { abc, textFile } from '../../helpers/tiny.js';

const shared = useBundles('abc', 'base', 'tuned');
const m = { model: shared.abc.model, abcFile: shared.abc.text };
const own = tempDir('originality');

const gen = (args: string[], model = m.model) =>
  lstm(['generate', '-m', model, '--argmax', '-s', 'abc', '-n', '21', ...args]);
const memorised = 'defghabcdefghabcdefgh';
const json = (r: RunResult) => JSON.parse(ok(r)) as { samples: string[]; originality: Record<string, unknown>[] };

/** One `error:` line and its hint, nothing generated. */
function expectOneLineError(r: RunResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines[0]).toMatch(message);
  expect(lines.slice(1).every((l) => l.startsWith('hint:'))).toBe(true);
  expect(r.stderr).not.toContain('    at ');
}

describe('lstm generate --originality', () => {
  it('--json: an originality object per sample, the memorised output all copied, found in the recorded abc.txt', async () => {
    const doc = json(await gen(['--originality', '--json', '--samples', '2']));
    expect(doc.samples).toEqual([memorised, memorised]);
    expect(doc.originality).toHaveLength(2);
    expect(doc.originality[0]).toMatchObject({
      minLength: 20,
      outputLength: 21,
      copiedChars: 21,
      copiedShare: 1,
      copiedSpans: [{ start: 0, end: 21 }],
      longest: { length: 21, text: memorised, outputIndex: 0, file: 'abc.txt', line: 1 },
      checked: ['abc.txt'],
      notChecked: [],
    });
    const { fileIndex } = doc.originality[0].longest as { fileIndex: number };
    expect(abc.slice(fileIndex, fileIndex + 21)).toBe(memorised);
  });

  it('plain: stdout is only the text; the report follows on stderr, even with -q', async () => {
    const r = await lstm(['-q', 'generate', '-m', m.model, '--argmax', '-s', 'abc', '-n', '21', '--originality']);
    expect(ok(r)).toBe(memorised);
    expect(r.stderr).toBe(
      `originality: longest passage found verbatim 21 characters ("${memorised}", abc.txt line 1); 100.0% of the output (21 of 21 characters) is inside passages of 20+ characters found in abc.txt\n`,
    );
  });

  it("--jsonl: the originality is in each sample's end event", async () => {
    const events = ok(await gen(['--originality', '--jsonl']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const end = events.find((e) => e.event === 'end');
    expect(end).toMatchObject({ sample: 0, characters: 21, originality: { copiedChars: 21, longest: { length: 21 } } });
  });

  it('--corpus with another text: compared with it, after a warning that it is not the training text', async () => {
    const other = await textFile(own(), 'other.txt', 'abcdefgh and nothing more\n');
    const r = await gen(['--originality', '--json', '--corpus', other]);
    expect(r.stderr).toMatch(
      /^warning: other\.txt is not a text .* learnt from \(sha256 [0-9a-f]{12}…; it learnt from abc\.txt \(sha256 [0-9a-f]{12}…\)\): comparing with it anyway\n$/,
    );
    expect(json(r).originality[0]).toMatchObject({
      copiedChars: 0,
      longest: { length: 8, text: 'abcdefgh', file: 'other.txt' },
      checked: ['other.txt'],
      notChecked: ['abc.txt'],
    });
  });

  it('--corpus with the training text itself: no warning', async () => {
    const r = await gen(['--originality', '--json', '--corpus', m.abcFile]);
    expect(r.stderr).toBe('');
    expect(json(r).originality[0]).toMatchObject({ copiedChars: 21, checked: ['abc.txt'], notChecked: [] });
  });

  it.each([
    {
      name: 'a changed training file',
      change: (f: string) => writeFile(f, `${abc}x`),
      message:
        /^error: .*abc\.txt has changed since .* was trained on it \(sha256 [0-9a-f]{12}…, recorded [0-9a-f]{12}…\)$/,
    },
    {
      name: 'a moved training file',
      change: (f: string) => rename(f, `${f}.moved`),
      message: /^error: .*abc\.txt, the text .* was trained on, is no longer there$/,
    },
  ])('$name is refused before anything is generated (exit 1), naming --corpus', async ({ name, change, message }) => {
    // A copy of the model whose record names a copy of abc.txt: the shared text stays as it is.
    const copy = await copyWithText(shared.abc, own(name.replace(/\W+/g, '-')));
    await change(copy.text);
    const r = await gen(['--originality'], copy.model);
    expectOneLineError(r, 1, message);
    expect(r.stderr).toContain('--corpus');
  });
});

describe('generate --originality with the bundled model (exported: no corpus paths)', () => {
  it('without --corpus: one error naming the training file by name, origin and sha256, and how to pass it', async () => {
    const r = await lstm(['generate', '--originality', '-n', '5']);
    expectOneLineError(
      r,
      1,
      /^error: the bundled model does not record where its training text is \(an exported model leaves the path behind\); it learnt from macbeth\.txt \(Project Gutenberg eBook #1533, play text only; sha256 e255b356d343…\)$/,
    );
    expect(r.stderr).toContain('hint: pass that text: --corpus path/to/macbeth.txt');
  });

  it("with another text: its base's tinyshakespeare.txt is named as not checked, and how to include it", async () => {
    const r = await lstm(['generate', '--originality', '-n', '50', '--random-seed', '1', '--corpus', m.abcFile]);
    ok(r);
    expect(r.stderr).toContain('warning: abc.txt is not a text the bundled model learnt from');
    expect(r.stderr).toContain(
      'originality: checked against abc.txt only, not against macbeth.txt, which the bundled model learnt from; nor against tinyshakespeare.txt, which its base bundled/shakespeare learnt from',
    );
    expect(r.stderr).toContain(
      'give every text: --corpus path/to/abc.txt --corpus path/to/macbeth.txt --corpus path/to/tinyshakespeare.txt',
    );
  });
});

describe('generate --originality with a fine-tune', () => {
  // The shared fine-tune: b.txt learnt from the base of a.txt, both recorded.
  const tunedGen = (args: string[]) =>
    lstm(['generate', '-m', shared.tuned.model, '--argmax', '-s', 'the', '-n', '21', ...args]);

  it("reads the base's text from the base bundle's record too: both checked", async () => {
    const doc = json(await tunedGen(['--originality', '--json']));
    expect(doc.originality[0]).toMatchObject({ checked: ['b.txt', 'a.txt'], notChecked: [] });
  });

  it("with --corpus naming only the fine-tuning text: the base's is named as not checked", async () => {
    const r = await tunedGen(['--originality', '--corpus', shared.tuned.text]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `originality: checked against b.txt only, not against a.txt, which its base ${shared.base.model} learnt from`,
    );
  });

  it('--corpus given both texts: both checked', async () => {
    const doc = json(
      await tunedGen(['--originality', '--json', '--corpus', shared.tuned.text, '--corpus', shared.base.text]),
    );
    expect(doc.originality[0]).toMatchObject({ checked: ['b.txt', 'a.txt'], notChecked: [] });
  });
});

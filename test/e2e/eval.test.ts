/** `lstm eval`: a model's loss on a text, on the tiny model that has memorised 'abcdefgh' repeated. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempDir, useBundles } from '../helpers/bundles.js';
import { lstm, ok } from '../helpers/cli.js';
import { textFile } from '../helpers/tiny.js';

const { abc } = useBundles('abc');
const m = { model: abc.model, abcFile: abc.text };
const file = tempDir('eval');

/** `lstm eval --json` of the latest checkpoint on the memorised text: run once, read by two tests. */
let latest: Promise<Record<string, any>> | undefined;
const latestOnAbc = () =>
  (latest ??= lstm(['eval', '-m', m.model, '--checkpoint', 'latest', m.abcFile, '--json']).then((r) =>
    JSON.parse(ok(r)),
  ));

describe('lstm eval', () => {
  it('eval on the memorised text gives a low loss, and --json parses', async () => {
    const doc = await latestOnAbc();
    expect(doc.nats).toBeLessThan(0.1);
    expect(doc.bitsPerChar).toBeCloseTo(doc.nats / Math.LN2, 10);
    expect(doc.perplexity).toBeCloseTo(Math.exp(doc.nats), 10);
    expect(doc.bitsPerCharCold).toBeCloseTo(doc.natsCold / Math.LN2, 10);
    expect(doc.perplexityCold).toBeCloseTo(Math.exp(doc.natsCold), 10);
    expect(doc).toMatchObject({ corpus: m.abcFile, skipped: 0, seqLength: 16 });
    expect(doc.characters).toBeGreaterThan(700);
    // A text the model did not learn scores far worse.
    const shuffled = await textFile(file(), 'hgf.txt', 'hgfedcba'.repeat(50));
    expect(JSON.parse(ok(await lstm(['eval', '-m', m.model, shuffled, '--json']))).nats).toBeGreaterThan(1);
  });

  it('reads the text as streams with the state carried (every character once, in streams of at least 20 windows), and as cold windows', async () => {
    const doc = await latestOnAbc();
    expect(doc).toMatchObject({ streams: 2 }); // 49 windows of 16: two streams of at least 20
    const chars = Array.from(await readFile(m.abcFile, 'utf8')).length;
    expect(doc.characters).toBe(chars - 1); // every character after the first, the last partial window too
    expect(doc.charactersCold).toBe(Math.floor((chars - 1) / 16) * 16); // cold: whole 16-character windows
    expect(doc.natsCold).toBeLessThan(0.1);
    const same = await textFile(file(), 'aaaa.txt', 'a'.repeat(6000));
    const flat = JSON.parse(ok(await lstm(['eval', '-m', m.model, same, '--json'])));
    expect(flat.streams).toBe(16); // 374 windows of 16: 18 streams of 20 would fit, at most the model's batch size (16), as its validation read
    const one = JSON.parse(ok(await lstm(['eval', '-m', m.model, same, '--batch-size', '1', '--json'])));
    expect(one.streams).toBe(1);
    expect(one.natsCold).toBeCloseTo(flat.natsCold, 5); // the cold windows do not depend on how many are scored at once
    expect([flat.characters, flat.charactersCold]).toEqual([5999, 374 * 16]);
  });

  it('--json leads with the figure the text leads with (bitsPerChar: the streams), the cold windows beside it by name', async () => {
    const [doc, text] = await Promise.all([
      latestOnAbc(),
      lstm(['eval', '-m', m.model, '--checkpoint', 'latest', m.abcFile]),
    ]);
    expect(Object.keys(doc).slice(2, 4)).toEqual(['bitsPerChar', 'nats']); // after model and corpus
    const [leading, second] = [...ok(text).matchAll(/([\d.]+) bits per character/g)].map((r) => Number(r[1]));
    expect(ok(text)).toMatch(
      /^\S+: [\d.]+ bits per character \(.*\) read as 2 streams with the state carried, as generation reads, over 799 characters;\n/,
    );
    expect(ok(text)).toMatch(
      /\n {2}[\d.]+ bits per character \(.*\) as independent 16-character windows, over their 784 characters\n$/,
    );
    expect(leading).toBe(Number(doc.bitsPerChar.toFixed(4)));
    expect(second).toBe(Number(doc.bitsPerCharCold.toFixed(4)));
  });
});

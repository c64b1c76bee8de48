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
    expect(doc).toMatchObject({ corpus: m.abcFile, skipped: 0, seqLength: 16 });
    expect(doc.characters).toBeGreaterThan(700);
    // A text the model did not learn scores far worse.
    const shuffled = await textFile(file(), 'hgf.txt', 'hgfedcba'.repeat(50));
    expect(JSON.parse(ok(await lstm(['eval', '-m', m.model, shuffled, '--json']))).nats).toBeGreaterThan(1);
  });

  it('also reads the text as streams with the state carried: every character once, in streams of at least 20 windows', async () => {
    const doc = await latestOnAbc();
    expect(doc.stream).toMatchObject({ streams: 2 }); // 49 windows of 16: two streams of at least 20
    const chars = Array.from(await readFile(m.abcFile, 'utf8')).length;
    expect(doc.stream.characters).toBe(chars - 1); // every character after the first, the last partial window too
    expect(doc.characters).toBe(Math.floor((chars - 1) / 16) * 16); // cold: whole 16-character windows
    expect(doc.stream.nats).toBeLessThan(0.1);
    expect(doc.stream.bitsPerChar).toBeCloseTo(doc.stream.nats / Math.LN2, 10);
    const same = await textFile(file(), 'aaaa.txt', 'a'.repeat(3000));
    const flat = JSON.parse(ok(await lstm(['eval', '-m', m.model, same, '--json'])));
    expect(flat.stream.streams).toBe(8); // 187 windows of 16: 9 streams of 20 would fit, at most the model's batch size (8), as its validation read
    const one = JSON.parse(ok(await lstm(['eval', '-m', m.model, same, '--batch-size', '1', '--json'])));
    expect(one.stream.streams).toBe(1);
    expect(one.nats).toBeCloseTo(flat.nats, 5); // the cold windows do not depend on how many are scored at once
    expect([flat.stream.characters, flat.characters]).toEqual([2999, 187 * 16]);
    const text = ok(await lstm(['eval', '-m', m.model, m.abcFile]));
    expect(text).toMatch(/bits per character \(.*\) read as 2 streams with the state carried/);
    expect(text).toMatch(/as independent 16-character windows/);
  });
});

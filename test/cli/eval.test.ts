/** `lstm eval`: a model's loss on a text, on the tiny model that has memorised 'abcdefgh' repeated. */
import { describe, expect, it } from 'vitest';
import { lstm, ok } from '../helpers/cli.js';
import { abcModel, textFile } from '../helpers/tiny.js';

const m = abcModel('eval');

describe('lstm eval', () => {
  it('eval on the memorised text gives a low loss, and --json parses', async () => {
    const r = await lstm(['eval', '-m', m.model, '--checkpoint', 'latest', m.abcFile, '--json']);
    const doc = JSON.parse(ok(r));
    expect(doc.nats).toBeLessThan(0.1);
    expect(doc.bitsPerChar).toBeCloseTo(doc.nats / Math.LN2, 10);
    expect(doc.perplexity).toBeCloseTo(Math.exp(doc.nats), 10);
    expect(doc).toMatchObject({ corpus: m.abcFile, skipped: 0, seqLength: 16 });
    expect(doc.characters).toBeGreaterThan(700);
    // A text the model did not learn scores far worse.
    const shuffled = await textFile(m.dir, 'hgf.txt', 'hgfedcba'.repeat(50));
    expect(JSON.parse(ok(await lstm(['eval', '-m', m.model, shuffled, '--json']))).nats).toBeGreaterThan(1);
  });

  it('--checkpoint banana is a usage error (exit 2)', async () => {
    const r = await lstm(['eval', '-m', m.model, '--checkpoint', 'banana', m.abcFile]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("--checkpoint must be best, latest, an epoch number or epoch-NNNN[-batch-NNNNN], got 'banana'");
  });
});

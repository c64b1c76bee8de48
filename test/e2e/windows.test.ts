/** `lstm windows`: the train/validation split, windows and batches a run would use. */
import { describe, it } from 'vitest';
import { expectCleanError, lstm } from '../helpers/cli.js';
import { textFiles, thousand } from '../helpers/files.js';

const file = textFiles('windows');

describe.concurrent('lstm windows', () => {
  it('prints the split, windows and batches as JSON', async ({ expect }) => {
    const r = await lstm([
      'windows',
      '--json',
      '--seq-length',
      '20',
      '--batch-size',
      '8',
      '--random-seed',
      '7',
      file('thousand.txt'),
    ]);
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
      stateful: false,
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

  it('--stateful: 8 contiguous streams of floor(44 / 8) = 5 windows', async ({ expect }) => {
    const r = await lstm([
      'windows',
      '--json',
      '--seq-length',
      '20',
      '--batch-size',
      '8',
      '--random-seed',
      '7',
      '--stateful',
      file('thousand.txt'),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ windowsPerEpoch: 40, batchesPerEpoch: 5, stateful: true });
    const text = await lstm(['windows', '--seq-length', '20', '--batch-size', '8', '--stateful', file('thousand.txt')]);
    expect(text.stdout).toContain('batches:    5 batches of 8 windows per epoch');
    expect(text.stdout).toContain('8 contiguous streams of 100 characters');
    // One of each: the singular (plurals have one home, figures.ts).
    const one = await lstm(['windows', '--seq-length', '20', '--batch-size', '40', '--stateful', file('thousand.txt')]);
    expect(one.stdout).toContain('batches:    1 batch of 40 windows per epoch');
  });

  it('repeats its examples for the same --random-seed', async ({ expect }) => {
    const args = ['windows', '--json', '--seq-length', '20', '--random-seed', '11', file('thousand.txt')];
    const [a, b] = await Promise.all([lstm(args), lstm(args)]);
    expect(JSON.parse(a.stdout).examples).toEqual(JSON.parse(b.stdout).examples);
  });

  it('holds nothing out with --val-fraction 0', async ({ expect }) => {
    const r = await lstm(['windows', '--json', '--val-fraction', '0', '--seq-length', '20', file('thousand.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      train: { characters: 1000 },
      validation: { characters: 0, windows: 0 },
    });
  });

  it('reads stdin with - and describes the split in text', async ({ expect }) => {
    const r = await lstm(['windows', '--seq-length', '20', '--examples', '1', '-'], { stdin: thousand });
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^stdin: 1,000 characters, vocabulary of \d+\n/);
    expect(out).toContain('training:   characters 0..900 (900, 90.0%)');
    expect(out).toContain('validation: characters 900..1000 (100, 10.0%), 4 windows');
    expect(out).toMatch(/window at \d+:\n {2}input {2}.*\n {2}target .*\n/);
  });

  it('refuses a text too short for the windows', async ({ expect }) => {
    const r = await lstm(['windows', file('short.txt')]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain('too short');
  });

  it('windows --help shows the defaults from config', async ({ expect }) => {
    const r = await lstm(['windows', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--seq-length <n>[\s\S]*\(default: 50\)/);
  });
});

/**
 * The bundled Macbeth model (models/macbeth/): it is what `lstm generate` uses with no
 * --model, so it must load, verify and sample deterministically on a fresh install.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/store/atomic.js';
import { readCorpus } from '../../src/text/corpus.js';
import { Vocab } from '../../src/text/vocab.js';
import { split } from '../../src/text/windows.js';
import { checkpointSpecs, layersWeightSpecs, netConfig, sizeOf } from '../../src/layout.js';
import { readCheckpoint, resolveCheckpoint } from '../../src/store/read.js';
import { lstm, repoRoot } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'models', 'macbeth');
const manifest = JSON.parse(readFileSync(path.join(dir, 'lstm.json'), 'utf8'));

/** The play text the model was trained on, where this machine has it (it is not committed). */
const macbeth = [process.env.LSTM_CORPORA, path.join(repoRoot, '..', 'shared', 'corpora'), '/work/shared/corpora']
  .filter((d): d is string => Boolean(d))
  .map((d) => path.join(d, 'macbeth.txt'))
  .find((f) => existsSync(f) && sha256(readFileSync(f)) === manifest.corpus.sha256);

describe('the bundled Macbeth model', () => {
  it('is a single exported checkpoint whose files match their sizes and hashes', async () => {
    expect(existsSync(path.join(dir, 'lstm.json'))).toBe(true);
    expect(await resolveCheckpoint(dir)).toBe(dir);
    const ckpt = await readCheckpoint(dir, checkpointSpecs); // verifies sizes, sha256, weight paths and shapes
    expect(Object.keys(ckpt.manifest.files).sort()).toEqual(['model.json', 'weights.bin']); // no optimizer state
    expect(ckpt.manifest.optimizer).toBeNull();
  });

  it('has the default network over the case-kept Macbeth vocabulary, and records how it was made', async () => {
    const m = (await readCheckpoint(dir, checkpointSpecs)).manifest;
    expect(m.network).toEqual({ layers: 2, units: 300, dropout: m.network.dropout, vocabSize: 72 });
    expect(m.vocab).toHaveLength(72);
    expect(m.vocab).toContain('M');
    expect(m.vocab).toContain('m');
    expect(m.vocab).toContain('\n');
    expect(m.hyperparameters.seqLength).toBe(50);
    expect(m.hyperparameters.lowercase).toBe(false);
    expect(m.corpus.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.command).toMatch(/^lstm train /);
    expect(m.progress.bestEpoch).toBeGreaterThan(0);
    const ckpt = await readCheckpoint(dir, checkpointSpecs);
    const specs = layersWeightSpecs(netConfig(m.network));
    expect([...ckpt.weights].map(([name, w]) => [name, w.length])).toEqual(specs.map((s) => [s.name, sizeOf(s.shape)]));
  });

  /** Runs `use` with a temp dir holding tail.txt, the held-out tail of Macbeth the model was validated on. */
  async function withTail(use: (tmp: string, tail: string) => Promise<void>): Promise<void> {
    const h = manifest.hyperparameters;
    const corpus = readCorpus(readFileSync(macbeth!), 'macbeth.txt', { lowercase: h.lowercase });
    const chars = Array.from(corpus.text);
    const { trainEnd } = split(new Vocab(manifest.vocab).encode(corpus.text), { seqLength: h.seqLength, valFraction: h.valFraction });
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'lstm-macbeth-'));
    try {
      const tail = path.join(tmp, 'tail.txt');
      await writeFile(tail, chars.slice(trainEnd).join(''));
      await use(tmp, tail);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const skipped = macbeth ? '' : ' (skipped: macbeth.txt with the recorded sha256 not found)';

  // Skipped (and says so) where the training text is absent: set LSTM_CORPORA to its folder.
  it.skipIf(!macbeth)(`scores its held-out tail of Macbeth as recorded, at most 2.35 bits per character, by evaluating it${skipped}`, async () => {
    await withTail(async (_tmp, tail) => {
      const r = await lstm(['eval', tail, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const e = JSON.parse(r.stdout);
      expect(e.skipped).toBe(0);
      expect(e.characters).toBeGreaterThan(10_000);
      expect(e.bitsPerChar).toBeLessThanOrEqual(2.35);
      // The figure lstm.json and the README quote is what evaluation gives.
      expect(Math.abs(e.nats - manifest.progress.bestValLoss)).toBeLessThan(1e-4);
    });
  });

  // The measure that allows float16 in a shipped model: under 0.005 bits per character lost.
  it.skipIf(!macbeth)(`exported with --float16, it is half the size and scores the tail within 0.005 bits per character of the recorded figure${skipped}`, async () => {
    await withTail(async (tmp, tail) => {
      const half = path.join(tmp, 'half');
      expect((await lstm(['export', '-m', dir, '--out', half, '--float16'])).code).toBe(0);
      expect(statSync(path.join(half, 'weights.bin')).size * 2).toBe(statSync(path.join(dir, 'weights.bin')).size);
      const r = await lstm(['eval', tail, '-m', half, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const e = JSON.parse(r.stdout);
      expect(Math.abs(e.bitsPerChar - manifest.progress.bestValLoss / Math.LN2)).toBeLessThan(0.005);
    });
  });

  it('is what `lstm generate` uses without --model, and a seeded sample repeats exactly', async () => {
    const args = ['generate', '--seed', 'MACBETH.\n', '--length', '200', '--random-seed', '7', '--temperature', '0.8'];
    const first = await lstm(args);
    const second = await lstm([...args, '--model', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect([...first.stdout]).toHaveLength(200);
    expect(second.stdout).toBe(first.stdout);
    const other = await lstm([...args.slice(0, -3), '--random-seed', '8']);
    expect(other.stdout).not.toBe(first.stdout);
  });

  it('writes words: argmax from a speaker name continues with letters and spaces', async () => {
    const r = await lstm(['generate', '--seed', 'LADY MACBETH.\n', '--argmax', '--length', '120']);
    expect(r.code).toBe(0);
    const letters = r.stdout.replace(/[^A-Za-z]/g, '').length;
    expect(letters / r.stdout.length).toBeGreaterThan(0.6);
    expect(r.stdout).toMatch(/ [a-z]+ /); // at least one lowercase word between spaces
  });

  it('works with info and eval', async () => {
    const info = await lstm(['info', '--json']);
    expect(info.code).toBe(0);
    const doc = JSON.parse(info.stdout);
    expect(doc.history.length).toBe(doc.epochs);
    const text = 'MACBETH.\nI have done the deed. Didst thou not hear a noise?\n\nLADY MACBETH.\nI heard the owl scream and the crickets cry.\n';
    const evaluated = await lstm(['eval', '-', '--json'], { stdin: text.repeat(3) });
    expect(evaluated.code).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    expect(e.skipped).toBe(0);
    expect(e.bitsPerChar).toBeLessThan(3.5); // far below the 6.2 bits of a uniform guess over 72 characters
  });
});

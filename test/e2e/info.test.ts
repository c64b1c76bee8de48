/** `lstm info`: what a bundle records, as JSON and as a summary with a loss chart. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, useBundles } from '../helpers/bundles.js';
import { lstm, ok } from '../helpers/cli.js';
import { ABC_EPOCHS } from '../helpers/tiny.js';

const { abc } = useBundles('abc');
const m = { model: abc.model };
const file = tempDir('info');

describe('lstm info', () => {
  it('info --json parses, with one history entry per epoch', async () => {
    const doc = JSON.parse(ok(await lstm(['info', '-m', m.model, '--checkpoint', 'latest', '--json'])));
    expect(doc.epochs).toBe(ABC_EPOCHS);
    expect(doc.history).toHaveLength(doc.epochs);
    expect(doc.history.map((e: { epoch: number }) => e.epoch)).toEqual(
      Array.from({ length: ABC_EPOCHS }, (_, i) => i + 1),
    );
    expect(doc.vocab).toEqual([...'abcdefgh']);
    expect(doc.hyperparameters.workers).toBe(1);
    expect(doc.architecture).toMatchObject({
      layers: 1,
      units: 16,
      vocabSize: 8,
      parameters: 4 * 16 * 25 + 16 * 8 + 8,
    });
    expect(doc.weights).toEqual({ dtype: 'float32', bytes: 4 * doc.architecture.parameters });
    const best = JSON.parse(ok(await lstm(['info', '-m', m.model, '--json'])));
    expect(best.history).toHaveLength(best.bestEpoch);
  });

  it('--checkpoint takes an epoch number or a checkpoint directory name', async () => {
    expect(
      JSON.parse(ok(await lstm(['info', '-m', m.model, '--checkpoint', String(ABC_EPOCHS), '--json']))).epochs,
    ).toBe(ABC_EPOCHS);
    const name = `epoch-${String(ABC_EPOCHS).padStart(4, '0')}`;
    expect(JSON.parse(ok(await lstm(['info', '-m', m.model, '--checkpoint', name, '--json']))).path).toBe(
      `${m.model}/${name}`,
    );
  });

  it('info shows a loss chart', async () => {
    const out = ok(await lstm(['info', '-m', m.model, '--checkpoint', 'latest']));
    expect(out).toContain('network:     1 x LSTM(16)');
    expect(out).toMatch(/^weights: {5}float32, [\d,]+ bytes$/m); // a training checkpoint's weights are float32
    // Same seed and backend give the same weights only with the same --workers: info says how many.
    expect(out).toMatch(/^progress: {4}\d+ epochs, .* on \w+ with 1 worker$/m);
    expect(out).toMatch(/│.*t/); // train marks in the plot area
    expect(out).toMatch(/└─{30}/); // one column per epoch
    expect(out).toMatch(new RegExp(`epoch 1\\s+${ABC_EPOCHS}`));
    expect(out).toContain('t train   v validation   (bpc)');
  });

  it('says how a run read its text and validation, on one best line with both readings', async () => {
    const out = ok(await lstm(['info', '-m', m.model]));
    expect(out).toMatch(
      /^training: {4}shuffled 16-character windows from a zero state; seq-length 16, batch 16, lr 0\.01, halved after 2 epochs without improvement \((not yet|once|\d+ times)\)/m,
    );
    const best = out.split('\n').filter((l) => l.startsWith('best:'));
    expect(best).toHaveLength(1);
    expect(best[0]).toMatch(
      /^best: {8}\d\.\d{3} bits per character \(validation read as streams\) at epoch \d+; \d\.\d{3} as independent 16-character windows; train \d\.\d{3}$/,
    );
  });
});

describe("lstm info in the user's terms", () => {
  it("reads a bundle written before the user's form: the corpus by file name, the command without this machine's options, notes as sentences (--json: the records as they are)", async () => {
    // lstm.json as an older lstm wrote it (like models/macbeth): the path as typed, the exact line, notes added by export --note.
    const old = file('older');
    await cp(path.join(m.model, 'latest'), old, { recursive: true, dereference: true });
    const manifest = path.join(old, 'lstm.json');
    const doc = JSON.parse(await readFile(manifest, 'utf8'));
    const line = 'lstm train ../shared/corpora/abc.txt --out /tmp/runs/ship --workers 2 --units 16 --dropout 0.5';
    const notes = {
      trainedWith: 'wasm, 2 workers, 27m47s wall',
      reason: 'dropout 0.5 (beyond the default 0.2) to reach <= 2.35 bpc; the defaults reached 2.398',
    };
    doc.corpus.name = '../shared/corpora/abc.txt';
    delete doc.corpus.files;
    delete doc.invocation;
    Object.assign(doc, { command: line, notes });
    await writeFile(manifest, JSON.stringify(doc));

    const out = ok(await lstm(['info', '-m', old]));
    expect(out).toMatch(/^corpus: {6}abc\.txt, 800 characters, sha256 [0-9a-f]{12}…$/m);
    expect(out).toContain(
      [
        'notes:       Trained with wasm, 2 workers, 27m47s wall.',
        '             Reason: dropout 0.5 (beyond the default 0.2) to reach <= 2.35 bpc; the defaults reached 2.398.',
        'command:     lstm train abc.txt --units 16 --dropout 0.5',
      ].join('\n'),
    );
    expect(out).not.toContain('/tmp/runs/ship');
    expect(out).not.toContain('{');

    const json = JSON.parse(ok(await lstm(['info', '-m', old, '--json'])));
    expect(json.notes).toEqual(notes);
    expect(json.command).toBe('lstm train abc.txt --units 16 --dropout 0.5');
    expect(json.invocation).toBe(line);
  });
});

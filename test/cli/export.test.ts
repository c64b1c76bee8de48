/** `lstm export`: a checkpoint as a standalone model, and never over something that is not a model. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../src/layout.js';
import { readCheckpoint } from '../../src/store/read.js';
import { lstm } from '../helpers/cli.js';
import { assertBuilt, makeTempDir, removeDir, sentence, snapshot, textFile, trainTiny } from '../helpers/tiny.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir('export');
  bundle = path.join(dir, 'for-export');
  await trainTiny(await textFile(dir, 'sentence.txt', sentence), bundle, ['--epochs', '1']);
});
afterAll(() => removeDir(dir));

describe('lstm export', () => {
  it('refuses to write over a directory that is not a model, and leaves it alone', async () => {
    const precious = path.join(dir, 'precious');
    await mkdir(precious);
    await writeFile(path.join(precious, 'notes.txt'), 'keep me');
    const before = await snapshot(precious);
    for (const force of [[], ['--force']]) {
      const r = await lstm(['export', '-m', bundle, '--out', precious, ...force]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/exists and is not a model/);
    }
    expect(await snapshot(precious)).toEqual(before);
  });

  it('writes a model without optimizer state, and replaces a model only with --force', async () => {
    const out = path.join(dir, 'exported');
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(0);
    const files = Object.keys((await readCheckpoint(out, checkpointSpecs)).manifest.files).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(2);
    expect((await lstm(['export', '-m', bundle, '--out', out, '--force', '--note', 'how=test'])).code).toBe(0);
    expect((await readCheckpoint(out, checkpointSpecs)).manifest.notes).toEqual({ how: 'test' });
  });

  it('--checkpoint banana is a usage error (exit 2) and writes nothing', async () => {
    const out = path.join(dir, 'banana-export');
    const r = await lstm(['export', '-m', bundle, '--out', out, '--checkpoint', 'banana']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--checkpoint must be best, latest, an epoch number or epoch-NNNN[-batch-NNNNN], got 'banana'");
    expect(existsSync(out)).toBe(false);
  });
});

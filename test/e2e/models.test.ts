/** `lstm models`: the models at hand, one line each or as JSON. */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, lstm, ok, repoRoot } from '../helpers/cli.js';
import { makeTempDir, removeDir } from '../helpers/tiny.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('models');
  // A user's model under ./models, and a damaged one beside it.
  await cp(path.join(repoRoot, 'bundled', 'macbeth'), path.join(dir, 'models', 'mine'), { recursive: true });
  await mkdir(path.join(dir, 'models', 'broken'), { recursive: true });
  await writeFile(path.join(dir, 'models', 'broken', 'lstm.json'), '{ not json');
  await writeFile(path.join(dir, 'models', 'broken', 'model.json'), '{}');
  await mkdir(path.join(dir, 'models', 'notes'));
});
afterAll(() => removeDir(dir));

describe('lstm models', () => {
  it('lists the bundled models by the name commands take from anywhere, then those under ./models, one line each with their figures', async () => {
    const out = ok(await lstm(['models'], { cwd: dir })).split('\n');
    expect(out[0]).toMatch(/^MODEL +TEXT +HELD-OUT BITS\/CHAR +VOCAB +SIZE +SAVED \(UTC\)$/);
    expect(out[1]).toMatch(/^bundled\/macbeth +macbeth\.txt +1\.908 \(streams\) +76 +2\.4 MB +2026-12-02 \d\d:\d\d$/);
    expect(out[2]).toMatch(/^bundled\/shakespeare +tinyshakespeare\.txt +2\.027 \(streams\) +65 +2\.4 MB/);
    expect(out[3]).toMatch(/^models\/broken +cannot be read: .*lstm\.json: not valid JSON/);
    expect(out[4]).toMatch(/^models\/mine +macbeth\.txt +1\.908 \(streams\) +76 +2\.4 MB/);
    expect(out).toHaveLength(6); // and the final newline: ./models/notes holds no model
  });

  it('--json gives the same models with every figure', async () => {
    const list = JSON.parse(ok(await lstm(['models', '--json'], { cwd: dir })));
    expect(list.map((m: { name: string }) => m.name)).toEqual([
      'bundled/macbeth',
      'bundled/shakespeare',
      'models/broken',
      'models/mine',
    ]);
    expect(list[0]).toMatchObject({ bundled: true, corpus: 'macbeth.txt', reading: 'streams', vocabSize: 76 });
    expect(list[0].bitsPerChar).toBeCloseTo(1.908, 3);
    expect(list[0].network).toEqual({ layers: 2, units: 300 });
    expect(list[0].base).toBe('bundled/shakespeare'); // its lineage, as recorded when it was trained
    expect(list[2].problem).toMatch(/not valid JSON/);
  });

  it('a bundled model by that name is found from any directory, for --model and --from; a directory of that name here comes first', async () => {
    const info = JSON.parse(ok(await lstm(['info', '-m', 'bundled/shakespeare', '--json'], { cwd: dir })));
    expect(info.path).toBe(path.join(repoRoot, 'bundled', 'shakespeare'));
    expect(info.corpus.name).toBe('tinyshakespeare.txt');
    // --from reads it as the base: refused here only because the network flag does not fit it.
    await writeFile(path.join(dir, 'tiny.txt'), 'To be, or not to be.\n'.repeat(200));
    const from = await lstm(['train', 'tiny.txt', '--from', 'bundled/shakespeare', '--layers', '1'], { cwd: dir });
    expectCleanError(expect, from, 2);
    expect(from.stderr).toContain('--layers must be 2 to fine-tune bundled/shakespeare (its network is 2x300), got 1');
    ok(await lstm(['export', '-m', 'bundled/shakespeare', '--out', 'exported'], { cwd: dir }));
    expect(JSON.parse(ok(await lstm(['info', '-m', 'exported', '--json'], { cwd: dir }))).corpus.name).toBe(
      'tinyshakespeare.txt',
    );
    // lstm models takes the name too, and lists the model once.
    const named = ok(await lstm(['models', 'bundled/macbeth'], { cwd: dir })).split('\n');
    expect(named.filter((l) => l.startsWith('bundled/macbeth '))).toHaveLength(1);
    // A directory of the name where lstm runs is that directory, not the bundled model.
    await mkdir(path.join(dir, 'bundled', 'shakespeare'), { recursive: true });
    const shadowed = await lstm(['info', '-m', 'bundled/shakespeare'], { cwd: dir });
    expectCleanError(expect, shadowed, 1);
    expect(shadowed.stderr).toContain('bundled/shakespeare has no checkpoint');
  });

  it('takes directories: a model itself, or a directory of models; says when there are none of your own', async () => {
    const one = ok(await lstm(['models', path.join(dir, 'models', 'mine')]));
    expect(one).toContain(path.join(dir, 'models', 'mine'));
    const r = await lstm(['models'], { cwd: path.join(dir, 'models', 'notes') });
    expect(r.stderr).toContain('no models of your own yet: lstm train <text> saves one under ./models');
    const none = await lstm(['models', path.join(dir, 'models', 'notes')]);
    expectCleanError(expect, none, 1);
    expect(none.stderr).toContain(`${path.join(dir, 'models', 'notes')} holds no model`);
  });
});

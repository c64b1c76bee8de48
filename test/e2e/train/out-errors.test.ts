/** Where a run cannot write, or has nothing to train on, it fails at once and leaves nothing behind. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, lstm } from '../../helpers/cli.js';
import { makeTempDir, removeDir, textFile, words } from '../../helpers/tiny.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('out-errors');
});
afterAll(() => removeDir(dir));

describe('lstm train: failures before the first checkpoint', () => {
  it('a text too short to train on is refused first (before a start is chosen), leaving no empty --out directory (nor its missing parents)', async () => {
    const tiny = await textFile(dir, 'tiny.txt', 'too short to train on\n');
    const out = path.join(dir, 'runs', 'x');
    const r = await lstm(['train', tiny, '--out', out]);
    expectCleanError(expect, r, 1); // its first line is the error: no line about a bundled base or a recipe before it
    expect(r.stderr).toContain('too short for one 50-character training window');
    expect(existsSync(path.join(dir, 'runs'))).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self'))(
    'an --out on a pseudo-filesystem fails within 2 seconds, naming it',
    async () => {
      const text = await textFile(dir, 'words.txt', words);
      const started = performance.now();
      const r = await lstm(['-q', 'train', text, '--out', '/proc/lstm-test/m', '--epochs', '1']);
      expect(performance.now() - started).toBeLessThan(2000 + 1500); // the process's own start-up besides
      expectCleanError(expect, r, 1);
      expect(r.stderr).toContain(
        'cannot write checkpoints to /proc/lstm-test/m: this file system takes no new directories (a system one such as /proc?)',
      );
    },
  );
});

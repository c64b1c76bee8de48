/**
 * What `npm install lstm` brings: the files package.json lists, the bundled model among
 * them, under 15 MB unpacked (a float16 export halves a shipped model's weights).
 */
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from '../helpers/cli.js';
import { assertBuilt } from '../helpers/tiny.js';

type PackEntry = { unpackedSize: number; files: { path: string; size: number }[] };

describe('the npm package', () => {
  // --ignore-scripts: packs dist/ as built (npm test builds it first) rather than building it again.
  it('npm pack --dry-run: under 15 MB unpacked, with the built CLI and the bundled model', async () => {
    assertBuilt();
    const r = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot });
    expect(r.code, r.stderr).toBe(0);
    const [pack] = JSON.parse(r.stdout) as PackEntry[];
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain('bin/lstm.js');
    expect(paths).toContain('dist/src/cli/main.js');
    expect(paths).toEqual(
      expect.arrayContaining([
        'bundled/macbeth/lstm.json',
        'bundled/macbeth/model.json',
        'bundled/macbeth/weights.bin',
      ]),
    );
    expect(pack.unpackedSize).toBeLessThan(15_000_000);
  });
});

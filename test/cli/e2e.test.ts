/**
 * `lstm --help`, `lstm help` and `--version`: what is left of the old end-to-end file once
 * its tests moved to one file per command or concern (vocab, windows, errors, colour,
 * pipes, backends). These belong with test/cli/help.test.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'vitest';
import { lstm, repoRoot } from '../helpers/cli.js';

describe.concurrent('help and version', () => {
  it.for([['--help'], ['help']])('%s exits 0 and lists the commands', async ([flag], { expect }) => {
    const r = await lstm([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: lstm');
    for (const command of ['vocab', 'windows', 'backends']) expect(r.stdout).toContain(command);
  });

  it.for([['--version'], ['-V']])('%s prints the package version', async ([flag], { expect }) => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
    const r = await lstm([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });
});

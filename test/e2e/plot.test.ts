/** `lstm info --plot`: the training curves of a real tiny bundle written as an SVG file, or refused cleanly. */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useBundles } from '../helpers/bundles.js';
import { expectCleanError, lstm, ok } from '../helpers/cli.js';
import { ABC_EPOCHS } from '../helpers/tiny.js';

const { abc } = useBundles('abc');
const model = abc.model;
const file = tempDir('plot');
let dir: string;
beforeAll(() => {
  dir = file();
});

describe('lstm info --plot', () => {
  it('writes the SVG (replacing a file there), says where on stderr, and prints the summary as without --plot', async () => {
    const file = path.join(dir, 'curves.svg');
    await writeFile(file, 'an older picture');
    const r = await lstm(['info', '-m', model, '--checkpoint', 'latest', '--plot', file]);
    expect(ok(r)).toBe(ok(await lstm(['info', '-m', model, '--checkpoint', 'latest'])));
    expect(r.stderr).toBe(`wrote the training curves to ${file}\n`);
    const svg = await readFile(file, 'utf8');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
    expect(svg).toContain('<title>abc-model, trained on abc.txt</title>');
    const train = /<polyline class="curve train" points="([^"]*)"/.exec(svg)![1].split(' ');
    expect(train).toHaveLength(ABC_EPOCHS);
    expect(svg).toMatch(/class="curve validation"/);
    expect(svg).toMatch(/>best: epoch \d+, \d\.\d{3} bpc<\/text>/);
    expect((await readdir(dir)).filter((name) => name.startsWith('.tmp-'))).toEqual([]); // the temporary file was renamed
  });

  it('--json --plot: the same JSON on stdout, the SVG beside it', async () => {
    const file = path.join(dir, 'json.svg');
    const r = await lstm(['info', '-m', model, '--json', '--plot', file]);
    expect(JSON.parse(ok(r))).toEqual(JSON.parse(ok(await lstm(['info', '-m', model, '--json']))));
    expect(existsSync(file)).toBe(true);
  });

  it.each<[string, (d: string) => Promise<string>, RegExp]>([
    [
      'a missing directory',
      async (d) => path.join(d, 'no-such-dir', 'x.svg'),
      /^error: cannot write .*no-such-dir\/x\.svg: the directory .*no-such-dir does not exist$/m,
    ],
    [
      'a directory in the way',
      async (d) => {
        await mkdir(path.join(d, 'taken.svg'), { recursive: true });
        return path.join(d, 'taken.svg');
      },
      /^error: cannot write .*taken\.svg: it is a directory$/m,
    ],
  ])('%s: one error line, exit 1, nothing on stdout', async (_name, target, message) => {
    const r = await lstm(['info', '-m', model, '--plot', await target(dir)]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('.tmp-');
  });

  it('a checkpoint without finished epochs: says so, exit 1, writes nothing', async () => {
    const empty = path.join(dir, 'no-epochs');
    await cp(path.join(model, 'latest'), empty, { recursive: true, dereference: true });
    const manifest = path.join(empty, 'lstm.json');
    await writeFile(manifest, JSON.stringify({ ...JSON.parse(await readFile(manifest, 'utf8')), history: [] }));
    const file = path.join(dir, 'none.svg');
    const r = await lstm(['info', '-m', empty, '--plot', file]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toContain(`error: --plot needs at least one finished epoch, ${empty} records none`);
    expect(existsSync(file)).toBe(false);
  });
});

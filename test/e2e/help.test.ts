/** `lstm --help` lists every command, and each command's help works: one row per command. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lstm, repoRoot } from '../helpers/cli.js';

const COMMANDS: [name: string, says: string][] = [
  ['vocab', 'vocabulary'],
  ['windows', 'training windows'],
  ['train', 'train a character-level LSTM'],
  ['generate', 'generate text from a seed'],
  ['eval', 'cross-entropy'],
  ['inspect', 'how surprised the model is'],
  ['info', 'show a model'],
  ['export', 'write one checkpoint'],
  ['web', 'a local page that runs the model'],
  ['backends', 'backends'],
  ['models', 'list the models at hand'],
  ['completion', 'shell completion script'],
];

describe('lstm --help', () => {
  it('lists exactly these commands (and help), each with its description', async () => {
    const r = await lstm(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const section = r.stdout.slice(r.stdout.indexOf('Commands:'));
    const listed = [...section.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...COMMANDS.map(([name]) => name), 'help'].sort());
    for (const [name, says] of COMMANDS) {
      const line = section.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toContain(says);
    }
  });

  it.concurrent.each(COMMANDS)('lstm %s --help exits 0 with its usage on stdout', async (name) => {
    const r = await lstm([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: lstm ${name}`));
    expect(r.stderr).toBe('');
  });

  it('bare `lstm help` is the same as `lstm --help`, exit 0', async () => {
    const [a, b] = await Promise.all([lstm(['help']), lstm(['--help'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
    const r = await lstm([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });

  it('lstm help <command> is the same as <command> --help', async () => {
    const [a, b] = await Promise.all([lstm(['help', 'generate']), lstm(['generate', '--help'])]);
    expect(a.stdout).toBe(b.stdout);
  });

  it('an unknown command is a usage error (exit 2) that suggests help', async () => {
    const r = await lstm(['trian']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'trian'");
  });
});

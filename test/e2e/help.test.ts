/** `lstm --help` lists every command, and each command's help works: one row per command. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults } from '../../src/config.js';
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
  let topRun: ReturnType<typeof lstm> | undefined;
  /** `lstm --help`, run once. */
  const topHelp = () => (topRun ??= lstm(['--help']));

  it('lists exactly these commands (and help), each with its description', async () => {
    const r = await topHelp();
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

  /** `lstm <name> --help`, run once for all the tests that read it. */
  const runs = new Map<string, ReturnType<typeof lstm>>();
  const helpRun = (name: string) => {
    if (!runs.has(name)) runs.set(name, lstm([name, '--help']));
    return runs.get(name)!;
  };
  const help = async (name: string) => (await helpRun(name)).stdout;

  it.concurrent.each(COMMANDS)('lstm %s --help exits 0 with its usage on stdout', async (name) => {
    const r = await helpRun(name);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: lstm ${name}`));
    expect(r.stderr).toBe('');
    // Wrapped to a terminal's 80 columns, as piped help is (commander stops wrapping when a
    // term leaves the descriptions under 40 columns).
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  /** The option entries of a help text: the term and its description (wrapped lines joined). */
  const entries = (text: string) => {
    const body = text.split('\nExamples:\n')[0];
    const found: { term: string; description: string }[] = [];
    for (const line of body.split('\n')) {
      const entry = /^ {2}(-\S.*?)(?: {2,}(.*))?$/.exec(line);
      if (entry) found.push({ term: entry[1], description: entry[2] ?? '' });
      else if (/^ {8,}\S/.test(line) && found.length) found.at(-1)!.description += ` ${line.trim()}`;
    }
    return found;
  };

  it('lstm train --help groups its options by concern, in the order a reader needs them', async () => {
    const text = await help('train');
    const headings = [...text.matchAll(/^(\S[^:\n]*):$/gm)].map((m) => m[1]);
    expect(headings).toEqual(
      ['Usage', 'Arguments', 'Data', 'Network', 'Optimisation', 'Run control', 'Output', 'Examples'].filter(
        (h) => h !== 'Usage',
      ),
    );
    const under = (heading: string) => text.slice(text.indexOf(`${heading}:\n`)).split('\n\n')[0];
    expect(under('Network')).toContain('--units <n>');
    expect(under('Optimisation')).toContain('--lr <rate>');
    expect(under('Run control')).toContain('--resume <dir>');
    expect(under('Output')).toContain('--json');
  });

  it.concurrent.each(COMMANDS)(
    'lstm %s --help shows each default once, as it applies, and no --no- form alone',
    async (name) => {
      for (const { term, description } of entries(await help(name))) {
        expect(description.match(/\(default: /g)?.length ?? 0, term).toBeLessThanOrEqual(1);
        expect(description, term).not.toMatch(/\(default: (false|true|\{)/); // a boolean's or an object's
        const no = /^--no-(\S+)/.exec(term);
        if (no)
          expect(
            entries(await help(name)).some((e) => e.term === `--${no[1]}`),
            term,
          ).toBe(false);
      }
    },
  );

  it('shows the defaults fitted to a small text, read from where they live, and --stateful with --no-stateful as one entry, --[no-]stateful', async () => {
    const all = entries(await help('train'));
    const of = (term: string) => all.find((e) => e.term.startsWith(term))!.description;
    const small = defaults.smallText;
    expect(of('--batch-size')).toContain(`(default: ${defaults.batchSize}, or ${small.batchSize} for a small text)`);
    expect(of('--dropout')).toContain(`(default: ${defaults.dropout}, or ${small.dropout} for a small text)`);
    expect(of('--lr ')).toContain(`(default: ${defaults.lr}, or ${small.lr} for a small text)`);
    expect(of('--eval-every')).toMatch(new RegExp(`\\(default: ${defaults.evalEvery}\\)$`));
    expect(all.filter((e) => e.term.includes('stateful')).map((e) => e.term)).toEqual(['--[no-]stateful']);
    expect(await help('train')).toContain(`fewer training characters than ${small.charsPerParam} per parameter`);
  });

  it('lstm inspect --help speaks of a text, never a seed', async () => {
    expect(await help('inspect')).not.toMatch(/seed/i);
  });

  it('marks the options lstm export requires', async () => {
    const all = entries(await help('export'));
    for (const term of ['-m, --model <dir>', '--out <dir>'])
      expect(all.find((e) => e.term === term)?.description, term).toMatch(/\(required\)$/);
    expect(all.filter((e) => e.description.includes('(required)'))).toHaveLength(2);
    const r = await lstm(['export', '--out', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("error: required option '-m, --model <dir>' not specified");
  });

  it.concurrent.each(COMMANDS)(
    'lstm %s --help ends with two or three examples, each an lstm command line',
    async (name) => {
      const text = await help(name);
      const examples = text
        .slice(text.indexOf('\nExamples:\n') + 1)
        .split('\n')
        .slice(1)
        .filter(Boolean);
      expect(text).toContain('\nExamples:\n');
      const commands = examples.filter((l) => !l.trimStart().startsWith('#'));
      expect(commands.length).toBeGreaterThanOrEqual(2);
      expect(commands.length).toBeLessThanOrEqual(3);
      expect(examples.length).toBe(2 * commands.length); // each under what it does
      for (const line of commands) expect(line.trim()).toMatch(new RegExp(`(^|\\| )lstm (--\\S+ \\S+ )?${name}\\b`));
    },
  );

  it('bare `lstm help` is the same as `lstm --help`, exit 0', async () => {
    const [a, b] = await Promise.all([lstm(['help']), topHelp()]);
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
    const [a, b] = await Promise.all([lstm(['help', 'generate']), helpRun('generate')]);
    expect(a.stdout).toBe(b.stdout);
  });

  it('an unknown command is a usage error (exit 2) that suggests help', async () => {
    const r = await lstm(['trian']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'trian'");
    // Asked for as a help topic, the same error, not the whole help.
    const topic = await lstm(['--backend', 'wasm', 'help', 'trian']);
    expect(topic.code).toBe(2);
    expect(topic.stdout).toBe('');
    expect(topic.stderr).toBe(r.stderr);
    expect(topic.stderr).toContain('(Did you mean train?)');
  });
});

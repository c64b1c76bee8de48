/**
 * The examples at the end of each command's help, in-process: every one is a command line
 * the real program (buildProgram) accepts as written, its parsers run, with the commands'
 * actions left out (they would read files and load models).
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';

/** A command's whole help as `--help` prints it (the text added after it included). */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  command.outputHelp();
  return text;
}

/** The `lstm ...` part of an example's shell line, split as a shell would (double quotes, no expansion). */
function argsOf(line: string): string[] {
  const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
  const start = words.indexOf('lstm');
  const rest = words.slice(start + 1);
  const end = rest.findIndex((w) => w === '|' || w === '>');
  return end < 0 ? rest : rest.slice(0, end);
}

const program = buildProgram();
const examples = program.commands
  .filter((c) => c.name() !== 'help')
  .flatMap((c) => {
    const text = helpOf(c);
    const lines = text.slice(text.indexOf('\nExamples:\n')).split('\n');
    return lines.filter((l) => /^ {2}\S/.test(l) && !l.trimStart().startsWith('#')).map((l) => [c.name(), l.trim()]);
  });

describe("every command's help examples", () => {
  it('are there: two or three per command', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2 * (program.commands.length - 1));
  });

  it.each(examples)('lstm %s: `%s` parses as written', async (_name, line) => {
    const args = argsOf(line);
    const fresh = buildProgram();
    let ran = '';
    for (const command of fresh.commands) {
      command.configureOutput({ writeErr: () => {}, writeOut: () => {} });
      command.action(() => void (ran = command.name()));
    }
    await fresh.parseAsync(args, { from: 'user' });
    expect(ran).toBe(args.find((a) => fresh.commands.some((c) => c.name() === a)));
  });
});

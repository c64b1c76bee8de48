/**
 * Command lines as a bundle records them: the exact invocation (for reproducing a run on
 * this machine) and the user's form (what `lstm info` shows): corpus paths reduced to file
 * names, and the options that describe this machine or this terminal rather than the
 * model left out, e.g. `lstm train macbeth.txt --dropout 0.5`.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { shellCommand } from '../shell.js';

/**
 * Options about where and how a run happens, not what it makes: the bundle's place
 * (--out, --resume), threads and backend (this machine's), disk (--keep), and what is
 * printed (--json, --no-sample, colour, --quiet). The seed, network, data and stop options
 * stay: they make the model.
 */
export const MACHINE_OPTIONS: ReadonlySet<string> = new Set([
  '--out',
  '--resume',
  '--workers',
  '--backend',
  '--keep',
  '--json',
  '--no-sample',
  '--color',
  '--no-color',
  '--quiet',
  '-q',
]);

/**
 * The words of a command line, as a POSIX shell splits them: single quotes keep everything,
 * double quotes keep all but `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes keeps
 * the next character. The inverse of shellCommand (bundles record lines it wrote).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) i++;
        word += line[i];
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The long and short names of the options of `commands` that take a value (`--out <dir>`). */
export function valueOptions(...commands: Command[]): Set<string> {
  const names = new Set<string>();
  for (const command of commands) {
    for (const o of command.options) {
      if (!o.required && !o.optional) continue;
      if (o.long) names.add(o.long);
      if (o.short) names.add(o.short);
    }
  }
  return names;
}

/**
 * A command as a user would type it: `argv` (the program's name first) without
 * MACHINE_OPTIONS and their values, its command's arguments (corpus paths) reduced to their
 * file names (a directory keeps its trailing slash; `-` stays), quoted for a shell.
 * `takesValue` says which options take a value (valueOptions). Applied to its own output it
 * changes nothing, so bundles that recorded the exact line read the same way.
 */
export function userCommand(argv: readonly string[], takesValue: ReadonlySet<string>): string {
  const out = argv.slice(0, 1);
  let command: string | undefined;
  let positional = false; // after `--`
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    if (!positional && word === '--') {
      positional = true;
      out.push(word);
    } else if (!positional && word.startsWith('-') && word !== '-') {
      const name = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
      const value = !word.includes('=') && takesValue.has(name) && i + 1 < argv.length ? [argv[++i]] : [];
      if (!MACHINE_OPTIONS.has(name)) out.push(word, ...value);
    } else if (command === undefined) {
      command = word;
      out.push(word);
    } else {
      out.push(word === '-' ? word : basename(word) + (word.endsWith('/') ? '/' : ''));
    }
  }
  return shellCommand(out);
}

/**
 * A recorded `lstm train` line in the user's form (userCommand), with the options of the
 * program `cmd` belongs to: what train records and what info and export show.
 */
export function trainCommandInUserForm(line: string, cmd: Command): string {
  const program = cmd.parent ?? cmd;
  const train = program.commands.find((c) => c.name() === 'train');
  return userCommand(shellWords(line), valueOptions(program, ...(train ? [train] : [])));
}

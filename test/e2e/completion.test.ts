/**
 * `lstm completion bash|zsh|fish`: scripts made from the command definitions. bash's is
 * run for real; zsh's and fish's are checked by their shells where those are installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, expectCleanError, lstm, ok } from '../helpers/cli.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;
let dir: string;
const scripts: Record<string, string> = {};
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lstm-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    scripts[shell] = path.join(dir, `lstm.${shell}`);
    await writeFile(scripts[shell], ok(await lstm(['completion', shell])));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What bash completes for the words typed so far (the last one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const typed = words.map((w) => `'${w}'`).join(' ');
  const r = await bash(
    `source ${scripts.bash}; COMP_WORDS=(lstm ${typed}); COMP_CWORD=${words.length}; _lstm_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    { cwd: dir },
  );
  return ok(r).split('\n').filter(Boolean);
}

describe('lstm completion', () => {
  it('bash: commands, each command’s options, an option’s choices, files where a path goes', async () => {
    expect(await complete('ge')).toEqual(['generate']);
    expect(await complete('')).toEqual(
      expect.arrayContaining(['train', 'generate', 'models', 'completion', '--backend']),
    );
    expect(await complete('train', '--lr-')).toEqual(['--lr-decay', '--lr-decay-after', '--lr-plateau']);
    expect(await complete('generate', '--unknown', '')).toEqual(['error', 'skip']);
    expect(await complete('train', '--epochs', '')).toEqual([]); // a number: no file names
    expect(await complete('train', '--out', 'lstm.b')).toEqual(['lstm.bash']);
    expect(await complete('train', 'lstm.f')).toEqual(['lstm.fish']); // the corpus argument
  });

  it('a new option completes as soon as it is declared: the script lists every option --help shows', async () => {
    const help = ok(await lstm(['train', '--help']));
    const declared = [...help.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
    const offered = await complete('train', '--');
    for (const option of new Set(declared)) expect(offered).toContain(option);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses and defines its completion function', () => {
    const r = spawnSync('zsh', [
      '-c',
      `autoload -U compinit; compinit -u; source ${scripts.zsh}; echo $+functions[_lstm]`,
    ]);
    expect(r.stdout.toString().trim().split('\n').pop()).toBe('1');
  });

  it.skipIf(!has('fish'))('fish: completes commands and choices', () => {
    const r = spawnSync('fish', [
      '-c',
      `source ${scripts.fish}; complete -C 'lstm tr'; complete -C 'lstm generate --unknown '`,
    ]);
    expect(
      r.stdout
        .toString()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['train', 'error', 'skip', '']);
  });

  it('an unknown shell is a usage error naming the choices', async () => {
    const r = await lstm(['completion', 'ksh']);
    expectCleanError(expect, r, 2);
    expect(r.stderr).toContain('Allowed choices are bash, zsh, fish');
  });
});

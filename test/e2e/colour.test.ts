/** Colour on stderr: off on pipes and with NO_COLOR or --no-color, on with --color and on a terminal. */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { ANSI, bash, binPath, lstm, shellQuote } from '../helpers/cli.js';
import { textFiles } from '../helpers/files.js';

const file = textFiles('colour');

describe.concurrent('colour', () => {
  const missing = () => ['vocab', file('missing.txt')];

  it.for([
    ['stderr is not a TTY', {}],
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['--no-color', {}, ['--no-color']],
  ] as [string, Record<string, string>, string[]?][])(
    'no ANSI escapes on stderr when %s',
    async ([, env, flags], { expect }) => {
      const r = await lstm([...(flags ?? []), ...missing()], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error:');
      expect(r.stderr).not.toMatch(ANSI);
    },
  );

  it('colours stderr with --color even when it is not a TTY', async ({ expect }) => {
    // The control for the tests above: the error line can be coloured.
    const r = await lstm(['--color', ...missing()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ANSI);
  });

  // On a real terminal (util-linux `script` gives one), colour is on unless NO_COLOR says no.
  // CI=true (as CI sets it) makes chalk's detection answer "no colour": that is chalk's
  // policy for CI logs, so these run as a user's terminal would, without CI variables.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript).for([
    ['a TTY colours errors', {}, true],
    ['NO_COLOR=1 turns colour off on a TTY', { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR does not', { NO_COLOR: '' }, true],
  ] as [string, Record<string, string>, boolean][])('%s (via script)', async ([, env, coloured], { expect }) => {
    // `script` runs its command through a shell that does not know our `lstm` function.
    const command = [process.execPath, binPath, 'vocab', file('missing.txt')].map(shellQuote).join(' ');
    const r = await bash(`script -qec ${shellQuote(command)} /dev/null`, {
      env: { TERM: 'xterm-256color', CI: undefined, GITHUB_ACTIONS: undefined, ...env },
    });
    expect(r.stdout).toContain('error:');
    if (coloured) expect(r.stdout).toMatch(ANSI);
    else expect(r.stdout).not.toMatch(ANSI);
  });
});

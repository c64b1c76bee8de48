/** `lstm generate [seed]`: the seed as the command's argument, as llm and ollama take a prompt. */
import { describe, expect, it } from 'vitest';
import { expectCleanError, lstm, ok } from '../../helpers/cli.js';

describe('lstm generate [seed]', () => {
  it('the argument is the seed: the same text as --seed gives, and it wins over piped stdin', async () => {
    const args = ['-n', '40', '--random-seed', '3', '--echo'];
    const byArgument = ok(await lstm(['generate', 'MACBETH.', ...args], { stdin: 'LADY MACBETH.' }));
    expect(byArgument.startsWith('MACBETH.')).toBe(true);
    expect(byArgument).toBe(ok(await lstm(['generate', '--seed', 'MACBETH.', ...args])));
  });

  it.each([
    [['MACBETH.', '--seed', 'LADY'], 'error: give the seed once: got the argument "MACBETH." and --seed'],
    [['MACBETH.', '--seed-file', '-'], 'error: give the seed once: got the argument "MACBETH." and --seed-file'],
    [['--seed', 'A', '--prompt', 'B'], 'error: give the seed once: got --seed and --prompt'],
  ])('two seeds at once, %j, is a usage error that says which', async (args, message) => {
    const r = await lstm(['generate', ...args, '-n', '5']);
    expectCleanError(expect, r, 2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('two words unquoted are too many arguments, and the help says to quote the seed', async () => {
    const r = await lstm(['generate', 'MACBETH.', 'Hail']);
    expectCleanError(expect, r, 2);
    expect(r.stderr).toContain("too many arguments for 'generate'");
    expect(ok(await lstm(['generate', '--help']))).toContain('quote it: "MACBETH."');
  });
});

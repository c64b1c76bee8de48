/** Large output into a pipe that closes early (`| head`) ends quietly with status 0. */
import { describe, it } from 'vitest';
import { bash, lstm, shellQuote } from '../helpers/cli.js';
import { textFiles } from '../helpers/files.js';

const file = textFiles('pipes');

/** More than 200 KB of stdout: 100 example windows of 2000 characters, input and target each. */
const bigExamples = ['windows', '--examples', '100', '--seq-length', '2000'];

describe.concurrent('pipes', () => {
  it('the large-output command really writes more than a pipe buffer', async ({ expect }) => {
    const r = await lstm([...bigExamples, file('big.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(200_000);
  });

  it('a closed pipe (| head -c 1) ends quietly with status 0', async ({ expect }) => {
    const r = await bash(`set -o pipefail; lstm ${bigExamples.join(' ')} ${shellQuote(file('big.txt'))} | head -c 1`);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('the same with --json', async ({ expect }) => {
    const r = await bash(
      `set -o pipefail; lstm ${bigExamples.join(' ')} --json ${shellQuote(file('big.txt'))} | head -c 1`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{');
    expect(r.stderr).toBe('');
  });
});

/** Creating a bundle's directory: parents made one by one, and every refusal named, fast. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsError } from '../../../src/fs-errors.js';
import { makeDir } from '../../../src/store/atomic.js';

const dir = await mkdtemp(join(tmpdir(), 'lstm-atomic-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The error `makeDir(path)` throws, as the user reads it. */
async function refusal(path: string): Promise<string> {
  const err = await makeDir(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  return fsError(err, path, 'write checkpoints to')?.message ?? String(err);
}

describe('makeDir', () => {
  it('makes a directory and its missing parents, and is content when they exist', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDir(deep);
    await makeDir(deep);
    expect(existsSync(deep)).toBe(true);
  });
  it('names a file in the way', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect(await refusal(join(dir, 'file', 'sub'))).toBe(
      `cannot write checkpoints to ${join(dir, 'file', 'sub')}: a part of the path is a file (${join(dir, 'file')})`,
    );
  });
  it.skipIf(!existsSync('/proc/self'))('refuses a pseudo-filesystem at once instead of retrying forever', async () => {
    const started = performance.now();
    expect(await refusal('/proc/lstm-test/m')).toBe(
      'cannot write checkpoints to /proc/lstm-test/m: this file system takes no new directories (a system one such as /proc?) (/proc/lstm-test)',
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

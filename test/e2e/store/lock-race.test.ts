/**
 * The bundle lock under a real race (store/lock.ts): several processes try to take it at
 * the same instant, whether it is absent or stale (then every racer sees the stale lock and
 * tries to take it over); exactly one wins, and the others are refused naming it. The rest
 * of the lock's behaviour is tested in-process: test/unit/store/lock.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../../src/store/lock.js';
import { tempDir } from '../../helpers/bundles.js';
import { repoRoot } from '../../helpers/cli.js';
import { deadPid, waitUntil } from '../../helpers/tiny.js';

const own = tempDir('lock-race');
const RACERS = 4;

/**
 * Starts RACERS processes of test/helpers/lock-race.mjs on `dir`; once all have loaded, tells
 * them all to take the lock; once all have answered, lets the winner release it. Resolves to
 * each racer's answer.
 */
async function race(dir: string): Promise<string[]> {
  const racers = Array.from({ length: RACERS }, () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'test', 'helpers', 'lock-race.mjs'), dir], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (s: string) => out.push(s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => out.push(s));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    return { child, text: () => out.join(''), exited };
  });
  try {
    const all = (pattern: RegExp) => () => racers.every((r) => pattern.test(r.text()));
    await waitUntil(all(/^ready\n/), 30_000, 'every racer to load');
    for (const r of racers) r.child.stdin.write('go\n'); // as close to the same instant as pipes allow
    await waitUntil(all(/^ready\n.+\n/), 30_000, 'every racer to answer');
    for (const r of racers) r.child.stdin.end();
    expect(await Promise.all(racers.map((r) => r.exited))).toEqual(racers.map(() => 0));
    return racers.map((r) => r.text().split('\n')[1]);
  } finally {
    for (const r of racers) r.child.kill('SIGKILL');
  }
}

describe('taking the lock', () => {
  it.each([
    { what: 'no lock', stale: false },
    { what: 'a stale lock', stale: true },
  ])('racing processes with $what: exactly one wins, the others are refused naming it', async ({ what, stale }) => {
    for (let round = 0; round < 3; round++) {
      const d = own(`${what.replace(' ', '-')}-${round}`);
      await mkdir(d);
      if (stale)
        await writeFile(
          path.join(d, LOCK_FILE),
          `${JSON.stringify({
            pid: await deadPid(),
            hostname: hostname(),
            startedAt: '2025-01-02T03:04:05.678Z',
            command: 'lstm train old.txt --out x',
            token: 'f00d',
          })}\n`,
        );
      const out = await race(d);
      const won = out.filter((l) => / won/.test(l));
      expect(won, out.join('\n')).toHaveLength(1);
      // With a stale lock the winner may be one that found it already moved aside by another racer.
      if (!stale) expect(won[0]).toMatch(/ won$/);
      const winner = won[0].split(' ')[0];
      for (const l of out.filter((l) => !/ won/.test(l)))
        expect(l).toContain(`refused: ${d} is in use by another lstm run: pid ${winner} on `);
      expect(await readdir(d)).toEqual([]); // released, no temporary files left
    }
  });
});

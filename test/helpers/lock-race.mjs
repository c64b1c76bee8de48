// One of several processes racing for the same bundle lock (test/e2e/store/lock-race.test.ts):
// prints `ready` once loaded, takes the lock of DIR when a line arrives on stdin (the parent
// sends it to every racer at once), prints its pid and `won` (with `took-over` when it took
// over a stale lock) or `refused: <message>`, and a winner holds the lock until stdin closes.
// Usage: node lock-race.mjs DIR
import { acquireLock } from '../../dist/src/store/lock.js';

const [dir] = process.argv.slice(2);
const lines = process.stdin.setEncoding('utf8')[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next(); // go
try {
  const { lock, note } = await acquireLock(dir, 'lock-race');
  process.stdout.write(`${process.pid} won${note ? ' took-over' : ''}\n`);
  while (!(await lines.next()).done); // held until the parent has every answer
  await lock.release();
} catch (err) {
  process.stdout.write(`${process.pid} refused: ${err.message}\n`);
}
process.exit(0);

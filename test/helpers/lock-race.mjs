// One of several processes racing for the same bundle lock: waits until the wall-clock time
// START (ms), takes the lock of DIR, holds it HOLD ms and releases it. Prints its pid and
// `won` (with `took-over` when it took over a stale lock) or `refused: <message>`.
// Usage: node lock-race.mjs DIR START HOLD
import { acquireLock } from '../../dist/src/store/lock.js';

const [dir, start, hold] = process.argv.slice(2);
await new Promise((r) => setTimeout(r, Math.max(0, Number(start) - Date.now())));
try {
  const { lock, note } = await acquireLock(dir, 'lock-race');
  process.stdout.write(`${process.pid} won${note ? ' took-over' : ''}\n`);
  await new Promise((r) => setTimeout(r, Number(hold)));
  await lock.release();
} catch (err) {
  process.stdout.write(`${process.pid} refused: ${err.message}\n`);
}

/**
 * --max-time is the run's time, in-process on a tiny network: the run ends within the limit
 * plus one batch and one save, having used most of it, and a pass over a large held-out
 * part that no longer fits is left out (the result says how long it would take).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainModel } from '../../../src/train/loop.js';
import { runOptions, useRunDir } from '../../helpers/run.js';
import type { RunOptions } from '../../../src/train/run.js';
import { words } from '../../helpers/tiny.js';

const at = useRunDir('max-time');

function options(out: string, maxTimeSeconds: number, valSampleWindows: number, held = { repeats: 8, fraction: 0.5 }) {
  return runOptions(
    words.repeat(held.repeats),
    { dir: at.dir, name: out },
    at.backend,
    { valFraction: held.fraction },
    { epochs: 10_000, maxTimeSeconds, patience: 10_000, valSampleWindows },
  );
}

const runSeconds = async (out: string) =>
  JSON.parse(await readFile(path.join(at.dir, out, 'latest', 'lstm.json'), 'utf8')).progress.elapsedSeconds as number;

/**
 * A run with its events timed: what the last checkpoint records as the run's time when it was
 * saved, and the longest stretch between two events (a batch, a validation or a save: on a
 * loaded machine, where the suite runs files side by side, one can take far longer than the
 * rest, and the run can only judge what is left by what it measured).
 */
async function timedRun(run: RunOptions) {
  let last = performance.now();
  let longest = 0;
  let valChars = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, (now - last) / 1000);
    last = now;
  };
  const events = {
    onStart: (info: { valChars: number }) => void (valChars = info.valChars),
    onBatch: tick,
    onEpoch: tick,
    onEvaluation: tick,
    onCheckpoint: tick,
  };
  const result = await trainModel({ ...run, events });
  tick();
  const { seqLength, batchSize } = run.hyper;
  const validationBatches = Math.ceil(Math.ceil(valChars / seqLength) / batchSize);
  return { result, seconds: await runSeconds(path.basename(run.out)), longest, validationBatches };
}

describe('--max-time', () => {
  it('ends the run within the limit plus one batch and one save, having used most of it', async () => {
    // A short text: its epochs end, and their validations are timed, long before the limit.
    const run = options('whole', 1.5, 1024, { repeats: 1, fraction: 0.5 });
    const { result, seconds, longest, validationBatches } = await timedRun(run);
    expect(result.reason).toBe('time');
    expect(seconds).toBeLessThanOrEqual(1.5 + longest + 0.1);
    // It stops when a batch, a validation and a save would no longer fit; each took at most the
    // longest stretch, and a validation not yet timed is taken as a third of a batch per batch
    // of held-out windows (15 here), so at most (2 + 15 / 3) stretches are left unused.
    expect(validationBatches).toBeLessThanOrEqual(15);
    expect(seconds).toBeGreaterThan(1.5 - (2 + validationBatches / 3) * longest - 0.1);
    expect(result.fullPassSkippedSeconds).toBeUndefined(); // nothing was sampled: no full pass to fit
  });

  it('leaves out a pass over the whole held-out part that would not fit, and says how long it would take', async () => {
    // ~7,600 held-out windows, 2 scored while training: the whole part costs thousands of
    // validations, far more than the time left when the limit stops the run, on any engine.
    const { result, seconds, longest } = await timedRun(options('sampled', 1, 2, { repeats: 40, fraction: 0.9 }));
    expect(result.reason).toBe('time');
    expect(result.valLossFull).toBeNull();
    expect(result.fullPassSkippedSeconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(1 + longest + 0.1);
  });
});

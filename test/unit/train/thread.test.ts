/**
 * A run on its own thread (train/thread.ts): its events arrive here in order, the shared
 * flag stops it after the batch in progress, and its errors arrive as the errors they were
 * (an LstmError keeps its kind, so its exit code, and its hint).
 */
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { trainInThread, type ThreadRun } from '../../../src/train/thread.js';
import { runOptions, useRunDir } from '../../helpers/run.js';
import { words } from '../../helpers/tiny.js';

const at = useRunDir('thread');

function run(text: string, out: string): ThreadRun {
  const { shouldStop, events, vocab, ...rest } = runOptions(text, { dir: at.dir, name: out }, at.backend, {
    batchSize: 4,
    valFraction: 0.2,
  });
  return { ...rest, vocab: vocab.chars, locked: false };
}

describe('trainInThread', () => {
  it('delivers the events in order and stops after the batch in progress when the flag is set', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const seen: string[] = [];
    let perEpoch = 0;
    const result = await trainInThread(
      run(words.repeat(2), 'stopped'),
      undefined,
      {
        onStart: (info) => {
          seen.push(`start on ${info.backend}`);
          perEpoch = info.batchesPerEpoch;
        },
        onBatch: (info) => {
          seen.push(`batch ${info.epoch}.${info.batch}`);
          Atomics.store(stop, 0, 1);
        },
        onEvaluation: () => seen.push('evaluation'),
        onCheckpoint: (info) => seen.push(`checkpoint ${info.epoch}.${info.batch}`),
      },
      stop,
    );
    expect(result.reason).toBe('interrupted');
    expect(seen[0]).toBe(`start on ${at.backend}`);
    // The first batch's event sets the flag; the run stops at the next batch it polls it, well
    // inside the first epoch (how many batches the thread ran before this thread handled the
    // event depends on the load: a loaded machine has seen 4).
    const batches = seen.filter((s) => s.startsWith('batch '));
    expect(perEpoch).toBeGreaterThan(8);
    expect(batches.length).toBeLessThan(perEpoch);
    expect(seen.at(-1)).toBe(`checkpoint 0.${batches.length}`);
    expect(result.batch).toBe(batches.length);
  });

  it('rejects with the LstmError the run threw, kind and hint kept', async () => {
    const err = await trainInThread(
      run('abc def\n', 'short'),
      undefined,
      {},
      new Int32Array(new SharedArrayBuffer(4)),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LstmError);
    expect((err as LstmError).kind).toBe('data');
    expect((err as LstmError).message).toMatch(/too short/);
    expect((err as LstmError).hint).toMatch(/longer text/);
  });
});

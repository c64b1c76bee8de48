/**
 * How `lstm train` says its run ended (cli/train-report.ts `reportDone`), in-process: one row
 * per way a run ends, the lines it writes on stderr and the `done` event with --json.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaults } from '../../../src/config.js';
import { Reporter } from '../../../src/cli/reporter.js';
import { reportDone, type ReportedRun } from '../../../src/cli/train-report.js';
import type { RunResult } from '../../../src/train/run.js';

const result = (over: Partial<RunResult>): RunResult => ({
  reason: 'epochs',
  epoch: 3,
  batch: 0,
  bestValLoss: 1,
  bestEpoch: 2,
  bestBatch: 0,
  valLossFull: null,
  valLossCold: null,
  history: [],
  out: 'models/x',
  ...over,
});

const run = (over: Partial<ReportedRun> = {}): ReportedRun => ({
  json: false,
  out: 'models/x',
  vocabSize: 10,
  hyper: { ...defaults, lowercase: false },
  patience: 1,
  minGain: 0,
  resume: 'lstm train --resume models/x',
  ...over,
});

/** What reportDone writes: stderr's text and stdout's. */
async function written(r: RunResult, reported: ReportedRun, quiet = false) {
  let stderr = '';
  let stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  await reportDone(new Reporter({ quiet, color: false }), r, reported);
  vi.restoreAllMocks();
  return { stderr, stdout };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the line that ends a run', () => {
  it.each<[string, Partial<RunResult>, string]>([
    [
      'the epochs',
      { epoch: 1, bestEpoch: 1 },
      'done (reached 1 epoch): best 1.000 nats (1.443 bpc) at epoch 1; model in models/x\n',
    ],
    [
      'patience',
      { reason: 'patience' },
      'done (no better validation loss for 1 epoch): best 1.000 nats (1.443 bpc) at epoch 2; model in models/x\n',
    ],
    [
      'the time limit, the whole held-out part scored',
      { reason: 'time', valLossFull: 1.1 },
      'done (time limit reached): best 1.000 nats (1.443 bpc) at epoch 2; the whole held-out part: 1.100 nats (1.587 bpc); model in models/x\n',
    ],
    [
      'the time limit, with no room left to score the whole held-out part',
      { reason: 'time', fullPassSkippedSeconds: 48 },
      'done (time limit reached): best 1.000 nats (1.443 bpc) at epoch 2; that is on a fixed sample of the held-out part: scoring all of it (about 48s) did not fit in --max-time; model in models/x\n',
    ],
  ])('%s', async (_name, over, line) => {
    expect((await written(result(over), run())).stderr).toBe(line);
  });

  it('patience with a minimum gain says how small the gains were', async () => {
    expect((await written(result({ reason: 'patience' }), run({ patience: 5, minGain: 0.005 }))).stderr).toBe(
      'done (validation gained less than 0.005 bits per character in 5 epochs): best 1.000 nats (1.443 bpc) at epoch 2; model in models/x\n',
    );
  });

  it('a stop by a signal: where, what was saved and how to go on, even with --quiet, and never as an error', async () => {
    const { stderr } = await written(
      result({ reason: 'interrupted', epoch: 0, batch: 19, bestEpoch: 1, bestBatch: 10 }),
      run({ signal: 'SIGINT', saved: 'models/x/epoch-0001-batch-00019' }),
      true,
    );
    expect(stderr).toBe(
      'stopped by SIGINT at epoch 1, batch 19; saved models/x/epoch-0001-batch-00019; best 1.000 nats (1.443 bpc) at epoch 1, batch 10\n' +
        'continue with: lstm train --resume models/x\n',
    );
  });

  it('--json: the done event says what the line says', async () => {
    const { stdout } = await written(
      result({ reason: 'time', fullPassSkippedSeconds: 48 }),
      run({ json: true, saved: 'models/x/epoch-0003' }),
    );
    expect(JSON.parse(stdout)).toMatchObject({
      event: 'done',
      reason: 'time',
      fullPassSkippedSeconds: 48,
      saved: 'models/x/epoch-0003',
    });
  });
});

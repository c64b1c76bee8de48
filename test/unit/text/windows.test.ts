/**
 * Windows and batches: the split never leaks validation text into training, targets are
 * inputs shifted by one, epochs are reproducible from the seed.
 * Notation: T = seqLength, B = windows in a batch; batches are time-major (index t * B + b).
 */
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { permutation, rng } from '../../../src/random.js';
import { split, trainChars, valChars } from '../../../src/text/split.js';
import { Vocab, type Ids } from '../../../src/text/vocab.js';
import {
  epochPlan,
  makeBatch,
  planBatch,
  MIN_STREAM_WINDOWS,
  streamPlan,
  validationBatches,
  validationStarts,
  validationStreams,
  windowCount,
  type Batch,
} from '../../../src/text/windows.js';

/** `n` ids drawn from [0, vocabSize) with a seeded generator. */
function randomIds(n: number, vocabSize = 40, seed = 1): Uint16Array {
  const random = rng(seed, 'ids');
  const ids = new Uint16Array(n);
  for (let i = 0; i < n; i++) ids[i] = Math.floor(random() * vocabSize);
  return ids;
}

/** Checks a batch against the raw ids: inputs ids[s+t], targets ids[s+t+1], time-major. */
function expectBatchMatches(batch: Batch, ids: Ids, starts: ArrayLike<number>): void {
  const B = starts.length;
  const T = batch.seqLength;
  expect(batch.batch).toBe(B);
  const inputs = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[t * B + b] = ids[starts[b] + t];
      targets[t * B + b] = ids[starts[b] + t + 1];
    }
  }
  expect(batch.inputs).toEqual(inputs);
  expect(batch.targets).toEqual(targets);
  // Sequence targets: the target at step t is the input at step t + 1.
  expect(batch.targets.subarray(0, (T - 1) * B)).toEqual(batch.inputs.subarray(B));
}

/** The error split throws for a text of n characters. */
function splitError(n: number, seqLength: number, valFraction: number): LstmError {
  try {
    split(randomIds(n), { seqLength, valFraction });
  } catch (err) {
    expect(err).toBeInstanceOf(LstmError);
    return err as LstmError;
  }
  throw new Error(`split accepted ${n} characters for T=${seqLength}, valFraction ${valFraction}`);
}

describe('split', () => {
  // [characters, T, valFraction, expected trainEnd]
  it.each([
    [1000, 50, 0.1, 900],
    [1001, 10, 0.25, 751],
    [1000, 50, 0.01, 949], // 10 characters would not hold a window: the tail grows to T + 1
    [1000, 50, 0, 1000],
    [102, 50, 0.1, 51], // the smallest text that fits one window in each part
    [51, 50, 0, 51],
  ])('%i characters, T=%i, valFraction %d: training is [0, %i)', (n, seqLength, valFraction, trainEnd) => {
    const ids = randomIds(n);
    const s = split(ids, { seqLength, valFraction });
    expect(s.trainEnd).toBe(trainEnd);
    expect(trainChars(s)).toBe(trainEnd);
    expect(valChars(s)).toBe(n - trainEnd);
    expect(s.ids).toBe(ids); // no copy
  });

  it.each([
    [1000, 50, 0.1],
    [5000, 20, 0.05],
    [777, 7, 0.3],
  ])('validation windows of %i characters (T=%i, %d) tile the contiguous tail', (n, seqLength, valFraction) => {
    const s = split(randomIds(n), { seqLength, valFraction });
    const starts = [...validationStarts(s)];
    expect(starts.length).toBe(Math.floor((n - s.trainEnd - 1) / seqLength));
    expect(starts.length).toBeGreaterThan(0);
    starts.forEach((start, i) => expect(start).toBe(s.trainEnd + i * seqLength));
    for (const start of starts) {
      expect(start).toBeGreaterThanOrEqual(s.trainEnd);
      expect(start + seqLength + 1).toBeLessThanOrEqual(n);
    }
    // No further window fits.
    expect(starts.at(-1)! + 2 * seqLength + 1).toBeGreaterThan(n);
  });

  it('has no validation windows with valFraction 0', () => {
    expect(validationStarts(split(randomIds(500), { seqLength: 10, valFraction: 0 }))).toHaveLength(0);
  });

  it.each([
    [
      101,
      50,
      0.1,
      'the text has 101 characters, too short for one 50-character training window plus a 10% validation part (needs at least 102)',
      '--val-fraction (0 for none)',
    ],
    [
      50,
      50,
      0,
      'the text has 50 characters, too short for one 50-character training window (needs at least 51)',
      'shorter --seq-length',
    ],
    [
      0,
      5,
      0.1,
      'the text has 0 characters, too short for one 5-character training window plus a 10% validation part (needs at least 12)',
      'smaller --val-fraction',
    ],
    // A large held-out part sets the minimum: 106 - round(106 * 0.9) = 11 training characters.
    [
      100,
      10,
      0.9,
      'the text has 100 characters, too short for one 10-character training window plus a 90% validation part (needs at least 106)',
      'smaller --val-fraction',
    ],
  ])('refuses %i characters for T=%i, valFraction %d', (n, seqLength, valFraction, message, hint) => {
    const error = splitError(n, seqLength, valFraction);
    expect(error.kind).toBe('data');
    expect(error.message).toBe(message);
    expect(error.hint).toContain(hint);
  });

  it('does not suggest --val-fraction 0 when it is already 0', () => {
    expect(splitError(10, 10, 0).hint).not.toContain('--val-fraction');
  });
});

describe('windowCount', () => {
  it.each([
    [11, 10, 0, 1],
    [10, 10, 0, 0],
    [21, 10, 0, 2],
    [21, 10, 1, 1],
    [30, 10, 9, 2],
    [5, 10, 0, 0],
    [0, 10, 0, 0],
  ])('%i characters, T=%i, offset %i: %i windows', (chars, seqLength, offset, expected) => {
    expect(windowCount(chars, seqLength, offset)).toBe(expected);
  });
});

describe('makeBatch', () => {
  it('lays windows out time-major with targets one step ahead', () => {
    const ids = Uint16Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const batch = makeBatch(ids, [0, 5], 3);
    expect([...batch.inputs]).toEqual([0, 5, 1, 6, 2, 7]);
    expect([...batch.targets]).toEqual([1, 6, 2, 7, 3, 8]);
    expect(batch).toMatchObject({ batch: 2, seqLength: 3 });
  });
});

describe('epoch plans', () => {
  // Training text uses letters only and the held-out tail digits only, so a leak shows in the ids.
  const n = 6000;
  const seqLength = 25;
  const batchSize = 8;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const digits = '0123456789';
  const random = rng(3, 'text');
  const trainPart = n - Math.round(n * 0.1);
  let text = '';
  for (let i = 0; i < n; i++) {
    const alphabet = i < trainPart ? letters : digits;
    text += alphabet[Math.floor(random() * alphabet.length)];
  }
  const { vocab } = Vocab.fromText(text);
  const ids = vocab.encode(text);
  const digitIds = new Set([...digits].map((d) => vocab.id(d)));
  const s = split(ids, { seqLength, valFraction: 0.1 });

  it('holds out exactly the digit tail', () => {
    expect(s.trainEnd).toBe(trainPart);
  });

  it.each([0, 1, 2, 3, 4, 5])(
    'epoch %i: every training batch stays inside [0, trainEnd) and shifts targets by one',
    (epoch) => {
      const plan = epochPlan(s, epoch, batchSize, 42);
      expect(plan.epoch).toBe(epoch);
      expect(plan.batchSize).toBe(batchSize);
      expect(plan.offset).toBeGreaterThanOrEqual(0);
      expect(plan.offset).toBeLessThan(seqLength);
      // Whole batches only; fewer than one batch of windows is left for another epoch.
      expect(plan.batches).toBe(Math.floor(plan.starts.length / batchSize));
      for (let k = 0; k < plan.batches; k++) {
        const starts = plan.starts.subarray(k * batchSize, (k + 1) * batchSize);
        expect([...starts].filter((start) => start + seqLength + 1 > s.trainEnd)).toEqual([]);
        const batch = planBatch(s, plan, k);
        expectBatchMatches(batch, ids, starts);
        expect([...batch.inputs, ...batch.targets].filter((id) => digitIds.has(id))).toEqual([]);
      }
    },
  );

  it.each([0, 1, 7])('epoch %i: windows do not overlap and tile the training part from the offset', (epoch) => {
    const plan = epochPlan(s, epoch, batchSize, 42);
    const sorted = [...plan.starts].sort((a, b) => a - b);
    sorted.forEach((start, i) => expect(start).toBe(plan.offset + i * seqLength));
    expect(sorted.length).toBe(windowCount(s.trainEnd, seqLength, plan.offset));
    // No further window would fit after the last one.
    expect(sorted.at(-1)! + 2 * seqLength + 1).toBeGreaterThan(s.trainEnd);
  });

  it('repeats exactly with the same seed and epoch', () => {
    for (const epoch of [0, 3]) {
      const a = epochPlan(s, epoch, batchSize, 1234);
      const b = epochPlan(s, epoch, batchSize, 1234);
      expect(b.offset).toBe(a.offset);
      expect([...b.starts]).toEqual([...a.starts]);
      expect([...planBatch(s, b, 0).inputs]).toEqual([...planBatch(s, a, 0).inputs]);
    }
  });

  it.each([
    ['a different seed', epochPlan(s, 0, batchSize, 1), epochPlan(s, 0, batchSize, 2)],
    ['a different epoch', epochPlan(s, 0, batchSize, 1), epochPlan(s, 1, batchSize, 1)],
  ])('differs with %s', (_name, a, b) => {
    expect([...b.starts]).not.toEqual([...a.starts]);
  });

  it('shifts window boundaries between epochs', () => {
    const offsets = new Set(Array.from({ length: 12 }, (_, epoch) => epochPlan(s, epoch, batchSize, 42).offset));
    expect(offsets.size).toBeGreaterThan(1);
  });

  it('validation batches cover exactly the validation windows, inside [trainEnd, n)', () => {
    const expected = [...validationStarts(s)];
    const seen: number[] = [];
    const batches = [...validationBatches(s, batchSize)];
    expect(batches.length).toBe(Math.ceil(expected.length / batchSize));
    for (const [k, batch] of batches.entries()) {
      const starts = expected.slice(k * batchSize, (k + 1) * batchSize);
      expect(batch.batch).toBeLessThanOrEqual(batchSize);
      expectBatchMatches(batch, ids, starts);
      expect([...batch.inputs, ...batch.targets].filter((id) => !digitIds.has(id))).toEqual([]);
      seen.push(...starts);
    }
    expect(seen).toEqual(expected);
    for (const start of seen) {
      expect(start).toBeGreaterThanOrEqual(s.trainEnd);
      expect(start + seqLength + 1).toBeLessThanOrEqual(n);
    }
  });
});

describe('stateful epochs: contiguous streams (truncated BPTT)', () => {
  const T = 10;
  const cases = [
    // [characters, batchSize]: many streams, a remainder, fewer windows than a batch, one window
    [5_000, 8],
    [4_997, 7],
    [300, 64],
    [12, 4],
  ] as const;

  it.each(cases)(
    '%i characters, batch %i: row b of batch k + 1 continues row b of batch k, inside the training part',
    (n, batchSize) => {
      const s = split(randomIds(n), { seqLength: T, valFraction: 0 });
      for (let epoch = 0; epoch < 6; epoch++) {
        const plan = streamPlan(s, epoch, batchSize, 3);
        expect(plan.carry).toBe(true);
        const B = plan.batchSize;
        expect(B).toBe(Math.min(batchSize, Math.floor((s.trainEnd - 1) / T)));
        expect(plan.starts.length).toBe(B * plan.batches);
        for (let k = 0; k < plan.batches; k++) {
          const starts = plan.starts.subarray(k * B, (k + 1) * B);
          expectBatchMatches(planBatch(s, plan, k), s.ids, starts);
          for (let b = 0; b < B; b++) {
            expect(starts[b] + T + 1).toBeLessThanOrEqual(s.trainEnd);
            if (k > 0) expect(starts[b]).toBe(plan.starts[(k - 1) * B + b] + T); // the window after the last
          }
        }
        // Streams follow one another without a gap: one contiguous run of windows.
        const sorted = [...plan.starts].sort((a, b) => a - b);
        sorted.forEach((start, i) => expect(start).toBe(plan.offset + i * T));
        // What is left out is less than one window per stream.
        expect(s.trainEnd - 1 - sorted.length * T).toBeLessThan(B * T);
      }
    },
  );

  it('moves the streams every epoch, repeats with the seed, and over epochs trains on the start and end of the text', () => {
    const s = split(randomIds(4_995), { seqLength: T, valFraction: 0 });
    const plans = Array.from({ length: 30 }, (_, epoch) => streamPlan(s, epoch, 8, 11));
    expect(new Set(plans.map((p) => p.offset)).size).toBeGreaterThan(5);
    expect([...streamPlan(s, 4, 8, 11).starts]).toEqual([...plans[4].starts]);
    expect([...streamPlan(s, 4, 8, 12).starts]).not.toEqual([...plans[4].starts]);
    expect(plans.some((p) => p.offset === 0 || p.starts.includes(0))).toBe(true);
    const lastStart = Math.max(...plans.map((p) => Math.max(...p.starts)));
    expect(lastStart + T).toBeGreaterThan(s.trainEnd - 1 - T); // some epoch reaches the last window
  });
});

describe('validation streams', () => {
  const T = 10;
  it.each([
    // [held-out windows, maxStreams, expected streams]
    [5, 64, 1],
    [MIN_STREAM_WINDOWS * 3, 64, 3],
    [MIN_STREAM_WINDOWS * 3 + 2, 64, 3],
    [MIN_STREAM_WINDOWS * 100 + 7, 8, 8],
  ])(
    '%i held-out windows, at most %i streams: %i streams covering every window once, each contiguous',
    (windows, maxStreams, streams) => {
      const trainEnd = 200;
      const ids = randomIds(trainEnd + windows * T + 1);
      const s = { ids, seqLength: T, trainEnd };
      expect(validationStarts(s).length).toBe(windows);
      const v = validationStreams(s, maxStreams);
      expect(v.sampled).toBe(false);
      expect(v.batches[0].length).toBe(streams);
      expect(v.windows).toBe(windows);
      expect(v.batches.flatMap((b) => [...b]).sort((a, b) => a - b)).toEqual([...validationStarts(s)]);
      v.batches.forEach((starts, k) => {
        if (k === 0) return;
        expect(starts.length).toBeLessThanOrEqual(v.batches[k - 1].length); // rows are a prefix of the last batch's
        starts.forEach((start, b) => expect(start).toBe(v.batches[k - 1][b] + T));
      });
    },
  );

  it('scores a fixed seeded sample of whole streams when the part is larger than asked', () => {
    const s = { ids: randomIds(100 + 3_000 * T + 1), seqLength: T, trainEnd: 100 };
    const a = validationStreams(s, 64, 500, 7);
    expect(a.sampled).toBe(true);
    expect(a.windows).toBeLessThanOrEqual(500);
    expect(a.windows).toBeGreaterThan(250);
    expect(a.batches.map((b) => [...b])).toEqual(validationStreams(s, 64, 500, 7).batches.map((b) => [...b]));
    a.batches.slice(1).forEach((starts, k) => starts.forEach((start, b) => expect(start).toBe(a.batches[k][b] + T)));
  });

  it('has no streams without a held-out part', () => {
    expect(validationStreams(split(randomIds(500), { seqLength: T, valFraction: 0 }), 64).batches).toEqual([]);
  });
});

describe('small texts', () => {
  it('trains on one smaller batch when fewer windows than a batch fit', () => {
    const s = split(randomIds(60), { seqLength: 10, valFraction: 0 });
    for (let epoch = 0; epoch < 5; epoch++) {
      const plan = epochPlan(s, epoch, 64, 9);
      expect(plan.batches).toBe(1);
      expect(plan.batchSize).toBe(plan.starts.length);
      expect(plan.starts.length).toBe(windowCount(60, 10, plan.offset));
      expectBatchMatches(planBatch(s, plan, 0), s.ids, plan.starts);
    }
  });

  it('uses the single window of a text of exactly T + 1 characters', () => {
    const s = split(randomIds(11), { seqLength: 10, valFraction: 0 });
    for (let epoch = 0; epoch < 5; epoch++) {
      const plan = epochPlan(s, epoch, 4, epoch);
      expect(plan.offset).toBe(0);
      expect([...plan.starts]).toEqual([0]);
    }
  });
});

describe('permutation', () => {
  it.each([0, 1, 2, 10, 1000])('shuffles 0..%i-1 into a permutation', (n) => {
    const order = permutation(n, rng(5, 'p'));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('is determined by the key', () => {
    expect([...permutation(50, rng(1, 'x'))]).toEqual([...permutation(50, rng(1, 'x'))]);
    expect([...permutation(50, rng(1, 'x'))]).not.toEqual([...permutation(50, rng(2, 'x'))]);
  });
});

describe('a large corpus', () => {
  it('encodes 20 million characters into 2-byte ids and plans an epoch over them', () => {
    const n = 20_000_000;
    const line = 'When shall we three meet again, in thunder, lightning, or in rain?\n';
    const text = line.repeat(Math.ceil(n / line.length)).slice(0, n);
    const { vocab, counts } = Vocab.fromText(text);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    const ids = vocab.encode(text);
    expect(ids).toBeInstanceOf(Uint16Array);
    expect(ids.length).toBe(n);
    expect(ids.byteLength).toBe(2 * n);
    expect(ids.buffer.byteLength).toBe(2 * n);
    expect(vocab.decode(ids.subarray(n - line.length, n))).toBe(text.slice(n - line.length));

    const s = split(ids, { seqLength: 50, valFraction: 0.1 });
    expect(s.trainEnd).toBe(18_000_000);
    const plan = epochPlan(s, 0, 64, 42);
    expect(plan.starts.length).toBe(windowCount(s.trainEnd, 50, plan.offset));
    const last = plan.batches - 1;
    expectBatchMatches(planBatch(s, plan, last), ids, plan.starts.subarray(last * 64, (last + 1) * 64));
  }, 15_000);
});

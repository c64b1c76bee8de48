/**
 * How `lstm info` reads a bundle's notes: sentences, not JSON. Pure; table-driven.
 */
import { describe, expect, it } from 'vitest';
import { noteSentences } from '../../../src/cli/format.js';

describe('noteSentences', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "the bundled model's notes",
      {
        trainedWith: 'lstm train macbeth.txt --dropout 0.5 (wasm, 2 workers, 27m47s wall)',
        reason:
          "dropout 0.5 and batch 32 (beyond the defaults 0.2 and 64) to reach <= 2.35 bpc on Macbeth's held-out tail; the defaults reached 2.398",
      },
      [
        'Trained with lstm train macbeth.txt --dropout 0.5 (wasm, 2 workers, 27m47s wall).',
        "Reason: dropout 0.5 and batch 32 (beyond the defaults 0.2 and 64) to reach <= 2.35 bpc on Macbeth's held-out tail; the defaults reached 2.398.",
      ],
    ],
    ['a key: value gets a colon and a full stop', { how: 'test' }, ['How: test.']],
    ['a value that ends a sentence keeps its own stop', { why: 'It overfits!' }, ['Why: It overfits!']],
    [
      'snake_case and kebab-case keys read as words',
      { data_source: 'PG', 'held-out': 'the tail.' },
      ['Data source: PG.', 'Held out: the tail.'],
    ],
    ['acronyms keep their capitals', { bestBPC: 2.311, GPU: false }, ['Best BPC: 2.311.', 'GPU: no.']],
    [
      'a key ending in a preposition reads on without a colon',
      { trainedOn: 'a laptop', exportedBy: 'ci', fineTunedFrom: 'models/base' },
      ['Trained on a laptop.', 'Exported by ci.', 'Fine tuned from models/base.'],
    ],
    [
      'numbers, booleans, lists and null',
      { epochs: 45, stopped: true, seeds: [1, 2, 3], parent: null },
      ['Epochs: 45.', 'Stopped: yes.', 'Seeds: 1, 2, 3.', 'Parent: none.'],
    ],
    [
      'an object reads as key: value pairs',
      { defaults: { dropout: 0.2, batchSize: 64 } },
      ['Defaults: dropout: 0.2; batch size: 64.'],
    ],
    [
      'a value over several lines becomes one line',
      { story: 'first line\n  second line\n' },
      ['Story: first line second line.'],
    ],
    ['no notes, no sentences', {}, []],
  ])('%s', (_name, notes, expected) => {
    expect(noteSentences(notes)).toEqual(expected);
  });
});

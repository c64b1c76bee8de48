/** A fine-tune's lineage in words (cli/lineage.ts): what `lstm info` and `lstm train --from` say, as a table. */
import { describe, expect, it } from 'vitest';
import { charList, lineageSentences, startingFrom } from '../../../src/cli/lineage.js';
import type { Lineage } from '../../../src/store/manifest.js';

const base: Lineage['base'] = {
  model: 'models/base',
  epoch: 12,
  batch: 0,
  weightsSha256: 'f'.repeat(64),
  corpus: { name: 'a.txt', sha256: '0123456789abcdef', characters: 104_000 },
  network: { layers: 2, units: 300, dropout: 0.2, vocabSize: 60 },
  bestValLoss: Math.LN2 * 1.5,
  bestEpoch: 12,
};
const lineage: Lineage = { base, added: ['!', 'Z'], unseen: [] };
const FIRST =
  'Fine-tuned from models/base, a 2x300 LSTM trained for 12 epochs on a.txt (104,000 characters, sha256 0123456789ab…); best validation 1.500 bits per character at epoch 12.';

describe('lineageSentences', () => {
  it.each<[string, Lineage, string[]]>([
    [
      'the base, then what the text added',
      lineage,
      [FIRST, "Its text added 2 characters the base did not know: '!' 'Z'."],
    ],
    ['nothing added', { ...lineage, added: [] }, [FIRST, "Its text added no characters to the base's vocabulary."]],
    [
      'one kept unseen',
      { ...lineage, added: ['!'], unseen: [' '] },
      [
        FIRST,
        "Its text added 1 character the base did not know: '!'.",
        "1 character of the base is not in its text and kept as the base had it: '␠'.",
      ],
    ],
    [
      'several kept unseen',
      { ...lineage, unseen: ['\n', '.'] },
      [
        FIRST,
        "Its text added 2 characters the base did not know: '!' 'Z'.",
        "2 characters of the base are not in its text and kept as the base had them: '\\n' '.'.",
      ],
    ],
    [
      'a base read mid-epoch, best inside an epoch',
      { ...lineage, base: { ...base, epoch: 2, batch: 5, bestEpoch: 3, bestBatch: 5 } },
      [
        'Fine-tuned from models/base, a 2x300 LSTM trained for 2 epochs and 5 batches on a.txt (104,000 characters, sha256 0123456789ab…); best validation 1.500 bits per character at epoch 3, batch 5.',
        "Its text added 2 characters the base did not know: '!' 'Z'.",
      ],
    ],
    [
      'a base without validation',
      { ...lineage, base: { ...base, epoch: 1, bestValLoss: null, bestEpoch: null } },
      [
        'Fine-tuned from models/base, a 2x300 LSTM trained for 1 epoch on a.txt (104,000 characters, sha256 0123456789ab…); no validation figure.',
        "Its text added 2 characters the base did not know: '!' 'Z'.",
      ],
    ],
    [
      'a chain: each earlier base in order',
      {
        ...lineage,
        base: {
          ...base,
          model: 'models/mid',
          lineage: { base: { ...base, model: 'models/root' }, added: [], unseen: [] },
        },
      },
      [
        FIRST.replace('models/base', 'models/mid'),
        "Its text added 2 characters the base did not know: '!' 'Z'.",
        `models/mid was itself fine-tuned from ${FIRST.slice('Fine-tuned from '.length).replace('models/base', 'models/root')}`,
      ],
    ],
  ])('%s', (_name, l, sentences) => {
    expect(lineageSentences(l)).toEqual(sentences);
  });
});

describe('charList and startingFrom', () => {
  it.each<[string[], number | undefined, string]>([
    [['a', ' ', '\n'], undefined, "'a' '␠' '\\n'"],
    [['a', 'b', 'c'], 2, "'a' 'b' and 1 more"],
    [[], undefined, ''],
  ])('charList(%j, %s) is %j', (chars, max, shown) => {
    expect(charList(chars, max)).toBe(shown);
  });

  it.each<[string, Lineage, boolean, string]>([
    [
      'added, none unseen',
      lineage,
      false,
      "starting from models/base (2x300, 12 epochs on a.txt): vocabulary 62, 2 new ('!' 'Z')",
    ],
    [
      'nothing new, some kept, lowercased',
      { ...lineage, added: [], unseen: ['q'] },
      true,
      "starting from models/base (2x300, 12 epochs on a.txt): vocabulary 62, none new, 1 not in this text kept ('q'); the text is lowercased, as models/base's was",
    ],
  ])('startingFrom: %s', (_name, l, lowercase, line) => {
    expect(startingFrom(l, 62, lowercase)).toBe(line);
  });
});

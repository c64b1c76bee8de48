/**
 * The resume policy as a table: stored settings + given flags → settings, warnings,
 * refusals. Pure; no files, no TensorFlow.
 */
import { describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config.js';
import type { StoredHyperparameters } from '../../../src/store/manifest.js';
import type { BaseRun, CorpusSource, SettingsInput, StoredRun, TrainFlags } from '../../../src/train/decision.js';
import { checkResumedText, type ResumedText } from '../../../src/train/resume.js';
import { defaultOut, fitToText, runSettings } from '../../../src/train/settings.js';

const flags: TrainFlags = {
  seqLength: defaults.seqLength,
  batchSize: defaults.batchSize,
  valFraction: defaults.valFraction,
  layers: defaults.layers,
  units: defaults.units,
  dropout: defaults.dropout,
  lr: defaults.lr,
  lrDecay: defaults.lrDecay,
  lrDecayAfter: defaults.lrDecayAfter,
  clip: defaults.clip,
  lowercase: false,
  randomSeed: defaults.randomSeed,
  epochs: defaults.epochs,
  patience: defaults.patience,
  minGain: defaults.minGain,
  keep: defaults.keep,
  encoding: 'utf8',
  keepBoilerplate: false,
};

const storedHyper: StoredHyperparameters = {
  seqLength: 32,
  batchSize: 16,
  valFraction: 0.2,
  layers: 1,
  units: 8,
  dropout: 0.1,
  lr: 0.01,
  lrDecay: 0.9,
  lrDecayAfter: 3,
  clip: 1,
  lowercase: true,
  randomSeed: 7,
  epochs: 12,
  patience: 4,
  keep: 2,
  workers: 2,
};
const stored: StoredRun = {
  dir: 'models/old',
  hyperparameters: storedHyper,
  network: { layers: 1, units: 8, dropout: 0.1, vocabSize: 30 },
  corpus: {
    name: 'old.txt',
    path: '/texts/old.txt',
    bytes: 100,
    characters: 100,
    sha256: 'a',
    textSha256: 'b',
    encoding: 'latin1',
    strippedBoilerplate: false,
    keepBoilerplate: true,
    origin: 'Project Gutenberg eBook #1533, Macbeth (header and license removed)',
  },
  hasOptimizer: true,
  epochsDone: 5,
  command: 'lstm train old.txt --units 8',
};
/** A bundle trained on two files (and the text each held). */
const file = (name: string, sha256: string, textSha256: string) => ({
  name,
  path: `/texts/${name}`,
  bytes: 50,
  characters: 50,
  sha256,
  textSha256,
  encoding: 'utf8',
  strippedBoilerplate: false,
});
const several: StoredRun = {
  ...stored,
  corpus: {
    ...stored.corpus,
    name: 'a.txt, b.txt',
    path: undefined,
    sha256: 's',
    textSha256: 't',
    files: [file('a.txt', 'a1', 'a2'), file('b.txt', 'b1', 'b2')],
    separator: '\f',
  },
};

type Given = Partial<TrainFlags>;

/** A base model for --from: a cased 1x8 network with its own recipe. */
const base: BaseRun = {
  dir: 'models/base',
  bundle: 'models/base',
  hyperparameters: { ...storedHyper, lowercase: false },
  network: { layers: 1, units: 8, dropout: 0.1, vocabSize: 30 },
};
const decide = (
  given: Given,
  s?: StoredRun,
  outHolds: SettingsInput['outHolds'] = undefined,
  corpus: string | string[] | null = 'texts/play.txt',
) =>
  runSettings({
    corpus: corpus === null ? [] : [corpus].flat(),
    flags: { ...flags, ...given },
    given: new Set(Object.keys(given) as (keyof TrainFlags)[]),
    stored: s,
    outHolds,
  });
/** A fine-tune of `base` (--from), with the given flags. */
const tune = (given: Given, b: BaseRun = base, corpus = 'texts/play.txt') =>
  runSettings({
    corpus: [corpus],
    flags: { ...flags, ...given },
    given: new Set(Object.keys(given) as (keyof TrainFlags)[]),
    base: b,
  });
/** The same, with no corpus argument. */
const decideWithout = (given: Given, s?: StoredRun) => decide(given, s, undefined, null);

describe('a new run takes every flag', () => {
  it.each<[string, Given, (d: ReturnType<typeof decide>) => unknown, unknown]>([
    ['defaults: out is models/<corpus name>', {}, (d) => d.settings.out, 'models/play'],
    ['stdin: out is models/stdin', {}, () => decide({}, undefined, undefined, '-').settings.out, 'models/stdin'],
    ['--out is used as given', { out: 'x/y' }, (d) => d.settings.out, 'x/y'],
    [
      'network flags shape the network',
      { layers: 3, units: 64, dropout: 0.5 },
      (d) => [d.settings.hyper.layers, d.settings.hyper.units, d.settings.hyper.dropout],
      [3, 64, 0.5],
    ],
    ['default epochs', {}, (d) => d.settings.epochs, defaults.epochs],
    [
      '--max-time alone lifts the epoch cap',
      { maxTime: 60 },
      (d) => [d.settings.epochs, d.settings.maxTimeSeconds],
      [defaults.epochsUntilTime, 60],
    ],
    ['--max-time with --epochs keeps the cap', { maxTime: 60, epochs: 7 }, (d) => d.settings.epochs, 7],
    [
      '--lowercase applies to the text and the record',
      { lowercase: true },
      (d) => [d.settings.text.lowercase, d.settings.hyper.lowercase],
      [true, true],
    ],
    [
      '--encoding and --keep-boilerplate say how the text is read',
      { encoding: 'cp1252', keepBoilerplate: true },
      (d) => d.settings.text,
      { encoding: 'cp1252', lowercase: false, keepBoilerplate: true },
    ],
    ['no warnings, no refusals', { layers: 1 }, (d) => [d.warnings, d.refusals], [[], []]],
    ['the corpus is the argument', {}, (d) => d.settings.corpus, { paths: ['texts/play.txt'], fromBundle: false }],
    [
      'several files or directories are the corpus, in order',
      {},
      () => decide({}, undefined, undefined, ['b.txt', 'essays/']).settings.corpus,
      { paths: ['b.txt', 'essays/'], fromBundle: false },
    ],
    [
      'several: out is named by the first',
      {},
      () => decide({}, undefined, undefined, ['texts/essays/', 'b.txt']).settings.out,
      'models/essays',
    ],
    ['--origin is recorded', { origin: 'PG #1533' }, (d) => d.settings.origin, 'PG #1533'],
    ['no --origin: the CLI records what the files say', {}, (d) => d.settings.origin, undefined],
    ['a new run records its own command', {}, (d) => d.settings.command, undefined],
  ])('%s', (_name, given, pick, expected) => {
    expect(pick(decide(given))).toEqual(expected);
  });

  it('refuses a run without a corpus (a usage error saying how to give one or resume)', () => {
    const d = decideWithout({});
    expect(d.refusals.map((e) => e.kind)).toEqual(['usage']);
    expect(d.refusals[0].message).toBe('no corpus given: lstm train needs a text file to train on (or - for stdin)');
    expect(d.refusals[0].hint).toContain('lstm train --resume DIR');
  });

  it.each([
    [
      'a training bundle: continue it, or another --out',
      'bundle',
      'models/m already holds a model; training would replace it',
      'continue it with lstm train --resume models/m, or choose another --out',
    ],
    [
      'an export: never resumed; --from starts from it',
      'export',
      'models/m holds an exported model; training would replace it',
      'choose another --out (to start from that model: lstm train <corpus> --from models/m --out <new dir>)',
    ],
    [
      'a bundled model: never written into, never deleted',
      'bundled',
      'models/m is a model bundled with lstm; a new run never writes into it',
      'choose another --out, e.g. --out models/m',
    ],
  ] as const)('refuses an --out that holds %s (a usage error)', (_name, holds, message, hint) => {
    const d = decide({ out: 'models/m' }, undefined, holds);
    expect(d.refusals.map((e) => [e.kind, e.message, e.hint])).toEqual([['usage', message, hint]]);
    expect(d.refusals[0].hint).not.toMatch(/delete|remove/);
  });

  it.each([[['-', 'a.txt']], [['a.txt', '-']]])(
    'refuses - (stdin) among files %j: a usage error saying what to give',
    (corpus) => {
      const d = decide({}, undefined, undefined, corpus);
      expect(d.refusals.map((e) => [e.kind, e.message])).toEqual([
        ['usage', '- (stdin) cannot be combined with files: stdin is read as one text of its own'],
      ]);
      expect(d.refusals[0].hint).toContain('give the files by name');
    },
  );

  it('defaultOut drops the extension and the directories', () => {
    expect(defaultOut('/a/b/macbeth.gutenberg.txt')).toBe('models/macbeth.gutenberg');
  });
});

describe('a resumed run continues the bundle', () => {
  it.each<[string, Given, (d: ReturnType<typeof decide>) => unknown, unknown]>([
    ['out is the bundle', {}, (d) => d.settings.out, 'models/old'],
    [
      'hyperparameters are the stored ones',
      {},
      (d) => d.settings.hyper,
      {
        seqLength: 32,
        batchSize: 16,
        valFraction: 0.2,
        layers: 1,
        units: 8,
        dropout: 0.1,
        lr: 0.01,
        lrDecay: 0.9,
        lrDecayAfter: 3,
        clip: 1,
        lowercase: true,
        randomSeed: 7,
      },
    ],
    ['stop conditions carry over', {}, (d) => [d.settings.epochs, d.settings.patience, d.settings.keep], [12, 4, 2]],
    ['--epochs given again raises the cap', { epochs: 30 }, (d) => d.settings.epochs, 30],
    [
      '--patience and --keep given again win',
      { patience: 9, keep: 5 },
      (d) => [d.settings.patience, d.settings.keep],
      [9, 5],
    ],
    [
      '--max-time applies to this run, the stored cap stays',
      { maxTime: 90 },
      (d) => [d.settings.maxTimeSeconds, d.settings.epochs],
      [90, 12],
    ],
    [
      'the text is read as it was: encoding, lowercase, boilerplate',
      {},
      (d) => d.settings.text,
      { encoding: 'latin1', lowercase: true, keepBoilerplate: true },
    ],
    ['--encoding may be given again', { encoding: 'utf8' }, (d) => d.settings.text.encoding, 'utf8'],
    ['--out naming the same bundle is fine', { out: 'models/./old' }, (d) => d.refusals, []],
    [
      'ignored flags are named in one warning',
      { lr: 0.5, units: 99, lowercase: false },
      (d) => d.warnings,
      ["resuming keeps the bundle's settings; ignoring --units, --lr, --lowercase"],
    ],
    [
      'ignored flags change nothing',
      { lr: 0.5, units: 99 },
      (d) => [d.settings.hyper.lr, d.settings.hyper.units],
      [0.01, 8],
    ],
    ['a corpus given is read', {}, (d) => d.settings.corpus, { paths: ['texts/play.txt'], fromBundle: false }],
    [
      'without a corpus, the recorded file is read',
      {},
      () => decideWithout({}, stored).settings.corpus,
      { paths: ['/texts/old.txt'], fromBundle: true },
    ],
    ['without a corpus, nothing refused', {}, () => decideWithout({}, stored).refusals, []],
    [
      'without a corpus, the files of a bundle of several are read, in order',
      {},
      () => decideWithout({}, several).settings.corpus,
      { paths: ['/texts/a.txt', '/texts/b.txt'], fromBundle: true },
    ],
    [
      'the origin is kept',
      {},
      (d) => d.settings.origin,
      'Project Gutenberg eBook #1533, Macbeth (header and license removed)',
    ],
    ['--origin given again replaces it', { origin: 'play text only' }, (d) => d.settings.origin, 'play text only'],
    ['the command that started the bundle is kept', {}, (d) => d.settings.command, 'lstm train old.txt --units 8'],
  ])('%s', (_name, given, pick, expected) => {
    expect(pick(decide(given, stored))).toEqual(expected);
  });

  it.each<[string, StoredRun, string, string]>([
    [
      'a bundle from before paths were recorded',
      { ...stored, corpus: { ...stored.corpus, path: undefined } },
      'models/old does not record where its corpus is (it was saved by an older lstm)',
      'pass the corpus: lstm train old.txt --resume models/old',
    ],
    [
      'a bundle trained on stdin',
      { ...stored, corpus: { ...stored.corpus, name: 'stdin', path: undefined } },
      'models/old was trained on text from stdin, which it cannot read again',
      'pipe the same text in: ... | lstm train - --resume models/old',
    ],
    [
      'a bundle trained on stdin that records it as its one file',
      {
        ...stored,
        corpus: {
          ...stored.corpus,
          name: 'stdin',
          path: undefined,
          files: [{ ...file('stdin', 'a', 'b'), path: undefined }],
        },
      },
      'models/old was trained on text from stdin, which it cannot read again',
      'pipe the same text in: ... | lstm train - --resume models/old',
    ],
  ])('without a corpus, refuses %s (a usage error saying what to pass)', (_name, s, message, hint) => {
    const d = decideWithout({}, s);
    expect(d.refusals.map((e) => [e.kind, e.message, e.hint])).toEqual([['usage', message, hint]]);
  });

  it.each<[string, Given, StoredRun, string, string]>([
    ['--out elsewhere', { out: 'models/new' }, stored, 'usage', '--out cannot differ from --resume'],
    ['no optimizer state (an export)', {}, { ...stored, hasOptimizer: false }, 'data', 'has no optimizer state'],
    [
      'hyperparameters that disagree with the network',
      {},
      { ...stored, network: { ...stored.network, units: 16 } },
      'data',
      'disagree with the network',
    ],
    [
      'an --epochs total already reached',
      { epochs: 5 },
      stored,
      'usage',
      '--epochs 5 is the total, and models/old has trained 5 epochs already: nothing is left to train',
    ],
    [
      'a bundle that has reached the --epochs total it records',
      {},
      { ...stored, epochsDone: 12 },
      'usage',
      'models/old has reached its --epochs total (12) with 12 epochs: nothing is left to train',
    ],
    [
      'a bundle that records no --epochs, at the default total',
      {},
      { ...stored, hyperparameters: { ...storedHyper, epochs: undefined }, epochsDone: 100 },
      'usage',
      'models/old has reached its --epochs total (100) with 100 epochs: nothing is left to train',
    ],
  ])('refuses %s', (_name, given, s, kind, message) => {
    const d = decide(given, s);
    expect(d.refusals.map((e) => e.kind)).toEqual([kind]);
    expect(d.refusals[0].message).toContain(message);
  });
});

describe('the resumed text', () => {
  const given: CorpusSource = { paths: ['new.txt'], fromBundle: false };
  const recorded: CorpusSource = { paths: ['/texts/old.txt'], fromBundle: true };
  const text = (sha256: string, textSha256: string, unknown: string[] = []): ResumedText => ({
    name: 'new.txt',
    sha256,
    textSha256,
    unknown,
  });

  it.each<[string, CorpusSource, ResumedText, string[], string[]]>([
    ['given, the same text: nothing to say', given, text('a', 'b'), [], []],
    [
      'given, another text: a warning, training goes on',
      given,
      text('c', 'c'),
      [
        'new.txt is not the text models/old was trained on (old.txt); training continues on it, but not as an exact continuation',
      ],
      [],
    ],
    [
      'given, characters outside the vocabulary: refused',
      given,
      text('a', 'b', ['é', '\n']),
      [],
      ["new.txt has 2 characters the bundle's vocabulary lacks: 'é' '\\n'"],
    ],
    ['recorded, the same bytes: nothing to say', recorded, text('a', 'b'), [], []],
    ['recorded, other bytes but the same text (e.g. CRLF made LF): nothing to say', recorded, text('c', 'b'), [], []],
    [
      'recorded, changed: refused, not warned',
      recorded,
      text('c0ffee', 'd'),
      [],
      ['/texts/old.txt has changed since models/old was trained on it (sha256 c0ffee…, recorded a…)'],
    ],
    [
      'recorded, gone: refused',
      recorded,
      { missing: ['/texts/old.txt'] },
      [],
      ['models/old was trained on /texts/old.txt, which is no longer there'],
    ],
  ])('%s', (_name, source, t, warnings, refusals) => {
    const d = checkResumedText(stored, source, t);
    expect(d.warnings).toEqual(warnings);
    expect(d.refusals.map((e) => e.message)).toEqual(refusals);
    expect(d.refusals.every((e) => e.kind === 'data')).toBe(true);
  });

  it.each<[string, ResumedText, string]>([
    [
      'changed',
      text('c', 'd'),
      'to train on it as it is now, pass the corpus explicitly: lstm train /texts/old.txt --resume models/old',
    ],
    ['gone', { missing: ['/texts/old.txt'] }, 'pass the corpus explicitly: lstm train <corpus> --resume models/old'],
  ])('a recorded corpus that is %s: the hint says how to pass one', (_name, t, hint) => {
    expect(checkResumedText(stored, recorded, t).refusals[0].hint).toBe(hint);
  });
});

describe("a fine-tune (--from) is a new run on the base's network", () => {
  const recipe = {
    seqLength: 32,
    batchSize: 16,
    valFraction: 0.2,
    dropout: 0.1,
    lr: 0.01,
    lrDecay: 0.9,
    lrDecayAfter: 3,
    clip: 1,
    randomSeed: 7,
  };
  it.each<[string, Given, (d: ReturnType<typeof tune>) => unknown, unknown]>([
    [
      "the network is the base's (the defaults of --layers and --units do not count)",
      {},
      (d) => [d.settings.hyper.layers, d.settings.hyper.units],
      [1, 8],
    ],
    ["--layers and --units equal to the base's are fine", { layers: 1, units: 8 }, (d) => d.refusals, []],
    [
      "the recipe is the base's unless given",
      {},
      (d) => d.settings.hyper,
      { ...recipe, layers: 1, units: 8, lowercase: false },
    ],
    [
      '--lr, --dropout and the rest may be set for the fine-tune',
      { lr: 0.001, dropout: 0.3, seqLength: 20, randomSeed: 3 },
      (d) => [d.settings.hyper.lr, d.settings.hyper.dropout, d.settings.hyper.seqLength, d.settings.hyper.randomSeed],
      [0.001, 0.3, 20, 3],
    ],
    [
      "stop conditions are this run's, not the base's",
      {},
      (d) => [d.settings.epochs, d.settings.patience, d.settings.keep],
      [defaults.epochs, defaults.patience, defaults.keep],
    ],
    ['out is models/<corpus name> by default', {}, (d) => d.settings.out, 'models/play'],
    [
      'a lowercased base: the text is lowercased too, without --lowercase',
      {},
      () => tune({}, { ...base, hyperparameters: { ...storedHyper, lowercase: true } }).settings.text.lowercase,
      true,
    ],
    [
      'a lowercased base and --lowercase: fine',
      { lowercase: true },
      () => tune({ lowercase: true }, { ...base, hyperparameters: { ...storedHyper, lowercase: true } }).refusals,
      [],
    ],
    [
      'a cased base: the text keeps its case',
      {},
      (d) => [d.settings.text.lowercase, d.settings.hyper.lowercase],
      [false, false],
    ],
    [
      "--encoding and --keep-boilerplate are this text's",
      { encoding: 'cp1252', keepBoilerplate: true },
      (d) => d.settings.text,
      { encoding: 'cp1252', lowercase: false, keepBoilerplate: true },
    ],
    ['an --out beside the base is fine', { out: 'models/base-tuned' }, (d) => d.refusals, []],
    ['no warnings', { lr: 0.001 }, (d) => d.warnings, []],
  ])('%s', (_name, given, pick, expected) => {
    expect(pick(tune(given))).toEqual(expected);
  });

  it.each<[string, Given, BaseRun, string, string]>([
    [
      '--units that differ',
      { units: 64 },
      base,
      '--units must be 8 to fine-tune models/base (its network is 1x8), got 64',
      "a fine-tune keeps its base's network; leave out --layers and --units, or train from scratch without --from",
    ],
    [
      '--layers that differ',
      { layers: 3 },
      base,
      '--layers must be 1 to fine-tune models/base (its network is 1x8), got 3',
      "a fine-tune keeps its base's network; leave out --layers and --units, or train from scratch without --from",
    ],
    [
      '--lowercase for a base that knows capitals',
      { lowercase: true },
      base,
      '--lowercase does not fit models/base: it was trained on text with capitals, which a lowercased fine-tune could never be given',
      "leave out --lowercase (the text is read as models/base's was), or train from scratch with --lowercase",
    ],
    [
      '--out equal to the base',
      { out: 'models/./base' },
      base,
      '--out models/./base is inside the base model models/base; a fine-tune is a new run and never writes into its base',
      'choose another --out, e.g. models/<name>-tuned',
    ],
    [
      '--out inside the base',
      { out: 'models/base/tuned' },
      base,
      '--out models/base/tuned is inside the base model models/base; a fine-tune is a new run and never writes into its base',
      'choose another --out, e.g. models/<name>-tuned',
    ],
    [
      '--out equal to the bundle of a base given as a checkpoint directory',
      { out: 'models/base' },
      { ...base, dir: 'models/base/epoch-0003' },
      '--out models/base is inside the base model models/base; a fine-tune is a new run and never writes into its base',
      'choose another --out, e.g. models/<name>-tuned',
    ],
  ])('refuses %s: a usage error, expected and got, what to do', (_name, given, b, message, hint) => {
    const d = tune(given, b);
    expect(d.refusals.map((e) => [e.kind, e.message, e.hint])).toEqual([['usage', message, hint]]);
  });

  it('refuses --from with --resume, naming both ways', () => {
    const d = runSettings({
      corpus: [],
      flags: { ...flags, resume: 'models/old' },
      given: new Set(['resume']),
      stored,
      base,
    });
    expect(d.refusals.map((e) => e.kind)).toEqual(['usage']);
    expect(d.refusals[0].message).toBe(
      '--from and --resume cannot be combined: --from starts a new run from models/base, --resume continues models/old',
    );
  });

  it('refuses an --out that holds a model after the refusals about the base (the first one is shown)', () => {
    const d = runSettings({
      corpus: ['b.txt'],
      flags: { ...flags, out: 'models/base' },
      given: new Set(['out']),
      base,
      outHolds: 'bundle',
    });
    expect(d.refusals.map((e) => e.message.split(';')[0])).toEqual([
      '--out models/base is inside the base model models/base',
      'models/base already holds a model',
    ]);
  });
});

describe('the resumed text of several files', () => {
  const source: CorpusSource = { paths: ['/texts/a.txt', '/texts/b.txt'], fromBundle: true };
  /** What was read: each file's hashes (the corpus's own are those of the joined text). */
  const read = (files: [string, string][], textSha256 = 't'): ResumedText => ({
    name: 'a.txt, b.txt',
    sha256: 'x',
    textSha256,
    unknown: [],
    files: files.map(([sha256, text], i) => ({ path: source.paths[i], sha256, textSha256: text })),
  });

  it.each<[string, CorpusSource, ResumedText, string[], string[]]>([
    [
      'every file as recorded: nothing to say',
      source,
      read([
        ['a1', 'a2'],
        ['b1', 'b2'],
      ]),
      [],
      [],
    ],
    [
      'a file with other bytes but the same text: nothing to say',
      source,
      read([
        ['a1', 'a2'],
        ['c0', 'b2'],
      ]),
      [],
      [],
    ],
    [
      'one file changed: refused, naming it',
      source,
      read([
        ['a1', 'a2'],
        ['c0ffee', 'zz'],
      ]),
      [],
      ['/texts/b.txt has changed since models/old was trained on it (sha256 c0ffee…, recorded b1…)'],
    ],
    [
      'both changed: refused, naming the first with its hashes and the other',
      source,
      read([
        ['d', 'd'],
        ['e', 'e'],
      ]),
      [],
      [
        '/texts/a.txt has changed since models/old was trained on it (sha256 d…, recorded a1…), and so has /texts/b.txt',
      ],
    ],
    [
      'gone: refused, naming every missing file',
      source,
      { missing: ['/texts/a.txt', '/texts/b.txt'] },
      [],
      ['models/old was trained on /texts/a.txt and /texts/b.txt, which are no longer there'],
    ],
    [
      'many gone: the first three and how many more',
      source,
      { missing: ['/1', '/2', '/3', '/4', '/5'] },
      [],
      ['models/old was trained on /1, /2, /3 and 2 more, which are no longer there'],
    ],
    [
      "files given instead, another text: a warning naming the bundle's",
      { paths: ['c.txt', 'd.txt'], fromBundle: false },
      {
        ...read(
          [
            ['c', 'c'],
            ['d', 'd'],
          ],
          'other',
        ),
        name: 'c.txt, d.txt',
      },
      [
        'c.txt, d.txt is not the text models/old was trained on (a.txt, b.txt); training continues on it, but not as an exact continuation',
      ],
      [],
    ],
  ])('%s', (_name, s, t, warnings, refusals) => {
    const d = checkResumedText(several, s, t);
    expect(d.warnings).toEqual(warnings);
    expect(d.refusals.map((e) => e.message)).toEqual(refusals);
  });

  it('a changed file: the hint passes every recorded file', () => {
    expect(
      checkResumedText(
        several,
        source,
        read([
          ['a1', 'a2'],
          ['z', 'z'],
        ]),
      ).refusals[0].hint,
    ).toBe(
      'to train on them as they are now, pass the corpus explicitly: lstm train /texts/a.txt /texts/b.txt --resume models/old',
    );
  });
});

describe("a new run's defaults fitted to its text (fitToText)", () => {
  const hyper = runSettings({ corpus: ['play.txt'], flags, given: new Set() }).settings.hyper;
  const small = defaults.smallText;
  // 2x300 over 72 characters: 1,190,472 parameters; a quarter of that is the line.
  it.each<[string, number, (keyof TrainFlags)[], Partial<typeof hyper> | 'unchanged']>([
    [
      'Macbeth (93k characters): the small-text recipe',
      93_000,
      [],
      { dropout: small.dropout, batchSize: small.batchSize, lr: small.lr },
    ],
    ['tinyshakespeare (1M characters): the defaults', 1_000_000, [], 'unchanged'],
    ['just above the line: the defaults', 297_619, [], 'unchanged'],
    ['just below it: small', 297_617, [], { dropout: small.dropout, batchSize: small.batchSize, lr: small.lr }],
    [
      '--dropout given: it is kept, the others fitted',
      93_000,
      ['dropout'],
      { dropout: defaults.dropout, batchSize: small.batchSize, lr: small.lr },
    ],
    ['all three given: nothing changes', 93_000, ['dropout', 'batchSize', 'lr'], 'unchanged'],
  ])('%s', (_name, trainChars, given, expected) => {
    const r = fitToText(hyper, new Set(given), { trainChars, vocabSize: 72 });
    if (expected === 'unchanged') {
      expect(r.hyper).toEqual(hyper);
      expect(r.note).toBeUndefined();
    } else {
      expect(r.hyper).toEqual({ ...hyper, ...expected });
      expect(r.note).toMatch(
        new RegExp(
          `^${trainChars.toLocaleString('en-US')} training characters is a small text for 1,190,472 parameters: using --`,
        ),
      );
    }
  });

  it.each<[string, (keyof TrainFlags)[], string]>([
    [
      'none given',
      [],
      'using --dropout 0.5, --batch-size 32, --lr 0.003 against overfitting (pass any of them to set your own)',
    ],
    [
      '--dropout given',
      ['dropout'],
      'using --batch-size 32, --lr 0.003 against overfitting (pass any of them to set your own)',
    ],
  ])('the note names what it fitted, %s', (_name, given, says) => {
    const { note } = fitToText(hyper, new Set(given), { trainChars: 93_000, vocabSize: 72 });
    expect(note).toMatch(/^93,000 training characters is a small text for 1,190,472 parameters: /);
    expect(note!.endsWith(says)).toBe(true);
  });

  // From a bundled base, how well it reads the text's held-out sample (train/transfer.ts) picks the small-text recipe.
  const familiar = small.familiar;
  it.each<[string, number | undefined, (keyof TrainFlags)[], Partial<typeof hyper>, string]>([
    [
      'a base that reads it well: gentle steps',
      2.85,
      [],
      { dropout: familiar.dropout, batchSize: small.batchSize, lr: familiar.lr },
      ', and bundled/shakespeare already reads it well (2.85 bits a character, under 3.3): using --dropout 0.2, --batch-size 32, --lr 0.0005 for gentle steps from its weights (pass any of them to set your own)',
    ],
    [
      'just under the line',
      familiar.maxBaseBits - 0.001,
      [],
      { dropout: familiar.dropout, batchSize: small.batchSize, lr: familiar.lr },
      ', and bundled/shakespeare already reads it well (',
    ],
    [
      'at the line: the small-text recipe',
      familiar.maxBaseBits,
      [],
      { dropout: small.dropout, batchSize: small.batchSize, lr: small.lr },
      ': using --dropout 0.5, --batch-size 32, --lr 0.003 against overfitting',
    ],
    [
      'a base that reads it badly (German): the small-text recipe',
      5.91,
      [],
      { dropout: small.dropout, batchSize: small.batchSize, lr: small.lr },
      ': using --dropout 0.5',
    ],
    [
      'from scratch: the small-text recipe',
      undefined,
      [],
      { dropout: small.dropout, batchSize: small.batchSize, lr: small.lr },
      ': using --dropout 0.5',
    ],
    [
      '--lr given with a base that reads it well: kept, the others gentle',
      2.85,
      ['lr'],
      { dropout: familiar.dropout, batchSize: small.batchSize },
      ': using --dropout 0.2, --batch-size 32 for gentle steps from its weights',
    ],
  ])('%s', (_name, baseBits, given, expected, says) => {
    const base = baseBits === undefined ? undefined : { name: 'bundled/shakespeare', bits: baseBits };
    const r = fitToText(hyper, new Set(given), { trainChars: 93_000, vocabSize: 72, base });
    expect(r.hyper).toEqual({ ...hyper, ...expected });
    expect(r.note!.slice('93,000 training characters is a small text for 1,190,472 parameters'.length)).toContain(says);
  });

  it('a text that is not small keeps the defaults whatever the base reads', () => {
    const base = { name: 'bundled/shakespeare', bits: 2 };
    expect(fitToText(hyper, new Set(), { trainChars: 1_000_000, vocabSize: 72, base })).toEqual({ hyper });
  });
});

/**
 * The resume policy as a table: stored settings + given flags → settings, warnings,
 * refusals. Pure; no files, no TensorFlow.
 */
import { describe, expect, it } from 'vitest';
import { defaults } from '../../src/config.js';
import type { StoredHyperparameters } from '../../src/store/manifest.js';
import { checkResumedText, defaultOut, runSettings, type StoredRun, type TrainFlags } from '../../src/train/settings.js';

const flags: TrainFlags = {
  seqLength: defaults.seqLength, batchSize: defaults.batchSize, valFraction: defaults.valFraction, layers: defaults.layers,
  units: defaults.units, dropout: defaults.dropout, lr: defaults.lr, lrDecay: defaults.lrDecay, lrDecayAfter: defaults.lrDecayAfter,
  clip: defaults.clip, lowercase: false, randomSeed: defaults.randomSeed, epochs: defaults.epochs, patience: defaults.patience,
  keep: defaults.keep, encoding: 'utf8', keepBoilerplate: false,
};

const storedHyper: StoredHyperparameters = {
  seqLength: 32, batchSize: 16, valFraction: 0.2, layers: 1, units: 8, dropout: 0.1, lr: 0.01, lrDecay: 0.9, lrDecayAfter: 3,
  clip: 1, lowercase: true, randomSeed: 7, epochs: 12, patience: 4, keep: 2, workers: 2,
};
const stored: StoredRun = {
  dir: 'models/old',
  hyperparameters: storedHyper,
  network: { layers: 1, units: 8, dropout: 0.1, vocabSize: 30 },
  corpus: { name: 'old.txt', bytes: 100, characters: 100, sha256: 'a', textSha256: 'b', encoding: 'latin1', strippedBoilerplate: false, keepBoilerplate: true },
  hasOptimizer: true,
};

type Given = Partial<TrainFlags>;
const decide = (given: Given, s?: StoredRun, outHoldsModel = false, corpus = 'texts/play.txt') =>
  runSettings({ corpus, flags: { ...flags, ...given }, given: new Set(Object.keys(given) as (keyof TrainFlags)[]), stored: s, outHoldsModel });

describe('a new run takes every flag', () => {
  it.each<[string, Given, (d: ReturnType<typeof decide>) => unknown, unknown]>([
    ['defaults: out is models/<corpus name>', {}, (d) => d.settings.out, 'models/play'],
    ['stdin: out is models/stdin', {}, (d) => decide({}, undefined, false, '-').settings.out, 'models/stdin'],
    ['--out is used as given', { out: 'x/y' }, (d) => d.settings.out, 'x/y'],
    ['network flags shape the network', { layers: 3, units: 64, dropout: 0.5 }, (d) => [d.settings.hyper.layers, d.settings.hyper.units, d.settings.hyper.dropout], [3, 64, 0.5]],
    ['default epochs', {}, (d) => d.settings.epochs, defaults.epochs],
    ['--max-time alone lifts the epoch cap', { maxTime: 60 }, (d) => [d.settings.epochs, d.settings.maxTimeSeconds], [defaults.epochsUntilTime, 60]],
    ['--max-time with --epochs keeps the cap', { maxTime: 60, epochs: 7 }, (d) => d.settings.epochs, 7],
    ['--lowercase applies to the text and the record', { lowercase: true }, (d) => [d.settings.text.lowercase, d.settings.hyper.lowercase], [true, true]],
    ['--encoding and --keep-boilerplate say how the text is read', { encoding: 'cp1252', keepBoilerplate: true }, (d) => d.settings.text, { encoding: 'cp1252', lowercase: false, keepBoilerplate: true }],
    ['no warnings, no refusals', { layers: 1 }, (d) => [d.warnings, d.refusals], [[], []]],
  ])('%s', (_name, given, pick, expected) => {
    expect(pick(decide(given))).toEqual(expected);
  });

  it('refuses an --out that already holds a model (usage error naming --resume)', () => {
    const d = decide({ out: 'models/m' }, undefined, true);
    expect(d.refusals).toHaveLength(1);
    expect(d.refusals[0].kind).toBe('usage');
    expect(d.refusals[0].message).toContain('models/m already holds a model');
    expect(d.refusals[0].hint).toContain('--resume models/m');
  });

  it('defaultOut drops the extension and the directories', () => {
    expect(defaultOut('/a/b/macbeth.gutenberg.txt')).toBe('models/macbeth.gutenberg');
  });
});

describe('a resumed run continues the bundle', () => {
  it.each<[string, Given, (d: ReturnType<typeof decide>) => unknown, unknown]>([
    ['out is the bundle', {}, (d) => d.settings.out, 'models/old'],
    ['hyperparameters are the stored ones', {}, (d) => d.settings.hyper, {
      seqLength: 32, batchSize: 16, valFraction: 0.2, layers: 1, units: 8, dropout: 0.1, lr: 0.01, lrDecay: 0.9, lrDecayAfter: 3, clip: 1, lowercase: true, randomSeed: 7,
    }],
    ['stop conditions carry over', {}, (d) => [d.settings.epochs, d.settings.patience, d.settings.keep], [12, 4, 2]],
    ['--epochs given again raises the cap', { epochs: 30 }, (d) => d.settings.epochs, 30],
    ['--patience and --keep given again win', { patience: 9, keep: 5 }, (d) => [d.settings.patience, d.settings.keep], [9, 5]],
    ['--max-time applies to this run, the stored cap stays', { maxTime: 90 }, (d) => [d.settings.maxTimeSeconds, d.settings.epochs], [90, 12]],
    ['the text is read as it was: encoding, lowercase, boilerplate', {}, (d) => d.settings.text, { encoding: 'latin1', lowercase: true, keepBoilerplate: true }],
    ['--encoding may be given again', { encoding: 'utf8' }, (d) => d.settings.text.encoding, 'utf8'],
    ['--out naming the same bundle is fine', { out: 'models/./old' }, (d) => d.refusals, []],
    ['ignored flags are named in one warning', { lr: 0.5, units: 99, lowercase: false }, (d) => d.warnings, ["resuming keeps the bundle's settings; ignoring --units, --lr, --lowercase"]],
    ['ignored flags change nothing', { lr: 0.5, units: 99 }, (d) => [d.settings.hyper.lr, d.settings.hyper.units], [0.01, 8]],
  ])('%s', (_name, given, pick, expected) => {
    expect(pick(decide(given, stored))).toEqual(expected);
  });

  it.each<[string, Given, StoredRun, string, string]>([
    ['--out elsewhere', { out: 'models/new' }, stored, 'usage', '--out cannot differ from --resume'],
    ['no optimizer state (an export)', {}, { ...stored, hasOptimizer: false }, 'data', 'has no optimizer state'],
    ['hyperparameters that disagree with the network', {}, { ...stored, network: { ...stored.network, units: 16 } }, 'data', 'disagree with the network'],
  ])('refuses %s', (_name, given, s, kind, message) => {
    const d = decide(given, s);
    expect(d.refusals.map((e) => e.kind)).toEqual([kind]);
    expect(d.refusals[0].message).toContain(message);
  });
});

describe('the resumed text', () => {
  it.each<[string, { textSha256: string; unknown: string[] }, number, number]>([
    ['the same text: nothing to say', { textSha256: 'b', unknown: [] }, 0, 0],
    ['another text: a warning, training goes on', { textSha256: 'c', unknown: [] }, 1, 0],
    ['characters outside the vocabulary: refused', { textSha256: 'b', unknown: ['é', '\n'] }, 0, 1],
  ])('%s', (_name, text, warnings, refusals) => {
    const d = checkResumedText(stored, { name: 'new.txt', ...text });
    expect([d.warnings.length, d.refusals.length]).toEqual([warnings, refusals]);
  });

  it('names the unknown characters readably', () => {
    const d = checkResumedText(stored, { name: 'new.txt', textSha256: 'b', unknown: ['é', '\n'] });
    expect(d.refusals[0].message).toBe("new.txt has 2 character(s) the bundle's vocabulary lacks: 'é' '\\n'");
  });
});

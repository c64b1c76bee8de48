/**
 * Which settings a training run uses: the one home of the resume policy. A pure function
 * of what the bundle stored and what the command line gave; it returns the settings, the
 * warnings to show and the refusals to raise, and the CLI only parses and prints.
 *
 * A new run takes every flag. A resumed run (`--resume DIR`) continues the bundle's run:
 * the network, optimisation, data and text settings are the bundle's (flags for them are
 * ignored with a warning), the stop conditions (`--epochs`, `--patience`, `--keep`) are
 * the bundle's unless given again, `--max-time` applies to this run only, and the encoding
 * may be given again (the same text can arrive in another file encoding). The corpus may be
 * left out when resuming: the files the bundle recorded are read, and must still be the text
 * the bundle was trained on. What the bundle says of itself carries over too: the corpus's
 * origin (unless --origin is given again) and the command that started it.
 *
 * A fine-tune (`--from MODEL`) is a new run that starts from a trained model's weights:
 * the network's shape is the base's (--layers or --units that differ are refused), the
 * text is read as the base read its own (its --lowercase; asking to lowercase for a base
 * that knows capitals is refused: it could no longer be given them), the other training
 * settings are the base's unless given (its recipe goes on; give a lower --lr to move
 * gently), and the stop conditions are this run's. It writes a new bundle, never into the
 * base's.
 */
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { defaults, type Hyperparameters } from '../config.js';
import { dataError, usageError, type LstmError } from '../errors.js';
import type { CorpusRecord, StoredHyperparameters } from '../store/manifest.js';
import type { Encoding } from '../text/corpus.js';
import { showChar } from '../text/show.js';
import { paramCount, type NetConfig } from '../params.js';

/** Every `lstm train` option, parsed, defaults included. */
export type TrainFlags = Hyperparameters & {
  out?: string;
  resume?: string;
  from?: string;
  epochs: number;
  maxTime?: number;
  patience: number;
  keep: number;
  encoding: Encoding;
  keepBoilerplate: boolean;
  /** Where the text comes from, in the user's words. */
  origin?: string;
};

/** What a resumed bundle's latest checkpoint says about its run. */
export type StoredRun = {
  dir: string;
  hyperparameters: StoredHyperparameters;
  network: NetConfig;
  corpus: CorpusRecord;
  hasOptimizer: boolean;
  /** The command it records (older bundles: the exact command line). */
  command?: string;
};

/** The model a fine-tune starts from (--from), as read. */
export type BaseRun = {
  /** As given to --from. */
  dir: string;
  /** Directories the fine-tune must not write into: the base's bundle (or export) directory. */
  bundle: string;
  hyperparameters: StoredHyperparameters;
  network: NetConfig;
};

/** Which files (or `-`, stdin) the corpus is read from: the arguments, or (resuming without any) the bundle's record. */
export type CorpusSource = { paths: string[]; fromBundle: boolean };

export type RunSettings = {
  /** The corpus to read: a path, or `-` for stdin. */
  corpus: CorpusSource;
  out: string;
  hyper: Hyperparameters;
  epochs: number;
  maxTimeSeconds?: number;
  patience: number;
  keep: number;
  /** How the corpus files are read. */
  text: { encoding: Encoding; lowercase: boolean; keepBoilerplate: boolean };
  /** The corpus's origin to record: --origin, else a resumed bundle's (else the CLI records what the files say). */
  origin?: string;
  /** A resumed bundle's command, which the run keeps recording (a new run records its own). */
  command?: string;
};

export type Decision = { settings: RunSettings; warnings: string[]; refusals: LstmError[] };

export type SettingsInput = {
  /** The corpus arguments (files, directories, or `-` alone for stdin); the first names the default --out. */
  corpus: readonly string[];
  flags: TrainFlags;
  /** Names of the options given on the command line (not defaulted). */
  given: ReadonlySet<keyof TrainFlags>;
  /** The bundle being resumed, when --resume is given. */
  stored?: StoredRun;
  /** The model fine-tuned, when --from is given. */
  base?: BaseRun;
  /** Whether --out (or its default) already holds a model. */
  outHoldsModel: boolean;
};

/** Flags that shape the model or its data: fixed by the bundle when resuming. */
const FIXED_ON_RESUME = [
  'layers',
  'units',
  'dropout',
  'lr',
  'lrDecay',
  'lrDecayAfter',
  'lrPlateau',
  'stateful',
  'clip',
  'seqLength',
  'batchSize',
  'valFraction',
  'randomSeed',
  'lowercase',
  'keepBoilerplate',
] as const;

export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/** Where a new run's bundle goes when --out is not given: models/<corpus name>. */
export const defaultOut = (corpus: string) =>
  join('models', corpus === '-' ? 'stdin' : basename(corpus, extname(corpus)));

/** Flags that describe the training recipe: the base's unless given when fine-tuning. */
const RECIPE = [
  'dropout',
  'lr',
  'lrDecay',
  'lrDecayAfter',
  'lrPlateau',
  'stateful',
  'clip',
  'seqLength',
  'batchSize',
  'valFraction',
  'randomSeed',
] as const;

export function runSettings({ corpus, flags, given, stored, base, outHoldsModel }: SettingsInput): Decision {
  const warnings: string[] = [];
  const refusals: LstmError[] = [];
  // `--max-time 15m` alone means "train for 15 minutes": the time limit and early stopping
  // decide, not the default epoch count.
  const epochs = flags.maxTime !== undefined && !given.has('epochs') ? defaults.epochsUntilTime : flags.epochs;

  if (!stored) {
    if (corpus.length === 0) {
      refusals.push(
        usageError(
          'no corpus given: lstm train needs a text file to train on (or - for stdin)',
          'lstm train macbeth.txt --out models/my-macbeth; to continue a bundle: lstm train --resume DIR',
        ),
      );
    }
    refusals.push(...stdinAlone(corpus));
    // (Without a corpus the run is refused; '-' only keeps the settings well-formed.)
    const paths = corpus.length ? [...corpus] : ['-'];
    const out = flags.out ?? defaultOut(paths[0]);
    let hyper: Hyperparameters = {
      seqLength: flags.seqLength,
      batchSize: flags.batchSize,
      valFraction: flags.valFraction,
      layers: flags.layers,
      units: flags.units,
      dropout: flags.dropout,
      lr: flags.lr,
      lrDecay: flags.lrDecay,
      lrDecayAfter: flags.lrDecayAfter,
      lrPlateau: flags.lrPlateau,
      clip: flags.clip,
      stateful: flags.stateful,
      lowercase: Boolean(flags.lowercase),
      randomSeed: flags.randomSeed,
    };
    if (base) {
      const fine = fineTune(base, flags, given, out);
      hyper = fine.hyper;
      refusals.push(...fine.refusals);
    }
    if (outHoldsModel) {
      refusals.push(
        usageError(
          `${out} already holds a model; training would replace it`,
          `continue it with --resume ${out}, choose another --out, or delete it first`,
        ),
      );
    }
    return {
      settings: {
        corpus: { paths, fromBundle: false },
        out,
        hyper,
        epochs,
        maxTimeSeconds: flags.maxTime,
        patience: flags.patience,
        keep: flags.keep,
        text: { encoding: flags.encoding, lowercase: hyper.lowercase, keepBoilerplate: Boolean(flags.keepBoilerplate) },
        origin: flags.origin,
      },
      warnings,
      refusals,
    };
  }

  if (base) {
    refusals.push(
      usageError(
        `--from and --resume cannot be combined: --from starts a new run from ${base.dir}, --resume continues ${stored.dir}`,
        `to fine-tune: lstm train <corpus> --from ${base.dir} --out <new dir>; to go on with a fine-tune: lstm train --resume ${stored.dir}`,
      ),
    );
  }
  const out = stored.dir;
  if (flags.out !== undefined && resolve(flags.out) !== resolve(stored.dir)) {
    refusals.push(usageError('--out cannot differ from --resume: training continues in the bundle it resumes'));
  }
  if (!stored.hasOptimizer) {
    refusals.push(
      dataError(
        `${stored.dir} has no optimizer state (it is an export for inference)`,
        'resume from a training bundle, or start a new run with --out',
      ),
    );
  }
  const { epochs: storedEpochs, patience, keep, workers: _workers, ...hyper } = stored.hyperparameters;
  const n = stored.network;
  // Resuming builds the network from the hyperparameters: they must describe the saved one.
  if (hyper.layers !== n.layers || hyper.units !== n.units || hyper.dropout !== n.dropout) {
    refusals.push(
      dataError(
        `${stored.dir}: hyperparameters (${hyper.layers}x${hyper.units}, dropout ${hyper.dropout}) disagree with the network (${n.layers}x${n.units}, dropout ${n.dropout})`,
        'the model is damaged; resume from another checkpoint or retrain',
      ),
    );
  }
  refusals.push(...stdinAlone(corpus));
  // Without a corpus, the files the bundle recorded (a bundle from stdin or from before paths were recorded has none).
  const recorded = recordedPaths(stored.corpus);
  let source: CorpusSource = {
    paths: corpus.length ? [...corpus] : (recorded ?? ['-']),
    fromBundle: corpus.length === 0,
  };
  if (corpus.length === 0 && recorded === undefined) {
    const stdin = stored.corpus.name === 'stdin';
    refusals.push(
      usageError(
        stdin
          ? `${stored.dir} was trained on text from stdin, which it cannot read again`
          : `${stored.dir} does not record where its corpus is (it was saved by an older lstm)`,
        stdin
          ? `pipe the same text in: ... | lstm train - --resume ${stored.dir}`
          : `pass the corpus: lstm train ${stored.corpus.name} --resume ${stored.dir}`,
      ),
    );
    source = { paths: ['-'], fromBundle: false };
  }
  const ignored = FIXED_ON_RESUME.filter((k) => given.has(k));
  if (ignored.length)
    warnings.push(`resuming keeps the bundle's settings; ignoring ${ignored.map(flagName).join(', ')}`);
  return {
    settings: {
      corpus: source,
      out,
      hyper,
      // Stop conditions carry over unless given again (--epochs may be raised).
      epochs: given.has('epochs') || storedEpochs === undefined ? epochs : storedEpochs,
      maxTimeSeconds: flags.maxTime,
      patience: given.has('patience') ? flags.patience : patience,
      keep: given.has('keep') ? flags.keep : keep,
      text: {
        encoding: given.has('encoding') ? flags.encoding : (stored.corpus.encoding as Encoding),
        lowercase: hyper.lowercase,
        keepBoilerplate: stored.corpus.keepBoilerplate ?? false,
      },
      origin: given.has('origin') ? flags.origin : stored.corpus.origin,
      command: stored.command,
    },
    warnings,
    refusals,
  };
}

/**
 * A fine-tune's hyperparameters: the base's network and text reading, the base's recipe
 * unless given; refusals for a shape or lowercasing the base cannot take, and for an --out
 * inside the base.
 */
function fineTune(
  base: BaseRun,
  flags: TrainFlags,
  given: ReadonlySet<keyof TrainFlags>,
  out: string,
): { hyper: Hyperparameters; refusals: LstmError[] } {
  const refusals: LstmError[] = [];
  const n = base.network;
  const keep = `a fine-tune keeps its base's network; leave out --layers and --units, or train from scratch without --from`;
  for (const key of ['layers', 'units'] as const) {
    if (given.has(key) && flags[key] !== n[key]) {
      refusals.push(
        usageError(
          `${flagName(key)} must be ${n[key]} to fine-tune ${base.dir} (its network is ${n.layers}x${n.units}), got ${flags[key]}`,
          keep,
        ),
      );
    }
  }
  const lowercase = Boolean(base.hyperparameters.lowercase);
  if (given.has('lowercase') && flags.lowercase && !lowercase) {
    refusals.push(
      usageError(
        `--lowercase does not fit ${base.dir}: it was trained on text with capitals, which a lowercased fine-tune could never be given`,
        `leave out --lowercase (the text is read as ${base.dir}'s was), or train from scratch with --lowercase`,
      ),
    );
  }
  const inside = (dir: string) => {
    const rel = relative(resolve(dir), resolve(out));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (inside(base.bundle) || inside(base.dir)) {
    refusals.push(
      usageError(
        `--out ${out} is inside the base model ${base.bundle}; a fine-tune is a new run and never writes into its base`,
        'choose another --out, e.g. models/<name>-tuned',
      ),
    );
  }
  const stored = base.hyperparameters;
  const recipe = Object.fromEntries(
    RECIPE.map((k) => [k, given.has(k) ? flags[k] : k === 'dropout' ? n.dropout : (stored[k] ?? flags[k])]),
  );
  return {
    hyper: {
      ...(recipe as Pick<Hyperparameters, (typeof RECIPE)[number]>),
      layers: n.layers,
      units: n.units,
      lowercase,
    },
    refusals,
  };
}

/** `-` reads one text from stdin: it cannot be one of several corpus arguments. */
function stdinAlone(corpus: readonly string[]): LstmError[] {
  if (corpus.length < 2 || !corpus.includes('-')) return [];
  return [
    usageError(
      '- (stdin) cannot be combined with files: stdin is read as one text of its own',
      'give the files by name, or save the piped text to a file and give it with them',
    ),
  ];
}

/** The absolute paths of the files a bundle was trained on, when it recorded them all. */
function recordedPaths(c: CorpusRecord): string[] | undefined {
  if (c.files && c.files.length > 1) return c.files.every((f) => f.path) ? c.files.map((f) => f.path!) : undefined;
  return c.path === undefined ? undefined : [c.path];
}

/** At most `max` items in words: `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`. */
function listed(items: readonly string[], max = 3): string {
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : [...items];
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/**
 * A new run's defaults fitted to its text: a text small for its network (fewer training
 * characters than `defaults.smallText.charsPerParam` times the parameters) overfits at the
 * general defaults, so the options the user left out among --dropout, --batch-size and --lr
 * take `defaults.smallText`'s. Returns the settings and a sentence saying what changed (none
 * when nothing did). Resumed runs and fine-tunes keep their recorded recipe.
 */
export function fitToText(
  hyper: Hyperparameters,
  given: ReadonlySet<keyof TrainFlags>,
  text: { trainChars: number; vocabSize: number },
): { hyper: Hyperparameters; note?: string } {
  const params = paramCount({
    vocabSize: text.vocabSize,
    layers: hyper.layers,
    units: hyper.units,
    dropout: hyper.dropout,
  });
  const small = defaults.smallText;
  if (text.trainChars >= small.charsPerParam * params) return { hyper };
  const keys = (['dropout', 'batchSize', 'lr'] as const).filter((k) => !given.has(k));
  if (!keys.length) return { hyper };
  const fitted = { ...hyper, ...Object.fromEntries(keys.map((k) => [k, small[k]])) };
  const what = keys.map((k) => `${flagName(k)} ${small[k]}`).join(', ');
  return {
    hyper: fitted,
    note: `${text.trainChars.toLocaleString('en-US')} training characters is a small text for ${params.toLocaleString('en-US')} parameters: using ${what} against overfitting (give them to choose)`,
  };
}

/** What the CLI found at a resumed run's corpus paths: the text (each file's hashes when several), or the paths with no file. */
export type ResumedText =
  | {
      name: string;
      sha256: string;
      textSha256: string;
      unknown: string[];
      files?: { path: string; sha256: string; textSha256: string }[];
    }
  | { missing: string[] };

/**
 * Whether a resumed run's text fits the bundle. A corpus given on the command line may be
 * another text (a warning: training goes on, not as an exact continuation); the files the
 * bundle recorded must be there and each still hold the same text (its bytes, or its text once
 * cleaned), else the user is asked to pass a corpus. Characters outside the vocabulary are
 * refused either way.
 */
export function checkResumedText(
  stored: StoredRun,
  source: CorpusSource,
  text: ResumedText,
): { warnings: string[]; refusals: LstmError[] } {
  const warnings: string[] = [];
  const refusals: LstmError[] = [];
  const was = stored.corpus;
  const explicitly = `pass the corpus explicitly: lstm train <corpus> --resume ${stored.dir}`;
  if ('missing' in text) {
    refusals.push(
      dataError(
        `${stored.dir} was trained on ${listed(text.missing)}, which ${text.missing.length === 1 ? 'is' : 'are'} no longer there`,
        explicitly,
      ),
    );
    return { warnings, refusals };
  }
  type Hashes = { sha256: string; textSha256?: string };
  const same = (a: Hashes, b: Hashes | undefined) =>
    b !== undefined && (a.sha256 === b.sha256 || (a.textSha256 !== undefined && a.textSha256 === b.textSha256));
  // Each file against its record: several files were recorded one by one, one file at the top.
  const recorded: Hashes[] = was.files && was.files.length > 1 ? was.files : [was];
  const seen = text.files ?? [{ path: source.paths[0], sha256: text.sha256, textSha256: text.textSha256 }];
  const changed = seen.map((f, i) => ({ ...f, was: recorded[i] })).filter((f) => !same(f, f.was));
  if (source.fromBundle && changed.length) {
    const [first, ...more] = changed;
    refusals.push(
      dataError(
        `${first.path} has changed since ${stored.dir} was trained on it (sha256 ${first.sha256.slice(0, 12)}…, recorded ${first.was?.sha256.slice(0, 12) ?? 'none'}…)` +
          (more.length ? `, and so ${more.length === 1 ? 'has' : 'have'} ${listed(more.map((f) => f.path))}` : ''),
        `to train on ${source.paths.length === 1 ? 'it as it is' : 'them as they are'} now, ${explicitly.replace('<corpus>', source.paths.join(' '))}`,
      ),
    );
  } else if (!source.fromBundle && was.textSha256 !== undefined && was.textSha256 !== text.textSha256) {
    warnings.push(
      `${text.name} is not the text ${stored.dir} was trained on (${was.name}); training continues on it, but not as an exact continuation`,
    );
  }
  if (text.unknown.length) {
    refusals.push(
      dataError(
        `${text.name} has ${text.unknown.length} character(s) the bundle's vocabulary lacks: ${text.unknown
          .slice(0, 10)
          .map((ch) => `'${showChar(ch)}'`)
          .join(' ')}`,
        'resume with the text the model was trained on, or train a new model on this one',
      ),
    );
  }
  return { warnings, refusals };
}

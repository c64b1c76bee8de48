/**
 * Which settings a training run uses: a pure function of what the bundle stored and what
 * the command line gave; it returns the settings, the warnings to show and the refusals to
 * raise, and the CLI only parses and prints. A new run takes every flag; a resumed run is
 * train/resume.ts's (the resume policy); a new run's defaults fitted to a small text are
 * `fitToText`'s.
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
import { usageError, type LstmError } from '../errors.js';
import { paramCount } from '../params.js';
import { plural } from '../figures.js';
import {
  flagName,
  RECIPE,
  stdinAlone,
  type BaseRun,
  type Decision,
  type SettingsInput,
  type TrainFlags,
} from './decision.js';
import { resumedRun } from './resume.js';

/** Where a new run's bundle goes when --out is not given: models/<corpus name>. */
export const defaultOut = (corpus: string) =>
  join('models', corpus === '-' ? 'stdin' : basename(corpus, extname(corpus)));

export function runSettings(input: SettingsInput): Decision {
  const { flags, given } = input;
  // `--max-time 15m` alone means "train for 15 minutes": the time limit and early stopping
  // decide, not the default epoch count.
  const epochs = flags.maxTime !== undefined && !given.has('epochs') ? defaults.epochsUntilTime : flags.epochs;
  return input.stored ? resumedRun(input, input.stored, epochs) : newRun(input, epochs);
}

/** A new run (or a fine-tune, with --from): every flag, the base's network and recipe where it has one. */
function newRun({ corpus, flags, given, base, outHolds }: SettingsInput, epochs: number): Decision {
  const warnings: string[] = [];
  const refusals: LstmError[] = [];
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
    variationalDropout: flags.variationalDropout,
    weightDrop: flags.weightDrop,
    ema: flags.ema,
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
  if (outHolds) refusals.push(occupied(out, outHolds));
  return {
    settings: {
      corpus: { paths, fromBundle: false },
      out,
      hyper,
      epochs,
      maxTimeSeconds: flags.maxTime,
      patience: flags.patience,
      minGain: flags.minGain,
      keep: flags.keep,
      text: { encoding: flags.encoding, lowercase: hyper.lowercase, keepBoilerplate: Boolean(flags.keepBoilerplate) },
      origin: flags.origin,
    },
    warnings,
    refusals,
  };
}

/** Why a new run may not write into `out`, and where it can go instead; never a hint that loses a model. */
function occupied(out: string, holds: NonNullable<SettingsInput['outHolds']>): LstmError {
  if (holds === 'bundled') {
    return usageError(
      `${out} is a model bundled with lstm; a new run never writes into it`,
      `choose another --out, e.g. --out ${join('models', basename(out))}`,
    );
  }
  if (holds === 'export') {
    return usageError(
      `${out} holds an exported model; training would replace it`,
      `choose another --out (to start from that model: lstm train <corpus> --from ${out} --out <new dir>)`,
    );
  }
  return usageError(
    `${out} already holds a model; training would replace it`,
    `continue it with lstm train --resume ${out}, or choose another --out`,
  );
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

/**
 * A new run's defaults fitted to its text: a text small for its network (fewer training
 * characters than `defaults.smallText.charsPerParam` times the parameters) overfits at the
 * general defaults, so the options the user left out among --dropout, --batch-size and --lr
 * take `defaults.smallText`'s, or its `familiar` ones when the bundled base the run starts
 * from reads the text well (`base.bits`, its bits per character on the held-out sample).
 * Returns the settings and a sentence saying what changed (none when nothing did). Resumed
 * runs and fine-tunes keep their recorded recipe.
 */
export function fitToText(
  hyper: Hyperparameters,
  given: ReadonlySet<keyof TrainFlags>,
  text: { trainChars: number; vocabSize: number; base?: { name: string; bits: number } },
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
  const { base } = text;
  const familiar = base !== undefined && base.bits < small.familiar.maxBaseBits;
  const values = familiar ? { ...small, ...small.familiar } : small;
  const fitted = { ...hyper, ...Object.fromEntries(keys.map((k) => [k, values[k]])) };
  const what = keys.map((k) => `${flagName(k)} ${values[k]}`).join(', ');
  const why = familiar
    ? `, and ${base!.name} already reads it well (${base!.bits.toFixed(2)} bits a character, under ${small.familiar.maxBaseBits}): using ${what} for gentle steps from its weights`
    : `: using ${what} against overfitting`;
  return {
    hyper: fitted,
    note: `${plural(text.trainChars, 'training character')} is a small text for ${plural(params, 'parameter')}${why} (pass any of them to set your own)`,
  };
}

/**
 * The resume policy: a resumed run (`--resume DIR`) continues the bundle's run. The network,
 * optimisation, data and text settings are the bundle's (flags for them are ignored with a
 * warning), the stop conditions are the bundle's unless given again, and the corpus may be
 * left out (the files the bundle recorded are read, and must still be its text).
 * `--max-time` applies to this run only, the encoding may be given again (the same text can
 * arrive in another file encoding), and what the bundle says of itself carries over: the
 * corpus's origin (unless --origin is given again) and the command that started it.
 */
import { resolve } from 'node:path';
import { dataError, usageError, type LstmError } from '../errors.js';
import { plural } from '../figures.js';
import type { CorpusRecord } from '../store/manifest.js';
import type { Encoding } from '../text/corpus.js';
import { showChar } from '../text/show.js';
import {
  flagName,
  RECIPE,
  stdinAlone,
  type CorpusSource,
  type Decision,
  type SettingsInput,
  type StoredRun,
} from './decision.js';

/** Flags that shape the model or its data: fixed by the bundle when resuming. */
const FIXED_ON_RESUME = ['layers', 'units', ...RECIPE, 'lowercase', 'keepBoilerplate'] as const;

/** A resumed run (--resume DIR): the bundle's settings, its stop conditions unless given, its corpus unless given. */
export function resumedRun({ corpus, flags, given, base }: SettingsInput, stored: StoredRun, epochs: number): Decision {
  const warnings: string[] = [];
  const refusals: LstmError[] = [];
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
  const { epochs: storedEpochs, patience, minGain, keep, workers: _workers, ...hyper } = stored.hyperparameters;
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
  const limit = given.has('epochs') || storedEpochs === undefined ? epochs : storedEpochs;
  refusals.push(...nothingLeft(stored, limit, given.has('epochs')));
  const ignored = FIXED_ON_RESUME.filter((k) => given.has(k));
  if (ignored.length)
    warnings.push(`resuming keeps the bundle's settings; ignoring ${ignored.map(flagName).join(', ')}`);
  return {
    settings: {
      corpus: source,
      out,
      hyper,
      // Stop conditions carry over unless given again (--epochs may be raised).
      epochs: limit,
      maxTimeSeconds: flags.maxTime,
      patience: given.has('patience') ? flags.patience : patience,
      minGain: given.has('minGain') ? flags.minGain : (minGain ?? 0),
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

/** --epochs counts every epoch the bundle has: a total already reached would train nothing. */
function nothingLeft(stored: StoredRun, limit: number, given: boolean): LstmError[] {
  if (limit > stored.epochsDone) return [];
  return [
    usageError(
      given
        ? `--epochs ${limit} is the total, and ${stored.dir} has trained ${plural(stored.epochsDone, 'epoch')} already: nothing is left to train`
        : `${stored.dir} has reached its --epochs total (${limit}) with ${plural(stored.epochsDone, 'epoch')}: nothing is left to train`,
      `give a larger total, e.g. --epochs ${stored.epochsDone + 10}`,
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
        `${text.name} has ${plural(text.unknown.length, 'character')} the bundle's vocabulary lacks: ${text.unknown
          .slice(0, 10)
          .map((ch) => `'${showChar(ch)}'`)
          .join(' ')}`,
        'resume with the text the model was trained on, or train a new model on this one',
      ),
    );
  }
  return { warnings, refusals };
}

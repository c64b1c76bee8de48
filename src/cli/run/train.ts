/**
 * `lstm train <corpus...|->`: train a model on files, directories or stdin, checkpointing
 * every epoch; `--resume` continues one (its recorded corpus unless given); `--from`
 * fine-tunes one into a new bundle. What it shows while it runs is train-report.ts's, and
 * how Ctrl-C stops it signals.ts's; this file decides the run.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { defaults, DOCUMENT_SEPARATOR_NAME, type Hyperparameters } from '../../config.js';
import { dataError } from '../../errors.js';
import { hurtBySignals, initBackend } from '../../net/backend.js';
import { shellCommand } from '../../shell.js';
import { holdsModel, isFlatExport } from '../../store/bundle.js';
import { loadModel, type StoredModel } from '../../store/load.js';
import type { BundleLock } from '../../store/lock.js';
import { SAVING } from '../../store/write.js';
import { codePointCount, type Corpus } from '../../text/corpus.js';
import { Vocab } from '../../text/vocab.js';
import { splitSizes } from '../../text/split.js';
import { startFrom, type FineTuneStart } from '../../train/from.js';
import { trainModel } from '../../train/loop.js';
import type { RunResult } from '../../train/run.js';
import { trainInThread, type ThreadRun } from '../../train/thread.js';
import type { RunSettings, SettingsInput, StoredRun, TrainFlags } from '../../train/decision.js';
import { checkResumedText } from '../../train/resume.js';
import { defaultOut, fitToText, runSettings } from '../../train/settings.js';
import type { TrainCommandFlags } from '../commands/train.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { type Base, bundledStart, type ChosenBase, readBase } from '../bases.js';
import { isFile, loadCorpora } from '../corpus.js';
import { trainCommandInUserForm } from '../invocation.js';
import { HeldLocks } from '../locks.js';
import { isBundled } from '../paths.js';
import type { Reporter } from '../reporter.js';
import { listenForStop, Stopped } from '../signals.js';
import { reportDone, trainEvents, type ReportedRun } from '../train-report.js';

/** Refuses with the first refusal of a decision, else shows its warnings. */
type Decide = <T extends { warnings: string[]; refusals: Error[] }>(decision: T) => T;

/** A bundle being resumed, as read under its lock. */
type Resumed = { model: StoredModel; stored: StoredRun; lock: BundleLock };

/** The bundle is locked before anything is written into it, and released however the run ends. */
export async function run(paths: string[], flags: TrainCommandFlags, cmd: Command, ctx: Context): Promise<void> {
  const locks = new HeldLocks(ctx.reporter);
  try {
    await train(paths, flags, cmd, ctx, locks);
  } finally {
    await locks.release();
  }
}

async function train(
  paths: string[],
  flags: TrainCommandFlags,
  cmd: Command,
  ctx: Context,
  locks: HeldLocks,
): Promise<void> {
  const { reporter } = ctx;
  const given = new Set(Object.keys(flags).filter((k) => cmd.getOptionValueSource(k) === 'cli')) as Set<
    keyof TrainFlags
  >;
  const decide: Decide = (decision) => {
    if (decision.refusals.length) throw decision.refusals[0];
    for (const warning of decision.warnings) reporter.warn(warning);
    return decision;
  };
  const resumed = flags.resume ? await readResumed(flags.resume, locks) : undefined;
  const stored = resumed?.stored;
  const base = flags.from !== undefined && flags.from !== 'none' ? await readBase(flags.from) : undefined;
  const trainFlags: TrainFlags = {
    ...flags,
    lowercase: Boolean(flags.lowercase),
    keepBoilerplate: Boolean(flags.keepBoilerplate),
  };
  const input = { corpus: paths, flags: trainFlags, given, stored, base: base?.run };
  const newOut = flags.out ?? (paths.length ? defaultOut(paths[0]) : undefined);
  const outHolds = !stored && newOut !== undefined ? await whatHolds(newOut) : undefined;
  const { settings } = decide(runSettings({ ...input, outHolds }));
  const { out, epochs, patience, minGain, keep } = settings;
  const corpus = await readText(settings, stored, ctx, decide);
  let lock = resumed?.lock;
  if (!stored) {
    lock = await locks.take(out, SAVING); // before any time is spent choosing a start or training (it proves --out writable)
    // Checked again under the lock: a run into the same --out may have finished meanwhile.
    const now = await whatHolds(out);
    if (now) decide(runSettings({ ...input, outHolds: now }));
  }
  const { vocab, from, hyper, fitted, chosen } = await startingPoint(corpus, settings, {
    resumed,
    base,
    given,
    decide,
    reporter,
    chooseBase: flags.from === undefined ? () => initBackend(ctx.flags.backend, COMMAND_JOBS.train) : undefined,
  });
  // The bundle records the command as a user would type it (a resume keeps the one that
  // started it, in that form even when an older lstm recorded the exact line) and the exact line.
  const invocation = shellCommand(['lstm', ...process.argv.slice(2)]);
  const command = trainCommandInUserForm(settings.command ?? invocation, cmd);
  // Loaded here too, though the run computes on its own thread: a native library a thread
  // loaded alone is unloaded when it ends, and TensorFlow's exit handlers would crash the process.
  const backend = await initBackend(ctx.flags.backend, COMMAND_JOBS.train);
  const resume = resumeCommand(settings.corpus.paths, out);
  const report: ReportedRun = {
    json: Boolean(flags.json),
    out,
    vocabSize: vocab.size,
    hyper,
    patience,
    minGain,
    resume,
    fitted,
  };
  if (from) report.lineage = from.lineage;
  if (chosen) report.chosenBase = chosen;
  const result = await trainReported(reporter, report, lock, {
    corpus,
    encoding: corpus.encoding,
    vocab: vocab.chars,
    hyper,
    epochs,
    maxTimeSeconds: settings.maxTimeSeconds,
    patience,
    minGain,
    keep,
    workers: flags.workers ?? Math.min(availableParallelism(), defaults.maxWorkers),
    out,
    evalEvery: flags.evalEvery,
    valSampleWindows: defaults.valSampleWindows,
    sample: flags.sample,
    samplePrompt: defaults.samplePrompt,
    sampleLength: defaults.sampleLength,
    sampleTemperature: defaults.sampleTemperature,
    backend,
    command,
    invocation,
    resume: resumed?.model.checkpoint,
    from: from && { params: from.params, lineage: from.lineage },
    locked: lock !== undefined,
  });
  // Said where it stopped and how to go on (train-report.ts); the exit code says a signal stopped it.
  if (result.reason === 'interrupted' && report.signal) throw new Stopped(report.signal);
}

/**
 * The loop, with Ctrl-C heard here (signals.ts) and its events shown (train-report.ts), then
 * how it ended. On a backend a signal can hurt, the loop runs on its own thread (train/thread.ts).
 */
async function trainReported(
  reporter: Reporter,
  report: ReportedRun,
  lock: BundleLock | undefined,
  run: ThreadRun,
): Promise<RunResult> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const stop = listenForStop(reporter, () => Atomics.store(flag, 0, 1));
  const events = trainEvents(reporter, report);
  try {
    const result = hurtBySignals(run.backend)
      ? await trainInThread(run, lock, events, flag)
      : await trainModel({ ...run, vocab: new Vocab(run.vocab), lock, shouldStop: stop.requested, events });
    report.signal = stop.signal();
    reporter.done();
    await reportDone(reporter, result, report);
    return result;
  } finally {
    reporter.done(); // an error must not leave a spinner (and its timer) running
    stop.dispose();
  }
}

/** `--resume`: the bundle's latest checkpoint with Adam's state, read under the bundle's lock. */
async function readResumed(dir: string, locks: HeldLocks): Promise<Resumed> {
  if (await isFlatExport(dir)) {
    throw dataError(
      `${dir} is a model exported for inference (no optimizer state); it cannot be resumed`,
      'resume the training bundle it came from, or train a new model with --out',
    );
  }
  let lock: BundleLock | undefined;
  const model = await loadModel(dir, {
    which: 'latest',
    optimizer: true,
    // Before reading: no other run moves latest now.
    beforeReading: async () => {
      lock = await locks.take(dir, SAVING);
    },
  });
  const manifest = model.checkpoint.manifest;
  const stored: StoredRun = {
    dir,
    hyperparameters: manifest.hyperparameters,
    network: manifest.network,
    corpus: manifest.corpus,
    hasOptimizer: Boolean(model.checkpoint.optimizer),
    epochsDone: manifest.progress.epoch,
    command: manifest.command,
  };
  return { model, stored, lock: lock! };
}

/**
 * The training text, read as the settings say; a resume first checks its recorded files are
 * still there. Refuses a new run's text too short for the settings' split.
 */
async function readText(
  settings: RunSettings,
  stored: StoredRun | undefined,
  ctx: Context,
  decide: Decide,
): Promise<Corpus> {
  const source = settings.corpus;
  if (stored && source.fromBundle) {
    const missing: string[] = [];
    for (const p of source.paths) if (!(await isFile(p))) missing.push(p);
    if (missing.length) decide(checkResumedText(stored, source, { missing }));
  }
  const read = await loadCorpora(source.paths, settings.text, ctx, source.fromBundle ? stored!.corpus.name : undefined);
  if (read.documents)
    ctx.reporter.info(
      `${read.name}: ${read.documents.length} files, one after another with a ${DOCUMENT_SEPARATOR_NAME} between them; the last part of each is held out`,
    );
  // A new run's text too short to split is refused before a lock, a start or a backend costs
  // anything; a resumed one is first checked against its bundle's record (startingPoint).
  if (!stored)
    splitSizes(
      codePointCount(read.text),
      read.documents?.map((d) => d.characters),
      settings.hyper,
    );
  // The record names the origin the user gave (or the bundle kept), else what the file says.
  return { ...read, origin: settings.origin ?? read.origin };
}

/**
 * Where the network starts: a resume's vocabulary (its text checked against the bundle's
 * record), a fine-tune's union with its base, or a new text's own, with the settings fitted
 * to a small text (and the note that says so, which the start reports after where it starts).
 */
async function startingPoint(
  corpus: Corpus,
  settings: RunSettings,
  run: {
    resumed?: Resumed;
    base?: Base;
    given: Set<keyof TrainFlags>;
    decide: Decide;
    reporter: Reporter;
    /** Without --from: choose a bundled base (or none) once the backend this loads is up. */
    chooseBase?: () => Promise<unknown>;
  },
): Promise<{ vocab: Vocab; from?: FineTuneStart; hyper: Hyperparameters; fitted?: string; chosen?: ChosenBase }> {
  const { resumed, base, reporter } = run;
  const source = settings.corpus;
  if (resumed) {
    const vocab = new Vocab(resumed.model.checkpoint.manifest.vocab);
    const files = corpus.documents?.map((d) => ({ path: d.path!, sha256: d.sha256, textSha256: d.textSha256 }));
    run.decide(
      checkResumedText(resumed.stored, source, {
        name: corpus.name,
        sha256: corpus.sha256,
        textSha256: corpus.textSha256,
        unknown: vocab.unknown(corpus.text),
        files,
      }),
    );
    if (source.fromBundle)
      reporter.info(
        `reading ${source.paths.length === 1 ? source.paths[0] : `${source.paths.length} files (${corpus.name})`}, the text ${settings.out} was trained on`,
      );
    return { vocab, hyper: settings.hyper };
  }
  if (base) {
    const from = startFrom(base.model.checkpoint, base.run.dir, corpus.text, settings.hyper.randomSeed);
    return { vocab: from.vocab, from, hyper: settings.hyper };
  }
  // The start first: the recipe fitted below follows its network's size and how well its base reads the text.
  const start = run.chooseBase && (await bundledStart(corpus.text, settings.hyper, run.chooseBase, reporter));
  const vocab = start ? start.from.vocab : Vocab.fromText(corpus.text).vocab;
  const fitted = fitToText(settings.hyper, run.given, {
    trainChars: Math.round(codePointCount(corpus.text) * (1 - settings.hyper.valFraction)),
    vocabSize: vocab.size,
    base: start?.chosen,
  });
  return { vocab, hyper: fitted.hyper, fitted: fitted.note, ...start };
}

/** What a directory a new run would write into already holds, if a model. */
async function whatHolds(dir: string): Promise<SettingsInput['outHolds']> {
  if (isBundled(dir)) return 'bundled';
  if (await isFlatExport(dir)) return 'export';
  return (await holdsModel(dir)) ? 'bundle' : undefined;
}

/** How to go on from where a run into `out` stops. */
const resumeCommand = (paths: string[], out: string) =>
  paths[0] !== '-' ? `lstm train --resume ${out}` : `lstm train - --resume ${out} (with the same text on stdin)`;

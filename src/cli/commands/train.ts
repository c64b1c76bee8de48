/**
 * `lstm train <corpus...|->`: train a model on files, directories or stdin, checkpointing
 * every epoch; `--resume` continues one (its recorded corpus unless given); `--from`
 * fine-tunes one into a new bundle.
 */
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaults, DOCUMENT_SEPARATOR_NAME } from '../../config.js';
import { dataError, LstmError } from '../../errors.js';
import type { BundleLock } from '../../store/lock.js';
import type { Checkpoint } from '../../store/parse.js';
import type { FineTuneStart } from '../../train/from.js';
import type { BaseRun, StoredRun, TrainFlags } from '../../train/decision.js';
import { Vocab } from '../../text/vocab.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { isFile, loadCorpora } from '../corpus.js';
import { bits, count } from '../../figures.js';
import { duration, loss } from '../format.js';
import { shellCommand } from '../../shell.js';
import { trainCommandInUserForm } from '../invocation.js';
import { startingFrom } from '../lineage.js';
import { HeldLocks } from '../locks.js';
import {
  corpusOptions,
  duration as parseDuration,
  evalEvery,
  int,
  num,
  origin,
  windowOptions,
  type CorpusFlags,
  type WindowFlags,
} from '../options.js';
import { writeJson } from '../output.js';

type Flags = CorpusFlags &
  WindowFlags & {
    out?: string;
    resume?: string;
    from?: string;
    epochs: number;
    maxTime?: number;
    evalEvery: { batches?: number; seconds?: number };
    patience: number;
    keep: number;
    layers: number;
    units: number;
    dropout: number;
    lr: number;
    lrDecay: number;
    lrDecayAfter: number;
    lrPlateau: number;
    clip: number;
    workers?: number;
    sample: boolean;
    json?: boolean;
    origin?: string;
  };

export function register(program: Command, context: () => Context): void {
  windowOptions(
    corpusOptions(
      program
        .command('train')
        .description('train a character-level LSTM on a text, saving checkpoints every epoch')
        .argument(
          '[corpus...]',
          'text files or directories of them (the last --val-fraction of each file is held out), or - for stdin (with --resume: the files the bundle was trained on, unless given)',
        ),
    ),
  )
    .option('--out <dir>', 'model bundle directory (default: models/<corpus name>)')
    .option('--resume <dir>', 'continue training the bundle in <dir> (same vocabulary and settings)')
    .option(
      '--from <model>',
      "fine-tune: a new run starting from this model's weights (a bundle's best, or a checkpoint directory); its network and --lowercase, its other settings unless given, and the union of both vocabularies",
    )
    .option(
      '--epochs <n>',
      'stop after this many epochs in total (no limit when only --max-time is given)',
      int('--epochs', 1),
      defaults.epochs,
    )
    .option('--max-time <duration>', 'stop after this long, e.g. 90s, 10m, 1h', parseDuration)
    .option(
      '--eval-every <n|duration>',
      `also validate and checkpoint inside an epoch, every n batches or this long (default: ${defaults.evalEvery}; an epoch's end always does)`,
      evalEvery,
      evalEvery(defaults.evalEvery),
    )
    .option(
      '--patience <n>',
      'stop after this many epochs without a better validation loss',
      int('--patience', 1),
      defaults.patience,
    )
    .option('--keep <n>', 'epoch checkpoints to keep besides best and latest', int('--keep', 1), defaults.keep)
    .option('--layers <n>', 'stacked LSTM layers', int('--layers', 1, 16), defaults.layers)
    .option('--units <n>', 'units per LSTM layer', int('--units', 1, 4096), defaults.units)
    .option(
      '--dropout <rate>',
      'dropout after each LSTM layer',
      num('--dropout', 0, 1, { openMax: true }),
      defaults.dropout,
    )
    .option('--lr <rate>', 'Adam learning rate', num('--lr', 0, 1, { openMin: true }), defaults.lr)
    .option(
      '--lr-decay <factor>',
      'multiply the learning rate by this each epoch after --lr-decay-after (1: constant)',
      num('--lr-decay', 0, 1, { openMin: true }),
      defaults.lrDecay,
    )
    .option(
      '--lr-decay-after <n>',
      'epochs at the full learning rate before --lr-decay applies',
      int('--lr-decay-after', 0),
      defaults.lrDecayAfter,
    )
    .option(
      '--lr-plateau <n>',
      'halve the learning rate after this many epochs in a row without a better validation loss (0: never)',
      int('--lr-plateau', 0),
      defaults.lrPlateau,
    )
    .option('--clip <norm>', 'clip gradients to this global norm (0: off)', num('--clip', 0, Infinity), defaults.clip)
    .option(
      '--origin <text>',
      'where the text comes from, recorded in the bundle (default: read from a Project Gutenberg header)',
      origin,
    )
    .option(
      '--workers <n>',
      `threads that share each batch (default: one per core, at most ${defaults.maxWorkers})`,
      int('--workers', 1, 64),
    )
    .option('--no-sample', 'no sample text after each epoch')
    .option('--json', 'print one JSON event per line on stdout (start, epoch, checkpoint, done)')
    .action(async (paths: string[], flags: Flags, cmd: Command) => run(paths, flags, cmd, context()));
}

/** The bundle is locked before anything is written into it, and released however the run ends. */
async function run(paths: string[], flags: Flags, cmd: Command, ctx: Context): Promise<void> {
  const locks = new HeldLocks(ctx.reporter);
  try {
    await train(paths, flags, cmd, ctx, locks);
  } finally {
    await locks.release();
  }
}

async function train(paths: string[], flags: Flags, cmd: Command, ctx: Context, locks: HeldLocks): Promise<void> {
  const { reporter: r } = ctx;
  const c = r.c;
  const { readCheckpoint, resolveCheckpoint } = await import('../../store/read.js');
  const { holdsModel, isFlatExport } = await import('../../store/bundle.js');
  const { SAVING } = await import('../../store/write.js');
  const { checkpointSpecs } = await import('../../params.js');
  const { runSettings, defaultOut } = await import('../../train/settings.js');
  const { checkResumedText } = await import('../../train/resume.js');
  const given = new Set(Object.keys(flags).filter((k) => cmd.getOptionValueSource(k) === 'cli')) as Set<
    keyof TrainFlags
  >;
  const decide = <T extends { warnings: string[]; refusals: Error[] }>(d: T): T => {
    if (d.refusals.length) throw d.refusals[0];
    for (const w of d.warnings) r.warn(w);
    return d;
  };

  let resume;
  let stored: StoredRun | undefined;
  let lock: BundleLock | undefined;
  if (flags.resume) {
    if (await isFlatExport(flags.resume)) {
      throw dataError(
        `${flags.resume} is a model exported for inference (no optimizer state); it cannot be resumed`,
        'resume the training bundle it came from, or train a new model with --out',
      );
    }
    const latest = await resolveCheckpoint(flags.resume, 'latest');
    lock = await locks.take(flags.resume, SAVING); // before reading: no other run moves latest now
    resume = await readCheckpoint(latest, checkpointSpecs, { optimizer: true });
    const m = resume.manifest;
    stored = {
      dir: flags.resume,
      hyperparameters: m.hyperparameters,
      network: m.network,
      corpus: m.corpus,
      hasOptimizer: Boolean(resume.optimizer),
      command: m.command,
    };
  }
  // The base of a fine-tune is found and verified as `generate --model` does it.
  let base: BaseRun | undefined;
  let baseCheckpoint: Checkpoint | undefined;
  if (flags.from !== undefined) {
    const { readModelCheckpoint } = await import('../model.js');
    baseCheckpoint = await readModelCheckpoint(flags.from);
    const m = baseCheckpoint.manifest;
    // A checkpoint directory inside a bundle (models/base/epoch-0003) belongs to that bundle.
    const inBundle = baseCheckpoint.dir === flags.from && (await holdsModel(dirname(resolve(flags.from))));
    base = {
      dir: flags.from,
      bundle: inBundle ? dirname(resolve(flags.from)) : flags.from,
      hyperparameters: m.hyperparameters,
      network: m.network,
    };
  }
  const trainFlags: TrainFlags = {
    ...flags,
    lowercase: Boolean(flags.lowercase),
    keepBoilerplate: Boolean(flags.keepBoilerplate),
  };
  const newOut = flags.out ?? (paths.length ? defaultOut(paths[0]) : undefined);
  const outHoldsModel = !stored && newOut !== undefined && (await holdsModel(newOut));
  const { settings } = decide(runSettings({ corpus: paths, flags: trainFlags, given, stored, base, outHoldsModel }));
  const { out, epochs, patience, keep } = settings;
  let hyper = settings.hyper;

  const source = settings.corpus;
  if (stored && source.fromBundle) {
    const missing: string[] = [];
    for (const p of source.paths) if (!(await isFile(p))) missing.push(p);
    if (missing.length) decide(checkResumedText(stored, source, { missing }));
  }
  const read = await loadCorpora(source.paths, settings.text, ctx, source.fromBundle ? stored!.corpus.name : undefined);
  if (read.documents)
    r.info(
      `${read.name}: ${read.documents.length} files, one after another with a ${DOCUMENT_SEPARATOR_NAME} between them; the last part of each is held out`,
    );
  // The record names the origin the user gave (or the bundle kept), else what the file says.
  const corpus = { ...read, origin: settings.origin ?? read.origin };
  let vocab: Vocab;
  let from: FineTuneStart | undefined;
  if (stored) {
    vocab = new Vocab(resume!.manifest.vocab);
    const files = corpus.documents?.map((d) => ({ path: d.path!, sha256: d.sha256, textSha256: d.textSha256 }));
    decide(
      checkResumedText(stored, source, {
        name: corpus.name,
        sha256: corpus.sha256,
        textSha256: corpus.textSha256,
        unknown: vocab.unknown(corpus.text),
        files,
      }),
    );
    if (source.fromBundle)
      r.info(
        `reading ${source.paths.length === 1 ? source.paths[0] : `${source.paths.length} files (${corpus.name})`}, the text ${out} was trained on`,
      );
  } else if (baseCheckpoint) {
    const { startFrom } = await import('../../train/from.js');
    from = startFrom(baseCheckpoint, flags.from!, corpus.text, hyper.randomSeed);
    vocab = from.vocab;
  } else {
    vocab = Vocab.fromText(corpus.text).vocab;
    const { fitToText } = await import('../../train/settings.js');
    const fitted = fitToText(hyper, given, {
      trainChars: Math.round(Array.from(corpus.text).length * (1 - hyper.valFraction)),
      vocabSize: vocab.size,
    });
    hyper = fitted.hyper;
    if (fitted.note) r.info(fitted.note);
  }
  // The bundle records the command as a user would type it (a resume keeps the one that
  // started it, in that form even when an older lstm recorded the exact line) and the exact line.
  const invocation = shellCommand(['lstm', ...process.argv.slice(2)]);
  const command = trainCommandInUserForm(settings.command ?? invocation, cmd);

  if (!stored) {
    lock = await locks.take(out, SAVING); // before any training time is spent (it proves --out writable)
    // Checked again under the lock: a run into the same --out may have finished meanwhile.
    if (await holdsModel(out))
      decide(runSettings({ corpus: paths, flags: trainFlags, given, stored, base, outHoldsModel: true }));
  }
  const { initBackend } = await import('../../net/backend.js');
  const backend = await initBackend(ctx.flags.backend, COMMAND_JOBS.train);
  const { trainModel } = await import('../../train/loop.js');

  let stopRequested = false;
  const onSignal = (signal: string) => {
    if (stopRequested) {
      r.done();
      process.stderr.write(`\n${signal} again: quitting now; saved checkpoints are untouched\n`);
      process.exit(130);
    }
    stopRequested = true;
    r.done();
    r.warn(`${signal}: finishing this batch and saving a checkpoint (press Ctrl-C again to quit at once)`);
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  const workers = flags.workers ?? Math.min(availableParallelism(), defaults.maxWorkers);
  const json = Boolean(flags.json);
  const bestMark = c.green('★ best');
  try {
    const result = await trainModel({
      corpus,
      encoding: corpus.encoding,
      vocab,
      hyper,
      epochs,
      maxTimeSeconds: settings.maxTimeSeconds,
      patience,
      keep,
      workers,
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
      resume,
      from,
      lock,
      shouldStop: () => stopRequested,
      events: {
        onStart: (s) => {
          if (s.params > s.trainChars) {
            r.warn(
              `the model has ${count(s.params)} parameters for ${count(s.trainChars)} training characters: it will overfit; the validation loss and the best checkpoint guard against that (or use a longer text, fewer --units, more --dropout)`,
            );
          }
          if (json)
            return void writeJson({
              event: 'start',
              ...s,
              out,
              backend,
              vocabSize: vocab.size,
              hyperparameters: hyper,
              ...(from ? { lineage: from.lineage } : {}),
            });
          if (from) r.info(startingFrom(from.lineage, vocab.size, hyper.lowercase));
          r.info(
            `${s.resumed ? 'resuming' : from ? 'fine-tuning' : 'training'} ${out}: ${count(s.params)} parameters, ${hyper.layers}x${hyper.units} LSTM, vocabulary ${vocab.size}, on ${backend}${s.workers > 1 ? ` with ${s.workers} workers` : ''}`,
          );
          r.info(
            `data: ${count(s.trainChars)} training characters, ${count(s.valChars)} held out; ${s.batchesPerEpoch} batches of ${s.batchSize}x${hyper.seqLength} per epoch${s.resumed ? `; from epoch ${s.epoch + 1}${s.batch ? `, batch ${s.batch + 1}` : ''}` : ''}`,
          );
        },
        onBatch: (b) =>
          r.progress(
            `epoch ${b.epoch}  batch ${b.batch}/${b.batches}  loss ${b.loss.toFixed(3)}${b.lastValLoss === null ? '' : `  val ${b.lastValLoss.toFixed(3)}`}` +
              `  ${count(b.charsPerSecond)} chars/s  eta epoch ${duration(b.epochEtaSeconds)}${b.runEtaSeconds === null ? '' : `, run ${duration(b.runEtaSeconds)}`}`,
          ),
        onEvaluation: (v) => {
          if (json)
            return void writeJson({ event: 'evaluation', ...v, valBits: v.valLoss === null ? null : bits(v.valLoss) });
          const val =
            v.valLoss === null
              ? `train ${loss(v.trainLoss)}`
              : `val ${loss(v.valLoss)}${v.sampled ? ' (a fixed sample of the held-out part)' : ''}`;
          r.info(`epoch ${v.epoch}, batch ${v.batch}: ${val}${v.best ? `  ${bestMark}` : ''}`);
        },
        onEpoch: (e) => {
          r.done();
          if (json)
            return void writeJson({
              event: 'epoch',
              ...e,
              rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
              trainBits: bits(e.trainLoss),
              valBits: e.valLoss === null ? null : bits(e.valLoss),
              valPerplexity: e.valLoss === null ? null : Math.exp(e.valLoss),
            });
          const cold = e.valLossCold == null ? '' : ` (${bits(e.valLossCold).toFixed(3)} bpc as cold windows)`;
          const val =
            e.valLoss === null
              ? 'no validation'
              : `val ${loss(e.valLoss)}${cold}, perplexity ${Math.exp(e.valLoss).toFixed(2)}`;
          r.info(
            `epoch ${e.epoch}${e.epochs === defaults.epochsUntilTime || e.epochs === defaults.epochs ? '' : `/${e.epochs}`}  train ${loss(e.trainLoss)}  ${val}  ${count(e.charsPerSecond)} chars/s  ${duration(e.seconds)}  elapsed ${duration(e.elapsedSeconds)}${e.etaSeconds === null ? '' : `  eta ${duration(e.etaSeconds)}`}${e.best ? `  ${bestMark}` : ''}`,
          );
          if (e.lrHalvedTo !== undefined)
            r.info(
              `no better validation loss for ${hyper.lrPlateau} epochs: learning rate halved to ${e.lrHalvedTo.toPrecision(3)}`,
            );
          if (e.sample !== undefined) r.info(c.dim(e.sample.replace(/^/gm, '  │ ')));
        },
        onCheckpoint: (k) => {
          if (json) return void writeJson({ event: 'checkpoint', ...k });
          if (k.batch > 0) r.info(`saved ${k.path} (epoch ${k.epoch + 1}, batch ${k.batch})`);
        },
      },
    });
    r.done();
    const summary = {
      reason: result.reason,
      epochs: result.epoch,
      batch: result.batch,
      bestEpoch: result.bestEpoch,
      bestBatch: result.bestBatch,
      bestValLoss: result.bestValLoss,
      bestValBits: result.bestValLoss === null ? null : bits(result.bestValLoss),
      valLossFull: result.valLossFull,
      valBitsFull: result.valLossFull === null ? null : bits(result.valLossFull),
      valLossCold: result.valLossCold,
      valBitsCold: result.valLossCold === null ? null : bits(result.valLossCold),
      out,
    };
    if (json) await writeJson({ event: 'done', ...summary });
    const why = {
      epochs: `reached ${result.epoch} epochs`,
      patience: `no better validation loss for ${patience} epochs`,
      time: 'time limit reached',
      interrupted: 'interrupted',
    }[result.reason];
    const where =
      result.bestBatch > 0
        ? `epoch ${result.bestEpoch}, batch ${result.bestBatch}`
        : `epoch ${result.bestEpoch ?? '-'}`;
    const full =
      (result.valLossFull === null ? '' : `; the whole held-out part: ${loss(result.valLossFull)}`) +
      (result.valLossCold === null
        ? ''
        : `; as independent ${hyper.seqLength}-character windows: ${loss(result.valLossCold)}`);
    r.info(
      `done (${why}): best ${result.bestValLoss === null ? '-' : loss(result.bestValLoss)} at ${where}${full}; model in ${out}`,
    );
    if (result.reason === 'interrupted') {
      const again =
        source.paths[0] !== '-'
          ? `lstm train --resume ${out}`
          : `lstm train - --resume ${out} (with the same text on stdin)`;
      throw new LstmError('interrupted', `training interrupted; continue with: ${again}`);
    }
  } finally {
    r.done(); // an error must not leave a spinner (and its timer) running
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

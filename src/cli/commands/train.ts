/** `lstm train <corpus|->`: train a model, checkpointing every epoch; `--resume` continues one. */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { defaults, type Hyperparameters } from '../../config.js';
import { dataError, LstmError, usageError } from '../../errors.js';
import type { Encoding } from '../../text/corpus.js';
import { showChar } from '../../text/show.js';
import { Vocab } from '../../text/vocab.js';
import type { Context } from '../context.js';
import { loadCorpus } from '../corpus.js';
import { bits, count, duration, loss, shellCommand } from '../format.js';
import { corpusOptions, duration as parseDuration, int, num, windowOptions, type CorpusFlags, type WindowFlags } from '../options.js';
import { writeJson } from '../output.js';

type Flags = CorpusFlags & WindowFlags & {
  out?: string; resume?: string; epochs: number; maxTime?: number; patience: number; keep: number;
  layers: number; units: number; dropout: number; lr: number; lrDecay: number; lrDecayAfter: number; clip: number; workers?: number;
  sample: boolean; json?: boolean;
};

export function register(program: Command, context: () => Context): void {
  windowOptions(corpusOptions(
    program
      .command('train')
      .description('train a character-level LSTM on a text, saving checkpoints every epoch')
      .argument('<corpus>', 'text file, or - for stdin'),
  ))
    .option('--out <dir>', 'model bundle directory (default: models/<corpus name>)')
    .option('--resume <dir>', 'continue training the bundle in <dir> (same vocabulary and settings)')
    .option('--epochs <n>', 'stop after this many epochs in total (no limit when only --max-time is given)', int('--epochs', 1), defaults.epochs)
    .option('--max-time <duration>', 'stop after this long, e.g. 90s, 10m, 1h', parseDuration)
    .option('--patience <n>', 'stop after this many epochs without a better validation loss', int('--patience', 1), defaults.patience)
    .option('--keep <n>', 'epoch checkpoints to keep besides best and latest', int('--keep', 1), defaults.keep)
    .option('--layers <n>', 'stacked LSTM layers', int('--layers', 1, 16), defaults.layers)
    .option('--units <n>', 'units per LSTM layer', int('--units', 1, 4096), defaults.units)
    .option('--dropout <rate>', 'dropout after each LSTM layer', num('--dropout', 0, 1, { openMax: true }), defaults.dropout)
    .option('--lr <rate>', 'Adam learning rate', num('--lr', 0, 1, { openMin: true }), defaults.lr)
    .option('--lr-decay <factor>', 'multiply the learning rate by this each epoch after --lr-decay-after (1: constant)', num('--lr-decay', 0, 1, { openMin: true }), defaults.lrDecay)
    .option('--lr-decay-after <n>', 'epochs at the full learning rate before --lr-decay applies', int('--lr-decay-after', 0), defaults.lrDecayAfter)
    .option('--clip <norm>', 'clip gradients to this global norm (0: off)', num('--clip', 0, Infinity), defaults.clip)
    .option('--workers <n>', `threads that share each batch (default: one per core, at most ${defaults.maxWorkers})`, int('--workers', 1, 64))
    .option('--no-sample', 'no sample text after each epoch')
    .option('--json', 'print one JSON event per line on stdout (start, epoch, checkpoint, done)')
    .action(async (path: string, flags: Flags, cmd: Command) => run(path, flags, cmd, context()));
}

async function run(path: string, flags: Flags, cmd: Command, ctx: Context): Promise<void> {
  const { reporter: r } = ctx;
  const c = r.c;
  const { readCheckpoint, resolveCheckpoint, holdsModel, ensureWritable, checkResumable } = await import('../../store/checkpoint.js');
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  let { epochs, patience, keep } = flags;
  // `--max-time 15m` alone means "train for 15 minutes": the time limit and early stopping
  // decide, not the default epoch count.
  if (flags.maxTime !== undefined && !given('epochs')) epochs = defaults.epochsUntilTime;

  // What to train: a new model, or the one being resumed (its settings win).
  let resume;
  let hyper: Hyperparameters;
  let vocab: Vocab;
  let out: string;
  const corpusFlags = { ...flags };
  if (flags.resume) {
    if (flags.out !== undefined && resolvePath(flags.out) !== resolvePath(flags.resume)) {
      throw usageError('--out cannot differ from --resume: training continues in the bundle it resumes');
    }
    out = flags.resume;
    if (await isFlatExport(flags.resume)) {
      throw dataError(`${flags.resume} is a model exported for inference (no optimizer state); it cannot be resumed`, 'resume the training bundle it came from, or train a new model with --out');
    }
    resume = await readCheckpoint(await resolveCheckpoint(flags.resume, 'latest'), { optimizer: true });
    checkResumable(resume.manifest, resume.dir);
    if (!resume.optimizer) throw dataError(`${resume.dir} has no optimizer state (it is an export for inference)`, 'resume from a training bundle, or start a new run with --out');
    const stored = resume.manifest.hyperparameters;
    hyper = stored;
    // Stop conditions carry over unless given again (--epochs may be raised).
    if (!given('epochs') && stored.epochs !== undefined) epochs = stored.epochs;
    if (!given('patience')) patience = stored.patience;
    if (!given('keep')) keep = stored.keep;
    corpusFlags.lowercase = hyper.lowercase;
    corpusFlags.keepBoilerplate = resume.manifest.corpus.keepBoilerplate ?? false;
    if (!given('encoding')) corpusFlags.encoding = resume.manifest.corpus.encoding as Encoding;
    const ignored = ['layers', 'units', 'dropout', 'lr', 'lrDecay', 'lrDecayAfter', 'clip', 'seqLength', 'batchSize', 'valFraction', 'randomSeed', 'lowercase', 'keepBoilerplate']
      .filter((k) => given(k));
    if (ignored.length) r.warn(`resuming keeps the bundle's settings; ignoring ${ignored.map((k) => '--' + k.replace(/[A-Z]/g, (m) => '-' + m.toLowerCase())).join(', ')}`);
  } else {
    out = flags.out ?? join('models', path === '-' ? 'stdin' : basename(path, extname(path)));
    if (await holdsModel(out)) {
      throw usageError(`${out} already holds a model; training would replace it`, `continue it with --resume ${out}, choose another --out, or delete it first`);
    }
    hyper = {
      seqLength: flags.seqLength, batchSize: flags.batchSize, valFraction: flags.valFraction, layers: flags.layers,
      units: flags.units, dropout: flags.dropout, lr: flags.lr, lrDecay: flags.lrDecay, lrDecayAfter: flags.lrDecayAfter, clip: flags.clip, lowercase: Boolean(flags.lowercase),
      randomSeed: flags.randomSeed,
    };
  }

  const corpus = await loadCorpus(path, corpusFlags, ctx);
  if (resume) {
    const was = resume.manifest.corpus;
    const textHash = createHash('sha256').update(corpus.text, 'utf8').digest('hex');
    if (was.textSha256 !== undefined && was.textSha256 !== textHash) {
      r.warn(`${corpus.name} is not the text ${out} was trained on (${was.name}); training continues on it, but not as an exact continuation`);
    }
    vocab = new Vocab(resume.manifest.vocab);
    const unknown = vocab.unknown(corpus.text);
    if (unknown.length) {
      throw dataError(
        `${corpus.name} has ${unknown.length} character(s) the bundle's vocabulary lacks: ${unknown.slice(0, 10).map((ch) => `'${showChar(ch)}'`).join(' ')}`,
        'resume with the text the model was trained on, or train a new model on this one',
      );
    }
  } else vocab = Vocab.fromText(corpus.text).vocab;

  await ensureWritable(out); // before any training time is spent
  const { initBackend } = await import('../../net/backend.js');
  const backend = await initBackend(ctx.flags.backend);
  const { train } = await import('../../train/run.js');

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
    const result = await train({
      corpus, encoding: corpusFlags.encoding, vocab, hyper, epochs, maxTimeSeconds: flags.maxTime,
      patience, keep, workers, out, sample: flags.sample, samplePrompt: defaults.samplePrompt,
      sampleLength: defaults.sampleLength, sampleTemperature: defaults.sampleTemperature, backend,
      command: shellCommand(['lstm', ...process.argv.slice(2)]), resume, shouldStop: () => stopRequested,
      events: {
        onStart: (s) => {
          if (s.params > s.trainChars) {
            r.warn(`the model has ${count(s.params)} parameters for ${count(s.trainChars)} training characters: it will overfit; the validation loss and the best checkpoint guard against that (or use a longer text, fewer --units, more --dropout)`);
          }
          if (json) return void writeJson({ event: 'start', ...s, out, backend, vocabSize: vocab.size, hyperparameters: hyper });
          r.info(`${s.resumed ? 'resuming' : 'training'} ${out}: ${count(s.params)} parameters, ${hyper.layers}x${hyper.units} LSTM, vocabulary ${vocab.size}, on ${backend}${s.workers > 1 ? ` with ${s.workers} workers` : ''}`);
          r.info(`data: ${count(s.trainChars)} training characters, ${count(s.valChars)} held out; ${s.batchesPerEpoch} batches of ${s.batchSize}x${hyper.seqLength} per epoch${s.resumed ? `; from epoch ${s.epoch + 1}${s.batch ? `, batch ${s.batch + 1}` : ''}` : ''}`);
        },
        onBatch: (b) => r.progress(`epoch ${b.epoch}  batch ${b.batch}/${b.batches}  loss ${b.loss.toFixed(3)}  ${count(b.charsPerSecond)} chars/s  eta ${duration(b.epochEtaSeconds)}`),
        onEpoch: (e) => {
          r.done();
          if (json) return void writeJson({ event: 'epoch', ...e, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20), trainBits: bits(e.trainLoss), valBits: e.valLoss === null ? null : bits(e.valLoss), valPerplexity: e.valLoss === null ? null : Math.exp(e.valLoss) });
          const val = e.valLoss === null ? 'no validation' : `val ${loss(e.valLoss)}, perplexity ${Math.exp(e.valLoss).toFixed(2)}`;
          r.info(`epoch ${e.epoch}${e.epochs === defaults.epochsUntilTime ? '' : `/${e.epochs}`}  train ${loss(e.trainLoss)}  ${val}  ${count(e.charsPerSecond)} chars/s  ${duration(e.seconds)}  elapsed ${duration(e.elapsedSeconds)}  eta ${duration(e.etaSeconds ?? NaN)}${e.best ? '  ' + bestMark : ''}`);
          if (e.sample !== undefined) r.info(c.dim(e.sample.replace(/^/gm, '  │ ')));
        },
        onCheckpoint: (k) => {
          if (json) return void writeJson({ event: 'checkpoint', ...k });
          if (k.batch > 0) r.info(`saved ${k.path} (epoch ${k.epoch + 1} stopped after batch ${k.batch})`);
        },
      },
    });
    r.done();
    const summary = {
      reason: result.reason, epochs: result.epoch, bestEpoch: result.bestEpoch, bestValLoss: result.bestValLoss,
      bestValBits: result.bestValLoss === null ? null : bits(result.bestValLoss), out,
    };
    if (json) await writeJson({ event: 'done', ...summary });
    const why = { epochs: `reached ${result.epoch} epochs`, patience: `no better validation loss for ${patience} epochs`, time: 'time limit reached', interrupted: 'interrupted' }[result.reason];
    r.info(`done (${why}): best ${result.bestValLoss === null ? '-' : loss(result.bestValLoss)} at epoch ${result.bestEpoch ?? '-'}; model in ${out}`);
    if (result.reason === 'interrupted') throw new LstmError('interrupted', `training interrupted; continue with: lstm train ${path} --resume ${out}`);
  } finally {
    r.done(); // an error must not leave a spinner (and its timer) running
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

/** True when `dir` holds a single exported checkpoint (files directly, no best/latest). */
async function isFlatExport(dir: string): Promise<boolean> {
  const exists = (p: string) => stat(p).then(() => true, () => false);
  return (await exists(join(dir, 'lstm.json'))) && !(await exists(join(dir, 'latest')));
}

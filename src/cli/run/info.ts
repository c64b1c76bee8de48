/**
 * `lstm info`: what a model is, how it was trained, and its loss history, in the user's
 * terms: the corpus by file name and origin, the command as they would type it, notes as
 * sentences (--json gives the records as they are, with the exact command line). `--plot`
 * also draws the loss history as an SVG picture.
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { dataError } from '../../errors.js';
import { bits, count, noun, plural } from '../../figures.js';
import { paramCount } from '../../params.js';
import { checkpointList, listCheckpoints, type ListedCheckpoint } from '../../store/checkpoints.js';
import { loadModel, type StoredModel } from '../../store/load.js';
import { WEIGHTS_BIN, type CorpusRecord } from '../../store/manifest.js';
import { showChar } from '../../text/show.js';
import { curvesSvg, curvesTitle, lossCurves, type Curves } from '../../view/curves.js';
import { chart } from '../chart.js';
import type { InfoFlags } from '../commands/info.js';
import type { Context } from '../context.js';
import { duration, noteSentences } from '../format.js';
import { trainCommandInUserForm } from '../invocation.js';
import { lineageSentences } from '../lineage.js';
import { modelPath } from '../model.js';
import { writeUserFile } from '../user-file.js';
import { write, writeJson } from '../output.js';

export async function run(flags: InfoFlags, cmd: Command, ctx: Context): Promise<void> {
  const model = await loadModel(modelPath(flags.model), { which: flags.checkpoint });
  const curves = lossCurves(model.checkpoint.manifest);
  if (flags.plot) {
    if (curves.epochs.length === 0) {
      throw dataError(
        `--plot needs at least one finished epoch, ${model.checkpoint.dir} records none`,
        'train on (lstm train --resume), or plot another checkpoint (--checkpoint)',
      );
    }
    const title = curvesTitle(resolve(model.path), model.checkpoint.manifest.corpus);
    await writeUserFile(flags.plot, curvesSvg(curves, { title }));
    ctx.reporter.info(`wrote the training curves to ${flags.plot}`);
  }
  // A bundle's checkpoints, in the form --checkpoint takes; none for one checkpoint's directory.
  const checkpoints = model.checkpoint.dir === model.path ? null : await listCheckpoints(model.path);
  const doc = infoDocument(model, cmd, checkpoints);
  if (flags.json) return writeJson(doc, true);
  await write(summary(model, doc, curves, checkpoints));
}

type InfoDocument = ReturnType<typeof infoDocument>;

/** The model as --json gives it: the records as they are, with figures in bits beside nats. */
function infoDocument(model: StoredModel, cmd: Command, checkpoints: ListedCheckpoint[] | null) {
  const manifest = model.checkpoint.manifest;
  const { progress } = manifest;
  const bestBatch = progress.bestBatch ?? 0;
  // Bundles from before the user's form recorded the exact line in `command`: shown in the user's form too.
  const command = trainCommandInUserForm(manifest.command, cmd);
  return {
    path: model.checkpoint.dir,
    checkpoints: checkpoints?.map((c) => ({ checkpoint: c.label, dir: c.name, pointers: c.pointers })) ?? null,
    architecture: {
      ...manifest.network,
      parameters: paramCount(model.cfg),
      input: 'one-hot',
      output: 'softmax over the vocabulary',
    },
    weights: { dtype: model.checkpoint.weightsDtype, bytes: manifest.files[WEIGHTS_BIN]?.size ?? null },
    vocab: manifest.vocab,
    corpus: manifest.corpus,
    hyperparameters: manifest.hyperparameters,
    epochs: progress.epoch,
    steps: progress.step,
    bestEpoch: progress.bestEpoch,
    bestBatch,
    bestValLoss: progress.bestValLoss,
    bestValBits: progress.bestValLoss === null ? null : bits(progress.bestValLoss),
    trainingSeconds: progress.elapsedSeconds,
    backend: manifest.backend,
    command,
    invocation: manifest.invocation ?? manifest.command,
    tool: manifest.tool,
    savedAt: manifest.savedAt,
    notes: manifest.notes ?? null,
    lineage: manifest.lineage ?? null,
    lineageSentences: manifest.lineage ? lineageSentences(manifest.lineage) : [],
    history: manifest.history.map((epoch) => ({
      ...epoch,
      trainBits: bits(epoch.trainLoss),
      valBits: epoch.valLoss === null ? null : bits(epoch.valLoss),
      ...(epoch.valLossCold == null ? {} : { valBitsCold: bits(epoch.valLossCold) }),
    })),
  };
}

/** The model in lines a reader takes in at a glance, then the loss history as a chart. */
function summary(
  model: StoredModel,
  doc: InfoDocument,
  curves: Curves,
  checkpoints: ListedCheckpoint[] | null,
): string {
  const manifest = model.checkpoint.manifest;
  const { progress, network, hyperparameters: hyper } = manifest;
  const { weights, bestBatch } = doc;
  const best = bestBatch > 0 ? undefined : manifest.history.find((e) => e.epoch === progress.bestEpoch);
  let out = `${model.checkpoint.dir}\n`;
  out += `network:     ${network.layers} x LSTM(${network.units}), dropout ${network.dropout}, dense softmax over ${plural(network.vocabSize, 'character')}; ${plural(doc.architecture.parameters, 'parameter')}\n`;
  const stored = weights.dtype === 'float16' ? 'float16 (half floats, TF.js float16 quantization)' : 'float32';
  out += `weights:     ${stored}${weights.bytes === null ? '' : `, ${plural(weights.bytes, 'byte')}`}\n`;
  out += `vocabulary:  ${manifest.vocab.map(showChar).join('')}\n`;
  out += corpusLines(manifest.corpus, hyper.lowercase);
  const halvings = progress.lrHalvings ?? 0;
  const schedule =
    (hyper.lrDecay !== undefined && hyper.lrDecay !== 1
      ? ` (x${hyper.lrDecay} per epoch after ${hyper.lrDecayAfter})`
      : '') +
    (hyper.lrPlateau
      ? `, halved after ${plural(hyper.lrPlateau, 'epoch')} without improvement (${halvings === 0 ? 'not yet' : halvings === 1 ? 'once' : plural(halvings, 'time')})`
      : '');
  const reading = hyper.stateful
    ? `contiguous streams (up to ${hyper.batchSize}), the LSTM state carried from batch to batch`
    : `shuffled ${hyper.seqLength}-character windows from a zero state`;
  out += `training:    ${reading}; seq-length ${hyper.seqLength}, batch ${hyper.batchSize}, lr ${hyper.lr}${schedule}, clip ${hyper.clip}, val-fraction ${hyper.valFraction}, seed ${hyper.randomSeed}\n`;
  const partial = progress.batch > 0 ? ` and ${plural(progress.batch, 'batch')}` : '';
  // The worker count is part of a run's identity: shares sum gradients in another order (README, --random-seed).
  const workers = hyper.workers ? ` with ${plural(hyper.workers, 'worker')}` : '';
  out += `progress:    ${plural(progress.epoch, 'epoch')}${partial}, ${plural(progress.step, 'step')}, ${duration(progress.elapsedSeconds)} on ${manifest.backend}${workers}\n`;
  const at = bestBatch > 0 ? `epoch ${progress.bestEpoch}, batch ${bestBatch}` : `epoch ${progress.bestEpoch}`;
  const cold = best?.valLossColdFull ?? best?.valLossCold;
  const how = curve(curves, 'validation').label;
  out +=
    `best:        ${progress.bestValLoss === null ? '-' : `${bits(progress.bestValLoss).toFixed(3)} bits per character (${how}) at ${at}`}` +
    `${cold == null ? '' : `; ${bits(cold).toFixed(3)} as independent ${hyper.seqLength}-character windows`}${best ? `; train ${bits(best.trainLoss).toFixed(3)}` : ''}\n`;
  if (checkpoints) out += `checkpoints: ${checkpointList(checkpoints)}; --checkpoint takes any of them\n`;
  if (manifest.lineage) out += `lineage:     ${doc.lineageSentences.join('\n             ')}\n`;
  const notes = noteSentences(manifest.notes ?? {});
  if (notes.length) out += `notes:       ${notes.join(`\n${INDENT}`)}\n`;
  out += `command:     ${doc.command}\n\n`;
  out += chart([
    { label: 'train', mark: 't', values: curve(curves, 'train').values },
    { label: 'validation', mark: 'v', values: curve(curves, 'validation').values },
  ]);
  return out;
}

/** A curve lossCurves always gives. */
const curve = (curves: Curves, kind: 'train' | 'validation') => curves.curves.find((k) => k.kind === kind)!;

/**
 * The corpus by name: a file name (even where an older bundle recorded the path as typed),
 * or for several files how the command named them.
 */
const corpusName = (corpus: CorpusRecord) => ((corpus.files?.length ?? 0) > 1 ? corpus.name : basename(corpus.name));

/** Where a value starts on the lines of the summary (after `corpus:     `). */
const INDENT = ' '.repeat(13);

/**
 * The corpus by name (a file name, even where an older bundle recorded the path as typed),
 * size and hash; several files one per line under it; then its origin when known.
 */
function corpusLines(corpus: CorpusRecord, lowercased: boolean): string {
  const files = corpus.files ?? [];
  const several = files.length > 1;
  let out = `corpus:      ${corpusName(corpus)}${several ? ` (${files.length} files)` : ''}, ${plural(corpus.characters, 'character')}${lowercased ? ', lowercased' : ''}, sha256 ${corpus.sha256.slice(0, 12)}…\n`;
  if (several) {
    const nameWidth = Math.max(...files.map((f) => f.name.length));
    const charsWidth = Math.max(...files.map((f) => count(f.characters).length));
    for (const file of files) {
      out += `${INDENT}  ${file.name.padEnd(nameWidth)}  ${count(file.characters).padStart(charsWidth)} ${noun(file.characters, 'character')}, sha256 ${file.sha256.slice(0, 12)}…${file.origin ? `, ${file.origin}` : ''}\n`;
    }
  }
  if (corpus.origin) out += `origin:      ${corpus.origin}\n`;
  return out;
}

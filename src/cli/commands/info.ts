/**
 * `lstm info`: what a model is, how it was trained, and its loss history, in the user's
 * terms: the corpus by file name and origin, the command as they would type it, notes as
 * sentences (--json gives the records as they are, with the exact command line). `--plot`
 * also draws the loss history as an SVG picture.
 */
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { dataError } from '../../errors.js';
import { fsError } from '../../fs-errors.js';
import { netConfig, paramCount } from '../../params.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { WEIGHTS_BIN, type CorpusRecord } from '../../store/manifest.js';
import { showChar } from '../../text/show.js';
import { curvesSvg, curvesTitle, lossCurves, type Curves } from '../../view/curves.js';
import { chart } from '../chart.js';
import type { Context } from '../context.js';
import { bits, count } from '../../figures.js';
import { duration, noteSentences } from '../format.js';
import { trainCommandInUserForm } from '../invocation.js';
import { lineageSentences } from '../lineage.js';
import { modelPath, readModelCheckpoint } from '../model.js';
import { checkpointOption, svgFile } from '../options.js';
import { write, writeJson } from '../output.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('info')
    .description('show a model: architecture, vocabulary, training settings and loss history')
    .option('-m, --model <dir>', 'model bundle or exported checkpoint (default: the bundled model)')
    .addOption(checkpointOption())
    .option('--json', 'print the same as JSON')
    .option(
      '--plot <file.svg>',
      'also draw the loss history (bits per character per epoch, the best marked) as an SVG picture in this file',
      svgFile,
    )
    .action(async (flags: { model?: string; checkpoint?: string; json?: boolean; plot?: string }, cmd: Command) => {
      const ctx = context();
      const ckpt = await readModelCheckpoint(flags.model, flags.checkpoint);
      const m = ckpt.manifest;
      const curves = lossCurves(m);
      if (flags.plot) {
        if (curves.epochs.length === 0) {
          throw dataError(
            `--plot needs at least one finished epoch, ${ckpt.dir} records none`,
            'train on (lstm train --resume), or plot another checkpoint (--checkpoint)',
          );
        }
        const title = curvesTitle(resolve(modelPath(flags.model)), m.corpus);
        await writePlot(flags.plot, curvesSvg(curves, { title }));
        ctx.reporter.info(`wrote the training curves to ${flags.plot}`);
      }
      const n = m.network;
      const params = paramCount(netConfig(n));
      const bestBatch = m.progress.bestBatch ?? 0;
      const best = bestBatch > 0 ? undefined : m.history.find((e) => e.epoch === m.progress.bestEpoch);
      const weights = { dtype: ckpt.weightsDtype, bytes: m.files[WEIGHTS_BIN]?.size ?? null };
      // Bundles from before the user's form recorded the exact line in `command`: shown in the user's form too.
      const command = trainCommandInUserForm(m.command, cmd);
      const doc = {
        path: ckpt.dir,
        architecture: { ...n, parameters: params, input: 'one-hot', output: 'softmax over the vocabulary' },
        weights,
        vocab: m.vocab,
        corpus: m.corpus,
        hyperparameters: m.hyperparameters,
        epochs: m.progress.epoch,
        steps: m.progress.step,
        bestEpoch: m.progress.bestEpoch,
        bestBatch,
        bestValLoss: m.progress.bestValLoss,
        bestValBits: m.progress.bestValLoss === null ? null : bits(m.progress.bestValLoss),
        trainingSeconds: m.progress.elapsedSeconds,
        backend: m.backend,
        command,
        invocation: m.invocation ?? m.command,
        tool: m.tool,
        savedAt: m.savedAt,
        notes: m.notes ?? null,
        lineage: m.lineage ?? null,
        lineageSentences: m.lineage ? lineageSentences(m.lineage) : [],
        history: m.history.map((e) => ({
          ...e,
          trainBits: bits(e.trainLoss),
          valBits: e.valLoss === null ? null : bits(e.valLoss),
          ...(e.valLossCold == null ? {} : { valBitsCold: bits(e.valLossCold) }),
        })),
      };
      if (flags.json) return writeJson(doc, true);
      const h = m.hyperparameters;
      let out = `${ckpt.dir}\n`;
      out += `network:     ${n.layers} x LSTM(${n.units}), dropout ${n.dropout}, dense softmax over ${n.vocabSize} characters; ${count(params)} parameters\n`;
      const stored = weights.dtype === 'float16' ? 'float16 (half floats, TF.js float16 quantization)' : 'float32';
      out += `weights:     ${stored}${weights.bytes === null ? '' : `, ${count(weights.bytes)} bytes`}\n`;
      out += `vocabulary:  ${m.vocab.map(showChar).join('')}\n`;
      out += corpusLines(m.corpus, h.lowercase);
      const halvings = m.progress.lrHalvings ?? 0;
      const schedule =
        (h.lrDecay !== undefined && h.lrDecay !== 1 ? ` (x${h.lrDecay} per epoch after ${h.lrDecayAfter})` : '') +
        (h.lrPlateau
          ? `, halved after ${h.lrPlateau} epochs without improvement (${halvings === 0 ? 'not yet' : halvings === 1 ? 'once' : `${halvings} times`})`
          : '');
      const reading = h.stateful
        ? `contiguous streams (up to ${h.batchSize}), the LSTM state carried from batch to batch`
        : `shuffled ${h.seqLength}-character windows from a zero state`;
      out += `training:    ${reading}; seq-length ${h.seqLength}, batch ${h.batchSize}, lr ${h.lr}${schedule}, clip ${h.clip}, val-fraction ${h.valFraction}, seed ${h.randomSeed}\n`;
      const partial = m.progress.batch > 0 ? ` and ${count(m.progress.batch)} batches` : '';
      // The worker count is part of a run's identity: shares sum gradients in another order (README, --random-seed).
      const workers = h.workers ? ` with ${h.workers} worker${h.workers === 1 ? '' : 's'}` : '';
      out += `progress:    ${m.progress.epoch} epochs${partial}, ${count(m.progress.step)} steps, ${duration(m.progress.elapsedSeconds)} on ${m.backend}${workers}\n`;
      const at = bestBatch > 0 ? `epoch ${m.progress.bestEpoch}, batch ${bestBatch}` : `epoch ${m.progress.bestEpoch}`;
      const cold = best?.valLossColdFull ?? best?.valLossCold;
      const how = curve(curves, 'validation').label;
      out +=
        `best:        ${m.progress.bestValLoss === null ? '-' : `${bits(m.progress.bestValLoss).toFixed(3)} bits per character (${how}) at ${at}`}` +
        `${cold == null ? '' : `; ${bits(cold).toFixed(3)} as independent ${h.seqLength}-character windows`}${best ? `; train ${bits(best.trainLoss).toFixed(3)}` : ''}\n`;
      if (m.lineage) out += `lineage:     ${lineageSentences(m.lineage).join('\n             ')}\n`;
      const notes = noteSentences(m.notes ?? {});
      if (notes.length) out += `notes:       ${notes.join(`\n${INDENT}`)}\n`;
      out += `command:     ${command}\n\n`;
      out += chart([
        { label: 'train', mark: 't', values: curve(curves, 'train').values },
        { label: 'validation', mark: 'v', values: curve(curves, 'validation').values },
      ]);
      await write(out);
    });
}

/** A curve lossCurves always gives. */
const curve = (c: Curves, kind: 'train' | 'validation') => c.curves.find((k) => k.kind === kind)!;

/**
 * Writes the SVG whole or not at all. A missing directory is said as such: the error
 * otherwise names the temporary file beside the target.
 */
async function writePlot(file: string, svg: string): Promise<void> {
  try {
    await writeFileAtomic(file, svg);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT')
      throw dataError(
        `cannot write ${file}: the directory ${dirname(file)} does not exist`,
        `create it (mkdir -p ${dirname(file)}), or choose another path`,
      );
    throw fsError({ ...e, path: file }, file, 'write') ?? err;
  }
}

/** The corpus by name: a file name (even where an older bundle recorded the path as typed), or for several files how the command named them. */
const corpusName = (c: CorpusRecord) => ((c.files?.length ?? 0) > 1 ? c.name : basename(c.name));

/** Where a value starts on the lines of the summary (after `corpus:     `). */
const INDENT = ' '.repeat(13);

/**
 * The corpus by name (a file name, even where an older bundle recorded the path as typed),
 * size and hash; several files one per line under it; then its origin when known.
 */
function corpusLines(c: CorpusRecord, lowercased: boolean): string {
  const files = c.files ?? [];
  const several = files.length > 1;
  let out = `corpus:      ${corpusName(c)}${several ? ` (${files.length} files)` : ''}, ${count(c.characters)} characters${lowercased ? ', lowercased' : ''}, sha256 ${c.sha256.slice(0, 12)}…\n`;
  if (several) {
    const nameWidth = Math.max(...files.map((f) => f.name.length));
    const charsWidth = Math.max(...files.map((f) => count(f.characters).length));
    for (const f of files) {
      out += `${INDENT}  ${f.name.padEnd(nameWidth)}  ${count(f.characters).padStart(charsWidth)} characters, sha256 ${f.sha256.slice(0, 12)}…${f.origin ? `, ${f.origin}` : ''}\n`;
    }
  }
  if (c.origin) out += `origin:      ${c.origin}\n`;
  return out;
}

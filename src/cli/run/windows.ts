/** `lstm windows <corpus>`: how the text becomes training data. */
import type { Command } from 'commander';
import { defaults } from '../../config.js';
import { count, plural } from '../../figures.js';
import { showText } from '../../text/show.js';
import { Vocab } from '../../text/vocab.js';
import { fitToText } from '../../train/settings.js';
import { split, trainChars, valChars } from '../../text/split.js';
import { trainingPlan, validationStarts } from '../../text/windows.js';
import type { WindowsFlags } from '../commands/windows.js';
import type { Context } from '../context.js';
import { loadCorpus } from '../corpus.js';
import { write, writeJson } from '../output.js';

export async function run(path: string, flags: WindowsFlags, cmd: Command, ctx: Context): Promise<void> {
  const corpus = await loadCorpus(path, flags, ctx);
  const { vocab } = Vocab.fromText(corpus.text);
  const ids = vocab.encode(corpus.text);
  const parts = split(ids, { seqLength: flags.seqLength, valFraction: flags.valFraction });
  // The batch size `lstm train` would use with the default network: a small text's, unless given.
  const given = new Set(cmd.getOptionValueSource('batchSize') === 'cli' ? (['batchSize'] as const) : []);
  const batchSize = fitToText({ ...defaults, ...flags, lowercase: Boolean(flags.lowercase) }, given, {
    trainChars: trainChars(parts),
    vocabSize: vocab.size,
  }).hyper.batchSize;
  const plan = trainingPlan(parts, 0, batchSize, flags.randomSeed, flags.stateful);
  const T = flags.seqLength;
  const examples = [...plan.starts.subarray(0, flags.examples)].map((start) => ({
    start,
    input: vocab.decode(ids.subarray(start, start + T)),
    target: vocab.decode(ids.subarray(start + 1, start + T + 1)),
  }));
  const doc = {
    corpus: corpus.name,
    characters: ids.length,
    vocabSize: vocab.size,
    seqLength: T,
    valFraction: flags.valFraction,
    train: { characters: trainChars(parts), from: 0, to: parts.trainEnd },
    validation: {
      characters: valChars(parts),
      from: parts.trainEnd,
      to: ids.length,
      windows: validationStarts(parts).length,
    },
    windowsPerEpoch: plan.starts.length,
    firstWindowOffset: plan.offset,
    batchSize: plan.batchSize,
    batchesPerEpoch: plan.batches,
    stateful: plan.carry,
    predictionsPerEpoch: plan.batches * plan.batchSize * T,
    randomSeed: flags.randomSeed,
    examples,
  };
  if (flags.json) return writeJson(doc, true);

  const pct = (n: number) => `${((100 * n) / ids.length).toFixed(1)}%`;
  let out = `${corpus.name}: ${plural(ids.length, 'character')}, vocabulary of ${vocab.size}\n`;
  out += `training:   characters 0..${parts.trainEnd} (${count(trainChars(parts))}, ${pct(trainChars(parts))})\n`;
  out += `validation: characters ${parts.trainEnd}..${ids.length} (${count(valChars(parts))}, ${pct(valChars(parts))}), ${plural(doc.validation.windows, 'window')}, never in a training window\n`;
  out += `windows:    ${count(doc.windowsPerEpoch)} of ${plural(T, 'character')} per epoch, each predicting the next character at every position (${plural(T, 'target')} per window)\n`;
  out += plan.carry
    ? `batches:    ${plural(plan.batches, 'batch')} of ${plural(plan.batchSize, 'window')} per epoch: the text cut into ${plural(plan.batchSize, 'contiguous stream')} of ${plural(plan.batches * T, 'character')}, batch k holding window k of each, so the LSTM state carries from batch to batch; the streams move each epoch (epoch 1 starts at character ${plan.offset}, seed ${flags.randomSeed})\n`
    : `batches:    ${plural(plan.batches, 'batch')} of ${plural(plan.batchSize, 'window')} per epoch, shuffled with seed ${flags.randomSeed}; window boundaries shift each epoch (epoch 1 starts at character ${plan.offset})\n`;
  if (plan.batchSize < batchSize) {
    out += `            (only ${plural(plan.batchSize, 'window')} fit, fewer than --batch-size ${batchSize})\n`;
  } else if (batchSize !== flags.batchSize) {
    out += `            (${batchSize} per batch: lstm train's batch size for a text this small for the default network)\n`;
  }
  for (const e of examples) {
    out += `\nwindow at ${e.start}:\n  input  ${showText(e.input)}\n  target ${showText(e.target)}\n`;
  }
  await write(out);
}

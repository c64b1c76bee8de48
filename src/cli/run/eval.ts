/** `lstm eval --model M <corpus|->`: cross-entropy of a model on a text. */
import type { Command } from 'commander';
import { bits, count, plural } from '../../figures.js';
import { initBackend } from '../../net/backend.js';
import { scoreText } from '../../net/score.js';
import { loadModel } from '../../store/load.js';
import { showChar } from '../../text/show.js';
import type { Vocab } from '../../text/vocab.js';
import type { EvalFlags } from '../commands/eval.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { loadCorpus } from '../corpus.js';
import { modelPath } from '../model.js';
import { write, writeJson } from '../output.js';

export async function run(path: string, flags: EvalFlags, cmd: Command, ctx: Context): Promise<void> {
  const model = await loadModel(modelPath(flags.model), { which: flags.checkpoint });
  const hyper = model.checkpoint.manifest.hyperparameters;
  // The text is read as the model's training text was, unless told otherwise.
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  const corpus = await loadCorpus(
    path,
    {
      encoding: flags.encoding,
      lowercase: given('lowercase') ? flags.lowercase : model.textSettings.lowercase,
      keepBoilerplate: given('keepBoilerplate') ? flags.keepBoilerplate : model.textSettings.keepBoilerplate,
    },
    ctx,
  );
  const { text, skipped } = withoutUnknown(corpus.text, model.vocab, ctx);
  await initBackend(ctx.flags.backend, COMMAND_JOBS.eval); // once every input is known good
  const { lossSum, chars, seqLength, stream } = scoreText(
    model.cfg,
    model.params,
    model.vocab.encode(text),
    hyper.seqLength,
    flags.batchSize ?? hyper.batchSize,
  );
  const nats = lossSum / chars;
  const streamNats = stream.lossSum / stream.chars;
  // The figure the text leads with leads here too, by the names lstm models and inspect use;
  // the other reading by the same names ending in Cold, as train's and info's valBitsCold.
  const doc = {
    model: model.checkpoint.dir,
    corpus: corpus.name,
    // The text as contiguous streams with the state carried, as generation reads it.
    bitsPerChar: bits(streamNats),
    nats: streamNats,
    perplexity: Math.exp(streamNats),
    characters: stream.chars,
    streams: stream.streams,
    // Cold windows: each window of seqLength characters from a zero state.
    bitsPerCharCold: bits(nats),
    natsCold: nats,
    perplexityCold: Math.exp(nats),
    charactersCold: chars,
    seqLength,
    skipped,
  };
  if (flags.json) return writeJson(doc, true);
  const skippedNote = skipped ? ` (${count(skipped)} outside the vocabulary skipped)` : '';
  const streamed = `${bits(streamNats).toFixed(4)} bits per character (${streamNats.toFixed(4)} nats, perplexity ${Math.exp(streamNats).toFixed(3)}) read as ${stream.streams === 1 ? 'one stream' : plural(stream.streams, 'stream')} with the state carried, as generation reads, over ${plural(stream.chars, 'character')}`;
  const cold = `${bits(nats).toFixed(4)} bits per character (${nats.toFixed(4)} nats, perplexity ${Math.exp(nats).toFixed(3)}) as independent ${seqLength}-character windows, over their ${plural(chars, 'character')}`;
  await write(`${corpus.name}: ${streamed};\n  ${cold}${skippedNote}\n`);
}

/** The text without the characters the model's vocabulary lacks (a warning names them). */
function withoutUnknown(text: string, vocab: Vocab, ctx: Context): { text: string; skipped: number } {
  const unknown = vocab.unknown(text);
  if (!unknown.length) return { text, skipped: 0 };
  let skipped = 0;
  const outside = new RegExp(`[${unknown.map((char) => char.replace(/[\\\]^-]/g, '\\$&')).join('')}]`, 'gu');
  const kept = text.replace(outside, () => {
    skipped++;
    return '';
  });
  const chars = unknown
    .slice(0, 10)
    .map((char) => `'${showChar(char)}'`)
    .join(' ');
  ctx.reporter.warn(`skipped ${plural(skipped, 'character')} outside the model's vocabulary: ${chars}`);
  return { text: kept, skipped };
}

/** `lstm eval --model M <corpus|->`: cross-entropy of a model on a text. */
import type { Command } from 'commander';
import { showChar } from '../../text/show.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { loadCorpus } from '../corpus.js';
import { bits, count } from '../../figures.js';
import { checkpointOption, corpusOptions, int, type CorpusFlags } from '../options.js';
import { write, writeJson } from '../output.js';

type Flags = CorpusFlags & { model?: string; checkpoint?: string; json?: boolean; batchSize?: number };

export function register(program: Command, context: () => Context): void {
  corpusOptions(
    program
      .command('eval')
      .description("a model's cross-entropy on a text, in nats and bits per character, and perplexity")
      .argument('<corpus>', 'text file, or - for stdin'),
  )
    .option('-m, --model <dir>', 'model bundle or exported checkpoint (default: the bundled model)')
    .addOption(checkpointOption())
    .option(
      '--batch-size <n>',
      "windows evaluated at once, and the most streams the text is cut into (default: the model's batch size, as its validation read; 1: one stream)",
      int('--batch-size', 1),
    )
    .option('--json', 'print the result as JSON')
    .action(async (path: string, flags: Flags, cmd: Command) => {
      const ctx = context();
      const { loadModel } = await import('../model.js');
      const { initBackend } = await import('../../net/backend.js');
      await initBackend(ctx.flags.backend, COMMAND_JOBS.eval);
      const model = await loadModel(flags.model, flags.checkpoint);
      const h = model.checkpoint.manifest.hyperparameters;
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
      const unknown = model.vocab.unknown(corpus.text);
      let text = corpus.text;
      let skipped = 0;
      if (unknown.length) {
        const outside = new RegExp(`[${unknown.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]`, 'gu');
        text = text.replace(outside, () => {
          skipped++;
          return '';
        });
        const chars = unknown
          .slice(0, 10)
          .map((c) => `'${showChar(c)}'`)
          .join(' ');
        ctx.reporter.warn(`skipped ${skipped} character(s) outside the model's vocabulary: ${chars}`);
      }
      const { scoreText } = await import('../../net/score.js');
      const { lossSum, chars, seqLength, stream } = scoreText(
        model.cfg,
        model.params,
        model.vocab.encode(text),
        h.seqLength,
        flags.batchSize ?? h.batchSize,
      );
      const nats = lossSum / chars;
      const streamNats = stream.lossSum / stream.chars;
      const doc = {
        model: model.checkpoint.dir,
        corpus: corpus.name,
        characters: chars,
        skipped,
        seqLength,
        // Cold windows: each window of seqLength characters from a zero state (the figure of earlier versions).
        nats,
        bitsPerChar: bits(nats),
        perplexity: Math.exp(nats),
        // The text as contiguous streams with the state carried, as generation reads it.
        stream: {
          nats: streamNats,
          bitsPerChar: bits(streamNats),
          perplexity: Math.exp(streamNats),
          streams: stream.streams,
          characters: stream.chars,
        },
      };
      if (flags.json) return writeJson(doc, true);
      const skippedNote = skipped ? ` (${count(skipped)} outside the vocabulary skipped)` : '';
      const streamed = `${bits(streamNats).toFixed(4)} bits per character (${streamNats.toFixed(4)} nats, perplexity ${Math.exp(streamNats).toFixed(3)}) read as ${stream.streams === 1 ? 'one stream' : `${stream.streams} streams`} with the state carried, as generation reads`;
      const cold = `${bits(nats).toFixed(4)} bits per character (${nats.toFixed(4)} nats, perplexity ${Math.exp(nats).toFixed(3)}) as independent ${seqLength}-character windows`;
      // The reading the model was validated by comes first (bundles from before streams: the cold windows).
      const [first, second] = h.stateful !== undefined ? [streamed, cold] : [cold, streamed];
      await write(`${corpus.name}: ${first};\n  ${second}; ${count(chars)} characters${skippedNote}\n`);
    });
}

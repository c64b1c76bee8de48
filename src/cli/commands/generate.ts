/**
 * `lstm generate`: stream text from a seed with argmax, temperature, top-k and top-p; with
 * `--originality`, then say how much of it is copied from the training text.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { defaults } from '../../config.js';
import { dataError, usageError } from '../../errors.js';
import type { GenerateOptions } from '../../generate/generate.js';
import { seedText, type UnknownPolicy } from '../../generate/seed.js';
import type { StatefulLstm } from '../../net/stateful.js';
import { decodeText, type Encoding } from '../../text/corpus.js';
import { drawSeed } from '../../random.js';
import { showChar } from '../../text/show.js';
import type { Vocab } from '../../text/vocab.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { checkpointOption, encodingOption, int, num } from '../options.js';
import { TextStream, writeJson } from '../output.js';
import type { TrainingText } from '../../generate/originality.js';

type Flags = {
  model?: string;
  checkpoint?: string;
  seed?: string;
  seedFile?: string;
  length: number;
  temperature: number;
  argmax?: boolean;
  topK?: number;
  topP?: number;
  randomSeed?: number;
  samples: number;
  stop?: string;
  echo?: boolean;
  json?: boolean;
  jsonl?: boolean;
  unknown: UnknownPolicy;
  encoding: Encoding;
  originality?: boolean;
  corpus?: string[];
};

export function register(program: Command, context: () => Context): void {
  program
    .command('generate')
    .description('generate text from a seed, streamed to stdout as it is made')
    .option('-m, --model <dir>', 'model bundle or exported checkpoint (default: the bundled Macbeth model)')
    .addOption(checkpointOption())
    .option('-s, --seed <text>', 'text to start from (default: stdin when piped, else nothing)')
    .option('-p, --prompt <text>', 'alias of --seed')
    .option('--seed-file <path>', 'read the seed text from a file, or - for stdin')
    .addOption(encodingOption('how a --seed-file or piped seed is encoded'))
    .option('-n, --length <n>', 'characters to generate (the seed not counted)', int('--length', 0), defaults.length)
    .option(
      '-t, --temperature <t>',
      'sampling temperature; 0 means argmax',
      num('--temperature', 0, Infinity, { hint: 'use --argmax or --temperature 0 for greedy output' }),
      defaults.temperature,
    )
    .option('--argmax', 'always take the most likely character (same as --temperature 0)')
    .option('--top-k <k>', 'sample only from the k most likely characters', int('--top-k', 1))
    .option(
      '--top-p <p>',
      'sample only from the smallest set of characters whose probability reaches p',
      num('--top-p', 0, 1, { openMin: true }),
    )
    .option(
      '--random-seed <n>',
      'seed for sampling, to repeat a result (default: drawn, reported with --json)',
      int('--random-seed', 0, 2 ** 31 - 1),
    )
    .option('--samples <n>', 'independent samples, generated together', int('--samples', 1, 1000), defaults.samples)
    .option('--stop <text>', 'end a sample once it has produced this text')
    .option('--echo', 'print the seed before the generated text')
    .addOption(
      new Option('--unknown <mode>', 'seed characters outside the vocabulary: error or skip')
        .choices(['error', 'skip'])
        .default('error'),
    )
    .option('--json', 'print the result as one JSON document when generation ends')
    .addOption(
      new Option(
        '--jsonl',
        'stream JSON lines as text is made: start, text chunks per sample, end per sample, done',
      ).conflicts('json'),
    )
    .option(
      '--originality',
      `then report the longest passage also found verbatim in the training text, and the share of the output inside passages of ${defaults.copiedMinLength}+ characters found there (on stderr; in the JSON with --json, --jsonl)`,
    )
    .option(
      '--corpus <path>',
      "the training text --originality compares with, as lstm train reads it (repeat for several files or a base model's text; a directory: its files; default: the files the model records)",
      (path: string, paths: string[] = []) => [...paths, path],
    )
    .action(async (flags: Flags & { prompt?: string }, cmd: Command) => run(flags, cmd, context()));
}

/** The seed as the user gave it (normalised later, with the model's text settings). */
async function readSeed(flags: Flags & { prompt?: string }): Promise<string> {
  const given = [flags.seed, flags.prompt, flags.seedFile].filter((x) => x !== undefined).length;
  if (given > 1) throw usageError('give the seed once: --seed, --prompt or --seed-file');
  if (flags.seed !== undefined || flags.prompt !== undefined) return (flags.seed ?? flags.prompt)!;
  const fromStdin = flags.seedFile === '-' || (flags.seedFile === undefined && !process.stdin.isTTY);
  let bytes: Buffer;
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  } else if (flags.seedFile !== undefined) {
    try {
      bytes = await readFile(flags.seedFile);
    } catch {
      throw dataError(`cannot read --seed-file ${flags.seedFile}`, 'check the path');
    }
  } else return '';
  // Decoded as a corpus file is: a BOM says UTF-8 or UTF-16, else --encoding, strictly.
  return decodeText(bytes, fromStdin ? 'the seed on stdin' : flags.seedFile!, flags.encoding).text;
}

async function run(flags: Flags & { prompt?: string }, cmd: Command, ctx: Context): Promise<void> {
  const r = ctx.reporter;
  if (flags.argmax && cmd.getOptionValueSource('temperature') === 'cli' && flags.temperature !== 0) {
    throw usageError(`--argmax and --temperature ${flags.temperature} contradict each other`, 'use one of them');
  }
  const temperature = flags.argmax ? 0 : flags.temperature;
  if (flags.corpus && !flags.originality) {
    throw usageError(
      '--corpus is the training text --originality compares the output with, and --originality is not given',
      `add --originality: lstm generate --originality --corpus ${flags.corpus[0]}`,
    );
  }
  if (flags.corpus?.includes('-'))
    throw usageError('--corpus - cannot read stdin: stdin is the seed', 'give the training text as a file');
  if (/^\d+$/.test(flags.seed ?? flags.prompt ?? '')) {
    r.warn(`--seed is the text to start from ('${flags.seed ?? flags.prompt}'); for a random seed use --random-seed`);
  }
  const rawSeed = await readSeed(flags);
  const { loadModel } = await import('../model.js');
  const { initBackend } = await import('../../net/backend.js');
  await initBackend(ctx.flags.backend, COMMAND_JOBS.generate);
  const model = await loadModel(flags.model, flags.checkpoint);
  const { vocab } = model;
  const { text: seed, dropped } = seedText(rawSeed, model.textSettings, vocab, flags.unknown);
  if (dropped.length)
    r.info(`dropped seed character(s) outside the vocabulary: ${dropped.map((ch) => `'${showChar(ch)}'`).join(' ')}`);
  // Found (or refused) before anything is generated.
  let training: TrainingText | undefined;
  if (flags.originality) {
    const { trainingText } = await import('../training-text.js');
    training = await trainingText(
      model.checkpoint.manifest,
      flags.model ?? 'the bundled model',
      flags.corpus ?? [],
      ctx,
    );
  }

  const randomSeed = flags.randomSeed ?? drawSeed();
  // On a terminal, say which seed was drawn so a good sample can be repeated.
  if (flags.randomSeed === undefined && temperature > 0 && r.tty)
    r.info(r.c.dim(`random seed ${randomSeed} (repeat with --random-seed ${randomSeed})`));
  const { StatefulLstm } = await import('../../net/stateful.js');
  const { generate } = await import('../../generate/generate.js');
  const net = new StatefulLstm(model.cfg, model.params);
  const options = {
    seed,
    length: flags.length,
    samples: flags.samples,
    randomSeed,
    temperature,
    topK: flags.topK,
    topP: flags.topP,
    stop: flags.stop,
  };
  const header = {
    model: model.checkpoint.dir,
    seed,
    randomSeed,
    temperature,
    topK: flags.topK ?? null,
    topP: flags.topP ?? null,
    length: flags.length,
  };
  try {
    if (flags.json) {
      const samples = await generate(net, vocab, options, () => {});
      const originality = training
        ? { originality: (await import('../../generate/originality.js')).checkSamples(samples, training) }
        : {};
      await writeJson(
        { ...header, samples: flags.echo ? samples.map((s) => seed + s) : samples, ...originality },
        true,
      );
      return;
    }
    if (flags.jsonl) return await streamJsonLines(net, vocab, options, header, Boolean(flags.echo), training);
    // Sample 0 streams as it is made; others are kept and printed after it.
    const out = new TextStream();
    if (flags.echo) await out.push(seed);
    const rest = new Array<string>(flags.samples).fill('');
    let last = seed;
    await generate(
      net,
      vocab,
      options,
      async (chars) => {
        for (let s = 1; s < chars.length; s++) if (chars[s] !== undefined) rest[s] += chars[s];
        if (chars[0] !== undefined) {
          last = chars[0];
          if (training) rest[0] += chars[0]; // streamed, and kept only to be checked
          await out.push(chars[0]);
        }
      },
      false,
    );
    for (let s = 1; s < flags.samples; s++) {
      await out.push(`\n\n${flags.echo ? seed : ''}${rest[s]}`);
      last = rest[s].slice(-1) || last;
    }
    if (process.stdout.isTTY && last !== '\n') await out.push('\n');
    await out.flush();
    if (training) {
      // After the text, on stderr: stdout keeps only the text.
      const { checkSamples, originalityLine, uncheckedLine } = await import('../../generate/originality.js');
      const reports = checkSamples(rest, training);
      for (const [s, report] of reports.entries())
        r.result(originalityLine(report, reports.length > 1 ? s : undefined));
      const unchecked = uncheckedLine(training);
      if (unchecked) r.result(unchecked);
    }
  } finally {
    net.dispose();
  }
}

/**
 * `--jsonl`: one JSON object per line as text is made, so a pipeline consumes it as it
 * comes and memory stays flat for any --length and --samples: a start line with the
 * settings, `text` chunks per sample (gathered like plain text), an `end` line when a
 * sample ends (with `originality` when asked: the sample's text is then kept to be checked),
 * and a `done` summary.
 */
async function streamJsonLines(
  net: StatefulLstm,
  vocab: Vocab,
  options: GenerateOptions,
  header: Record<string, unknown>,
  echo: boolean,
  training?: TrainingText,
): Promise<void> {
  const { generate } = await import('../../generate/generate.js');
  const checkSamples = training ? (await import('../../generate/originality.js')).checkSamples : undefined;
  const started = performance.now();
  const S = options.samples;
  await writeJson({ event: 'start', ...header, samples: S });
  const out = new TextStream((text, sample) => `${JSON.stringify({ event: 'text', sample, text })}\n`);
  const characters = new Array<number>(S).fill(0);
  const texts = new Array<string>(S).fill('');
  const open = new Array<boolean>(S).fill(true);
  /** Samples that end together are checked together: one pass over the training text. */
  const end = async (samples: number[]) => {
    if (!samples.length) return;
    await out.flush(); // the samples' text comes before their end
    const reports = training
      ? checkSamples!(
          samples.map((s) => texts[s]),
          training,
        )
      : [];
    for (const [i, sample] of samples.entries()) {
      open[sample] = false;
      await writeJson({
        event: 'end',
        sample,
        characters: characters[sample],
        ...(training ? { originality: reports[i] } : {}),
      });
    }
  };
  if (echo && options.seed) for (let s = 0; s < S; s++) await out.push(options.seed, s);
  await generate(
    net,
    vocab,
    options,
    async (chars) => {
      const ended: number[] = [];
      for (let s = 0; s < S; s++) {
        const ch = chars[s];
        if (ch !== undefined) {
          characters[s]++;
          if (training) texts[s] += ch;
          await out.push(ch, s);
        } else if (open[s]) ended.push(s);
      }
      await end(ended);
    },
    false,
  );
  await end(open.flatMap((isOpen, s) => (isOpen ? [s] : [])));
  const total = characters.reduce((a, b) => a + b, 0);
  await writeJson({
    event: 'done',
    samples: S,
    characters: total,
    seconds: Math.round(performance.now() - started) / 1000,
  });
}

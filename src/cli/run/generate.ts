/**
 * `lstm generate`: stream text from a seed with argmax, temperature, top-k and top-p; with
 * `--originality`, then say how much of it is copied from the training text.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { dataError, usageError } from '../../errors.js';
import { plural } from '../../figures.js';
import { generate, type GenerateOptions } from '../../generate/generate.js';
import { checkSamples, originalityLine, uncheckedLine, type TrainingText } from '../../generate/originality.js';
import { seedText } from '../../generate/seed.js';
import { initBackend } from '../../net/backend.js';
import { StatefulLstm } from '../../net/stateful.js';
import { drawSeed } from '../../random.js';
import { loadModel } from '../../store/load.js';
import { decodeText } from '../../text/corpus.js';
import { showChar } from '../../text/show.js';
import type { Vocab } from '../../text/vocab.js';
import type { GenerateFlags } from '../commands/generate.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { modelInWords, modelPath } from '../model.js';
import { TextStream, writeJson } from '../output.js';
import type { Reporter } from '../reporter.js';
import { trainingText } from '../training-text.js';

/** What a run writes besides the samples: the settings, as --json and --jsonl report them. */
type Header = {
  model: string;
  seed: string;
  randomSeed: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  length: number;
};

export async function run(flags: GenerateFlags, cmd: Command, ctx: Context): Promise<void> {
  const { reporter } = ctx;
  const temperature = checkedTemperature(flags, cmd);
  checkCorpusFlags(flags);
  const typed = flags.seedArgument ?? flags.seed ?? flags.prompt;
  if (typed !== undefined && /^\d+$/.test(typed)) {
    const what = flags.seedArgument === undefined ? '--seed is' : 'the argument is';
    reporter.warn(`${what} the text to start from ('${typed}'); for a random seed use --random-seed`);
  }
  const rawSeed = await readSeed(flags);
  const model = await loadModel(modelPath(flags.model), { which: flags.checkpoint });
  const { vocab } = model;
  const { text: seed, dropped } = seedText(rawSeed, model.textSettings, vocab, flags.unknown);
  if (dropped.length)
    reporter.info(
      `dropped ${plural(dropped.length, 'seed character')} outside the vocabulary: ${dropped.map((ch) => `'${showChar(ch)}'`).join(' ')}`,
    );
  // Found (or refused) before anything is generated.
  const training = flags.originality
    ? await trainingText(model.checkpoint.manifest, modelInWords(flags.model), flags.corpus ?? [], ctx)
    : undefined;

  const randomSeed = flags.randomSeed ?? drawSeed();
  // On a terminal, say which seed was drawn so a good sample can be repeated.
  if (flags.randomSeed === undefined && temperature > 0 && reporter.tty)
    reporter.info(reporter.c.dim(`random seed ${randomSeed} (repeat with --random-seed ${randomSeed})`));
  // Loaded once every input is known good: a refusal comes without its cost.
  await initBackend(ctx.flags.backend, COMMAND_JOBS.generate);
  const net = new StatefulLstm(model.cfg, model.params);
  const { length, samples, topK, topP, stop } = flags;
  const options = { seed, length, samples, randomSeed, temperature, topK, topP, stop };
  const header = {
    model: model.checkpoint.dir,
    seed,
    randomSeed,
    temperature,
    topK: topK ?? null,
    topP: topP ?? null,
    length,
  };
  try {
    if (flags.json) {
      const texts = await generate(net, vocab, options, () => {});
      const originality = training ? { originality: checkSamples(texts, training) } : {};
      await writeJson({ ...header, samples: flags.echo ? texts.map((s) => seed + s) : texts, ...originality }, true);
    } else if (flags.jsonl) await streamJsonLines(net, vocab, options, header, Boolean(flags.echo), training);
    else await streamText(net, vocab, options, Boolean(flags.echo), training, reporter);
  } finally {
    net.dispose();
  }
}

/** The temperature to sample at: --argmax is 0, and contradicts any other --temperature given. */
function checkedTemperature(flags: GenerateFlags, cmd: Command): number {
  if (flags.argmax && cmd.getOptionValueSource('temperature') === 'cli' && flags.temperature !== 0) {
    throw usageError(`--argmax and --temperature ${flags.temperature} contradict each other`, 'use one of them');
  }
  return flags.argmax ? 0 : flags.temperature;
}

/** --corpus is --originality's, and cannot be stdin (stdin is the seed). */
function checkCorpusFlags(flags: GenerateFlags): void {
  if (flags.corpus && !flags.originality) {
    throw usageError(
      '--corpus is the training text --originality compares the output with, and --originality is not given',
      `add --originality: lstm generate --originality --corpus ${flags.corpus[0]}`,
    );
  }
  if (flags.corpus?.includes('-'))
    throw usageError('--corpus - cannot read stdin: stdin is the seed', 'give the training text as a file');
}

/** The seed as the user gave it (normalised later, with the model's text settings). */
async function readSeed(flags: GenerateFlags): Promise<string> {
  const ways = {
    [`the argument ${JSON.stringify(flags.seedArgument)}`]: flags.seedArgument,
    '--seed': flags.seed,
    '--prompt': flags.prompt,
    '--seed-file': flags.seedFile,
  };
  const given = Object.entries(ways).filter(([, value]) => value !== undefined);
  if (given.length > 1) {
    throw usageError(
      `give the seed once: got ${given.map(([way]) => way).join(' and ')}`,
      'the seed is the argument (lstm generate "MACBETH."), --seed, --prompt or --seed-file: one of them',
    );
  }
  const text = flags.seedArgument ?? flags.seed ?? flags.prompt;
  if (text !== undefined) return text;
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

/**
 * Plain text: sample 0 streams as it is made; others are kept and printed after it. With
 * --originality, then a line per sample on stderr (stdout keeps only the text).
 */
async function streamText(
  net: StatefulLstm,
  vocab: Vocab,
  options: GenerateOptions,
  echo: boolean,
  training: TrainingText | undefined,
  reporter: Reporter,
): Promise<void> {
  const { seed, samples } = options;
  const out = new TextStream();
  if (echo) await out.push(seed);
  const rest = new Array<string>(samples).fill('');
  let last = seed;
  const emit = async (chars: (string | undefined)[]) => {
    for (let s = 1; s < chars.length; s++) if (chars[s] !== undefined) rest[s] += chars[s];
    if (chars[0] !== undefined) {
      last = chars[0];
      if (training) rest[0] += chars[0]; // streamed, and kept only to be checked
      await out.push(chars[0]);
    }
  };
  await generate(net, vocab, options, emit, false);
  for (let s = 1; s < samples; s++) {
    await out.push(`\n\n${echo ? seed : ''}${rest[s]}`);
    last = rest[s].slice(-1) || last;
  }
  if (process.stdout.isTTY && last !== '\n') await out.push('\n');
  await out.flush();
  if (!training) return;
  const reports = checkSamples(rest, training);
  for (const [s, report] of reports.entries())
    reporter.result(originalityLine(report, reports.length > 1 ? s : undefined));
  const unchecked = uncheckedLine(training);
  if (unchecked) reporter.result(unchecked);
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
  header: Header,
  echo: boolean,
  training?: TrainingText,
): Promise<void> {
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
      ? checkSamples(
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

/**
 * `lstm inspect`: what the model expected at each character of a text and how surprised it
 * was, on a terminal (coloured), as a table (pipes), as streamed JSON (with any units'
 * cell state, hidden output and gates), or as a self-contained page.
 */
import { Option, type Command } from 'commander';
import { defaults } from '../../config.js';
import { usageError } from '../../errors.js';
import { seedText, type UnknownPolicy } from '../../generate/seed.js';
import { SurpriseTotal, type CharReading } from '../../inspect/surprise.js';
import { decodeText, type Encoding } from '../../text/corpus.js';
import { showChar } from '../../text/show.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { count } from '../../figures.js';
import { checkpointOption, encodingOption, int } from '../options.js';
import { readInput, write } from '../output.js';
import { stdoutChalk } from '../reporter.js';

type Flags = {
  model?: string;
  checkpoint?: string;
  text?: string;
  json?: boolean;
  html?: string;
  units?: string;
  top: number;
  unknown: UnknownPolicy;
  encoding: Encoding;
};

export function register(program: Command, context: () => Context): void {
  program
    .command('inspect')
    .description(
      'how surprised the model is by each character of a text, what it expected instead, and what its units hold',
    )
    .argument('[file]', 'text file, or - for stdin (default: --text, else stdin when piped)')
    .option('-m, --model <dir>', 'model bundle or exported checkpoint (default: the bundled Macbeth model)')
    .addOption(checkpointOption())
    .option('--text <text>', 'the text to inspect')
    .addOption(encodingOption('how the file or piped text is encoded'))
    .option('--top <k>', 'expected characters listed per position', int('--top', 1, 1000), defaults.inspect.top)
    .option(
      '--json',
      'stream JSON: per character its probability, bits and the expected characters (one character per line)',
    )
    .option(
      '--units <list>',
      "with --json: these units' cell state, hidden output and gates in every layer, e.g. 0-9,42 or all",
      unitList,
    )
    .option(
      '--html <file>',
      'write a self-contained page: the text coloured by surprise, predictions on hover, a browser of every unit',
    )
    .addOption(
      new Option('--unknown <mode>', 'characters outside the vocabulary: error or skip')
        .choices(['error', 'skip'])
        .default('error'),
    )
    .action(async (file: string | undefined, flags: Flags) => run(file, flags, context()));
}

/** `--units`: `all`, or unit numbers and ranges (`0-9,42`), checked against the model later. */
function unitList(value: string): string {
  if (value !== 'all' && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value.replace(/\s/g, ''))) {
    throw usageError(`--units must be 'all' or unit numbers and ranges like 0-9,42, got '${value}'`);
  }
  return value.replace(/\s/g, '');
}

/** The units `--units` names, each checked against the model's width. */
function chosenUnits(value: string, units: number): number[] {
  if (value === 'all') return Array.from({ length: units }, (_, u) => u);
  const chosen = new Set<number>();
  for (const part of value.split(',')) {
    const [a, b = a] = part.split('-').map(Number);
    if (b < a) throw usageError(`--units range ${part} runs backwards`, `write it as ${b}-${a}`);
    if (b >= units) throw usageError(`--units ${part}: the model has ${units} units per layer (0-${units - 1})`);
    for (let u = a; u <= b; u++) chosen.add(u);
  }
  return [...chosen].sort((x, y) => x - y);
}

/** The user's text: --text, a file (or - for stdin), or stdin when piped. */
async function readUserText(file: string | undefined, flags: Flags): Promise<string> {
  if (flags.text !== undefined && file !== undefined) throw usageError('give the text once: --text or a file');
  if (flags.text !== undefined) return flags.text;
  if (file === undefined && process.stdin.isTTY) {
    throw usageError('no text to inspect', 'give one: lstm inspect --text "...", lstm inspect play.txt, or pipe it in');
  }
  const { bytes, name } = await readInput(file ?? '-');
  return decodeText(bytes, name === 'stdin' ? 'the text on stdin' : name, flags.encoding).text;
}

async function run(file: string | undefined, flags: Flags, ctx: Context): Promise<void> {
  const r = ctx.reporter;
  if (flags.units !== undefined && !flags.json)
    throw usageError('--units needs --json', 'the --html page holds every unit already');
  const raw = await readUserText(file, flags);
  const { loadModel, modelName } = await import('../model.js');
  const { initBackend } = await import('../../net/backend.js');
  await initBackend(ctx.flags.backend, COMMAND_JOBS.inspect);
  const model = await loadModel(flags.model, flags.checkpoint);
  const { text, dropped } = seedText(raw, model.textSettings, model.vocab, flags.unknown);
  if (dropped.length)
    r.warn(`dropped character(s) outside the vocabulary: ${dropped.map((ch) => `'${showChar(ch)}'`).join(' ')}`);
  const chars = [...text];
  const limit = flags.html !== undefined ? defaults.inspect.maxPageChars : defaults.inspect.maxChars;
  if (chars.length > limit) {
    const what = flags.html !== undefined ? 'a page holds' : 'lstm inspect reads';
    throw usageError(
      `the text has ${count(chars.length)} characters; ${what} at most ${count(limit)}`,
      `inspect a part of it, e.g. head -c ${limit} ${file && file !== '-' ? file : 'text.txt'} | lstm inspect${flags.html !== undefined ? ' --html page.html' : ''}`,
    );
  }
  if (chars.length < 2)
    throw usageError(`the text has ${chars.length} character(s); inspecting needs at least 2`, 'give a longer text');
  const units = flags.units === undefined ? undefined : chosenUnits(flags.units, model.cfg.units);
  const { StatefulLstm } = await import('../../net/stateful.js');
  const { readText } = await import('../../inspect/surprise.js');
  const net = new StatefulLstm(model.cfg, model.params);
  try {
    if (flags.html !== undefined) {
      const { writeInspectPage } = await import('../../inspect/page.js');
      const started = performance.now();
      const page = await writeInspectPage(flags.html, net, model.vocab, text, {
        top: flags.top,
        title: `lstm inspect · ${modelName(flags.model)}`,
      });
      r.info(
        `wrote ${flags.html} (${(page.bytes / 1e6).toFixed(2)} MB, ${count(chars.length)} characters, ${page.bitsPerChar.toFixed(3)} bits per character) in ${((performance.now() - started) / 1000).toFixed(1)} s: open it in a browser`,
      );
      return;
    }
    const readings = readText(net, model.vocab, text, { top: flags.top, units: units !== undefined });
    if (flags.json)
      return await streamJson(readings, {
        model: model.checkpoint.dir,
        characters: chars.length,
        top: flags.top,
        units: units ?? null,
      });
    const c = stdoutChalk(ctx.flags.color);
    if (c.level > 0) await coloured(readings, c);
    else await table(readings, text);
  } finally {
    net.dispose();
  }
}

/** Gives the event loop a turn now and then, so Ctrl-C is heard during a long text. */
const breathe = (i: number) => (i % 512 === 511 ? new Promise((resolve) => setImmediate(resolve)) : undefined);

/**
 * One JSON document, written as it is made: the settings, then `chars` with one
 * character's object per line, then the totals. `JSON.parse` reads the whole; a stream
 * reader can take it line by line.
 */
async function streamJson(
  readings: Iterable<CharReading>,
  header: Record<string, unknown> & { units: number[] | null },
): Promise<void> {
  await write(`${JSON.stringify(header).slice(0, -1)},"chars":[\n`);
  const total = new SurpriseTotal();
  let first = true;
  let buffer = '';
  for (const reading of readings) {
    const { units, ...rest } = reading;
    const entry: Record<string, unknown> = rest;
    if (header.units && units) {
      entry.units = units.flatMap((layer, l) =>
        header.units!.map((u) => ({
          layer: l,
          unit: u,
          c: layer.c[u],
          h: layer.h[u],
          i: layer.i[u],
          f: layer.f[u],
          o: layer.o[u],
        })),
      );
    }
    total.add(reading);
    buffer += `${first ? '' : ',\n'}${JSON.stringify(entry)}`;
    first = false;
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = '';
    }
    await breathe(reading.index);
  }
  await write(`${buffer}\n],"predicted":${total.predicted},"bitsPerChar":${JSON.stringify(total.bitsPerChar)}}\n`);
}

/** The text coloured by surprise, a legend, and the total. */
async function coloured(readings: Iterable<CharReading>, c: ReturnType<typeof stdoutChalk>): Promise<void> {
  const { SURPRISE_BANDS, surpriseBand } = await import('../../inspect/colours.js');
  const paint = (band: number, text: string) => {
    const rgb = SURPRISE_BANDS[band].rgb;
    return rgb ? c.bgRgb(...rgb).black(text) : text;
  };
  let out = '';
  const total = new SurpriseTotal();
  for (const reading of readings) {
    const band = surpriseBand(reading.bits);
    // A surprising line end is shown, or its colour would be invisible.
    out +=
      reading.char === '\n'
        ? band > 0
          ? `${paint(band, '↵')}\n`
          : '\n'
        : reading.index === 0
          ? c.dim(reading.char)
          : paint(band, reading.char);
    total.add(reading);
    if (out.length > 4096) {
      await write(out);
      out = '';
    }
    await breathe(reading.index);
  }
  const legend = SURPRISE_BANDS.map((b, i) => paint(i, ` ${b.label} `)).join('');
  await write(`${out}${out.endsWith('\n') ? '' : '\n'}\n${c.dim('surprise in bits:')} ${legend}   ${summary(total)}\n`);
}

/** Without colour: the text, then one tab-separated row per character, then the total. */
async function table(readings: Iterable<CharReading>, text: string): Promise<void> {
  let out = `${text}${text.endsWith('\n') ? '' : '\n'}\nindex\tchar\tbits\tprob\texpected\n`;
  const total = new SurpriseTotal();
  for (const r of readings) {
    const expected = r.expected.map((e) => `${showChar(e.char)} ${e.prob.toFixed(3)}`).join('  ');
    out += `${r.index}\t${showChar(r.char)}\t${r.bits === null ? '-' : r.bits.toFixed(3)}\t${r.prob === null ? '-' : r.prob.toFixed(4)}\t${expected}\n`;
    total.add(r);
    if (out.length > 1 << 16) {
      await write(out);
      out = '';
    }
    await breathe(r.index);
  }
  await write(`${out}\n${summary(total)}\n`);
}

const summary = (total: SurpriseTotal) =>
  `${total.bitsPerChar!.toFixed(3)} bits per character over ${count(total.predicted)} predicted characters`;

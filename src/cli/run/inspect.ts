/**
 * `lstm inspect`: what the model expected at each character of a text and how surprised it
 * was, on a terminal (coloured), as a table (pipes), as streamed JSON (with any units'
 * cell state, hidden output and gates), or as a self-contained page.
 */
import { defaults } from '../../config.js';
import { usageError } from '../../errors.js';
import { count, plural } from '../../figures.js';
import { seedText } from '../../generate/seed.js';
import { SURPRISE_BANDS, surpriseBand } from '../../inspect/colours.js';
import { inspectPage } from '../../inspect/page.js';
import { readText, SurpriseTotal, type CharReading } from '../../inspect/surprise.js';
import { initBackend } from '../../net/backend.js';
import { StatefulLstm } from '../../net/stateful.js';
import { loadModel } from '../../store/load.js';
import { decodeText } from '../../text/corpus.js';
import { showChar } from '../../text/show.js';
import type { InspectFlags } from '../commands/inspect.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { modelName, modelPath } from '../model.js';
import { readInput, write } from '../output.js';
import { stdoutChalk } from '../reporter.js';
import { writeUserFile } from '../user-file.js';

/** The units `--units` names, each checked against the model's width. */
function chosenUnits(value: string, units: number): number[] {
  if (value === 'all') return Array.from({ length: units }, (_, u) => u);
  const chosen = new Set<number>();
  for (const part of value.split(',')) {
    const [a, b = a] = part.split('-').map(Number);
    if (b < a) throw usageError(`--units range ${part} runs backwards`, `write it as ${b}-${a}`);
    if (b >= units)
      throw usageError(`--units ${part}: the model has ${plural(units, 'unit')} per layer (0-${units - 1})`);
    for (let u = a; u <= b; u++) chosen.add(u);
  }
  return [...chosen].sort((x, y) => x - y);
}

/** The user's text: --text, a file (or - for stdin), or stdin when piped. */
async function readUserText(file: string | undefined, flags: InspectFlags): Promise<string> {
  if (flags.text !== undefined && file !== undefined) throw usageError('give the text once: --text or a file');
  if (flags.text !== undefined) return flags.text;
  if (file === undefined && process.stdin.isTTY) {
    throw usageError('no text to inspect', 'give one: lstm inspect --text "...", lstm inspect play.txt, or pipe it in');
  }
  const { bytes, name } = await readInput(file ?? '-');
  return decodeText(bytes, name === 'stdin' ? 'the text on stdin' : name, flags.encoding).text;
}

export async function run(file: string | undefined, flags: InspectFlags, ctx: Context): Promise<void> {
  const { reporter } = ctx;
  if (flags.units !== undefined && !flags.json)
    throw usageError('--units needs --json', 'the --html page holds every unit already');
  const raw = await readUserText(file, flags);
  const model = await loadModel(modelPath(flags.model), { which: flags.checkpoint });
  const { text, dropped } = seedText(raw, model.textSettings, model.vocab, flags.unknown, 'the text');
  if (dropped.length)
    reporter.warn(
      `dropped ${plural(dropped.length, 'character')} outside the vocabulary: ${dropped.map((ch) => `'${showChar(ch)}'`).join(' ')}`,
    );
  const chars = [...text];
  const limit = flags.html !== undefined ? defaults.inspect.maxPageChars : defaults.inspect.maxChars;
  if (chars.length > limit) {
    const what = flags.html !== undefined ? 'a page holds' : 'lstm inspect reads';
    throw usageError(
      `the text has ${plural(chars.length, 'character')}; ${what} at most ${count(limit)}`,
      `inspect a part of it, e.g. head -c ${limit} ${file && file !== '-' ? file : 'text.txt'} | lstm inspect${flags.html !== undefined ? ' --html page.html' : ''}`,
    );
  }
  if (chars.length < 2)
    throw usageError(
      `the text has ${plural(chars.length, 'character')}; inspecting needs at least 2`,
      'give a longer text',
    );
  const units = flags.units === undefined ? undefined : chosenUnits(flags.units, model.cfg.units);
  await initBackend(ctx.flags.backend, COMMAND_JOBS.inspect); // once every input is known good
  const net = new StatefulLstm(model.cfg, model.params);
  try {
    if (flags.html !== undefined) {
      const started = performance.now();
      const page = await inspectPage(net, model.vocab, text, {
        top: flags.top,
        title: `lstm inspect · ${modelName(flags.model)}`,
      });
      await writeUserFile(flags.html, page.html);
      reporter.info(
        `wrote ${flags.html} (${(Buffer.byteLength(page.html) / 1e6).toFixed(2)} MB, ${plural(chars.length, 'character')}, ${page.bitsPerChar.toFixed(3)} bits per character) in ${((performance.now() - started) / 1000).toFixed(1)} s: open it in a browser`,
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
    const colour = stdoutChalk(ctx.flags.color);
    if (colour.level > 0) await coloured(readings, colour);
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
async function coloured(readings: Iterable<CharReading>, colour: ReturnType<typeof stdoutChalk>): Promise<void> {
  const paint = (band: number, text: string) => {
    const rgb = SURPRISE_BANDS[band].rgb;
    return rgb ? colour.bgRgb(...rgb).black(text) : text;
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
          ? colour.dim(reading.char)
          : paint(band, reading.char);
    total.add(reading);
    if (out.length > 4096) {
      await write(out);
      out = '';
    }
    await breathe(reading.index);
  }
  const legend = SURPRISE_BANDS.map((b, i) => paint(i, ` ${b.label} `)).join('');
  await write(
    `${out}${out.endsWith('\n') ? '' : '\n'}\n${colour.dim('surprise in bits:')} ${legend}   ${summary(total)}\n`,
  );
}

/** Without colour: the text, then one tab-separated row per character, then the total. */
async function table(readings: Iterable<CharReading>, text: string): Promise<void> {
  let out = `${text}${text.endsWith('\n') ? '' : '\n'}\nindex\tchar\tbits\tprob\texpected\n`;
  const total = new SurpriseTotal();
  for (const reading of readings) {
    const expected = reading.expected.map((e) => `${showChar(e.char)} ${e.prob.toFixed(3)}`).join('  ');
    out += `${reading.index}\t${showChar(reading.char)}\t${reading.bits === null ? '-' : reading.bits.toFixed(3)}\t${reading.prob === null ? '-' : reading.prob.toFixed(4)}\t${expected}\n`;
    total.add(reading);
    if (out.length > 1 << 16) {
      await write(out);
      out = '';
    }
    await breathe(reading.index);
  }
  await write(`${out}\n${summary(total)}\n`);
}

const summary = (total: SurpriseTotal) =>
  `${total.bitsPerChar!.toFixed(3)} bits per character over ${plural(total.predicted, 'predicted character')}`;

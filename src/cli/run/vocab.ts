import { plural } from '../../figures.js';
import { showChar } from '../../text/show.js';
import { Vocab } from '../../text/vocab.js';
import type { VocabFlags } from '../commands/vocab.js';
import type { Context } from '../context.js';
import { loadCorpus } from '../corpus.js';
import { write, writeJson } from '../output.js';
import { writeUserFile } from '../user-file.js';

export async function run(path: string, flags: VocabFlags, ctx: Context): Promise<void> {
  const corpus = await loadCorpus(path, flags, ctx);
  const { vocab, counts } = Vocab.fromText(corpus.text);
  const total = counts.reduce((a, b) => a + b, 0);
  const doc = {
    corpus: corpus.name,
    characters: total,
    size: vocab.size,
    vocab: vocab.chars.map((char, index) => ({ index, char, codePoint: char.codePointAt(0)!, count: counts[index] })),
  };
  if (flags.out) {
    await writeUserFile(flags.out, `${JSON.stringify(doc, null, 2)}\n`);
    ctx.reporter.info(`wrote ${flags.out}`);
  }
  if (flags.json) return writeJson(doc, true);

  let out = `vocabulary: ${plural(vocab.size, 'character')} in ${plural(total, 'character')} of text\n`;
  const width = String(vocab.size - 1).length;
  for (const e of doc.vocab) {
    const cp = `U+${e.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
    out += `${String(e.index).padStart(width)}  ${showChar(e.char).padEnd(8)} ${cp.padEnd(8)} ${String(e.count).padStart(9)}\n`;
  }
  await write(out);
}

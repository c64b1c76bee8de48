/** Reads a corpus argument (path or `-`) and says on stderr what cleaning did. */
import { resolve } from 'node:path';
import { readCorpus, type Corpus } from '../text/corpus.js';
import type { Context } from './context.js';
import type { CorpusFlags } from './options.js';
import { readInput } from './output.js';

export async function loadCorpus(path: string, flags: CorpusFlags, ctx: Context): Promise<Corpus> {
  const { bytes, name } = await readInput(path);
  const corpus = readCorpus(bytes, name, {
    encoding: flags.encoding,
    keepBoilerplate: flags.keepBoilerplate,
    lowercase: flags.lowercase,
  });
  if (path !== '-') corpus.path = resolve(path);
  if (corpus.strippedBoilerplate) {
    ctx.reporter.info(`${name}: Project Gutenberg file, header and license stripped (--keep-boilerplate keeps them)`);
  } else if (corpus.keptBoilerplate) {
    ctx.reporter.info(`${name}: Project Gutenberg file, header and license kept`);
  }
  return corpus;
}

/**
 * Reads corpus arguments (paths, directories, or `-`) and says on stderr what cleaning did.
 * One file or stdin is read as ever; several files, or a directory, become one corpus of
 * documents (text/corpus.ts joinCorpora), each file read exactly as a single one is.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { dataError, usageError } from '../errors.js';
import { plural } from '../figures.js';
import { fsError } from '../fs-errors.js';
import { joinCorpora, readCorpus, type Corpus } from '../text/corpus.js';
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

/**
 * The corpus the arguments name: one file (or `-`) as loadCorpus reads it; several files,
 * and the files of directories (corpusFiles), as one corpus of documents in that order.
 * `name` is what a corpus of several is called (default: the arguments' names, `essays/`).
 * What a command does with the documents is its own to say (train holds out each one's end).
 */
export async function loadCorpora(
  args: readonly string[],
  flags: CorpusFlags,
  ctx: Context,
  name?: string,
): Promise<Corpus> {
  const files = await corpusFiles(args, ctx);
  if (files.length === 1) return loadCorpus(files[0], flags, ctx);
  const parts: Corpus[] = [];
  for (const file of files) parts.push(await loadCorpus(file, flags, ctx));
  return joinCorpora(
    parts,
    name ?? args.map((a) => basename(a) + (a.endsWith('/') ? '/' : '')).join(', '),
    flags.encoding,
  );
}

/**
 * The files the corpus arguments name, in order: a file as given; for a directory, its
 * regular files (symbolic links to files count) sorted by name in code-point order, hidden
 * ones (`.name`) left out and subdirectories not entered (a note names them). An empty
 * directory, or a file named twice, is refused. Binary files are refused when read, by name.
 */
async function corpusFiles(args: readonly string[], ctx: Context): Promise<string[]> {
  const files: string[] = [];
  const notes: string[] = [];
  for (const arg of args) {
    const info = arg === '-' ? undefined : await stat(arg).catch(() => undefined); // a missing path is reported when read
    if (!info?.isDirectory()) {
      files.push(arg);
      continue;
    }
    const names = (
      await readdir(arg).catch((err) => {
        throw fsError(err, arg, 'list') ?? err;
      })
    )
      .filter((n) => !n.startsWith('.'))
      .sort();
    const inside: string[] = [];
    const skipped: string[] = [];
    for (const name of names) {
      const path = join(arg, name);
      const entry = await stat(path).catch((err) => {
        throw fsError(err, path, 'read') ?? err;
      });
      if (entry.isFile()) inside.push(path);
      else if (entry.isDirectory()) skipped.push(`${name}/`);
    }
    if (inside.length === 0) {
      throw dataError(
        `${arg} has no files to train on${skipped.length ? ` (subdirectories are not read: ${skipped.join(', ')})` : ''}`,
        'put the text files in it (hidden files are left out), or give the files themselves',
      );
    }
    if (skipped.length)
      notes.push(`${arg}: ${plural(inside.length, 'file')}; subdirectories are not read (${skipped.join(', ')})`);
    files.push(...inside);
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    const key = file === '-' ? file : resolve(file);
    const before = seen.get(key);
    if (before !== undefined) {
      throw usageError(
        `${file} is given twice${before === file ? '' : ` (also as ${before})`}; each file is read once`,
        'name each file or directory once',
      );
    }
    seen.set(key, file);
  }
  for (const note of notes) ctx.reporter.info(note);
  return files;
}

/** True when `path` is a file that exists (a recorded corpus may have moved). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

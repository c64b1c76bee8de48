/**
 * The text a model learnt from, read exactly as its training read it (cli/corpus.ts, with
 * the model's own text settings), for `generate --originality` to compare its output with.
 *
 * Where from: `--corpus` files or directories when given (read as `lstm train` reads its
 * corpus arguments); else the files the bundle recorded, which must still hold what it
 * was trained on. A fine-tune also learnt from its base's text: that is read from the base
 * bundle's recorded files when they are still there and unchanged, and otherwise named as
 * not checked. Several texts are joined as several training files are (joinCorpora: a
 * form feed between them, which no file of several may contain), so no passage is counted
 * across two of them.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DOCUMENT_SEPARATOR } from '../config.js';
import { dataError } from '../errors.js';
import { MANIFEST, type CorpusRecord, type Lineage, type Manifest } from '../store/manifest.js';
import { resolveCheckpoint } from '../store/read.js';
import { ENCODINGS, joinCorpora, type Corpus, type Encoding } from '../text/corpus.js';
import type { Context } from './context.js';
import { isFile, loadCorpora, loadCorpus } from './corpus.js';
import { modelDir } from './paths.js';
import { textSettingsOf } from '../store/parse.js';
import type { CorpusFlags } from './options.js';
import type { TrainingText } from '../generate/originality.js';

/** A text a model of the lineage learnt from, as its manifest records it. */
type Learnt = {
  /** Who learnt from it, in words: `bundled/macbeth`, `its base bundled/shakespeare`. */
  learntBy: string;
  /** A base's bundle, as `lstm train --from` was given it. */
  bundle?: string;
  name: string;
  sha256: string;
  origin?: string;
  /** Each file with its hashes (one entry for a single file); paths when recorded. */
  files: { name: string; path?: string; sha256: string; textSha256?: string }[];
  encoding: Encoding;
};

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;
const encodingOf = (c: { encoding?: string }): Encoding =>
  (ENCODINGS as readonly string[]).includes(c.encoding ?? '') ? (c.encoding as Encoding) : 'utf8';
const filesOf = (c: CorpusRecord) => (c.files?.length ? c.files : [{ ...c, name: basename(c.name) }]);

/**
 * The training text of the model whose manifest is `m` (`model` names it in messages), from
 * `corpusArgs` when given. Fails before anything is generated when the text cannot be found.
 */
export async function trainingText(
  m: Manifest,
  model: string,
  corpusArgs: readonly string[],
  ctx: Context,
): Promise<TrainingText> {
  const own: Learnt = {
    learntBy: model,
    name: m.corpus.name,
    sha256: m.corpus.sha256,
    origin: m.corpus.origin,
    files: filesOf(m.corpus),
    encoding: encodingOf(m.corpus),
  };
  const bases = lineageTexts(m.lineage);
  const flags = (encoding: Encoding): CorpusFlags => ({ ...textSettingsOf(m), encoding });
  if (corpusArgs.length) return givenText(corpusArgs, own, bases, flags(own.encoding), model, ctx);

  const paths = own.files.map((f) => f.path);
  if (!paths.every((p): p is string => p !== undefined)) {
    throw dataError(
      `${model} does not record where its training text is (an exported model leaves the path behind); it learnt from ${described(own)}`,
      `pass that text: --corpus path/to/${own.files[0].name}${own.files.length > 1 ? ' (each of its files, in order)' : ''}`,
    );
  }
  const parts: Corpus[] = [];
  for (const [i, path] of paths.entries()) {
    if (!(await isFile(path)))
      throw dataError(
        `${path}, the text ${model} was trained on, is no longer there`,
        `pass the text with --corpus path/to/${own.files[i].name}`,
      );
    const part = await loadCorpus(path, flags(own.encoding), ctx);
    if (!sameText(part, own.files[i])) {
      throw dataError(
        `${path} has changed since ${model} was trained on it (sha256 ${short(part.sha256)}, recorded ${short(own.files[i].sha256)})`,
        `pass the text it was trained on with --corpus, or --corpus ${path} to compare with the file as it is now`,
      );
    }
    parts.push(part);
  }
  const unchecked: TrainingText['unchecked'] = [];
  for (const base of bases) {
    if (own.files.some((f) => f.sha256 === base.sha256)) continue; // the same text, read already
    const found = await baseParts(base, flags(base.encoding), ctx);
    if (found) parts.push(...found);
    else unchecked.push({ name: base.name, learntBy: base.learntBy });
  }
  return placed(parts.length === 1 ? parts[0] : joinCorpora(parts, own.name, own.encoding), unchecked);
}

/** `--corpus` texts: each file is named as one the lineage learnt from, or warned about as another text. */
async function givenText(
  args: readonly string[],
  own: Learnt,
  bases: Learnt[],
  flags: CorpusFlags,
  model: string,
  ctx: Context,
): Promise<TrainingText> {
  const read = await loadCorpora(args, flags, ctx);
  const documents = read.documents ?? [read];
  const ownFiles = own.files.map((f) => ({ ...f, learntBy: own.learntBy }));
  const baseTexts = bases.map((b) => ({ name: b.name, sha256: b.sha256, learntBy: b.learntBy }));
  const known = [...ownFiles, ...baseTexts];
  const matched = new Set<(typeof known)[number]>();
  for (const document of documents) {
    // Every record it matches: a fine-tune on its base's own text has one text under two names.
    const matches = known.filter((k) => sameText(document, k));
    for (const k of matches) matched.add(k);
    if (!matches.length) {
      ctx.reporter.warn(
        `${basename(document.name)} is not a text ${model} learnt from (sha256 ${short(document.sha256)}; it learnt from ${[own, ...bases].map(described).join(', and ')}): comparing with it anyway`,
      );
    }
  }
  const unchecked = known.filter((k) => !matched.has(k)).map(({ name, learntBy }) => ({ name, learntBy }));
  return placed(read, unchecked);
}

/** The bases of a fine-tune, nearest first, each with the text it learnt from. */
function lineageTexts(lineage: Lineage | undefined): Learnt[] {
  const out: Learnt[] = [];
  for (let l = lineage; l; l = l.base.lineage) {
    const c = l.base.corpus;
    out.push({
      learntBy: `its base ${l.base.model}`,
      bundle: l.base.model,
      name: c.name,
      sha256: c.sha256,
      files: [],
      encoding: 'utf8',
    });
  }
  return out;
}

/**
 * A base's text from the files its bundle recorded (the base found where `lstm train --from`
 * was given it), when the bundle still records the text the fine-tune started from and every
 * file is there unchanged; undefined otherwise (it is then reported as not checked).
 */
async function baseParts(base: Learnt, flags: CorpusFlags, ctx: Context): Promise<Corpus[] | undefined> {
  let corpus: CorpusRecord;
  try {
    const manifest = JSON.parse(
      await readFile(join(await resolveCheckpoint(resolve(modelDir(base.bundle!))), MANIFEST), 'utf8'),
    ) as Manifest;
    corpus = manifest.corpus;
  } catch {
    return undefined; // no bundle there any more: the base's text cannot be found
  }
  if (corpus?.sha256 !== base.sha256) return undefined;
  const files = filesOf(corpus);
  if (!files.every((f) => f.path !== undefined)) return undefined;
  const parts: Corpus[] = [];
  for (const file of files) {
    if (!(await isFile(file.path!))) return undefined;
    const part = await loadCorpus(file.path!, { ...flags, encoding: encodingOf(corpus) }, ctx);
    if (!sameText(part, file)) return undefined;
    parts.push(part);
  }
  return parts;
}

/** The text with each of its files' place in it. */
function placed(corpus: Corpus, unchecked: TrainingText['unchecked']): TrainingText {
  const names = (corpus.documents ?? [corpus]).map((d) => basename(d.name));
  // A text of several files holds DOCUMENT_SEPARATOR exactly between them (joinCorpora refuses files that contain it).
  const pieces = names.length > 1 ? corpus.text.split(DOCUMENT_SEPARATOR) : [corpus.text];
  const files: TrainingText['files'] = [];
  let start = 0;
  for (const [i, piece] of pieces.entries()) {
    files.push({ name: names[i], start, end: start + piece.length });
    start += piece.length + DOCUMENT_SEPARATOR.length;
  }
  return { text: corpus.text, files, unchecked };
}

/** Whether a file read now is the one recorded: the same bytes, or the same text once cleaned. */
function sameText(
  read: { sha256: string; textSha256?: string },
  recorded: { sha256: string; textSha256?: string },
): boolean {
  return (
    read.sha256 === recorded.sha256 || (recorded.textSha256 !== undefined && read.textSha256 === recorded.textSha256)
  );
}

/** `macbeth.txt (Project Gutenberg eBook #1533, play text only; sha256 e255b356d343…)`. */
function described(t: Learnt): string {
  return `${t.name} (${t.origin ? `${t.origin}; ` : ''}sha256 ${short(t.sha256)})`;
}

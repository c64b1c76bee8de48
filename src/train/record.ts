/**
 * What a bundle records of the text it was trained on (store/manifest.ts, CorpusRecord):
 * the corpus by name and origin with its hashes, and every file with its name, size,
 * characters, hashes and absolute path (what `--resume` without a corpus reads again).
 * Names are file names, never the path as typed: a bundle describes itself in the user's
 * terms on any machine; the paths are for this machine's resume.
 */
import { basename } from 'node:path';
import { DOCUMENT_SEPARATOR } from '../config.js';
import type { CorpusFileRecord, CorpusRecord } from '../store/manifest.js';
import type { Corpus, CorpusDocument } from '../text/corpus.js';

/** The record of a corpus whose text is `characters` ids long, read with `encoding` (as --encoding or a byte-order mark said). */
export function corpusRecord(corpus: Corpus, characters: number, encoding: string): CorpusRecord {
  const several = corpus.documents !== undefined && corpus.documents.length > 1;
  const files = several
    ? corpus.documents!.map((d) => fileRecord(d))
    : [fileRecord({ ...corpus, characters }, encoding)];
  return {
    name: several ? corpus.name : files[0].name,
    ...(corpus.path ? { path: corpus.path } : {}),
    bytes: corpus.bytes,
    characters,
    sha256: corpus.sha256,
    textSha256: corpus.textSha256,
    encoding,
    strippedBoilerplate: corpus.strippedBoilerplate,
    keepBoilerplate: corpus.keptBoilerplate,
    ...(corpus.origin ? { origin: corpus.origin } : {}),
    files,
    ...(several ? { separator: DOCUMENT_SEPARATOR } : {}),
  };
}

function fileRecord(d: CorpusDocument, encoding: string = d.encoding): CorpusFileRecord {
  return {
    name: d.path ? basename(d.path) : d.name,
    ...(d.path ? { path: d.path } : {}),
    bytes: d.bytes,
    characters: d.characters,
    sha256: d.sha256,
    textSha256: d.textSha256,
    encoding,
    strippedBoilerplate: d.strippedBoilerplate,
    ...(d.origin ? { origin: d.origin } : {}),
  };
}

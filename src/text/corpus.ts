/**
 * Turning a file's bytes into the text a model learns from. Pure TypeScript, no
 * TensorFlow. A byte-order mark decides the encoding (UTF-8, UTF-16LE, UTF-16BE), else
 * --encoding (UTF-8 by default); refuse binary input; decode strictly; then normalise.ts's
 * toModelText (BOM, line ends, NFC, Gutenberg boilerplate, lowercasing), the same
 * function every other text a model sees goes through. Characters are Unicode code
 * points throughout. Several files become one corpus of documents (joinCorpora): each is
 * read as a single file is, and their texts are joined by DOCUMENT_SEPARATOR.
 */
import { createHash } from 'node:crypto';
import { BINARY_SNIFF_BYTES, DOCUMENT_SEPARATOR, DOCUMENT_SEPARATOR_NAME, SAMPLE_TEXT } from '../config.js';
import { dataError, usageError } from '../errors.js';
import { gutenbergHeader, toModelText, type GutenbergHeader, type TextSettings } from './normalise.js';

export type Encoding = 'utf8' | 'utf16le' | 'utf16be' | 'latin1' | 'cp1252';
export const ENCODINGS: readonly Encoding[] = ['utf8', 'utf16le', 'utf16be', 'latin1', 'cp1252'];

/** How each encoding is named in messages. */
const LABELS: Record<Encoding, string> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
  latin1: 'Latin-1',
  cp1252: 'Windows-1252',
};

/**
 * Byte-order marks. A BOM says the encoding whatever `--encoding` says: no Latin-1 or
 * Windows-1252 text starts with ï»¿, ÿþ or þÿ, and UTF-16 is unreadable without it.
 */
const BOMS: readonly [Encoding, readonly number[]][] = [
  ['utf8', [0xef, 0xbb, 0xbf]],
  ['utf16le', [0xff, 0xfe]],
  ['utf16be', [0xfe, 0xff]],
];

/** Windows-1252 bytes 0x80-0x9F (the rest is Latin-1); undefined bytes stay as C1 controls. */
const CP1252 =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

export type CorpusOptions = TextSettings & { encoding?: Encoding };

export type Corpus = {
  /** The cleaned text. */
  text: string;
  /** Where it came from: a file name, or `stdin`. */
  name: string;
  /** The file's absolute path, when it was read from a file (the CLI fills it in). */
  path?: string;
  /** The encoding it was decoded with: `--encoding`, or what its byte-order mark says. */
  encoding: Encoding;
  /** Size of the raw input in bytes. */
  bytes: number;
  /** sha256 of the raw input (what `sha256sum file` prints). */
  sha256: string;
  /** sha256 of the cleaned text (UTF-8): the identity of what a model learns from. */
  textSha256: string;
  /** True when a Project Gutenberg header and license were removed. */
  strippedBoilerplate: boolean;
  /** True when the input looked like a Gutenberg file but boilerplate was kept. */
  keptBoilerplate: boolean;
  /** Where the text comes from, when its file says: a Project Gutenberg header (gutenbergOrigin). */
  origin?: string;
  /** The files a corpus of several was joined from, in order; absent for one file or stdin. */
  documents?: CorpusDocument[];
};

/** One file of a corpus of several: what is recorded of it (its text is in the corpus's). */
export type CorpusDocument = Omit<Corpus, 'text' | 'documents'> & {
  /** Characters (code points) of its cleaned text. */
  characters: number;
};

/** Decodes and cleans raw bytes. Throws a data error for binary, invalid or empty input. */
export function readCorpus(bytes: Uint8Array, name: string, options: CorpusOptions = {}): Corpus {
  const { text: raw, encoding } = decodeText(bytes, name, options.encoding);
  const { text, boilerplate } = toModelText(raw, options);

  if (text.trim() === '') {
    throw dataError(
      `${name} has no text (${bytes.length === 0 ? 'it is empty' : 'only whitespace'})`,
      `give a file with some prose, e.g. Macbeth: ${SAMPLE_TEXT}`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const textSha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const header = boilerplate === 'none' ? undefined : gutenbergHeader(raw);
  return {
    text,
    name,
    encoding,
    bytes: bytes.length,
    sha256,
    textSha256,
    strippedBoilerplate: boilerplate === 'stripped',
    keptBoilerplate: boilerplate === 'kept',
    ...(header ? { origin: gutenbergOrigin(header, boilerplate === 'stripped') } : {}),
  };
}

/** A Gutenberg file's origin in a reader's words: `Project Gutenberg eBook #1533, Macbeth (header and license removed)`. */
function gutenbergOrigin(header: GutenbergHeader, stripped: boolean): string {
  const book = [`Project Gutenberg eBook${header.ebook === undefined ? '' : ` #${header.ebook}`}`, header.title]
    .filter(Boolean)
    .join(', ');
  return `${book} (header and license ${stripped ? 'removed' : 'kept'})`;
}

/**
 * Several files read as one corpus: their cleaned texts in the order given, joined by
 * DOCUMENT_SEPARATOR, which the model learns as the end of one text and the start of the
 * next. A file that holds the separator itself is refused, naming the file and the line, since
 * it would end a document where the file does not. `encoding` is the one files without a
 * byte-order mark were read with (each document records its own). The corpus's sha256 is
 * that of its files' sha256s, one per line in order; its textSha256 that of the joined text.
 */
export function joinCorpora(parts: readonly Corpus[], name: string, encoding: Encoding): Corpus {
  for (const part of parts) {
    const at = part.text.indexOf(DOCUMENT_SEPARATOR);
    if (at >= 0) {
      const line = part.text.slice(0, at).split('\n').length;
      throw dataError(
        `${part.name} contains a ${DOCUMENT_SEPARATOR_NAME} on line ${line}, the character lstm puts between files; one of several files cannot contain it`,
        `remove it from the file (e.g. tr '\\f' '\\n' < ${part.name} > clean.txt), or train on ${part.name} alone`,
      );
    }
  }
  const text = parts.map((p) => p.text).join(DOCUMENT_SEPARATOR);
  const documents = parts.map(({ text: own, documents: _, ...document }) => ({
    ...document,
    characters: codePointCount(own),
  }));
  return {
    text,
    name,
    encoding,
    bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
    sha256: createHash('sha256')
      .update(parts.map((p) => `${p.sha256}\n`).join(''))
      .digest('hex'),
    textSha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    strippedBoilerplate: parts.some((p) => p.strippedBoilerplate),
    keptBoilerplate: parts.some((p) => p.keptBoilerplate),
    documents,
  };
}

/**
 * The one way a file's bytes become text (a corpus, a seed file): a byte-order mark
 * decides the encoding, else `encoding`; binary input is refused (a NUL, looked for after
 * the BOM, since UTF-16 text is half NUL bytes); decoding is strict. The BOM is dropped.
 */
export function decodeText(
  bytes: Uint8Array,
  name: string,
  encoding: Encoding = 'utf8',
): { text: string; encoding: Encoding } {
  if (!ENCODINGS.includes(encoding)) {
    throw usageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got '${encoding}'`);
  }
  const bom = BOMS.find(([, mark]) => mark.every((b, i) => bytes[i] === b));
  if (bom) encoding = bom[0];
  const skip = bom ? bom[1].length : 0;
  const utf16 = encoding === 'utf16le' || encoding === 'utf16be';
  if (!utf16) {
    const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
    if (nul >= 0) {
      const guess = utf16Guess(bytes.subarray(0, BINARY_SNIFF_BYTES));
      throw dataError(
        `${name} looks like a binary file (NUL byte at offset ${nul}), expected plain text`,
        guess
          ? `it looks like ${LABELS[guess]} without a byte-order mark: pass --encoding ${guess}`
          : 'give a .txt file; convert documents to plain text first',
      );
    }
  }
  const text = decode(bytes.subarray(skip), name, encoding, skip);
  if (utf16) {
    const nul = text.slice(0, BINARY_SNIFF_BYTES / 2).indexOf('\0');
    if (nul >= 0) {
      throw dataError(
        `${name} looks like a binary file (NUL character at byte offset ${skip + 2 * nul} of its ${LABELS[encoding]} text), expected plain text`,
        'give a .txt file; convert documents to plain text first',
      );
    }
  }
  return { text, encoding };
}

/**
 * Strict decoding: invalid input is an error naming the encoding and the byte offset
 * (`base` is added to offsets: the bytes of a BOM already skipped). A UTF-8 BOM is dropped.
 */
export function decode(bytes: Uint8Array, name: string, encoding: Encoding, base = 0): string {
  // Node's TextDecoder('latin1') is windows-1252 on some versions and not on others: decode by hand.
  if (encoding === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  if (encoding === 'cp1252') {
    const latin = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    return latin.replace(/[\x80-\x9f]/g, (c) => CP1252[c.charCodeAt(0) - 0x80]);
  }
  if (encoding === 'utf16le' || encoding === 'utf16be') return decodeUtf16(bytes, name, encoding, base);
  try {
    // TextDecoder strips a leading UTF-8 BOM by default.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw dataError(
      `${name} is not valid UTF-8: invalid byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${base + offset}`,
      'if the file is Latin-1 (ISO-8859-1), pass --encoding latin1; if it is Windows-1252, --encoding cp1252',
    );
  }
}

/** UTF-16 in either byte order; an odd length or an unpaired surrogate is an error. */
function decodeUtf16(bytes: Uint8Array, name: string, encoding: 'utf16le' | 'utf16be', base: number): string {
  const invalid = (what: string) =>
    dataError(
      `${name} is not valid ${LABELS[encoding]}: ${what}`,
      `the file is damaged or not ${LABELS[encoding]}; ${encoding === 'utf16le' ? 'if it is big-endian, pass --encoding utf16be' : 'if it is little-endian, pass --encoding utf16le'}, or re-save it as UTF-8`,
    );
  if (bytes.length % 2)
    throw invalid(`an odd number of bytes (${base + bytes.length}), so the last character is cut in half`);
  const [hi, lo] = encoding === 'utf16le' ? [1, 0] : [0, 1];
  const unit = (i: number) => (bytes[2 * i + hi] << 8) | bytes[2 * i + lo];
  const units = bytes.length / 2;
  for (let i = 0; i < units; i++) {
    const u = unit(i);
    if (u < 0xd800 || u > 0xdfff) continue;
    if (u <= 0xdbff && i + 1 < units && unit(i + 1) >= 0xdc00 && unit(i + 1) <= 0xdfff) i++;
    else throw invalid(`unpaired surrogate 0x${u.toString(16).toUpperCase()} at byte offset ${base + 2 * i}`);
  }
  const le = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return (encoding === 'utf16le' ? le : Buffer.from(le).swap16()).toString('utf16le');
}

/**
 * Which UTF-16 a BOM-less sample looks like: in UTF-16 of mostly Latin text, the high
 * byte of most code units is NUL, the low byte rarely.
 */
function utf16Guess(sample: Uint8Array): Encoding | undefined {
  const zeros = [0, 0];
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) zeros[i % 2]++;
  // Mostly on one side (a low surrogate or a Latin-1 character can put a few on the other).
  const [even, odd] = zeros;
  const enough = sample.length / 8;
  if (odd >= enough && even * 8 <= odd) return 'utf16le';
  if (even >= enough && odd * 8 <= even) return 'utf16be';
  return undefined;
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

/** Splits text into Unicode code points (an emoji is one character, not two UTF-16 units). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** How many code points a text has, without an array of them. */
export function codePointCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

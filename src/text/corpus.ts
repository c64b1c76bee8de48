/**
 * Turning a file's bytes into the text a model learns from. Pure TypeScript, no
 * TensorFlow. Refuse binary input, decode (strict UTF-8 by default), then normalise.ts's
 * toModelText (BOM, line ends, NFC, Gutenberg boilerplate, lowercasing), the same
 * function every other text a model sees goes through. Characters are Unicode code
 * points throughout.
 */
import { createHash } from 'node:crypto';
import { BINARY_SNIFF_BYTES } from '../config.js';
import { dataError, usageError } from '../errors.js';
import { toModelText, type TextSettings } from './normalise.js';

export type Encoding = 'utf8' | 'latin1' | 'cp1252';
export const ENCODINGS: readonly Encoding[] = ['utf8', 'latin1', 'cp1252'];

/** Windows-1252 bytes 0x80-0x9F (the rest is Latin-1); undefined bytes stay as C1 controls. */
const CP1252 = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

export type CorpusOptions = TextSettings & { encoding?: Encoding };

export type Corpus = {
  /** The cleaned text. */
  text: string;
  /** Where it came from: a file name, or `stdin`. */
  name: string;
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
};

/** Decodes and cleans raw bytes. Throws a data error for binary, invalid or empty input. */
export function readCorpus(bytes: Uint8Array, name: string, options: CorpusOptions = {}): Corpus {
  const encoding = options.encoding ?? 'utf8';
  if (!ENCODINGS.includes(encoding)) {
    throw usageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got '${encoding}'`);
  }
  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul >= 0) {
    throw dataError(
      `${name} looks like a binary file (NUL byte at offset ${nul}), expected plain text`,
      'give a .txt file; convert documents to plain text first',
    );
  }
  const { text, boilerplate } = toModelText(decode(bytes, name, encoding), options);

  if (text.trim() === '') {
    throw dataError(
      `${name} has no text (${bytes.length === 0 ? 'it is empty' : 'only whitespace'})`,
      'give a file with some prose, e.g. a play from Project Gutenberg (see corpora/README.md)',
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const textSha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { text, name, bytes: bytes.length, sha256, textSha256, strippedBoilerplate: boilerplate === 'stripped', keptBoilerplate: boilerplate === 'kept' };
}

/** Strict decoding: invalid UTF-8 is an error naming the byte offset. A BOM is dropped. */
export function decode(bytes: Uint8Array, name: string, encoding: Encoding): string {
  // Node's TextDecoder('latin1') is windows-1252 on some versions and not on others: decode by hand.
  if (encoding === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  if (encoding === 'cp1252') {
    const latin = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    return latin.replace(/[\x80-\x9f]/g, (c) => CP1252[c.charCodeAt(0) - 0x80]);
  }
  try {
    // TextDecoder strips a leading UTF-8 BOM by default.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw dataError(
      `${name} is not valid UTF-8: invalid byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${offset}`,
      'if the file is Latin-1 (ISO-8859-1), pass --encoding latin1; if it is Windows-1252, --encoding cp1252',
    );
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) { i++; continue; }
    else if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
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

/**
 * Corpus reading: bytes in, the clean text a model learns from out.
 * Table-driven; each row is one behaviour of readCorpus and its helpers.
 */
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import {
  codePoints,
  decode,
  firstInvalidUtf8,
  readCorpus,
  type CorpusOptions,
  type Encoding,
} from '../../../src/text/corpus.js';
import { rng } from '../../../src/random.js';
import { Vocab } from '../../../src/text/vocab.js';
import { BINARY_SNIFF_BYTES } from '../../../src/config.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)));

/** The LstmError `fn` throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): LstmError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LstmError);
    return err as LstmError;
  }
  throw new Error('expected an LstmError, nothing was thrown');
}

const read = (input: Uint8Array, options?: CorpusOptions) => readCorpus(input, 'play.txt', options).text;

describe('readCorpus cleaning', () => {
  it.each([
    ['drops a UTF-8 BOM', bytes([0xef, 0xbb, 0xbf], 'Thane\n'), 'Thane\n'],
    ['keeps a BOM-like U+FEFF that is not at the start', bytes('a', [0xef, 0xbb, 0xbf], 'b'), 'a\ufeffb'],
    ['turns CRLF into LF', bytes('one\r\ntwo\r\n'), 'one\ntwo\n'],
    ['turns a lone CR into LF', bytes('one\rtwo\r'), 'one\ntwo\n'],
    ['turns CR CR LF into two LFs', bytes('a\r\r\nb'), 'a\n\nb'],
    ['NFC-composes e + combining acute into é', bytes('caf', 'e\u0301'), 'caf\u00e9'],
    ['NFC-composes the Angstrom sign into Å', bytes('\u212b'), '\u00c5'],
    ['keeps tabs and other whitespace', bytes('a\tb  c\n'), 'a\tb  c\n'],
  ])('%s', (_name, input, expected) => {
    expect(read(input)).toBe(expected);
  });

  it('reports the raw size in bytes and the name', () => {
    const corpus = readCorpus(bytes([0xef, 0xbb, 0xbf], 'é\r\n'), 'macbeth.txt');
    expect(corpus).toMatchObject({
      name: 'macbeth.txt',
      bytes: 7,
      text: 'é\n',
      strippedBoilerplate: false,
      keptBoilerplate: false,
    });
  });

  it.each<[string, string, CorpusOptions, string | undefined]>([
    [
      'a Gutenberg file: its eBook number and title, header and license removed',
      'Title: Tiny Play\nRelease date: 2001 [eBook #99]\n*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***\nFair.\n',
      {},
      'Project Gutenberg eBook #99, Tiny Play (header and license removed)',
    ],
    [
      'kept boilerplate says so',
      'Title: Tiny Play\n*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***\nFair.\n',
      { keepBoilerplate: true },
      'Project Gutenberg eBook, Tiny Play (header and license kept)',
    ],
    [
      'the title keeps its case when the text is lowercased',
      'Title: Tiny Play\n*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***\nFair.\n',
      { lowercase: true },
      'Project Gutenberg eBook, Tiny Play (header and license removed)',
    ],
    ['a plain text has no origin', 'Fair is foul.\n', {}, undefined],
  ])('origin: %s', (_name, input, options, expected) => {
    expect(readCorpus(utf8(input), 'play.txt', options).origin).toBe(expected);
  });

  it.each([
    ['lowercases with the lowercase option', { lowercase: true }, 'MACBETH. Écosse!\n', 'macbeth. écosse!\n'],
    ['keeps case by default', {}, 'MACBETH. Écosse!\n', 'MACBETH. Écosse!\n'],
  ])('%s', (_name, options, input, expected) => {
    expect(read(utf8(input), options)).toBe(expected);
  });
});

describe('encodings', () => {
  it.each<[string, Encoding, number[], string]>([
    ['latin1 decodes 0xE9 to é', 'latin1', [0x63, 0x61, 0x66, 0xe9], 'café'],
    ['latin1 decodes 0xFF to ÿ', 'latin1', [0xff], 'ÿ'],
    ['latin1 decodes the bytes of UTF-8 é as two characters', 'latin1', [0xc3, 0xa9], 'Ã©'],
    ['latin1 keeps 0x93 as the C1 control U+0093 (ISO-8859-1, on every Node version)', 'latin1', [0x93], '\u0093'],
    [
      'cp1252 decodes 0x93 0x94 to curly quotes and 0x80 to the euro sign',
      'cp1252',
      [0x93, 0x61, 0x94, 0x80],
      '\u201ca\u201d\u20ac',
    ],
    ['cp1252 decodes 0xE9 to é like latin1', 'cp1252', [0xe9], 'é'],
    ['utf8 decodes é from two bytes', 'utf8', [0xc3, 0xa9], 'é'],
    ['utf8 decodes a four-byte emoji', 'utf8', [0xf0, 0x9f, 0x98, 0x80], '😀'],
  ])('%s', (_name, encoding, input, expected) => {
    expect(decode(Uint8Array.from(input), 'f', encoding)).toBe(expected);
    expect(readCorpus(Uint8Array.from(input), 'f', { encoding }).text).toBe(expected);
  });

  it('refuses an unknown encoding as a usage error', () => {
    const err = thrown(() => readCorpus(utf8('x'), 'f', { encoding: 'utf16' as Encoding }));
    expect(err.kind).toBe('usage');
    expect(err.message).toContain("got 'utf16'");
  });
});

describe('UTF-16', () => {
  const le = (s: string) => Uint8Array.from(Buffer.from(s, 'utf16le'));
  const be = (s: string) => Uint8Array.from(Buffer.from(s, 'utf16le').swap16());
  const LE_BOM = [0xff, 0xfe];
  const BE_BOM = [0xfe, 0xff];
  const text = 'Thane of Cawdor, café 😀\r\n';

  it.each<[string, Uint8Array, Encoding | undefined, Encoding]>([
    ['a UTF-16LE byte-order mark', bytes(LE_BOM, [...le(text)]), undefined, 'utf16le'],
    ['a UTF-16BE byte-order mark', bytes(BE_BOM, [...be(text)]), undefined, 'utf16be'],
    ['--encoding utf16le without a BOM', le(text), 'utf16le', 'utf16le'],
    ['--encoding utf16be without a BOM', be(text), 'utf16be', 'utf16be'],
    ['a BE byte-order mark beats --encoding utf16le', bytes(BE_BOM, [...be(text)]), 'utf16le', 'utf16be'],
    ['a LE byte-order mark beats --encoding latin1', bytes(LE_BOM, [...le(text)]), 'latin1', 'utf16le'],
    ['a UTF-8 byte-order mark beats --encoding utf16le', bytes([0xef, 0xbb, 0xbf], text), 'utf16le', 'utf8'],
  ])('decodes %s (the BOM dropped, line ends normalised)', (_name, input, encoding, detected) => {
    const corpus = readCorpus(input, 'play.txt', { encoding });
    expect(corpus.text).toBe('Thane of Cawdor, café 😀\n');
    expect(corpus.encoding).toBe(detected);
  });

  it.each<[string, Uint8Array, Encoding | undefined, string]>([
    [
      'an odd number of bytes',
      bytes(LE_BOM, [...le('ab')], [0x63]),
      undefined,
      'play.txt is not valid UTF-16LE: an odd number of bytes (7)',
    ],
    [
      'a lone high surrogate',
      bytes(LE_BOM, [...le('ab')], [0x3d, 0xd8], [...le('c')]),
      undefined,
      'play.txt is not valid UTF-16LE: unpaired surrogate 0xD83D at byte offset 6',
    ],
    [
      'a lone low surrogate (big-endian)',
      bytes(BE_BOM, [0xde, 0x00]),
      undefined,
      'play.txt is not valid UTF-16BE: unpaired surrogate 0xDE00 at byte offset 2',
    ],
    [
      'a high surrogate at the end',
      bytes([...le('a')], [0x3d, 0xd8]),
      'utf16le',
      'play.txt is not valid UTF-16LE: unpaired surrogate 0xD83D at byte offset 2',
    ],
    [
      'a NUL character',
      bytes(LE_BOM, [...le('ab\0c')]),
      undefined,
      'play.txt looks like a binary file (NUL character at byte offset 6 of its UTF-16LE text)',
    ],
  ])('refuses %s, naming the encoding', (_name, input, encoding, message) => {
    const err = thrown(() => readCorpus(input, 'play.txt', { encoding }));
    expect(err.kind).toBe('data');
    expect(err.message).toContain(message);
  });

  it.each<[string, Uint8Array, string]>([
    ['little-endian', le('Fair is foul\n'), 'pass --encoding utf16le'],
    ['big-endian', be('Fair is foul\n'), 'pass --encoding utf16be'],
  ])('says how to read %s UTF-16 without a BOM (read as UTF-8 it is binary)', (_name, input, hint) => {
    const err = thrown(() => readCorpus(input, 'play.txt'));
    expect(err.message).toContain('looks like a binary file');
    expect(err.hint).toContain(hint);
  });
});

describe('invalid UTF-8', () => {
  // [case, bytes, offset of the first invalid byte, that byte]
  it.each<[string, Uint8Array, number, number]>([
    ['lone continuation byte', bytes('ab', [0x80], 'c'), 2, 0x80],
    ['continuation byte at the very start', bytes([0xbf], 'abc'), 0, 0xbf],
    ['truncated 3-byte sequence at the end', bytes('abc', [0xe2, 0x82]), 3, 0xe2],
    ['truncated 4-byte sequence at the end', bytes('x', [0xf0, 0x9f, 0x98]), 1, 0xf0],
    ['lead byte followed by ASCII', bytes([0xe2, 0x28, 0xa1]), 0, 0xe2],
    ['overlong NUL 0xC0 0x80', bytes('A', [0xc0, 0x80]), 1, 0xc0],
    ['overlong 0xC1 0xBF', bytes([0xc1, 0xbf]), 0, 0xc1],
    ['overlong 3-byte 0xE0 0x80 0x80', bytes('ab', [0xe0, 0x80, 0x80]), 2, 0xe0],
    ['overlong 4-byte 0xF0 0x80 0x80 0x80', bytes([0xf0, 0x80, 0x80, 0x80]), 0, 0xf0],
    ['UTF-16 surrogate 0xED 0xA0 0x80', bytes('a', [0xed, 0xa0, 0x80]), 1, 0xed],
    ['code point above U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80]), 0, 0xf4],
    ['byte 0xF5 that never starts a sequence', bytes('ok', [0xf5, 0x80]), 2, 0xf5],
    ['byte 0xFF', bytes([0xff]), 0, 0xff],
    ['offset counts bytes, not characters', bytes('é😀', [0xff]), 6, 0xff],
    ['Latin-1 é inside ASCII', bytes('caf', [0xe9], ' au lait'), 3, 0xe9],
  ])('%s: offset %i', (_name, input, offset, byte) => {
    expect(firstInvalidUtf8(input)).toBe(offset);
    const err = thrown(() => readCorpus(input, 'play.txt'));
    expect(err.kind).toBe('data');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(`play.txt is not valid UTF-8`);
    expect(err.message).toContain(`invalid byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}`);
    expect(err.hint).toContain('--encoding latin1');
  });

  it.each([
    ['empty', bytes()],
    ['ASCII', bytes('plain text\n')],
    ['two-, three- and four-byte characters', bytes('é € 😀 \u{10ffff}')],
    ['the largest BMP character before the surrogates', bytes([0xed, 0x9f, 0xbf])],
  ])('finds no invalid byte in valid %s', (_name, input) => {
    expect(firstInvalidUtf8(input)).toBe(input.length);
  });

  it('agrees with the strict TextDecoder on random bytes', () => {
    // The CLI reports bytes[offset]; an offset past the end for input the decoder refuses
    // would crash instead of naming the byte.
    const random = rng(7, 'utf8-fuzz');
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let n = 0; n < 3000; n++) {
      const input = new Uint8Array(1 + Math.floor(random() * 6));
      for (let i = 0; i < input.length; i++) {
        input[i] = random() < 0.5 ? interesting[Math.floor(random() * interesting.length)] : Math.floor(random() * 256);
      }
      const offset = firstInvalidUtf8(input);
      let valid = true;
      try {
        strict.decode(input);
      } catch {
        valid = false;
      }
      expect(offset === input.length, `bytes ${[...input]}`).toBe(valid);
      // Everything before the reported offset is valid UTF-8.
      expect(() => strict.decode(input.subarray(0, offset))).not.toThrow();
    }
  });
});

describe('characters are code points', () => {
  it.each([
    ['an emoji', 'a😀b', ['a', '😀', 'b']],
    ['an astral CJK character', '𠀀x', ['𠀀', 'x']],
    ['a skin-tone emoji is two code points', '👍🏽', ['👍', '🏽']],
  ])('%s', (_name, text, expected) => {
    expect(codePoints(text)).toEqual(expected);
  });

  it('counts an emoji as one character of the vocabulary', () => {
    const text = readCorpus(utf8('😀a😀'), 'f').text;
    const { vocab, counts } = Vocab.fromText(text);
    expect(vocab.chars).toEqual(['a', '😀']);
    expect(counts).toEqual([1, 2]);
    expect(vocab.encode(text)).toHaveLength(3);
  });
});

describe('refusals', () => {
  const withNulAt = (at: number, length = BINARY_SNIFF_BYTES + 100) => {
    const b = new Uint8Array(length).fill(0x61);
    b[at] = 0;
    return b;
  };

  it.each([
    ['NUL at offset 0', withNulAt(0), 'NUL byte at offset 0'],
    ['NUL at offset 5', bytes('hello', [0], 'world'), 'NUL byte at offset 5'],
    ['NUL at the last sniffed byte', withNulAt(BINARY_SNIFF_BYTES - 1), `NUL byte at offset ${BINARY_SNIFF_BYTES - 1}`],
  ])('refuses binary input: %s', (_name, input, detail) => {
    const err = thrown(() => readCorpus(input, 'weights.bin'));
    expect(err.kind).toBe('data');
    expect(err.message).toContain('weights.bin looks like a binary file');
    expect(err.message).toContain(detail);
  });

  it('does not look for NUL past the first 8 KB', () => {
    const text = readCorpus(withNulAt(BINARY_SNIFF_BYTES), 'f').text;
    expect(text.indexOf('\0')).toBe(BINARY_SNIFF_BYTES);
  });

  it.each([
    ['empty input', bytes(), 'it is empty'],
    ['spaces and newlines', bytes('  \n\t\r\n '), 'only whitespace'],
    ['only a BOM', bytes([0xef, 0xbb, 0xbf]), 'only whitespace'],
  ])('refuses %s', (_name, input, detail) => {
    const err = thrown(() => readCorpus(input, 'empty.txt'));
    expect(err.kind).toBe('data');
    expect(err.message).toBe(`empty.txt has no text (${detail})`);
    expect(err.hint).toBeTruthy();
  });
});

describe('Project Gutenberg boilerplate', () => {
  const body = 'ACT I.\n\nSCENE I. A desert place.\n\nFirst Witch.\nWhen shall we three meet again?\n';
  const header = [
    'The Project Gutenberg eBook of Tiny Play',
    '',
    'This ebook is for the use of anyone anywhere in the United States.',
    '',
    'Title: Tiny Play',
    '',
  ].join('\n');
  const license = [
    '',
    'Updated editions will replace the previous one--the old editions will be renamed.',
    '',
    'START: FULL LICENSE',
    'THE FULL PROJECT GUTENBERG LICENSE',
    '',
  ].join('\n');
  const book = (start: string, end: string, eol = '\n') =>
    `${header}\n${start}\n\n\n${body}\n\n${end}\n${license}`.replaceAll('\n', eol);

  const modern = book(
    '*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
    '    *** END OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
  );

  it.each([
    ['modern markers, indented END', modern],
    [
      'older THIS markers',
      book(
        '*** START OF THIS PROJECT GUTENBERG EBOOK TINY PLAY ***',
        '*** END OF THIS PROJECT GUTENBERG EBOOK TINY PLAY ***',
      ),
    ],
    [
      'lowercase markers',
      book(
        '*** start of the project gutenberg ebook tiny play ***',
        '*** end of the project gutenberg ebook tiny play ***',
      ),
    ],
    [
      'CRLF line ends',
      book(
        '*** START OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
        '*** END OF THE PROJECT GUTENBERG EBOOK TINY PLAY ***',
        '\r\n',
      ),
    ],
  ])('strips header and license: %s', (_name, text) => {
    const corpus = readCorpus(utf8(text), 'tiny.txt');
    expect(corpus.text).toBe(body);
    expect(corpus.strippedBoilerplate).toBe(true);
    expect(corpus.keptBoilerplate).toBe(false);
  });

  it('keeps everything with keepBoilerplate', () => {
    const corpus = readCorpus(utf8(modern), 'tiny.txt', { keepBoilerplate: true });
    expect(corpus.text).toBe(modern);
    expect(corpus.strippedBoilerplate).toBe(false);
    expect(corpus.keptBoilerplate).toBe(true);
  });

  it('strips before lowercasing', () => {
    expect(readCorpus(utf8(modern), 'tiny.txt', { lowercase: true }).text).toBe(body.toLowerCase());
  });

  it('keeps a text without markers as it is', () => {
    const corpus = readCorpus(utf8('Just a poem.\n'), 'poem.txt');
    expect(corpus).toMatchObject({ text: 'Just a poem.\n', strippedBoilerplate: false, keptBoilerplate: false });
  });

  it('refuses a Gutenberg file whose body is empty', () => {
    const text =
      '*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nlicense\n';
    expect(thrown(() => readCorpus(utf8(text), 'x.txt')).kind).toBe('data');
  });
});

/**
 * Text normalisation, the one way user text becomes model input: toModelText and its
 * steps (line ends, Project Gutenberg boilerplate). Pure; table-driven.
 */
import { describe, expect, it } from 'vitest';
import {
  gutenbergBody,
  gutenbergHeader,
  normaliseLineEnds,
  toModelText,
  type GutenbergHeader,
  type ModelText,
  type TextSettings,
} from '../../../src/text/normalise.js';

describe('toModelText', () => {
  const book = (eol: string) =>
    [
      'The Project Gutenberg eBook of X',
      '*** START OF THE PROJECT GUTENBERG EBOOK X ***',
      '',
      'Fair is FOUL.',
      '',
      '*** END OF THE PROJECT GUTENBERG EBOOK X ***',
      'License',
      '',
    ].join(eol);

  it.each<[string, string, TextSettings, ModelText]>([
    ['drops a leading BOM', '\ufeffThane\n', {}, { text: 'Thane\n', boilerplate: 'none' }],
    ['keeps a U+FEFF that is not at the start', 'a\ufeffb', {}, { text: 'a\ufeffb', boilerplate: 'none' }],
    ['turns CRLF into LF', 'one\r\ntwo\r\n', {}, { text: 'one\ntwo\n', boilerplate: 'none' }],
    ['turns a lone CR into LF', 'one\rtwo\r', {}, { text: 'one\ntwo\n', boilerplate: 'none' }],
    ['drops the BOM and the CRLFs together', '\ufeffa\r\nb\r\n', {}, { text: 'a\nb\n', boilerplate: 'none' }],
    ['NFC-composes e + U+0301 into é', 'caf\u0065\u0301', {}, { text: 'caf\u00e9', boilerplate: 'none' }],
    [
      'NFC-composes, then lowercases, E + U+0301 into é',
      'CAF\u0045\u0301',
      { lowercase: true },
      { text: 'caf\u00e9', boilerplate: 'none' },
    ],
    [
      'lowercases with lowercase',
      'MACBETH. Écosse!\n',
      { lowercase: true },
      { text: 'macbeth. écosse!\n', boilerplate: 'none' },
    ],
    ['keeps case by default', 'MACBETH. Écosse!\n', {}, { text: 'MACBETH. Écosse!\n', boilerplate: 'none' }],
    ['strips Gutenberg boilerplate', book('\n'), {}, { text: 'Fair is FOUL.\n', boilerplate: 'stripped' }],
    [
      'strips Gutenberg boilerplate with CRLF line ends',
      book('\r\n'),
      {},
      { text: 'Fair is FOUL.\n', boilerplate: 'stripped' },
    ],
    ['strips, then lowercases', book('\n'), { lowercase: true }, { text: 'fair is foul.\n', boilerplate: 'stripped' }],
    [
      'keeps the boilerplate with keepBoilerplate',
      book('\n'),
      { keepBoilerplate: true },
      { text: book('\n'), boilerplate: 'kept' },
    ],
    ['keeps it with CRLF made LF', book('\r\n'), { keepBoilerplate: true }, { text: book('\n'), boilerplate: 'kept' }],
    [
      'says none for a text without markers, even with keepBoilerplate',
      'Just a poem.\n',
      { keepBoilerplate: true },
      { text: 'Just a poem.\n', boilerplate: 'none' },
    ],
  ])('%s', (_name, raw, settings, expected) => {
    expect(toModelText(raw, settings)).toEqual(expected);
  });
});

describe('gutenbergBody', () => {
  it.each<[string, string, string | undefined]>([
    ['no markers', 'Just a poem.\n', undefined],
    [
      'a marker phrase inside a line is not a marker',
      'He wrote *** START OF THE PROJECT GUTENBERG EBOOK X *** here\nbody\n',
      undefined,
    ],
    [
      'START without END runs to the end',
      '*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nbody line\n\n\n',
      'body line\n',
    ],
    [
      'blank lines around the body are trimmed',
      'h\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n\nA\n\nB\n\n \n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nl\n',
      'A\n\nB\n',
    ],
  ])('%s', (_name, text, expected) => {
    expect(gutenbergBody(text)).toBe(expected);
  });
});

describe('gutenbergHeader', () => {
  const START = '*** START OF THE PROJECT GUTENBERG EBOOK MACBETH ***';
  const book = (...header: string[]) => [...header, '', START, '', 'MACBETH', ''].join('\n');

  it.each<[string, string, GutenbergHeader | undefined]>([
    [
      'the current header (eBook #1533 and Title)',
      book(
        '\ufeffThe Project Gutenberg eBook of Macbeth',
        '',
        'Title: Macbeth',
        '',
        'Author: William Shakespeare',
        '',
        'Release date: November 1, 1998 [eBook #1533]',
        '                Most recently updated: January 18, 2024',
      ),
      { title: 'Macbeth', ebook: 1533 },
    ],
    [
      'an older header ([EBook #1533], CRLF line ends)',
      book(
        'The Project Gutenberg EBook of Macbeth, by William Shakespeare',
        '',
        'Title: Macbeth',
        'Release Date: July, 1998  [EBook #1533]',
      ).replace(/\n/g, '\r\n'),
      { title: 'Macbeth', ebook: 1533 },
    ],
    ['an Etext number', book('Title: Hamlet', '[Etext #1524]'), { title: 'Hamlet', ebook: 1524 }],
    [
      'a title over two lines',
      book('Title: The Tragedie of Macbeth', '       Folio Edition', '[eBook #2264]'),
      { title: 'The Tragedie of Macbeth Folio Edition', ebook: 2264 },
    ],
    [
      'the title from the first line when there is no Title:',
      book('The Project Gutenberg eBook of Paradise Lost, by John Milton', '[eBook #26]'),
      { title: 'Paradise Lost', ebook: 26 },
    ],
    ['nothing known but the marker', book('Some header'), {}],
    ['no header marker', 'Title: Macbeth\n[eBook #1533]\nMACBETH\n', undefined],
    ["a Title: line below the marker is the book's, not the header's", `${START}\nTitle: Not This\n`, {}],
  ])('%s', (_name, raw, expected) => {
    expect(gutenbergHeader(raw)).toEqual(expected);
  });
});

describe('normaliseLineEnds', () => {
  it.each([
    ['a\r\nb', 'a\nb'],
    ['a\rb', 'a\nb'],
    ['a\n\rb', 'a\n\nb'],
    ['\r\n\r\n', '\n\n'],
    ['no line ends', 'no line ends'],
  ])('%j becomes %j', (input, expected) => {
    expect(normaliseLineEnds(input)).toBe(expected);
  });
});

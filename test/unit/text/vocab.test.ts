/** The vocabulary: sorted code points with counts, and a lossless id encoding. */
import { describe, expect, it } from 'vitest';
import { LstmError } from '../../../src/errors.js';
import { Vocab } from '../../../src/text/vocab.js';

describe('Vocab.fromText', () => {
  it.each([
    ['ASCII', 'banana', ['a', 'b', 'n'], [3, 1, 2]],
    ['whitespace sorts first', 'a b\nc', ['\n', ' ', 'a', 'b', 'c'], [1, 1, 1, 1, 1]],
    ['upper case before lower case', 'aAbB', ['A', 'B', 'a', 'b'], [1, 1, 1, 1]],
    ['accented after ASCII', 'éez', ['e', 'z', 'é'], [1, 1, 1]],
    // Sorting by UTF-16 units would put the emoji (0xD83D...) before U+FF01; by code point it is last.
    ['astral after the top of the BMP', '😀！a😀', ['a', '！', '😀'], [1, 1, 2]],
    ['astral characters among themselves', '😀𝔸𠀀', ['𝔸', '😀', '𠀀'], [1, 1, 1]],
    ['empty text', '', [], []],
  ])('%s', (_name, text, chars, counts) => {
    const built = Vocab.fromText(text);
    expect(built.vocab.chars).toEqual(chars);
    expect(built.counts).toEqual(counts);
    expect(built.vocab.size).toBe(chars.length);
  });

  it('counts add up to the number of code points', () => {
    const text = 'To-morrow, and to-morrow, and to-morrow 😀😀\n';
    const { counts } = Vocab.fromText(text);
    expect(counts.reduce((a, b) => a + b, 0)).toBe([...text].length);
  });

  it('refuses duplicate characters', () => {
    expect(() => new Vocab(['a', 'b', 'a'])).toThrow(LstmError);
  });
});

describe('encode and decode', () => {
  it.each([
    ['ASCII', 'Fair is foul, and foul is fair:\nHover through the fog and filthy air.\n'],
    ['accents', 'Où est la café? Ça va.'],
    ['emoji and astral', 'a😀b𠀀c😀\u{10ffff}'],
    ['combining marks kept as separate code points', 'e\u0301 a\u0300'],
    ['a single character', 'x'],
  ])('round-trips %s', (_name, text) => {
    const { vocab } = Vocab.fromText(text);
    const ids = vocab.encode(text);
    expect(ids).toBeInstanceOf(Uint16Array);
    expect(ids).toHaveLength([...text].length);
    expect(vocab.decode(ids)).toBe(text);
    expect(Math.max(...ids)).toBeLessThan(vocab.size);
  });

  it('gives each character its sorted index', () => {
    const { vocab } = Vocab.fromText('cab😀');
    expect([...vocab.encode('😀abc')]).toEqual([3, 0, 1, 2]);
    expect(vocab.id('😀')).toBe(3);
    expect(vocab.char(3)).toBe('😀');
    expect(vocab.has('a')).toBe(true);
    expect(vocab.has('z')).toBe(false);
  });

  it.each([
    ['65,536 characters fit 16-bit ids', 0x10000, Uint16Array],
    ['65,537 characters need 32-bit ids', 0x10001, Uint32Array],
  ])('%s', (_name, size, type) => {
    // Astral code points from U+10000 up: no surrogates, each one character.
    let text = '';
    for (let i = 0; i < size; i++) text += String.fromCodePoint(0x10000 + i);
    const { vocab } = Vocab.fromText(text);
    expect(vocab.size).toBe(size);
    const ids = vocab.encode(text);
    expect(ids).toBeInstanceOf(type);
    expect(ids).toHaveLength(size);
    expect(ids[size - 1]).toBe(size - 1);
    expect(vocab.decode(ids)).toBe(text);
  });

  it('encodes a text from a different source with the same vocabulary', () => {
    const { vocab } = Vocab.fromText('abcdefg ');
    expect(vocab.decode(vocab.encode('bad cafe'))).toBe('bad cafe');
  });
});

describe('unknown characters', () => {
  const { vocab } = Vocab.fromText('abc\n😀');

  it.each([
    ['a letter', () => vocab.id('z'), "character 'z' (U+007A) is not in the vocabulary of 5 characters"],
    ['an emoji', () => vocab.id('🎭'), "character '🎭' (U+1F3AD) is not in the vocabulary of 5 characters"],
    ['a space, shown visibly', () => vocab.id(' '), "character '␠' (U+0020) is not in the vocabulary of 5 characters"],
    [
      'encode names the position in characters',
      () => vocab.encode('ab😀\nz'),
      "character 'z' at character 4 is not in the vocabulary of 5 characters",
    ],
    [
      'encode shows a tab escaped',
      () => vocab.encode('a\tb'),
      "character '\\t' at character 1 is not in the vocabulary of 5 characters",
    ],
    ['an id out of range', () => vocab.char(5), 'id 5 is outside the vocabulary of 5 characters'],
    ['decode of an id out of range', () => vocab.decode([0, 99]), 'id 99 is outside the vocabulary of 5 characters'],
  ])('%s is a named data error', (_name, fn, message) => {
    let error: unknown;
    try {
      fn();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LstmError);
    expect((error as LstmError).kind).toBe('data');
    expect((error as LstmError).message).toBe(message);
  });

  it.each([
    ['nothing unknown', 'cab😀', []],
    ['each unknown character once, in order of appearance', 'xaybxz🎭x', ['x', 'y', 'z', '🎭']],
    ['astral characters whole', '🎭😀🎭🌙', ['🎭', '🌙']],
    ['empty text', '', []],
  ])('unknown(): %s', (_name, text, expected) => {
    expect(vocab.unknown(text)).toEqual(expected);
  });
});

describe("Vocab.union: a fine-tune's vocabulary", () => {
  it.each<[string, string[], string, string[], string[], string[]]>([
    // name, base vocabulary, new text, union, added, unseen
    ['the same characters', ['a', 'b', 'c'], 'cab', ['a', 'b', 'c'], [], []],
    [
      'new characters sort in among the known ones',
      ['a', 'c', 'e'],
      'abcd',
      ['a', 'b', 'c', 'd', 'e'],
      ['b', 'd'],
      ['e'],
    ],
    ['capitals sort before all known lower case', ['a', 'b'], 'Aab', ['A', 'a', 'b'], ['A'], []],
    ['known characters the text lacks stay', ['\n', ' ', '.', 'a'], 'aa', ['\n', ' ', '.', 'a'], [], ['\n', ' ', '.']],
    ['by code point, astral last', ['a', '😀'], 'a！b', ['a', 'b', '！', '😀'], ['b', '！'], ['😀']],
    ['an empty text adds nothing', ['x'], '', ['x'], [], ['x']],
  ])('%s', (_name, known, text, chars, added, unseen) => {
    const u = Vocab.union(known, text);
    expect([u.vocab.chars, u.added, u.unseen]).toEqual([chars, added, unseen]);
  });

  it('orders as fromText does: the union of a text with nothing known is its own vocabulary', () => {
    const text = 'Fair is foul, and foul is fair 😀\n';
    expect(Vocab.union([], text).vocab.chars).toEqual(Vocab.fromText(text).vocab.chars);
  });

  it('a base vocabulary in another order still gives code-point order (weights move by character)', () => {
    expect(Vocab.union(['c', 'a'], 'b').vocab.chars).toEqual(['a', 'b', 'c']);
  });
});

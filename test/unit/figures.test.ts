/** figures.ts: counts and their nouns as people write them, the one home of plurals. */
import { describe, expect, it } from 'vitest';
import { count, noun, plural } from '../../src/figures.js';

describe('plural', () => {
  it.each<[number, string, string | undefined, string]>([
    [1, 'batch', undefined, '1 batch'],
    [58, 'batch', undefined, '58 batches'],
    [0, 'epoch', undefined, '0 epochs'],
    [1, 'epoch', undefined, '1 epoch'],
    [2, 'pass', undefined, '2 passes'],
    [3, 'box', undefined, '3 boxes'],
    [2000, 'character', undefined, '2,000 characters'],
    [1, 'contiguous stream', undefined, '1 contiguous stream'],
    [8, 'contiguous stream', undefined, '8 contiguous streams'],
    [2, 'time', undefined, '2 times'],
    [2, 'child', 'children', '2 children'],
  ])('%d %s', (n, one, many, expected) => {
    expect(plural(n, one, many)).toBe(expected);
  });

  it('noun: the word alone, for a count shown otherwise (padded in a table)', () => {
    expect([noun(1, 'character'), noun(700, 'character'), noun(1, 'is', 'are'), noun(2, 'is', 'are')]).toEqual([
      'character',
      'characters',
      'is',
      'are',
    ]);
    expect(count(1234.4)).toBe('1,234');
  });

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [-1234567, '-1,234,567'],
    [1142440, '1,142,440'],
    [999999.6, '1,000,000'],
  ])('count(%d) groups thousands as en-US does: %s', (n, expected) => {
    expect(count(n)).toBe(expected);
    expect(count(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });
});

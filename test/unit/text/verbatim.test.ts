/**
 * originality (src/text/verbatim.ts): the longest passage of an output found verbatim in
 * a corpus, and the output's characters inside passages of minLength or more found there.
 * Pure; checked against a brute-force reference on chosen cases and on many seeded random
 * ones over small alphabets, where matches of every length are frequent.
 */
import { describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config.js';
import { originality, originalityOfSamples, type Originality, type Span } from '../../../src/text/verbatim.js';

/** The definitions, literally: every substring tried, longest first. */
function reference(output: string, corpus: string, minLength: number) {
  let longest = { length: 0, outputIndex: 0 };
  search: for (let length = output.length; length > 0; length--) {
    for (let i = 0; i + length <= output.length; i++) {
      if (corpus.includes(output.slice(i, i + length))) {
        longest = { length, outputIndex: i };
        break search;
      }
    }
  }
  const copied = new Array<boolean>(output.length).fill(false);
  for (let i = 0; i + minLength <= output.length; i++) {
    if (corpus.includes(output.slice(i, i + minLength))) copied.fill(true, i, i + minLength);
  }
  const copiedSpans: Span[] = [];
  copied.forEach((c, i) => {
    if (!c) return;
    const last = copiedSpans.at(-1);
    if (last && last.end === i) last.end = i + 1;
    else copiedSpans.push({ start: i, end: i + 1 });
  });
  return { longest, copiedChars: copied.filter(Boolean).length, copiedSpans };
}

/** The result agrees with the reference, and its passage is really where it says, in both texts. */
function expectAsReference(got: Originality, output: string, corpus: string, minLength: number): void {
  const want = reference(output, corpus, minLength);
  const at = `output ${JSON.stringify(output)}, corpus ${JSON.stringify(corpus)}, minLength ${minLength}`;
  expect(got.longest.length, at).toBe(want.longest.length);
  expect(got.longest.outputIndex, at).toBe(want.longest.outputIndex);
  expect(got.longest.text, at).toBe(
    output.slice(got.longest.outputIndex, got.longest.outputIndex + got.longest.length),
  );
  expect(corpus.slice(got.longest.corpusIndex, got.longest.corpusIndex + got.longest.length), at).toBe(
    got.longest.text,
  );
  expect(got.copiedChars, at).toBe(want.copiedChars);
  expect(got.copiedSpans, at).toEqual(want.copiedSpans);
  expect(got.copiedShare, at).toBe(output.length === 0 ? 0 : want.copiedChars / output.length);
  expect(got.outputLength, at).toBe(output.length);
  expect(got.minLength, at).toBe(minLength);
}

/** mulberry32: a small seeded generator, so every random case can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const text = (next: () => number, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');

/** 40 characters of a corpus with a passage of exactly 20 from it set between characters the corpus lacks. */
const corpus40 = 'the quick brown fox jumps over a lazy do';
const twenty = corpus40.slice(10, 30); // 'brown fox jumps over'

describe('originality', () => {
  it.each<[string, string, string, number, { longest: number; copiedChars: number; copiedSpans: Span[] }]>([
    [
      'an empty output has nothing copied (share 0, not NaN)',
      '',
      'abc',
      3,
      { longest: 0, copiedChars: 0, copiedSpans: [] },
    ],
    ['an empty corpus contains nothing', 'abc', '', 1, { longest: 0, copiedChars: 0, copiedSpans: [] }],
    [
      'an output that is the corpus is all copied',
      'abcabd',
      'abcabd',
      3,
      { longest: 6, copiedChars: 6, copiedSpans: [{ start: 0, end: 6 }] },
    ],
    ['no character in common', 'XYZ', 'abc', 1, { longest: 0, copiedChars: 0, copiedSpans: [] }],
    [
      'a match at the corpus start',
      'QQabcdQQ',
      'abcdxyz',
      4,
      { longest: 4, copiedChars: 4, copiedSpans: [{ start: 2, end: 6 }] },
    ],
    [
      'a match at the corpus end',
      'QQxyzQQ',
      'abcdxyz',
      3,
      { longest: 3, copiedChars: 3, copiedSpans: [{ start: 2, end: 5 }] },
    ],
    [
      'a match at the output start and end',
      'abcQxyz',
      'abcdxyz',
      3,
      {
        longest: 3,
        copiedChars: 6,
        copiedSpans: [
          { start: 0, end: 3 },
          { start: 4, end: 7 },
        ],
      },
    ],
    [
      'overlapping passages from two places are one stretch',
      'abcdefghijklmnop',
      'abcdefghij#hijklmnop',
      5,
      { longest: 10, copiedChars: 16, copiedSpans: [{ start: 0, end: 16 }] },
    ],
    [
      'the longest is reported even below minLength',
      'QQbrowQQ',
      corpus40,
      20,
      { longest: 4, copiedChars: 0, copiedSpans: [] },
    ],
    [
      'a 20-character passage counts at minLength 19',
      `QQ${twenty}QQ`,
      corpus40,
      19,
      { longest: 20, copiedChars: 20, copiedSpans: [{ start: 2, end: 22 }] },
    ],
    [
      'a 20-character passage counts at minLength 20',
      `QQ${twenty}QQ`,
      corpus40,
      20,
      { longest: 20, copiedChars: 20, copiedSpans: [{ start: 2, end: 22 }] },
    ],
    [
      'a 20-character passage does not count at minLength 21',
      `QQ${twenty}QQ`,
      corpus40,
      21,
      { longest: 20, copiedChars: 0, copiedSpans: [] },
    ],
    [
      'a repeated output copies one passage many times (the last b ends no ababa)',
      'abab'.repeat(10),
      'xxababaxx',
      5,
      { longest: 5, copiedChars: 39, copiedSpans: [{ start: 0, end: 39 }] },
    ],
    [
      'lengths are UTF-16 code units: an emoji counts two',
      '😀😀',
      'a😀b',
      2,
      { longest: 2, copiedChars: 4, copiedSpans: [{ start: 0, end: 4 }] },
    ],
  ])('%s', (_name, output, corpus, minLength, want) => {
    const got = originality(output, corpus, minLength);
    expect({ longest: got.longest.length, copiedChars: got.copiedChars, copiedSpans: got.copiedSpans }).toEqual(want);
    expectAsReference(got, output, corpus, minLength);
  });

  it('says where the longest passage is in both texts', () => {
    expect(originality(`QQ${twenty}QQ`, corpus40).longest).toEqual({
      length: 20,
      text: twenty,
      outputIndex: 2,
      corpusIndex: 10,
    });
  });

  it(`counts passages of ${defaults.copiedMinLength}+ characters by default`, () => {
    expect(originality(`QQ${twenty}QQ`, corpus40).minLength).toBe(defaults.copiedMinLength);
  });

  it.each([0, -1, 2.5, NaN])('refuses minLength %s', (minLength) => {
    expect(() => originality('abc', 'abc', minLength)).toThrow(RangeError);
  });

  it('agrees with the reference on 3,000 seeded random cases (alphabets of 2 to 5 letters, minLength 1 to 8)', () => {
    const next = random(20240611);
    for (let k = 0; k < 3000; k++) {
      const alphabet = 'abcde'.slice(0, 2 + Math.floor(next() * 4));
      const corpus = text(next, alphabet, Math.floor(next() * 120));
      // Half the outputs carry a piece of the corpus, so long matches come up too.
      let output = text(next, alphabet, Math.floor(next() * 50));
      if (next() < 0.5 && corpus.length) {
        const from = Math.floor(next() * corpus.length);
        output = output.slice(0, 10) + corpus.slice(from, from + Math.floor(next() * 40)) + output.slice(10);
      }
      const minLength = 1 + Math.floor(next() * 8);
      expectAsReference(originality(output, corpus, minLength), output, corpus, minLength);
    }
  });
});

describe('originalityOfSamples', () => {
  // corpusIndex is one place the passage occurs, not always the same one: compared with the reference instead.
  const placeless = ({ longest: { corpusIndex: _, ...longest }, ...rest }: Originality) => ({ longest, ...rest });

  it('gives each sample what originality gives it alone (500 seeded random sets)', () => {
    const next = random(7);
    for (let k = 0; k < 500; k++) {
      const corpus = text(next, 'abc', Math.floor(next() * 80));
      const samples = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        text(next, 'abc', Math.floor(next() * 20)),
      );
      const minLength = 1 + Math.floor(next() * 5);
      const together = originalityOfSamples(samples, corpus, minLength);
      expect(together.map(placeless)).toEqual(samples.map((s) => placeless(originality(s, corpus, minLength))));
      together.forEach((got, i) => expectAsReference(got, samples[i], corpus, minLength));
    }
  });

  it('never matches from one sample into the next', () => {
    const [first, second] = originalityOfSamples(['xxabc', 'defxx'], 'abcdef', 4);
    expect([first.longest.length, first.copiedChars, second.longest.length, second.copiedChars]).toEqual([3, 0, 3, 0]);
  });

  it('handles no samples, and empty samples among others', () => {
    expect(originalityOfSamples([], 'abc')).toEqual([]);
    const got = originalityOfSamples(['', 'abc', ''], 'abc', 3);
    expect(got.map((o) => [o.outputLength, o.longest.length, o.copiedChars])).toEqual([
      [0, 0, 0],
      [3, 3, 3],
      [0, 0, 0],
    ]);
  });
});

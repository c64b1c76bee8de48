/**
 * Half floats (store/float16.ts): exact conversion of the special values, round to nearest
 * even at every tie between two adjacent halves, and decoding that gives the bits TF.js's
 * own float16 decoder gives for all 65,536 halves.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/net/backend.js';
import { firstOverflow, fromFloat16, toFloat16 } from '../../../src/store/float16.js';
import { TEST_BACKEND } from '../../helpers/backend.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

const half = (x: number) => toFloat16(Float32Array.of(x))[0];
const hex = (bits: number) => `0x${bits.toString(16).padStart(4, '0')}`;
/** Every 16-bit pattern, 0x0000 to 0xffff. */
const ALL = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
const isNaNBits = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('toFloat16: float32 to half, rounded to nearest even', () => {
  it.each([
    { value: 0, bits: '0x0000', why: 'zero' },
    { value: -0, bits: '0x8000', why: 'negative zero keeps its sign' },
    { value: 1, bits: '0x3c00', why: 'one' },
    { value: -2, bits: '0xc000', why: 'a negative power of two' },
    { value: 0.1, bits: '0x2e66', why: '0.1 rounds down to 0.0999755859375' },
    { value: 65504, bits: '0x7bff', why: 'the largest half' },
    { value: 65519, bits: '0x7bff', why: 'below the midpoint to Infinity: the largest half' },
    { value: 65520, bits: '0x7c00', why: 'the midpoint between 65504 (odd) and 65536: ties to even, Infinity' },
    { value: 1e6, bits: '0x7c00', why: 'overflow: Infinity' },
    { value: -1e6, bits: '0xfc00', why: 'negative overflow: -Infinity' },
    { value: Infinity, bits: '0x7c00', why: 'Infinity' },
    { value: -Infinity, bits: '0xfc00', why: '-Infinity' },
    { value: 2 ** -14, bits: '0x0400', why: 'the smallest normal half' },
    { value: 1023 * 2 ** -24, bits: '0x03ff', why: 'the largest subnormal half' },
    { value: 2 ** -24, bits: '0x0001', why: 'the smallest subnormal half' },
    { value: -(2 ** -24), bits: '0x8001', why: 'a negative subnormal' },
    { value: 2 ** -25, bits: '0x0000', why: 'half the smallest subnormal: ties to even, zero' },
    { value: 2 ** -25 * (1 + 2 ** -23), bits: '0x0001', why: 'just above that tie: the smallest subnormal' },
    { value: 3 * 2 ** -25, bits: '0x0002', why: 'the tie between subnormals 1 and 2: 2, even' },
    { value: 5 * 2 ** -25, bits: '0x0002', why: 'the tie between subnormals 2 and 3: 2, even' },
    { value: -(2 ** -26), bits: '0x8000', why: 'underflow keeps the sign' },
    { value: 1.4e-45, bits: '0x0000', why: 'a float32 subnormal: zero' },
    { value: 1 + 2 ** -11, bits: '0x3c00', why: 'the tie between 1 and 1 + 2^-10: 1, even' },
    { value: 1 + 3 * 2 ** -11, bits: '0x3c02', why: 'the tie between 1 + 2^-10 (odd) and 1 + 2^-9: even, up' },
    { value: 1 + 2 ** -11 + 2 ** -23, bits: '0x3c01', why: 'just above a tie: up' },
    { value: 2049, bits: '0x6800', why: 'halves are 2 apart at 2048: the tie 2049 goes to 2048, even' },
    { value: 2051, bits: '0x6802', why: 'the tie 2051 goes to 2052, even' },
  ])('$value → $bits: $why', ({ value, bits }) => {
    expect(hex(half(value))).toBe(bits);
  });

  it('NaN becomes a NaN', () => {
    expect(isNaNBits(half(NaN))).toBe(true);
    expect(Number.isNaN(fromFloat16(Uint16Array.of(half(NaN)))[0])).toBe(true);
  });

  it('every half comes back as itself (NaNs as NaNs)', () => {
    const back = toFloat16(fromFloat16(ALL));
    const wrong: string[] = [];
    for (let h = 0; h < ALL.length; h++) {
      if (isNaNBits(h) ? !isNaNBits(back[h]) : back[h] !== h) wrong.push(`${hex(h)} → ${hex(back[h])}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  // For each pair of adjacent finite halves a < b (subnormals and the step to Infinity
  // included): their midpoint goes to the one with the even bit pattern, the float32 just
  // below it to a, the float32 just above it to b; negative values mirror positive ones.
  it('every tie between adjacent halves goes to the even one, and the float32s beside it to the nearer', () => {
    const pairs = 0x7c00; // a from 0x0000 to 0x7bff, b = a + 1 (0x7c00 is Infinity)
    const decoded = fromFloat16(Uint16Array.from({ length: pairs + 1 }, (_, i) => i));
    const probes = new Float32Array(pairs * 3);
    const bitsOf = new Uint32Array(probes.buffer);
    for (let a = 0; a < pairs; a++) {
      const mid = a === 0x7bff ? 65520 : (decoded[a] + decoded[a + 1]) / 2; // exact in float32
      probes[3 * a] = mid;
      bitsOf[3 * a + 1] = bitsOf[3 * a] - 1; // the float32 below (mid > 0)
      bitsOf[3 * a + 2] = bitsOf[3 * a] + 1; // the float32 above
    }
    const got = toFloat16(probes);
    const negated = toFloat16(probes.map((x) => -x));
    const wrong: string[] = [];
    for (let a = 0; a < pairs; a++) {
      const expected = [a % 2 === 0 ? a : a + 1, a, a + 1];
      for (let k = 0; k < 3; k++) {
        if (got[3 * a + k] !== expected[k])
          wrong.push(`${probes[3 * a + k]} → ${hex(got[3 * a + k])}, expected ${hex(expected[k])}`);
        if (negated[3 * a + k] !== (expected[k] | 0x8000))
          wrong.push(`-${probes[3 * a + k]} → ${hex(negated[3 * a + k])}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('a subarray converts only its own values', () => {
    const values = Float32Array.of(1, 2, 3, 4);
    expect([...toFloat16(values.subarray(1, 3))].map(hex)).toEqual([0x4000, 0x4200].map(hex));
  });
});

describe('fromFloat16: half to float32', () => {
  it.each([
    { bits: '0x0000', value: 0 },
    { bits: '0x8000', value: -0 },
    { bits: '0x3c00', value: 1 },
    { bits: '0x7bff', value: 65504 },
    { bits: '0x0001', value: 2 ** -24 },
    { bits: '0x03ff', value: 1023 * 2 ** -24 },
    { bits: '0x0400', value: 2 ** -14 },
    { bits: '0x7c00', value: Infinity },
    { bits: '0xfc00', value: -Infinity },
    { bits: '0x7e00', value: NaN },
  ])('$bits → $value', ({ bits, value }) => {
    expect(Object.is(fromFloat16(Uint16Array.of(Number(bits)))[0], value)).toBe(true);
  });

  it("gives, for all 65,536 halves, the float32 bits of TF.js's own decoder (tf.io.decodeWeights, float16 quantization)", () => {
    const theirs = tf.tidy(() => {
      const spec: tf.io.WeightsManifestEntry = {
        name: 'all',
        shape: [ALL.length],
        dtype: 'float32',
        quantization: { dtype: 'float16' },
      };
      return tf.io.decodeWeights(ALL.slice().buffer, [spec]).all.dataSync() as Float32Array;
    });
    const ours = new Uint32Array(fromFloat16(ALL).buffer);
    const theirBits = new Uint32Array(theirs.buffer, theirs.byteOffset, theirs.length);
    const wrong: string[] = [];
    for (let h = 0; h < ALL.length; h++)
      if (ours[h] !== theirBits[h])
        wrong.push(`${hex(h)}: ours ${ours[h].toString(16)}, TF.js ${theirBits[h].toString(16)}`);
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

describe('firstOverflow: the first finite value float16 would turn into Infinity', () => {
  it.each([
    { values: [1, -2, 0.5], at: -1 },
    { values: [65504, -65504], at: -1 },
    { values: [0, 65519.99], at: -1 }, // 65519.9921875 as float32: still rounds to 65504
    { values: [1, -65520], at: 1 },
    { values: [3, 1e9, 1e10], at: 1 },
    { values: [Infinity, -Infinity, NaN], at: -1 }, // not finite to begin with: float16 keeps them as they are
  ])('$values → $at', ({ values, at }) => {
    expect(firstOverflow(Float32Array.from(values))).toBe(at);
  });
});

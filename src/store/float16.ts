/**
 * IEEE 754 half floats (binary16): the encoding of `weights.bin` in a float16 export, as
 * TensorFlow.js declares it (`quantization: {dtype: 'float16'}` on a float32 weight). The
 * one home of both conversions.
 *
 * float32 → float16 rounds to nearest, ties to even; float32 subnormals and values below
 * half the smallest half subnormal (2^-25) become ±0, magnitudes from 65520 up become ±Infinity
 * (65504 is the largest half), NaN stays a (quiet) NaN. The rounding is
 * @petamoriken/float16's `Float16Array`, the ponyfill of ES2025's Float16Array that Node 20
 * lacks: the tricky half of the job, kept by people who test it against the spec, and it
 * converts a whole Float32Array in one call (~20 ms for Macbeth's 1.2 M weights).
 *
 * float16 → float32 is exact (every half is a float32). It is written here rather than taken
 * from the package because the package decodes one value at a time through a double
 * (~1.5 s for Macbeth's weights, paid on every `lstm generate`) and may change a NaN's bits
 * on the way; this one writes the float32 bits directly, as tfjs-core's `getFloat16Decoder`
 * does, and gives the same bits for all 65,536 halves (test/unit/store/float16.test.ts checks
 * each against `tf.io.decodeWeights`).
 *
 * Byte order is the platform's, as in TF.js (it views the file as a Uint16Array) and as in
 * our float32 files (little-endian on every platform Node runs on).
 */
import { Float16Array } from '@petamoriken/float16';

/** The largest finite half; from 65520 (half-way to the next power of two) up, values round to Infinity. */
export const FLOAT16_MAX = 65504;
const FLOAT16_OVERFLOW = 65520;

/** float32 values as half-float bits, rounded to nearest even. */
export function toFloat16(values: Float32Array): Uint16Array {
  const halves = new Float16Array(values);
  return new Uint16Array(halves.buffer, halves.byteOffset, halves.length);
}

/** Half-float bits as float32 values (exact; the bits tfjs-core's decoder gives). */
export function fromFloat16(halves: Uint16Array): Float32Array {
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    let mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      out[i] = sign | 0x7f800000 | (mantissa << 13); // ±Infinity, or NaN with its payload
    } else if (exponent !== 0) {
      out[i] = sign | ((exponent + 112) << 23) | (mantissa << 13); // rebias 15 → 127
    } else if (mantissa === 0) {
      out[i] = sign; // ±0
    } else {
      // A subnormal, mantissa * 2^-24: shift its leading 1 up to the implicit bit.
      let e = 113;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        e--;
      }
      out[i] = sign | (e << 23) | ((mantissa & 0x3ff) << 13);
    }
  }
  return new Float32Array(out.buffer);
}

/** The index of the first finite value that float16 cannot hold (it would become ±Infinity), or -1. */
export function firstOverflow(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) >= FLOAT16_OVERFLOW && Number.isFinite(values[i])) return i;
  }
  return -1;
}

// Optional float16 weight storage: checkpoint matrices are written as FLOAT16 initializers (half the ONNX file,
// download and cache size) followed by a Cast to float, so every operator still computes in float32. Kept
// apart from the graph code so that the Chronos-2 writer only decides *which* weights go to half precision.
import { DataType } from './proto';
import type { GraphBuilder } from './graph-builder';
import type { Value } from './ops';

/**
 * How checkpoint weights are stored in the ONNX file: float32; float16 (Cast to float32 at session start);
 * or weight-only 8-/4-bit block quantization of the linear layers (MatMulNBits, see quantized-linear.ts).
 */
export type WeightStorage = 'float32' | 'float16' | 'int8' | 'int4';

/** Every weight storage, in order of size. */
export const WEIGHT_STORAGES: readonly WeightStorage[] = ['float32', 'float16', 'int8', 'int4'];

/**
 * What fp16 storage costs, as a bound on max|fp16 − reference| / max|reference| per task, measured on the 28
 * golden cases of the reference pipeline for random-small (`npm run parity -- test/fixtures/chronos2 --fp16`):
 * worst 3.3e-3 (a 300-step horizon unrolled over several model calls), at most 1e-3 within one model call's
 * horizon, typically 2e-4 to 5e-4. The unit suite holds fp16 conversions to this bound; the UI states it.
 */
export const FP16_GOLDEN_ERROR = 5e-3;

/** Largest finite float16 value. */
export const FLOAT16_MAX = 65504;

/** A weight does not fit float16 (its magnitude exceeds ±65504), so half-precision storage would change the model. */
export class Float16RangeError extends Error {
  override readonly name = 'Float16RangeError';
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * The IEEE 754 half-precision bit pattern nearest to `value` (round half to even, as numpy's `astype(float16)`).
 * Subnormal halves are produced exactly; values beyond ±65504 (after rounding) become ±Infinity, NaN stays NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit leading 1 into the 10-bit mantissa.
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/**
 * Converts float32 weights to float16 bit patterns, into `out` (default: a new array).
 * @throws Float16RangeError naming `tensor` when a finite value would overflow to Infinity.
 */
export function toFloat16(data: Float32Array, tensor: string, out: Uint16Array = new Uint16Array(data.length)): Uint16Array {
  for (let i = 0; i < data.length; i++) {
    const bits = float32ToFloat16Bits(data[i]);
    if ((bits & 0x7fff) === 0x7c00 && Number.isFinite(data[i])) {
      throw new Float16RangeError(
        `${tensor}: value ${data[i]} at index ${i} is beyond float16's range (±${FLOAT16_MAX}); convert this model without fp16 storage.`,
      );
    }
    out[i] = bits;
  }
  return out;
}

/**
 * Adds a weight stored as FLOAT16 under its checkpoint name and returns a float32 view of it (a Cast node).
 * NOTE: onnxruntime folds the Cast of an initializer at session creation, so inference runs on float32 weights
 * rounded once to half precision; only the file (download, cache) is halved, not the session's memory.
 */
export function float16Weight(g: GraphBuilder, name: string, dims: number[], produce: () => Float32Array, docString = ''): Value {
  const stored = g.weight(name, dims, () => toFloat16(produce(), name, halfScratch(dims.reduce((a, b) => a * b, 1))), {
    dataType: DataType.FLOAT16,
    docString: docString ? `${docString}; stored as float16` : 'stored as float16',
  });
  return g.node('Cast', [stored], { to: DataType.FLOAT });
}

let scratch = new Uint16Array(0);

/**
 * One buffer for every converted weight.
 * NOTE: safe because GraphBuilder.toModelBytes copies each produced weight into the model before it asks for the
 * next (and serialisation is synchronous); it spares the garbage collector a half-size copy of the whole model.
 */
function halfScratch(size: number): Uint16Array {
  if (scratch.length < size) scratch = new Uint16Array(size);
  return scratch.subarray(0, size);
}

/** Whether a weight of this shape is stored in half precision: matrices only (vectors are tiny and keep float32). */
export function storesAsFloat16(storage: WeightStorage, dims: number[]): boolean {
  return storage === 'float16' && dims.length >= 2;
}

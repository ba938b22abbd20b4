// Typed ONNX operators (opset 17) over GraphBuilder, so that the Chronos-2 graph code reads like the
// PyTorch forward it mirrors. Each method adds nodes and returns the name of the resulting value.
import { GraphBuilder } from './graph-builder';

/** The name of a tensor value in the graph. */
export type Value = string;

/** Largest int64 used as an open slice end. */
const INT64_MAX = 9223372036854775807n;

/** float32's most negative finite value (torch.finfo(torch.float32).min). */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** Operator helpers bound to one graph. */
export class Ops {
  constructor(readonly g: GraphBuilder) {}

  // ---- constants -------------------------------------------------------------------------------
  /** A float32 scalar constant. */
  f(value: number): Value {
    return this.g.constant(new Float32Array([value]), [], 'f32');
  }
  /** A float32 tensor constant. */
  floats(values: number[] | Float32Array, dims: number[]): Value {
    return this.g.constant(values instanceof Float32Array ? values : new Float32Array(values), dims, 'f32');
  }
  /** An int64 1-D constant. */
  ints(values: Array<number | bigint>): Value {
    return this.g.constant(BigInt64Array.from(values, (v) => BigInt(v)), [values.length], 'i64');
  }
  /** An int64 scalar constant. */
  int(value: number | bigint): Value {
    return this.g.constant(BigInt64Array.from([BigInt(value)]), [], 'i64');
  }

  // ---- elementwise -----------------------------------------------------------------------------
  add(a: Value, b: Value): Value { return this.g.node('Add', [a, b]); }
  sub(a: Value, b: Value): Value { return this.g.node('Sub', [a, b]); }
  mul(a: Value, b: Value): Value { return this.g.node('Mul', [a, b]); }
  div(a: Value, b: Value): Value { return this.g.node('Div', [a, b]); }
  neg(a: Value): Value { return this.g.node('Neg', [a]); }
  abs(a: Value): Value { return this.g.node('Abs', [a]); }
  sign(a: Value): Value { return this.g.node('Sign', [a]); }
  sqrt(a: Value): Value { return this.g.node('Sqrt', [a]); }
  reciprocal(a: Value): Value { return this.g.node('Reciprocal', [a]); }
  exp(a: Value): Value { return this.g.node('Exp', [a]); }
  log(a: Value): Value { return this.g.node('Log', [a]); }
  relu(a: Value): Value { return this.g.node('Relu', [a]); }
  tanh(a: Value): Value { return this.g.node('Tanh', [a]); }
  sigmoid(a: Value): Value { return this.g.node('Sigmoid', [a]); }
  erf(a: Value): Value { return this.g.node('Erf', [a]); }
  isNaN(a: Value): Value { return this.g.node('IsNaN', [a]); }
  not(a: Value): Value { return this.g.node('Not', [a]); }
  equal(a: Value, b: Value): Value { return this.g.node('Equal', [a, b]); }
  greater(a: Value, b: Value): Value { return this.g.node('Greater', [a, b]); }
  where(cond: Value, a: Value, b: Value): Value { return this.g.node('Where', [cond, a, b]); }
  /**
   * 1 where the boolean `cond` is true, else 0, as float32.
   * NOTE: Where, not Cast. onnxruntime-web's Cast kernel is a single ~490 KB WebAssembly function; after its
   * second run V8 compiled it with TurboFan, which took one of a 2-core laptop's cores for about 1.1 s during the
   * app's first forecast. The graph already has Where, so this adds no kernel.
   */
  boolToFloat(cond: Value): Value { return this.where(cond, this.f(1), this.f(0)); }

  // ---- reductions ------------------------------------------------------------------------------
  reduceSum(a: Value, axes: number[], keepdims = true): Value {
    return this.g.node('ReduceSum', [a, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(a: Value, axes: number[], keepdims = true): Value {
    return this.g.node('ReduceMean', [a], { axes, keepdims: keepdims ? 1 : 0 });
  }
  reduceMax(a: Value, axes: number[], keepdims = true): Value {
    return this.g.node('ReduceMax', [a], { axes, keepdims: keepdims ? 1 : 0 });
  }
  softmax(a: Value, axis = -1): Value { return this.g.node('Softmax', [a], { axis }); }

  // ---- linear algebra --------------------------------------------------------------------------
  matmul(a: Value, b: Value): Value { return this.g.node('MatMul', [a, b]); }

  // ---- shapes ----------------------------------------------------------------------------------
  shape(a: Value): Value { return this.g.node('Shape', [a]); }
  /** Dimension `axis` of `a` as an int64 1-D tensor of length 1. */
  dim(a: Value, axis: number): Value {
    return this.g.node('Shape', [a], { start: axis, end: axis === -1 ? 2 ** 31 - 1 : axis + 1 });
  }
  reshape(a: Value, shape: Value): Value { return this.g.node('Reshape', [a, shape]); }
  transpose(a: Value, perm: number[]): Value { return this.g.node('Transpose', [a], { perm }); }
  unsqueeze(a: Value, axes: number[]): Value { return this.g.node('Unsqueeze', [a, this.ints(axes)]); }
  squeeze(a: Value, axes: number[]): Value { return this.g.node('Squeeze', [a, this.ints(axes)]); }
  concat(values: Value[], axis: number): Value { return this.g.node('Concat', values, { axis }); }
  expand(a: Value, shape: Value): Value { return this.g.node('Expand', [a, shape]); }
  /** Slices `a` along `axes` with (possibly dynamic) int64 1-D starts/ends. */
  slice(a: Value, starts: Value, ends: Value, axes: number[]): Value {
    return this.g.node('Slice', [a, starts, ends, this.ints(axes)]);
  }
  /** `a[..., start:]` along `axis` with a static start (negative counts from the end). */
  sliceFrom(a: Value, start: number, axis: number): Value {
    return this.slice(a, this.ints([start]), this.ints([INT64_MAX]), [axis]);
  }
  /** `a[..., start:end]` along `axis`, static bounds. */
  sliceRange(a: Value, start: number, end: number, axis: number): Value {
    return this.slice(a, this.ints([start]), this.ints([end]), [axis]);
  }
  /** Open-ended int64 slice end (to the last element). */
  get openEnd(): Value { return this.ints([INT64_MAX]); }
  split(a: Value, sizes: number[], axis: number): Value[] {
    return this.g.nodeMulti('Split', [a, this.ints(sizes)], sizes.length, { axis });
  }
  /**
   * `a` [B, T] with `padLength` (int64 1-D, length 1) zero columns in front: Concat with ConstantOfShape.
   * NOTE: not Pad. Pad is one more 46 KB WebAssembly kernel for V8 to tier up during the first forecasts, and
   * Concat and ConstantOfShape are in the graph anyway.
   */
  leftPadZeros(a: Value, padLength: Value): Value {
    return this.concat([this.constantOfShape(this.concat([this.dim(a, 0), padLength], 0), 0), a], 1);
  }
  constantOfShape(shape: Value, value: number): Value {
    return this.g.node('ConstantOfShape', [shape], { value: { tensor: { dims: [1], dataType: 1, floatData: [value] } } });
  }
}

// The Chronos-2 ONNX graph: everything of upstream `Chronos2Model.forward` (instance norm, patching,
// time encodings, input residual block, REG token, RoPE time attention, group attention, MLP, output
// block, inverse transform) as ONE graph with a dynamic batch, context length and number of output
// patches. Node and initializer names follow the checkpoint's parameter names.
import type { ActivationName, Chronos2Config } from '../config';
import { DataType } from './proto';
import { GraphBuilder } from './graph-builder';
import { FLOAT32_MIN, Ops, type Value } from './ops';
import { float16Weight, storesAsFloat16, type WeightStorage } from './fp16';
import { quantizedLinear } from './quantized-linear';

/** Supplies float32 weights by checkpoint parameter name (the converter streams them from safetensors). */
export type WeightSource = (name: string) => Float32Array;

/** Graph-level options of the converter. */
export interface Chronos2GraphOptions {
  /** Free-form strings stored in the model's metadata_props. */
  metadata?: Record<string, string>;
  /**
   * Use onnxruntime's fused operators (SimplifiedLayerNormalization, com.microsoft
   * SkipSimplifiedLayerNormalization, RotaryEmbedding and MultiHeadAttention) instead of plain ONNX ops.
   * Same numbers, far fewer kernels. Default true; false gives a graph of standard opset-17 ops only.
   */
  fused?: boolean;
  /** How weight matrices are stored (default float32); float16 adds a Cast to float after each (see fp16.ts). */
  weightStorage?: WeightStorage;
  /**
   * Fused graph only: give MultiHeadAttention its masks as [A, 1, L, L] biases broadcast over the heads instead of
   * [A, H, L, L] copies (H times less memory). JSEP's WebGPU kernel needs the full shape; ORT's CPU and native
   * WebGPU kernels broadcast. Default false.
   */
  broadcastAttentionBias?: boolean;
}

/** The result of building a graph. */
export interface Chronos2Graph {
  /** Serialised ModelProto. */
  bytes: Uint8Array;
  /** Number of model parameters (elements of all checkpoint weights). */
  parameterCount: number;
}

/** Graph input/output names: the contract between the converter and the runtime. */
export const GRAPH_IO = {
  context: 'context',
  groupIds: 'group_ids',
  futureCovariates: 'future_covariates',
  quantilePreds: 'quantile_preds',
  loc: 'loc',
  scale: 'scale',
  /**
   * The encoder's last hidden states [batch, patches + 1 (REG) + output patches, d_model], after the final norm
   * (upstream `Chronos2Model.encode(...)[0].last_hidden_state`): what `embed` returns. Forecasting does not fetch
   * it, and onnxruntime copies out only fetched outputs, so it costs forecasting nothing.
   */
  hiddenStates: 'hidden_states',
} as const;

/** Block length of the instance norm's blocked sums (see blockedRowSum). */
const SUM_BLOCK = 64;

/** ONNX opset the graph targets. */
export const OPSET = 17;

/** Row-major [rows, cols] → [cols, rows], into `out` (default: a new array). */
function transpose2d(w: Float32Array, rows: number, cols: number, out = new Float32Array(w.length)): Float32Array {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[base + c];
  }
  return out;
}

/**
 * Precomputed RoPE tables, as upstream computes them in float32: inv_freq = 1 / theta^(2i/d),
 * freqs = position · inv_freq (one float32 product), emb = [freqs, freqs], then cos / sin.
 */
function ropeTables(config: Chronos2Config, maxPositions: number): { cos: Float32Array; sin: Float32Array } {
  const dim = config.dKv;
  const half = dim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const exponent = Math.fround((2 * i) / dim);
    invFreq[i] = Math.fround(1 / Math.fround(Math.pow(config.ropeTheta, exponent)));
  }
  const cos = new Float32Array(maxPositions * dim);
  const sin = new Float32Array(maxPositions * dim);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * dim + i] = c;
      cos[p * dim + i + half] = c;
      sin[p * dim + i] = s;
      sin[p * dim + i + half] = s;
    }
  }
  return { cos, sin };
}

/** Builds the layers of the graph; one instance per conversion. */
class Chronos2GraphWriter {
  private readonly op: Ops;

  constructor(
    private readonly g: GraphBuilder,
    private readonly cfg: Chronos2Config,
    private readonly weights: WeightSource,
    private readonly fused: boolean,
    private readonly weightStorage: WeightStorage = 'float32',
    private readonly broadcastBias = false,
  ) {
    this.op = new Ops(g);
  }

  /** A checkpoint weight stored as-is. */
  private param(name: string, dims: number[]): Value {
    if (storesAsFloat16(this.weightStorage, dims)) return float16Weight(this.g, name, dims, () => this.weights(name));
    return this.g.weight(name, dims, () => this.weights(name));
  }

  /**
   * One buffer for every transposed weight.
   * NOTE: safe because GraphBuilder.toModelBytes copies each produced weight into the model before it asks for the
   * next; without it, converting a 500 MB model leaves ~500 MB of short-lived transposes to the garbage collector,
   * which shows up in the peak memory of a browser worker.
   */
  private transposeScratch = new Float32Array(0);

  private transposed(name: string, outDim: number, inDim: number): Float32Array {
    const size = outDim * inDim;
    if (this.transposeScratch.length < size) this.transposeScratch = new Float32Array(size);
    return transpose2d(this.weights(name), outDim, inDim, this.transposeScratch.subarray(0, size));
  }

  /** A linear layer's weight [out, in] stored transposed to [in, out] for MatMul. */
  private linearWeight(name: string, outDim: number, inDim: number): Value {
    if (storesAsFloat16(this.weightStorage, [inDim, outDim])) {
      return float16Weight(this.g, name, [inDim, outDim], () => this.transposed(name, outDim, inDim), 'stored transposed: [in_features, out_features]');
    }
    return this.g.weight(name, [inDim, outDim], () => this.transposed(name, outDim, inDim), {
      docString: 'stored transposed: [in_features, out_features]',
    });
  }

  private linear(x: Value, prefix: string, inDim: number, outDim: number, bias: boolean): Value {
    return this.g.scope(prefix, () => {
      const name = `${prefix}.weight`;
      const bits = this.weightStorage === 'int8' ? 8 : this.weightStorage === 'int4' ? 4 : 0;
      const y = bits
        ? quantizedLinear(this.g, x, name, inDim, outDim, bits, () => this.weights(name))
        : this.op.matmul(x, this.linearWeight(name, outDim, inDim));
      return bias ? this.op.add(y, this.param(`${prefix}.bias`, [outDim])) : y;
    });
  }

  private activation(x: Value, name: ActivationName): Value {
    const op = this.op;
    switch (name) {
      case 'relu':
        return op.relu(x);
      case 'gelu':
        // 0.5·x·(1 + erf(x/√2))
        return op.mul(op.mul(x, op.f(0.5)), op.add(op.f(1), op.erf(op.mul(x, op.f(Math.SQRT1_2)))));
      case 'gelu_new':
      case 'gelu_pytorch_tanh': {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        const x3 = op.mul(op.mul(x, x), x);
        const inner = op.mul(op.add(x, op.mul(x3, op.f(0.044715))), op.f(Math.sqrt(2 / Math.PI)));
        return op.mul(op.mul(x, op.f(0.5)), op.add(op.f(1), op.tanh(inner)));
      }
      case 'silu':
      case 'swish':
        return op.mul(x, op.sigmoid(x));
      case 'tanh':
        return op.tanh(x);
      case 'sigmoid':
        return op.sigmoid(x);
    }
  }

  /** ResidualBlock: output_layer(act(hidden_layer(x))) + residual_layer(x). */
  private residualBlock(x: Value, prefix: string, inDim: number, hDim: number, outDim: number): Value {
    return this.g.scope(prefix, () => {
      const hid = this.activation(this.linear(x, `${prefix}.hidden_layer`, inDim, hDim, true), this.cfg.denseActFn);
      const out = this.linear(hid, `${prefix}.output_layer`, hDim, outDim, true);
      const res = this.linear(x, `${prefix}.residual_layer`, inDim, outDim, true);
      return this.op.add(out, res);
    });
  }

  /** T5 RMS norm: x · rsqrt(mean(x²) + eps) · w (no mean subtraction, no bias). */
  private rmsNorm(x: Value, weightName: string): Value {
    const op = this.op;
    return this.g.scope(weightName.replace(/\.weight$/, ''), () => {
      const variance = op.reduceMean(op.mul(x, x), [-1]);
      const inv = op.reciprocal(op.sqrt(op.add(variance, op.f(this.cfg.layerNormEpsilon))));
      return op.mul(op.mul(x, inv), this.param(weightName, [this.cfg.dModel]));
    });
  }

  /** arcsinh(x) = sign(x)·log(|x| + sqrt(x² + 1)), written with basic ops every backend has. */
  private asinh(x: Value): Value {
    const op = this.op;
    const ax = op.abs(x);
    return op.mul(op.sign(x), op.log(op.add(ax, op.sqrt(op.add(op.mul(ax, ax), op.f(1))))));
  }

  /** sinh(x) = (eˣ − e⁻ˣ)/2. */
  private sinh(x: Value): Value {
    const op = this.op;
    return op.mul(op.sub(op.exp(x), op.exp(op.neg(x))), op.f(0.5));
  }

  /**
   * Multi-head attention over the second-to-last axis of `x` [A, L, D] (A = batch for time attention,
   * positions for group attention), with an additive mask broadcastable to [A, H, L, L].
   * NOTE: no 1/sqrt(d_kv) scaling — Chronos-2 (like T5) folds it into the initialisation.
   */
  private attention(x: Value, prefix: string, mask: Value, rope?: { cos: Value; sin: Value }): Value {
    const op = this.op;
    const { dModel: D, numHeads: H, dKv: K } = this.cfg;
    const inner = H * K;
    return this.g.scope(prefix, () => {
      const headsShape = op.ints([0, 0, H, K]);
      const toHeads = (v: Value) => op.transpose(op.reshape(v, headsShape), [0, 2, 1, 3]);
      let q = toHeads(this.linear(x, `${prefix}.q`, D, inner, false));
      let k = toHeads(this.linear(x, `${prefix}.k`, D, inner, false));
      const v = toHeads(this.linear(x, `${prefix}.v`, D, inner, false));
      if (rope) {
        q = this.applyRope(q, rope);
        k = this.applyRope(k, rope);
      }
      const scores = op.add(op.matmul(q, op.transpose(k, [0, 1, 3, 2])), mask);
      // NOTE: softmax in float32 over additive float32-min masks: a fully masked row stays finite.
      const probs = op.softmax(scores, -1);
      const ctx = op.reshape(op.transpose(op.matmul(probs, v), [0, 2, 1, 3]), op.ints([0, 0, inner]));
      return this.linear(ctx, `${prefix}.o`, inner, D, false);
    });
  }

  /** RoPE, rotate-half form: x·cos + rotate_half(x)·sin with rotate_half([a, b]) = [−b, a]. */
  private applyRope(x: Value, rope: { cos: Value; sin: Value }): Value {
    const op = this.op;
    const half = this.cfg.dKv / 2;
    const [a, b] = op.split(x, [half, half], -1);
    const rotated = op.concat([op.neg(b), a], -1);
    return op.add(op.mul(x, rope.cos), op.mul(rotated, rope.sin));
  }

  /** Fused T5 RMS norm (onnxruntime's SimplifiedLayerNormalization, computed in float32). */
  private rmsNormFused(x: Value, weightName: string): Value {
    return this.g.scope(weightName.replace(/\.weight$/, ''), () =>
      this.g.node('SimplifiedLayerNormalization', [x, this.param(weightName, [this.cfg.dModel])], {
        axis: -1,
        epsilon: this.cfg.layerNormEpsilon,
        stash_type: 1,
      }),
    );
  }

  /** residual + x, and the RMS norm of that sum with `weightName`: [normed, sum]. */
  private skipRmsNormFused(residual: Value, x: Value, weightName: string): [Value, Value] {
    return this.g.scope(weightName.replace(/\.weight$/, ''), () => {
      const [normed, , , sum] = this.g.nodeOptionalOutputs(
        'SkipSimplifiedLayerNormalization',
        [residual, x, this.param(weightName, [this.cfg.dModel])],
        [true, false, false, true],
        { epsilon: this.cfg.layerNormEpsilon },
        'com.microsoft',
      );
      return [normed, sum];
    });
  }

  /**
   * Fused multi-head attention over the middle axis of `x` [A, L, D] with an additive bias
   * [A, H, L, L]. NOTE: scale 1.0 — Chronos-2 scores are unscaled.
   */
  private attentionFused(x: Value, prefix: string, bias: Value, rope?: { cos: Value; sin: Value; positions: Value }): Value {
    const { dModel: D, numHeads: H, dKv: K } = this.cfg;
    const inner = H * K;
    return this.g.scope(prefix, () => {
      let q = this.linear(x, `${prefix}.q`, D, inner, false);
      let k = this.linear(x, `${prefix}.k`, D, inner, false);
      const v = this.linear(x, `${prefix}.v`, D, inner, false);
      if (rope) {
        const rotate = (t: Value) =>
          this.g.node('RotaryEmbedding', [t, rope.positions, rope.cos, rope.sin], { interleaved: 0, num_heads: H }, 'com.microsoft');
        q = rotate(q);
        k = rotate(k);
      }
      const ctx = this.g.node('MultiHeadAttention', [q, k, v, '', '', bias], { num_heads: H, scale: { float: 1 } }, 'com.microsoft');
      return this.linear(ctx, `${prefix}.o`, inner, D, false);
    });
  }

  /** The encoder with plain ONNX ops: a line-by-line mirror of upstream's blocks. */
  private encoderReference(input: Value, masks: { timeMask: Value; groupMask: Value }, tables: { cos: Float32Array; sin: Float32Array; maxPositions: number }): Value {
    const { g, op, cfg } = this;
    const D = cfg.dModel;
    let hidden = input;
    const rope = g.scope('rope', () => {
      const S = op.dim(hidden, 1);
      const cos = op.slice(op.floats(tables.cos, [tables.maxPositions, cfg.dKv]), op.ints([0]), S, [0]);
      const sin = op.slice(op.floats(tables.sin, [tables.maxPositions, cfg.dKv]), op.ints([0]), S, [0]);
      return { cos, sin };
    });
    for (let i = 0; i < cfg.numLayers; i++) {
      const block = `encoder.block.${i}`;
      g.scope(block, () => {
        // a. time self-attention with RoPE
        const t = `${block}.layer.0`;
        const tNorm = this.rmsNorm(hidden, `${t}.layer_norm.weight`);
        hidden = op.add(hidden, this.attention(tNorm, `${t}.self_attention`, masks.timeMask, rope));
        // b. group self-attention across rows at each position (no RoPE)
        const gname = `${block}.layer.1`;
        const byTime = op.transpose(hidden, [1, 0, 2]); // [S,B,D]
        const gNorm = this.rmsNorm(byTime, `${gname}.layer_norm.weight`);
        const grouped = op.add(byTime, this.attention(gNorm, `${gname}.self_attention`, masks.groupMask));
        hidden = op.transpose(grouped, [1, 0, 2]);
        // c. feed-forward
        const f = `${block}.layer.2`;
        const fNorm = this.rmsNorm(hidden, `${f}.layer_norm.weight`);
        const up = this.activation(this.linear(fNorm, `${f}.mlp.wi`, D, cfg.dFf, false), cfg.denseActFn);
        hidden = op.add(hidden, this.linear(up, `${f}.mlp.wo`, cfg.dFf, D, false));
      });
    }
    return this.rmsNorm(hidden, 'encoder.final_layer_norm.weight');
  }

  /**
   * The encoder with onnxruntime's fused kernels. Each residual add is fused with the RMS norm that
   * follows it (the norm of block i+1's first layer, or the final norm); RMS norm is per token, so the
   * group-attention norm can run before the [B,S] → [S,B] transpose.
   */
  private encoderFused(input: Value, masks: { timeMask: Value; groupMask: Value }, tables: { cos: Float32Array; sin: Float32Array; maxPositions: number }): Value {
    const { g, op, cfg } = this;
    const D = cfg.dModel;
    const half = cfg.dKv / 2;
    const rope = g.scope('rope', () => {
      const cosHalf = new Float32Array(tables.maxPositions * half);
      const sinHalf = new Float32Array(tables.maxPositions * half);
      for (let p = 0; p < tables.maxPositions; p++) {
        cosHalf.set(tables.cos.subarray(p * cfg.dKv, p * cfg.dKv + half), p * half);
        sinHalf.set(tables.sin.subarray(p * cfg.dKv, p * cfg.dKv + half), p * half);
      }
      return {
        cos: op.floats(cosHalf, [tables.maxPositions, half]),
        sin: op.floats(sinHalf, [tables.maxPositions, half]),
        positions: op.ints([0]),
      };
    });
    // NOTE: the WebGPU MultiHeadAttention kernel accepts only a full [A, H, L, L] bias, so both masks are
    // expanded once here (the same size as one layer's attention scores) and shared by all layers.
    const [timeBias, groupBias] = g.scope('masks', () => {
      const S = op.dim(input, 1);
      const heads = op.ints([this.broadcastBias ? 1 : cfg.numHeads]);
      const time = op.expand(masks.timeMask, op.concat([op.ints([1]), heads, S, op.ints([1])], 0));
      const group = op.expand(masks.groupMask, op.concat([op.ints([1]), heads, op.ints([1, 1])], 0));
      return [time, group];
    });
    let residual = input;
    let normed = this.rmsNormFused(input, 'encoder.block.0.layer.0.layer_norm.weight');
    for (let i = 0; i < cfg.numLayers; i++) {
      const block = `encoder.block.${i}`;
      g.scope(block, () => {
        const attn = this.attentionFused(normed, `${block}.layer.0.self_attention`, timeBias, rope);
        [normed, residual] = this.skipRmsNormFused(residual, attn, `${block}.layer.1.layer_norm.weight`);
        const grouped = this.attentionFused(op.transpose(normed, [1, 0, 2]), `${block}.layer.1.self_attention`, groupBias);
        [normed, residual] = this.skipRmsNormFused(residual, op.transpose(grouped, [1, 0, 2]), `${block}.layer.2.layer_norm.weight`);
        const f = `${block}.layer.2`;
        const up = this.activation(this.linear(normed, `${f}.mlp.wi`, D, cfg.dFf, false), cfg.denseActFn);
        const ff = this.linear(up, `${f}.mlp.wo`, cfg.dFf, D, false);
        const next = i + 1 < cfg.numLayers ? `encoder.block.${i + 1}.layer.0.layer_norm.weight` : 'encoder.final_layer_norm.weight';
        [normed, residual] = this.skipRmsNormFused(residual, ff, next);
      });
    }
    return normed;
  }

  /**
   * Row sums of [B, T] values → [B, 1], in blocks: T is zero-padded to a multiple of SUM_BLOCK, each block of
   * SUM_BLOCK values is summed, then the T / SUM_BLOCK block sums. Rounding error grows with SUM_BLOCK + T / SUM_BLOCK
   * instead of with T (for T = 8192: 64 + 128 terms instead of 8192), close to torch's cascade sum; plain float32
   * ops, so every backend runs it. `padLength` (from blockPadLength) is shared by all sums over the same T.
   */
  private blockedRowSum(x: Value, padLength: Value): Value {
    const op = this.op;
    const blocks = op.reshape(op.leftPadZeros(x, padLength), op.ints([0, -1, SUM_BLOCK]));
    return op.reduceSum(op.reduceSum(blocks, [2], false), [1]);
  }

  /**
   * How many zero columns, put on the left, bring the last axis of `x` [B, T] to a multiple of SUM_BLOCK (for
   * blockedRowSum), as int64 [1]. On the left, so blocks are aligned to the end of the row: a row left-padded with
   * missing values (a batch's shorter series) is summed in the same blocks as alone.
   */
  private blockPadLength(x: Value): Value {
    const op = this.op;
    const T = op.dim(x, 1);
    const block = op.ints([SUM_BLOCK]);
    const padded = op.mul(op.div(op.add(T, op.ints([SUM_BLOCK - 1])), block), block);
    return op.sub(padded, T);
  }

  /**
   * Time steps [n·P + j] as float32 [1, count, P] for the patches n = first … first + count − 1 (int64 [1] each),
   * from two small constants: the first steps of patches −maxBefore … maxAfter − 1, and the offsets 0 … P − 1.
   * Instead of an int64 Range and a Cast (see Ops.boolToFloat for why the graph has no Cast); exact, as the
   * values are integers far below 2^24.
   */
  private patchSteps(first: Value, count: Value, maxBefore: number, maxAfter: number): Value {
    const { op } = this;
    const P = this.cfg.patchSize;
    const starts = op.floats(Float32Array.from({ length: maxBefore + maxAfter }, (_, i) => (i - maxBefore) * P), [maxBefore + maxAfter]);
    const offsets = op.floats(Float32Array.from({ length: P }, (_, j) => j), [1, P]);
    const from = op.add(first, op.ints([maxBefore]));
    const patchStarts = op.unsqueeze(op.slice(starts, from, op.add(from, count), [0]), [1]); // [count, 1]
    return op.unsqueeze(op.add(patchStarts, offsets), [0]);
  }

  /** Writes the whole forward pass. */
  build(): void {
    const { g, op, cfg } = this;
    const P = cfg.patchSize;
    const D = cfg.dModel;
    const Q = cfg.quantiles.length;

    const contextIn = g.input(GRAPH_IO.context, DataType.FLOAT, ['batch', 'context_length']);
    const groupIds = g.input(GRAPH_IO.groupIds, DataType.INT64, ['batch']);
    const futureIn = g.input(GRAPH_IO.futureCovariates, DataType.FLOAT, ['batch', 'future_length']);

    // 1. Keep the last context_length columns (Slice clamps when T is shorter).
    const context = g.scope('truncate', () => op.sliceFrom(contextIn, -cfg.contextLength, 1));

    // 2. Instance norm over observed values: nan-mean, population nan-std, with upstream's fall-backs.
    //    NOTE: the sums are computed accurately (see blockedRowSum and the corrected mean below), like torch's
    //    cascade summation: the model is sensitive to loc / scale, and a plain float32 ReduceSum over thousands of
    //    values is off by ~1e-6 of loc, i.e. several 1e-6 of scale in every normalised input.
    const { loc, scale, observed, normalised } = g.scope('instance_norm', () => {
      const missing = op.isNaN(context);
      const observed = op.boolToFloat(op.not(missing));
      const count = op.reduceSum(observed, [1]);
      const zero = op.f(0);
      const padLength = this.blockPadLength(context);
      // Mean, then the mean of the residuals added back: the residuals are O(scale), so the correction's
      // rounding error is divided by the count and loc ends within about one ulp of the exact mean.
      const firstLoc = op.div(this.blockedRowSum(op.where(missing, zero, context), padLength), count);
      const residual = op.where(missing, zero, op.sub(context, firstLoc));
      const locRaw = op.add(firstLoc, op.div(this.blockedRowSum(residual, padLength), count));
      const loc = op.where(op.isNaN(locRaw), zero, locRaw);
      const centred = op.sub(context, loc);
      const dev = op.where(missing, zero, centred);
      const scaleRaw = op.sqrt(op.div(this.blockedRowSum(op.mul(dev, dev), padLength), count));
      const scaleNoNaN = op.where(op.isNaN(scaleRaw), op.f(1), scaleRaw);
      const scale = op.where(op.equal(scaleNoNaN, zero), op.f(1e-5), scaleNoNaN);
      let normalised = op.div(centred, scale);
      if (cfg.useArcsinh) normalised = this.asinh(normalised);
      return { loc, scale, observed, normalised: op.where(missing, zero, normalised) };
    });

    // 3. Left-pad to a multiple of the patch size and cut into patches. Padded and missing values are 0
    //    with mask 0 (what upstream's NaN padding followed by masking produces).
    const patched = g.scope('patch', () => {
      const T = op.dim(context, 1);
      const pInt = op.ints([P]);
      const numPatches = op.div(op.add(T, op.ints([P - 1])), pInt);
      const padded = op.mul(numPatches, pInt);
      const padLen = op.sub(padded, T);
      const zero = op.f(0);
      const patchShape = op.ints([0, -1, P]);
      const values = op.reshape(op.leftPadZeros(normalised, padLen), patchShape);
      const mask = op.reshape(op.leftPadZeros(observed, padLen), patchShape);
      const attention = op.boolToFloat(op.greater(op.reduceSum(mask, [2], false), zero));
      return { values, mask, attention, numPatches };
    });

    const batch = op.dim(contextIn, 0);
    const timeScale = op.f(cfg.timeEncodingScale);
    // The context has at most context_length rounded up to whole patches (step 1 truncated it).
    const maxContextPatches = Math.ceil(cfg.contextLength / P);

    // 4. Context time encoding arange(−N·P, 0)/scale, per patch.
    const contextTime = g.scope('context_time_encoding', () => {
      const steps = this.patchSteps(op.neg(patched.numPatches), patched.numPatches, maxContextPatches, 0);
      return op.expand(op.div(steps, timeScale), op.concat([batch, op.ints([1, 1])], 0));
    });
    const contextFeatures = op.concat([contextTime, patched.values, patched.mask], 2);

    // 6. Future tokens: time encoding arange(0, n·P)/scale, covariates normalised with the row's loc/scale.
    const future = g.scope('future', () => {
      const missing = op.isNaN(futureIn);
      const zero = op.f(0);
      let z = op.div(op.sub(futureIn, loc), scale);
      if (cfg.useArcsinh) z = this.asinh(z);
      const patchShape = op.ints([0, -1, P]);
      const values = op.reshape(op.where(missing, zero, z), patchShape);
      const mask = op.reshape(op.boolToFloat(op.not(missing)), patchShape);
      const numOutputPatches = op.div(op.dim(futureIn, 1), op.ints([P]));
      const steps = this.patchSteps(op.ints([0]), numOutputPatches, 0, cfg.maxOutputPatches);
      const time = op.expand(op.div(steps, timeScale), op.concat([batch, op.ints([1, 1])], 0));
      return { features: op.concat([time, values, mask], 2), numOutputPatches };
    });

    // 4/6. One input_patch_embedding pass over context and future tokens, then split them again.
    const embedded = this.residualBlock(
      op.concat([contextFeatures, future.features], 1),
      'input_patch_embedding',
      3 * P,
      cfg.dFf,
      D,
    );
    const contextEmbeds = op.slice(embedded, op.ints([0]), patched.numPatches, [1]);
    const futureEmbeds = op.slice(embedded, patched.numPatches, op.openEnd, [1]);

    // 5. REG token and the full attention mask [B, S].
    const onesShape = op.concat([batch, future.numOutputPatches], 0);
    let tokens: Value[];
    let attentionParts: Value[];
    if (cfg.useRegToken) {
      const reg = g.scope('shared', () => {
        const table = this.param('shared.weight', [2, D]);
        const regRow = op.sliceRange(table, 1, 2, 0);
        return op.expand(op.unsqueeze(regRow, [0]), op.concat([batch, op.ints([1, 1])], 0));
      });
      tokens = [contextEmbeds, reg, futureEmbeds];
      attentionParts = [patched.attention, op.constantOfShape(op.concat([batch, op.ints([1])], 0), 1), op.constantOfShape(onesShape, 1)];
    } else {
      tokens = [contextEmbeds, futureEmbeds];
      attentionParts = [patched.attention, op.constantOfShape(onesShape, 1)];
    }
    let hidden = op.concat(tokens, 1);
    const attentionMask = op.concat(attentionParts, 1);

    // Masks as additive float32-min masks (never −Infinity).
    const masks = g.scope('masks', () => {
      const one = op.f(1);
      const min = op.f(FLOAT32_MIN);
      const timeMask = op.unsqueeze(op.mul(op.sub(one, attentionMask), min), [1, 2]); // [B,1,1,S]
      const sameGroup = op.boolToFloat(op.equal(op.unsqueeze(groupIds, [1]), op.unsqueeze(groupIds, [0]))); // [B,B]
      const keyVisible = op.unsqueeze(op.transpose(attentionMask, [1, 0]), [1]); // [S,1,B]
      const groupTime = op.mul(op.unsqueeze(sameGroup, [0]), keyVisible); // [S,B,B]
      const groupMask = op.unsqueeze(op.mul(op.sub(one, groupTime), min), [1]); // [S,1,B,B]
      return { timeMask, groupMask };
    });

    // 7. Encoder blocks, RoPE over positions 0..S−1 (tables sized for the largest possible S).
    const maxPositions = Math.ceil(cfg.contextLength / P) + 1 + cfg.maxOutputPatches;
    const tables = { ...ropeTables(cfg, maxPositions), maxPositions };
    hidden = this.fused ? this.encoderFused(hidden, masks, tables) : this.encoderReference(hidden, masks, tables);

    // 8. The last n tokens → output_patch_embedding → [B, Q, n·P].
    const forecastTokens = op.slice(hidden, op.neg(future.numOutputPatches), op.openEnd, [1]);
    let preds = this.residualBlock(forecastTokens, 'output_patch_embedding', D, cfg.dFf, Q * P);
    preds = g.scope('rearrange', () =>
      op.reshape(op.transpose(op.reshape(preds, op.ints([0, 0, Q, P])), [0, 2, 1, 3]), op.ints([0, Q, -1])),
    );

    // 9. Inverse instance norm.
    const output = g.scope('inverse_instance_norm', () => {
      const x = cfg.useArcsinh ? this.sinh(preds) : preds;
      return op.add(op.mul(x, op.unsqueeze(scale, [2])), op.unsqueeze(loc, [2]));
    });

    g.output(GRAPH_IO.quantilePreds, output, DataType.FLOAT, ['batch', Q, 'future_length']);
    g.output(GRAPH_IO.loc, loc, DataType.FLOAT, ['batch', 1]);
    g.output(GRAPH_IO.scale, scale, DataType.FLOAT, ['batch', 1]);
    g.output(GRAPH_IO.hiddenStates, hidden, DataType.FLOAT, ['batch', 'sequence', D]);
  }
}

/**
 * Builds the Chronos-2 ONNX graph for `config`, pulling each weight from `weights` once.
 * @throws Error if a weight is missing (the WeightSource decides the error type).
 */
export function buildChronos2Graph(config: Chronos2Config, weights: WeightSource, options: Chronos2GraphOptions = {}): Chronos2Graph {
  if (config.dKv % 2 !== 0) throw new Error(`d_kv (${config.dKv}) must be even for rotary position embeddings`);
  const g = new GraphBuilder('chronos2');
  const fused = options.fused ?? true;
  const weightStorage = options.weightStorage ?? 'float32';
  new Chronos2GraphWriter(g, config, weights, fused, weightStorage, options.broadcastAttentionBias ?? false).build();
  const bytes = g.toModelBytes({
    opset: OPSET,
    msOpset: fused || weightStorage === 'int8' || weightStorage === 'int4' ? 1 : undefined,
    producer: 'chronos-web',
    docString: 'Chronos-2 forward pass (context, group_ids, future_covariates) -> (quantile_preds, loc, scale, hidden_states)',
    metadata: {
      quantiles: JSON.stringify(config.quantiles),
      patch_size: String(config.patchSize),
      fused: String(fused),
      ...(weightStorage !== 'float32' ? { weights: weightStorage } : {}),
      ...(options.broadcastAttentionBias ? { attention_bias: 'broadcast' } : {}),
      ...options.metadata,
    },
  });
  return { bytes, parameterCount: g.parameters };
}

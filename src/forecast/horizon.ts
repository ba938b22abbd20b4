// Forecasts one batch over the whole horizon: the first model call, then, when the horizon needs more than
// `maxOutputPatches` patches, the long-horizon heuristic of upstream `Chronos2Pipeline._predict_batch`:
// every row is repeated once per unrolled quantile level (one "path" each), each path appends that level of
// the current forecast to its context, and the paths' outputs are merged back into the model's quantile levels
// with weighted quantiles (`_prepare_inputs_for_long_horizon_unrolling`,
// `_autoregressive_unroll_for_long_horizon`, `_slide_context_and_future_covariates`, `_predict_step`).

import type { Batch } from './batching';
import { ModelOutputError } from './errors';
import type { ModelCallInput, ModelRunner } from './model-runner';
import { interpolateQuantiles, probMassPerQuantileLevel, weightedQuantile } from './quantiles';

/** Horizon settings, already validated. */
export interface HorizonOptions {
  predictionLength: number;
  /** Most patches per model call. */
  maxOutputPatches: number;
  /** Levels (on the model grid) whose paths are unrolled beyond the first call. */
  unrolledQuantiles: readonly number[];
  /** Checked before every model call. */
  signal?: AbortSignal;
}

/** Rows fed to one model call. */
interface StepState {
  rows: number;
  length: number;
  /** `[rows][length]` */
  context: Float32Array;
  groupIds: BigInt64Array;
  /** `[rows][futureWidth]`, the not yet consumed future covariate values. */
  future: Float32Array;
  futureWidth: number;
}

/**
 * Predicts `predictionLength` steps for every row of the batch.
 * @returns `[batch.numRows][Q][predictionLength]` float32, model quantile order.
 */
export async function forecastBatch(runner: ModelRunner, batch: Batch, options: HorizonOptions): Promise<Float32Array> {
  const { patchSize, quantiles } = runner.info;
  const numQuantiles = quantiles.length;
  const patchesFor = (remaining: number): number =>
    Math.min(Math.ceil(remaining / patchSize), options.maxOutputPatches);

  let state: StepState = {
    rows: batch.numRows,
    length: batch.length,
    context: batch.context,
    groupIds: batch.groupIds,
    future: batch.futureCovariates,
    futureWidth: batch.predictionLength,
  };
  let prediction = await predictStep(runner, state, patchesFor(options.predictionLength), options.signal);
  let width = prediction.length / (batch.numRows * numQuantiles);
  const chunks = [{ values: prediction, width }];
  let remaining = options.predictionLength - width;

  if (remaining > 0) {
    const paths = options.unrolledQuantiles.length;
    state = repeatPerPath(state, paths);
    const weights = outer(probMassPerQuantileLevel(options.unrolledQuantiles), probMassPerQuantileLevel(quantiles));
    while (remaining > 0) {
      state = appendPaths(state, prediction, width, quantiles, options.unrolledQuantiles, runner.info.contextLength);
      const output = await predictStep(runner, state, patchesFor(remaining), options.signal);
      width = output.length / (state.rows * numQuantiles);
      prediction = mergePaths(output, batch.numRows, paths, numQuantiles, width, quantiles, weights);
      chunks.push({ values: prediction, width });
      remaining -= width;
    }
  }
  return concatTime(chunks, batch.numRows * numQuantiles, options.predictionLength);
}

/**
 * One model call: future covariates are cut or NaN-padded to `numPatches * patchSize` columns.
 * @returns `[rows][Q][numPatches * patchSize]`
 */
async function predictStep(
  runner: ModelRunner,
  state: StepState,
  numPatches: number,
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  signal?.throwIfAborted();
  const { patchSize, quantiles } = runner.info;
  const outWidth = numPatches * patchSize;
  const futureCovariates = new Float32Array(state.rows * outWidth).fill(NaN);
  const copy = Math.min(outWidth, state.futureWidth);
  for (let r = 0; r < state.rows; r++) {
    const start = r * state.futureWidth;
    futureCovariates.set(state.future.subarray(start, start + copy), r * outWidth);
  }
  const input: ModelCallInput = {
    batchSize: state.rows,
    contextLength: state.length,
    context: state.context,
    groupIds: state.groupIds,
    numOutputPatches: numPatches,
    futureCovariates,
  };
  const output = await runner.run(input);
  const expected = state.rows * quantiles.length * outWidth;
  if (output.quantilePreds.length !== expected) {
    throw new ModelOutputError(
      `The model returned ${output.quantilePreds.length} quantile values for ${state.rows} rows, ` +
        `${quantiles.length} quantiles and ${outWidth} steps (expected ${expected}); check that the model ` +
        'matches its config.',
    );
  }
  return output.quantilePreds;
}

/** Row b becomes rows b·k … b·k+k−1; group id g of path j becomes g·k + j so paths never mix. */
function repeatPerPath(state: StepState, paths: number): StepState {
  const { rows, length, futureWidth } = state;
  const context = new Float32Array(rows * paths * length);
  const future = new Float32Array(rows * paths * futureWidth);
  const groupIds = new BigInt64Array(rows * paths);
  for (let b = 0; b < rows; b++) {
    const ctxRow = state.context.subarray(b * length, (b + 1) * length);
    const futRow = state.future.subarray(b * futureWidth, (b + 1) * futureWidth);
    for (let j = 0; j < paths; j++) {
      const row = b * paths + j;
      context.set(ctxRow, row * length);
      future.set(futRow, row * futureWidth);
      groupIds[row] = state.groupIds[b] * BigInt(paths) + BigInt(j);
    }
  }
  return { rows: rows * paths, length, context, groupIds, future, futureWidth };
}

/**
 * Appends to path j of every row the j-th unrolled level of the current forecast, keeps the last
 * `modelContextLength` columns, overwrites the appended steps with known future covariate values, and drops
 * the consumed future columns.
 * @param prediction `[rows / paths][Q][width]` current forecast of the original rows.
 */
function appendPaths(
  state: StepState,
  prediction: Float32Array,
  width: number,
  quantiles: readonly number[],
  unrolled: readonly number[],
  modelContextLength: number,
): StepState {
  const paths = unrolled.length;
  const numQuantiles = quantiles.length;
  const baseRows = state.rows / paths;
  // [baseRows][width][Q] → levels of every (row, step) → [baseRows][width][paths]
  const byStep = new Float32Array(prediction.length);
  for (let b = 0; b < baseRows; b++) {
    for (let q = 0; q < numQuantiles; q++) {
      for (let t = 0; t < width; t++) {
        byStep[(b * width + t) * numQuantiles + q] = prediction[(b * numQuantiles + q) * width + t];
      }
    }
  }
  const levels = interpolateQuantiles(unrolled, quantiles, byStep);

  const grown = state.length + width;
  const length = Math.min(grown, modelContextLength);
  const drop = grown - length;
  const context = new Float32Array(state.rows * length);
  const futureWidth = Math.max(state.futureWidth - width, 0);
  const future = new Float32Array(state.rows * futureWidth);
  for (let row = 0; row < state.rows; row++) {
    const b = Math.floor(row / paths);
    const j = row % paths;
    const out = context.subarray(row * length, (row + 1) * length);
    const old = state.context.subarray(row * state.length, (row + 1) * state.length);
    // concat(old, appended) then keep the last `length` columns
    for (let c = 0; c < length; c++) {
      const src = c + drop;
      out[c] = src < state.length ? old[src] : levels[(b * width + (src - state.length)) * paths + j];
    }
    const fut = state.future.subarray(row * state.futureWidth, (row + 1) * state.futureWidth);
    for (let t = 0; t < Math.min(width, state.futureWidth); t++) {
      const c = length - width + t;
      if (c >= 0 && !Number.isNaN(fut[t])) out[c] = fut[t];
    }
    future.set(fut.subarray(width), row * futureWidth);
  }
  return { rows: state.rows, length, context, groupIds: state.groupIds, future, futureWidth };
}

/**
 * Merges the k·Q outputs of every original row and step into the model's Q levels with weighted quantiles.
 * @param output `[baseRows·paths][Q][width]` in (row, path) order.
 * @param weights `[paths·Q]` sample weight of (path, quantile).
 * @returns `[baseRows][Q][width]`
 */
function mergePaths(
  output: Float32Array,
  baseRows: number,
  paths: number,
  numQuantiles: number,
  width: number,
  quantiles: readonly number[],
  weights: Float32Array,
): Float32Array {
  const perSample = paths * numQuantiles;
  const samples = new Float32Array(baseRows * width * perSample);
  for (let b = 0; b < baseRows; b++) {
    for (let j = 0; j < paths; j++) {
      for (let q = 0; q < numQuantiles; q++) {
        const src = ((b * paths + j) * numQuantiles + q) * width;
        for (let t = 0; t < width; t++) {
          samples[(b * width + t) * perSample + j * numQuantiles + q] = output[src + t];
        }
      }
    }
  }
  const merged = weightedQuantile(quantiles, weights, samples); // [baseRows][width][Q]
  const result = new Float32Array(baseRows * numQuantiles * width);
  for (let b = 0; b < baseRows; b++) {
    for (let t = 0; t < width; t++) {
      for (let q = 0; q < numQuantiles; q++) {
        result[(b * numQuantiles + q) * width + t] = merged[(b * width + t) * numQuantiles + q];
      }
    }
  }
  return result;
}

/** outer(a, b) flattened row-major, float32 products. */
function outer(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length * b.length);
  a.forEach((x, i) => b.forEach((y, j) => (out[i * b.length + j] = x * y)));
  return out;
}

/** Concatenates `[series][width_i]` chunks along time and keeps the first `horizon` steps. */
function concatTime(
  chunks: ReadonlyArray<{ values: Float32Array; width: number }>,
  series: number,
  horizon: number,
): Float32Array {
  const out = new Float32Array(series * horizon);
  let offset = 0;
  for (const { values, width } of chunks) {
    const take = Math.min(width, horizon - offset);
    if (take <= 0) break;
    for (let s = 0; s < series; s++) {
      out.set(values.subarray(s * width, s * width + take), s * horizon + offset);
    }
    offset += take;
  }
  return out;
}

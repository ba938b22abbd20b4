// The public forecasting entry points, with the semantics of upstream `Chronos2Pipeline.predict` and
// `predict_quantiles` (chronos2/pipeline.py): validate options, prepare and batch the inputs, forecast each
// batch over the horizon through a `ModelRunner`, and hand back one forecast per task (targets only).

import { buildBatch, planBatches } from './batching';
import { ForecastOptionError, PredictionLengthError, QuantileLevelError, SeriesValueError } from './errors';
import { forecastBatch } from './horizon';
import { prepareInputs, type ForecastInputs } from './inputs';
import { normaliseMagnitudes, restoreMagnitudes, unforecastableReason } from './magnitude';
import type { ModelInfo, ModelRunner } from './model-runner';
import { interpolateQuantiles } from './quantiles';

/** Quantile levels used by default for unrolling and for `predictQuantiles`. */
export const DEFAULT_QUANTILE_LEVELS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Progress after each batch. */
export interface BatchProgress {
  /** 0-based index of the batch just finished. */
  batchIndex: number;
  batchCount: number;
  /** Tasks forecast so far. */
  tasksDone: number;
  taskCount: number;
}

/** Options of `predict` (upstream keyword arguments in camelCase). */
export interface PredictOptions {
  /** Steps to forecast; default: the model's horizon (`maxOutputPatches · patchSize`). */
  predictionLength?: number;
  /** Rows (targets + covariates) per model call; tasks are added until a batch has at least this many. Default 256. */
  batchSize?: number;
  /** Most past values used per task; default and upper bound: the model's context length. */
  contextLength?: number;
  /** Let all tasks of a batch attend to each other. Default false. */
  crossLearning?: boolean;
  /** Throw instead of warning when `predictionLength` exceeds the model's horizon. Default false. */
  limitPredictionLength?: boolean;
  /** Most patches per model call before long-horizon unrolling starts; default: the model's. */
  maxOutputPatches?: number;
  /** Levels (on the model grid) unrolled for long horizons. Default 0.1, 0.2, …, 0.9. */
  unrolledQuantiles?: readonly number[];
  /** Receives the warnings upstream emits with `warnings.warn` / `logger.warning`. */
  onWarning?: (message: string) => void;
  /** Called after each batch. */
  afterBatch?: (progress: BatchProgress) => void;
  /** Aborts between model calls. */
  signal?: AbortSignal;
  /**
   * What a task the model cannot take does (a value beyond float32, or a forecast that is not finite): 'throw'
   * (default) a SeriesValueError naming it; 'isolate' gives that task a forecast with `error` set (and NaN
   * values) while every other task comes out as if it had been forecast alone.
   */
  invalidTasks?: 'throw' | 'isolate';
}

/** Options of `predictQuantiles`. */
export interface PredictQuantilesOptions extends PredictOptions {
  /** Levels in [0, 1] to report; off-grid levels are interpolated. Default 0.1, 0.2, …, 0.9. */
  quantileLevels?: readonly number[];
}

/** Forecast of one task at the model's quantile levels. */
export interface QuantileForecast {
  /** The model's quantile levels, in model order (not sorted, never reordered). */
  quantileLevels: number[];
  /** Target variates V of the task. */
  numVariates: number;
  /** Forecast steps H. */
  horizon: number;
  /** `[V][Q][H]` row-major float32 (NaN when `error` is set). */
  values: Float32Array;
  /** Set (with `invalidTasks: 'isolate'`) when this task could not be forecast: why, in a sentence. */
  error?: string;
}

/** Forecast of one task at requested quantile levels. */
export interface QuantilesForecast {
  /** The requested levels, in the requested order. */
  quantileLevels: number[];
  numVariates: number;
  horizon: number;
  /** `[V][H][L]` row-major float32, L = quantileLevels.length. */
  quantiles: Float32Array;
  /** `[V][H]`: the model's 0.5 quantile (upstream returns the median as the mean). */
  mean: Float32Array;
  /** See {@link QuantileForecast.error}. */
  error?: string;
}

/** The `[H]` forecast of one variate at the model quantile with index `quantileIndex` (a view, not a copy). */
export function forecastRow(forecast: QuantileForecast, variate: number, quantileIndex: number): Float32Array {
  const q = forecast.quantileLevels.length;
  const start = (variate * q + quantileIndex) * forecast.horizon;
  return forecast.values.subarray(start, start + forecast.horizon);
}

/** Options after defaults and validation. */
export interface ResolvedPredictOptions {
  predictionLength: number;
  batchSize: number;
  contextLength: number;
  crossLearning: boolean;
  maxOutputPatches: number;
  unrolledQuantiles: readonly number[];
}

/**
 * Applies defaults and upstream's option checks.
 * @throws PredictionLengthError, QuantileLevelError, ForecastOptionError
 */
export function resolvePredictOptions(info: ModelInfo, options: PredictOptions = {}): ResolvedPredictOptions {
  const warn = options.onWarning ?? (() => undefined);
  const modelHorizon = info.maxOutputPatches * info.patchSize;
  const predictionLength = options.predictionLength ?? modelHorizon;
  if (!Number.isInteger(predictionLength) || predictionLength < 1) {
    throw new PredictionLengthError(`predictionLength must be an integer >= 1, got ${predictionLength}.`);
  }
  const maxOutputPatches = options.maxOutputPatches ?? info.maxOutputPatches;
  requirePositiveInteger('maxOutputPatches', maxOutputPatches);
  const batchSize = options.batchSize ?? 256;
  requirePositiveInteger('batchSize', batchSize);

  const unrolledQuantiles = options.unrolledQuantiles ?? DEFAULT_QUANTILE_LEVELS;
  const offGrid = unrolledQuantiles.filter((q) => !info.quantiles.includes(q));
  if (offGrid.length > 0) {
    throw new QuantileLevelError(
      `Unrolled quantiles must be a subset of the model's quantiles [${info.quantiles.join(', ')}]; ` +
        `[${offGrid.join(', ')}] are not. Pick unrolledQuantiles from the model's levels.`,
    );
  }
  if (unrolledQuantiles.length === 0 && predictionLength > maxOutputPatches * info.patchSize) {
    throw new QuantileLevelError(
      `predictionLength ${predictionLength} needs long-horizon unrolling, which needs at least one ` +
        'unrolled quantile; unrolledQuantiles is empty.',
    );
  }

  if (predictionLength > modelHorizon) {
    const msg =
      `We recommend keeping prediction length <= ${modelHorizon}. The quality of longer predictions may ` +
      'degrade since the model is not optimized for it.';
    if (options.limitPredictionLength === true) {
      throw new PredictionLengthError(`${msg} You can turn off this check by setting limitPredictionLength=false.`);
    }
    warn(msg);
  }

  let contextLength = options.contextLength ?? info.contextLength;
  requirePositiveInteger('contextLength', contextLength);
  if (contextLength > info.contextLength) {
    warn(
      `The specified contextLength ${contextLength} is greater than the model's context length ` +
        `${info.contextLength}. Resetting contextLength to ${info.contextLength}.`,
    );
    contextLength = info.contextLength;
  }

  return {
    predictionLength,
    batchSize,
    contextLength,
    crossLearning: options.crossLearning ?? false,
    maxOutputPatches,
    unrolledQuantiles: [...unrolledQuantiles],
  };
}

/**
 * Forecasts every task of `inputs` (upstream `Chronos2Pipeline.predict`).
 * @returns One forecast per task, in input order, with the target variates only: `[V][Q][H]`.
 * @throws ForecastInputError subclasses for invalid inputs or options; ModelOutputError when the runner
 *   returns outputs of the wrong size; the signal's reason when aborted.
 */
export async function predict(
  runner: ModelRunner,
  inputs: ForecastInputs,
  options: PredictOptions = {},
): Promise<QuantileForecast[]> {
  const resolved = resolvePredictOptions(runner.info, options);
  const tasks = prepareInputs(inputs, resolved.predictionLength);
  const quantileLevels = [...runner.info.quantiles];
  const numQuantiles = quantileLevels.length;
  const horizon = resolved.predictionLength;
  const rowSize = numQuantiles * horizon;
  const results: QuantileForecast[] = new Array(tasks.length);
  const fail = (index: number, reason: string): void => {
    if (options.invalidTasks !== 'isolate') throw new SeriesValueError(`Task ${index}: ${reason}.`, index);
    const numVariates = tasks[index].nTargets;
    results[index] = { quantileLevels, numVariates, horizon, values: new Float32Array(numVariates * rowSize).fill(NaN), error: `${upperFirst(reason)}.` };
  };
  // A task the model cannot take never joins a model call: it would turn every row of the call into NaN.
  const accepted: number[] = [];
  tasks.forEach((task, index) => {
    const reason = unforecastableReason(task);
    if (reason) fail(index, reason);
    else accepted.push(index);
  });
  const acceptedTasks = accepted.map((i) => tasks[i]);
  const plan = planBatches(acceptedTasks, resolved.batchSize);
  /** Forecasts tasks (indices into `acceptedTasks`) in one batch, magnitudes kept in range; one entry per task. */
  const forecastTogether = async (members: number[]): Promise<Float32Array[]> => {
    const batch = buildBatch(acceptedTasks, members, resolved);
    const scaled = normaliseMagnitudes(batch);
    const values = await forecastBatch(runner, batch, { ...resolved, signal: options.signal });
    restoreMagnitudes(values, scaled, numQuantiles, horizon);
    return batch.targetRanges.map(([start, end]) => values.slice(start * rowSize, end * rowSize));
  };
  let done = 0;
  for (const [batchIndex, members] of plan.entries()) {
    const outputs = await forecastTogether(members);
    for (const [k, values] of outputs.entries()) {
      let own = values;
      if (!own.every(Number.isFinite) && members.length > 1 && !resolved.crossLearning) {
        // Another task of the call may have spoilt it: alone, it comes out as it should (or fails by itself).
        [own] = await forecastTogether([members[k]]);
      }
      const index = accepted[members[k]];
      if (own.every(Number.isFinite)) results[index] = { quantileLevels, numVariates: acceptedTasks[members[k]].nTargets, horizon, values: own };
      else fail(index, 'the model gave no finite forecast for it: its values are too extreme for float32 (forecasts beyond ±3.4e38)');
    }
    done += members.length;
    options.afterBatch?.({
      batchIndex,
      batchCount: plan.length,
      tasksDone: done,
      taskCount: acceptedTasks.length,
    });
  }
  return results;
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Forecasts every task at the requested quantile levels (upstream `Chronos2Pipeline.predict_quantiles`):
 * levels on the model grid are selected, otherwise all levels are linearly interpolated from the model's
 * (outside the model's range: the edge value, with a warning).
 * NOTE: the levels are validated before any model call; upstream validates them afterwards.
 * @throws QuantileLevelError for levels outside [0, 1] or a model without a 0.5 level, plus what `predict` throws.
 */
export async function predictQuantiles(
  runner: ModelRunner,
  inputs: ForecastInputs,
  options: PredictQuantilesOptions = {},
): Promise<QuantilesForecast[]> {
  const modelLevels = runner.info.quantiles;
  const levels = [...(options.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)];
  const outside = levels.filter((q) => !(q >= 0 && q <= 1));
  if (outside.length > 0) {
    throw new QuantileLevelError(`Quantile levels must be between 0 and 1; got [${outside.join(', ')}].`);
  }
  const medianIndex = modelLevels.indexOf(0.5);
  if (medianIndex < 0) {
    throw new QuantileLevelError(
      `The model's quantiles [${modelLevels.join(', ')}] have no 0.5 level, which is returned as the mean.`,
    );
  }
  const onGrid = levels.every((q) => modelLevels.includes(q));
  if (!onGrid && levels.some((q) => q < Math.min(...modelLevels) || q > Math.max(...modelLevels))) {
    options.onWarning?.(
      `Quantiles to be predicted ([${levels.join(', ')}]) are not within the range of quantiles that ` +
        `Chronos-2 was trained on ([${modelLevels.join(', ')}]). Quantile predictions will be set to the ` +
        'minimum/maximum levels at which Chronos-2 was trained on. This may significantly affect the quality ' +
        'of the predictions.',
    );
  }

  const forecasts = await predict(runner, inputs, options);
  return forecasts.map((forecast) => {
    const { numVariates, horizon } = forecast;
    const numQuantiles = modelLevels.length;
    // [V][Q][H] → [V][H][Q]
    const byStep = new Float32Array(forecast.values.length);
    const mean = new Float32Array(numVariates * horizon);
    for (let v = 0; v < numVariates; v++) {
      for (let q = 0; q < numQuantiles; q++) {
        const row = forecastRow(forecast, v, q);
        for (let t = 0; t < horizon; t++) byStep[(v * horizon + t) * numQuantiles + q] = row[t];
      }
      mean.set(forecastRow(forecast, v, medianIndex), v * horizon);
    }
    let quantiles: Float32Array;
    if (onGrid) {
      const picks = levels.map((q) => modelLevels.indexOf(q));
      quantiles = new Float32Array(numVariates * horizon * levels.length);
      for (let s = 0; s < numVariates * horizon; s++) {
        picks.forEach((p, l) => (quantiles[s * levels.length + l] = byStep[s * numQuantiles + p]));
      }
    } else {
      quantiles = interpolateQuantiles(levels, modelLevels, byStep);
    }
    return { quantileLevels: levels, numVariates, horizon, quantiles, mean, ...(forecast.error ? { error: forecast.error } : {}) };
  });
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ForecastOptionError(`${name} must be an integer >= 1, got ${value}.`);
  }
}

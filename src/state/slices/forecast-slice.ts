// Forecast state: the user's settings (horizon, backtest, multivariate, cross-learning), the cached model run
// the chart slices from, and inference progress.
import type { StateCreator } from 'zustand';
import type { ForecastResult } from '../../worker/engine-api';
import type { UiTask } from '../dataset';
import type { AppState } from '../store';

/** A finished model run and what it was computed for. */
export interface CachedRun {
  /** Identity of the inputs (data, selection, settings, model; the horizon bucket or backtest cut). */
  key: string;
  /** Identity of the inputs without the horizon: runs with the same base may stay on screen while a new one runs. */
  baseKey: string;
  /** Steps the model produced (the end of the patch bucket in forecast mode). */
  predictionLength: number;
  /** Backtest: the number of held-out steps this run forecasts (its cut point); null in forecast mode. */
  holdout: number | null;
  result: ForecastResult;
  /** The tasks the run was computed on (the chart draws their history up to `cuts`). */
  tasks: UiTask[];
  /** Per task: history length before the forecast. */
  cuts: number[];
  /** Per task: timestamps of the `predictionLength` forecast steps. */
  forecastTimestamps: number[][];
  /** Backtest: per task, `[variates][holdout]` held-out actuals. */
  actuals: Float64Array[][] | null;
}

/** Inference progress. */
export interface InferenceProgress {
  done: number;
  total: number;
}

/** Forecast slice of the store. */
export interface ForecastSlice {
  horizon: number;
  backtest: boolean;
  multivariate: boolean;
  crossLearning: boolean;
  run: CachedRun | null;
  /** Whether a model run is scheduled or in flight. */
  forecasting: boolean;
  inferenceProgress: InferenceProgress | null;
  /** Wall-clock ms of the last finished run's model calls. */
  lastInferenceMs: number | null;
}

/** Initial forecast state. */
export const createForecastSlice: StateCreator<AppState, [], [], ForecastSlice> = () => ({
  horizon: 12,
  backtest: false,
  multivariate: false,
  crossLearning: false,
  run: null,
  forecasting: false,
  inferenceProgress: null,
  lastInferenceMs: null,
});

// Forecast state: the user's settings (horizon, backtest, multivariate, cross-learning), the cached model run
// the chart slices from, and inference progress.
import type { StateCreator } from 'zustand';
import type { PreparedBacktest, UiTask } from '../../data/tasks';
import type { BacktestSpec } from '../../eval/backtest';
import type { BaselineResult } from '../../eval/worker-baselines';
import type { QuantileForecast } from '../../forecast/pipeline';
import type { ForecastResult } from '../../worker/engine-api';
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
  /**
   * Backtest: every window of every task (the fields above describe each task's last window, which the chart
   * draws as the fan); null in forecast mode.
   */
  backtest: { spec: BacktestSpec; prepared: PreparedBacktest; forecasts: QuantileForecast[] } | null;
}

/** The baselines of a backtest run, computed in the worker after the run. */
export interface BaselinesState {
  /** Key of the run they belong to. */
  runKey: string;
  result: BaselineResult | null;
  /** Why they could not be computed. */
  error: string | null;
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
  /** Rolling-origin backtest windows (1 = one holdout). */
  backtestWindows: number;
  /** Steps between backtest cutoffs; null = the horizon (windows side by side). */
  backtestStep: number | null;
  /** The user's season for baselines and MASE; null = from the frequency (or estimated). */
  seasonOverride: number | null;
  baselines: BaselinesState | null;
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
  backtestWindows: 1,
  backtestStep: null,
  seasonOverride: null,
  baselines: null,
  multivariate: false,
  crossLearning: false,
  run: null,
  forecasting: false,
  inferenceProgress: null,
  lastInferenceMs: null,
});

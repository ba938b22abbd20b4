// Derived values of the store that several components need: which run is on screen, how many of its steps,
// each series' forecast cut to those steps, and the backtest scores. Pure functions of state values, so they
// are cheap to memoise in components and easy to test.
import { seriesRefs, type SeriesRef } from './dataset';
import { sliceVariate, type SeriesForecast } from './forecast-view';
import { baseKey } from './forecast-runner';
import { summarize, type MethodSummary } from '../eval/aggregate';
import type { BacktestSpec } from '../eval/backtest';
import { backtestItems, modelWindowForecast, scoreItems, type ExportWindow } from '../eval/run';
import type { SeasonChoice } from '../eval/season';
import type { AppState } from './store';
import type { BaselinesState, CachedRun } from './slices/forecast-slice';

/** The cached run if it belongs to the data and settings on screen (it may be for another horizon). */
export function selectDisplayedRun(s: AppState): CachedRun | null {
  return s.run && s.run.baseKey === baseKey(s) ? s.run : null;
}

/** Steps of the displayed run that are shown: the horizon (sliced) or, in a backtest, the run's holdout. */
export function displayedSteps(run: CachedRun, horizon: number): number {
  return run.holdout ?? Math.min(horizon, run.predictionLength);
}

/** Every target series of the current tasks, for the series picker. */
export function selectSeriesRefs(tasks: AppState['tasks']): SeriesRef[] {
  return seriesRefs(tasks);
}

/** The forecast of one series of a run, cut to `steps`. */
export function seriesForecast(run: CachedRun, ref: SeriesRef, steps: number): SeriesForecast {
  return sliceVariate(run.result.forecasts[ref.task], ref.variate, steps, ref.name, run.forecastTimestamps[ref.task]);
}

/** The forecasts of every series of a run, cut to `steps` (for downloads). */
export function allSeriesForecasts(run: CachedRun, steps: number): SeriesForecast[] {
  return seriesRefs(run.tasks).map((ref) => seriesForecast(run, ref, steps));
}

/** Everything the metrics panel and the backtest downloads show of a backtest run. */
export interface BacktestView {
  /** Every window of every series, scored for the model and each baseline (model first). */
  windows: ExportWindow[];
  /** Scale-free aggregates over all windows and series. */
  summary: MethodSummary[];
  season: SeasonChoice;
  spec: BacktestSpec;
}

/**
 * Scores a backtest run once its baselines are in: per window and series, the model and every baseline on the
 * same windows with the same metrics, and the scale-free summary. Null outside backtest mode or while the
 * baselines are computed.
 */
export function backtestView(run: CachedRun, baselines: BaselinesState | null, targetColumnOf: (series: string) => string): BacktestView | null {
  if (!run.backtest || !baselines || baselines.runKey !== run.key || !baselines.result) return null;
  const { spec, prepared, forecasts } = run.backtest;
  const items = backtestItems(run.tasks, prepared, targetColumnOf);
  const levels = [...(forecasts[0]?.quantileLevels ?? [])].sort((a, b) => a - b);
  const label = 'Chronos-2';
  const model = items.map((item) => modelWindowForecast(forecasts[item.entry], item, spec.h, levels, label));
  const windows = scoreItems(items, model, baselines.result.forecasts, baselines.result.season.season);
  return { windows, summary: summarize(windows), season: baselines.result.season, spec };
}

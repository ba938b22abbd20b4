// Derived values of the store that several components need: which run is on screen, how many of its steps,
// each series' forecast cut to those steps, and the backtest scores. Pure functions of state values, so they
// are cheap to memoise in components and easy to test.
import { seasonLength, type Frequency } from '../data/timestamps';
import { seriesRefs, type SeriesRef } from './dataset';
import { sliceVariate, type SeriesForecast } from './forecast-view';
import { baseKey } from './forecast-runner';
import { scoreForecast, scorePointForecast, seasonalNaive, averageScores, type ForecastScores } from './metrics';
import type { AppState } from './store';
import type { CachedRun } from './slices/forecast-slice';

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

/** Backtest scores of one series: the model's and the seasonal-naive baseline's. */
export interface SeriesScores {
  name: string;
  model: ForecastScores;
  naive: ForecastScores;
}

/** Backtest scores of every series of a run, plus their averages; null outside backtest mode. */
export function backtestScores(
  run: CachedRun,
  frequency: Frequency,
): { perSeries: SeriesScores[]; average: { model: ForecastScores; naive: ForecastScores }; season: number } | null {
  if (run.holdout === null || !run.actuals) return null;
  const season = seasonLength(frequency);
  const steps = run.holdout;
  const perSeries = seriesRefs(run.tasks).map((ref): SeriesScores => {
    const forecast = seriesForecast(run, ref, steps);
    const actual = run.actuals?.[ref.task][ref.variate] ?? new Float64Array(0);
    const train = run.tasks[ref.task].targets[ref.variate].subarray(0, run.cuts[ref.task]);
    const naive = seasonalNaive(train, season, steps);
    return {
      name: ref.name,
      model: scoreForecast(actual, forecast.mean, forecast.levels, forecast.quantiles, train, season),
      naive: scorePointForecast(actual, naive, forecast.levels, train, season),
    };
  });
  return {
    perSeries,
    average: {
      model: averageScores(perSeries.map((p) => p.model)),
      naive: averageScores(perSeries.map((p) => p.naive)),
    },
    season,
  };
}

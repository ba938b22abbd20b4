// A backtest run of the app or the CLI, from the model input (src/data/tasks.ts `prepareBacktest`) to scored
// windows: which training values and actuals each (task, window, variate) has, the model's forecast of it at
// the levels asked for, and the scores of the model and the baselines. The baselines themselves are computed
// by the caller (the CLI directly, the app in its worker) with src/eval/baselines.ts.
import type { PreparedBacktest, UiTask } from '../data/tasks';
import type { QuantileForecast } from '../forecast/pipeline';
import { levelRow, sliceVariate } from '../export/forecast-view';
import type { MethodForecast } from './baselines';
import { scoreWindow, type ScoredWindow } from './backtest';

/** One series in one backtest window. */
export interface BacktestItem {
  /** Index into the prepared backtest's entries (and the model's forecasts). */
  entry: number;
  task: number;
  variate: number;
  window: number;
  cutoff: number;
  series: string;
  targetColumn: string;
  /** Values [0, cutoff) of the series. */
  train: Float64Array;
  /** The window's h actual values. */
  actual: Float64Array;
  /** Timestamps of the window's steps, and of its cutoff (the last known step). */
  timestamps: number[];
  cutoffTimestamp: number;
}

/** A scored window with what exports need to name it. */
export interface ExportWindow extends ScoredWindow {
  targetColumn: string;
  timestamps: number[];
  cutoffTimestamp: number;
}

/** Every (entry, variate) of a prepared backtest, in entry order. */
export function backtestItems(
  tasks: readonly UiTask[],
  prepared: PreparedBacktest,
  targetColumnOf: (series: string) => string,
): BacktestItem[] {
  const items: BacktestItem[] = [];
  prepared.entries.forEach((e, entry) => {
    const task = tasks[e.task];
    task.names.forEach((series, variate) => {
      items.push({
        entry,
        task: e.task,
        variate,
        window: e.window,
        cutoff: e.cutoff,
        series,
        targetColumn: targetColumnOf(series),
        train: task.targets[variate].slice(0, e.cutoff),
        actual: Float64Array.from(prepared.actuals[entry][variate] ?? []),
        timestamps: prepared.forecastTimestamps[entry],
        cutoffTimestamp: task.timestamps[e.cutoff - 1],
      });
    });
  });
  return items;
}

/** The model's forecast of one item at `levels` (interpolated between the model's levels where needed). */
export function modelWindowForecast(
  forecast: QuantileForecast,
  item: BacktestItem,
  h: number,
  levels: readonly number[],
  label: string,
): MethodForecast {
  const sliced = sliceVariate(forecast, item.variate, h, item.series, item.timestamps);
  return {
    method: 'model',
    label,
    levels: [...levels],
    quantiles: levels.map((l) => Float64Array.from(levelRow(sliced, l))),
    median: Float64Array.from(sliced.mean),
  };
}

/** Scores every item: the model's forecast first, then its baselines (one list per item). */
export function scoreItems(
  items: readonly BacktestItem[],
  model: readonly MethodForecast[],
  baselines: readonly MethodForecast[][],
  season: number,
): ExportWindow[] {
  return items.map((item, i) => ({
    ...scoreWindow(item.series, item.window, item.cutoff, item.train, item.actual, [model[i], ...baselines[i]], season),
    targetColumn: item.targetColumn,
    timestamps: item.timestamps,
    cutoffTimestamp: item.cutoffTimestamp,
  }));
}

// The forecast on screen for the selected series, derived from the store with narrow selectors and memoised,
// so moving the horizon inside the cached run's patch bucket only re-slices arrays: what the chart draws (the
// whole run of the series) keeps its identity, only the horizon's slice changes.
import { useDeferredValue, useMemo } from 'react';
import type { Frequency } from '../../data/timestamps';
import type { SeriesRef } from '../../state/dataset';
import { seriesRefs } from '../../state/dataset';
import type { SeriesForecast } from '../../state/forecast-view';
import { displayedSteps, selectDisplayedRun, seriesForecast } from '../../state/selectors';
import type { CachedRun } from '../../state/slices/forecast-slice';
import { useAppStore } from '../../state/store';

/** Everything the chart needs about the displayed forecast of one series. */
export interface ForecastView {
  run: CachedRun;
  /** Steps shown. */
  steps: number;
  ref: SeriesRef;
  forecast: SeriesForecast;
  /** The whole cached run of the series (all its steps); the same object for every horizon in the bucket. */
  drawn: SeriesForecast;
  history: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
  /** Held-out actuals (backtest), aligned with `forecast.timestamps`. */
  actual: ArrayLike<number> | null;
  frequency: Frequency;
}

/** The displayed run's forecast for the selected series, or null when there is none. */
export function useForecastView(): ForecastView | null {
  // Deferred: a new run is drawn in an interruptible render (the horizon, cheap to apply, is not deferred).
  const run = useDeferredValue(useAppStore(selectDisplayedRun));
  const horizon = useAppStore((s) => s.horizon);
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const frequency = useAppStore((s) => s.seriesSet?.frequency ?? null);
  const base = useMemo(() => {
    if (!run || !frequency) return null;
    const refs = seriesRefs(run.tasks);
    const ref = refs[Math.min(seriesIndex, refs.length - 1)];
    if (!ref) return null;
    const task = run.tasks[ref.task];
    const cut = run.cuts[ref.task];
    return {
      run,
      ref,
      drawn: seriesForecast(run, ref, run.predictionLength),
      history: { timestamps: task.timestamps, values: task.targets[ref.variate].subarray(0, cut) },
      actual: run.actuals ? run.actuals[ref.task][ref.variate] : null,
      frequency,
    };
  }, [run, seriesIndex, frequency]);
  return useMemo(() => {
    if (!base) return null;
    const steps = displayedSteps(base.run, horizon);
    return { ...base, steps, forecast: seriesForecast(base.run, base.ref, steps) };
  }, [base, horizon]);
}

/** The target series of the current tasks (for the series picker). */
export function useSeriesRefs(): SeriesRef[] {
  const tasks = useAppStore((s) => s.tasks);
  return useMemo(() => seriesRefs(tasks), [tasks]);
}

/** History of the selected series before any forecast of it exists (drawn while the first run computes). */
export interface HistoryView {
  ref: SeriesRef;
  history: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
  frequency: Frequency;
}

/** The selected series' history (in a backtest, without the points to be held out), or null without data. */
export function useHistoryView(): HistoryView | null {
  const tasks = useAppStore((s) => s.tasks);
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const frequency = useAppStore((s) => s.seriesSet?.frequency ?? null);
  const holdout = useAppStore((s) => (s.backtest ? s.horizon : 0));
  const view = useMemo(() => {
    if (!frequency || tasks.length === 0) return null;
    const refs = seriesRefs(tasks);
    const ref = refs[Math.min(seriesIndex, refs.length - 1)];
    if (!ref) return null;
    const task = tasks[ref.task];
    const cut = Math.max(1, task.timestamps.length - holdout);
    return { ref, history: { timestamps: task.timestamps, values: task.targets[ref.variate].subarray(0, cut) }, frequency };
  }, [tasks, seriesIndex, frequency, holdout]);
  // Deferred: a new file's history is drawn in its own, interruptible render after the data panel's.
  return useDeferredValue(view);
}

// Schedules model runs for the chart. A run is keyed by the data, the settings and the horizon's patch bucket
// (forecast mode) or the holdout (backtest mode); a horizon inside the cached run's bucket needs no run, the
// view slices it. Otherwise a run is scheduled (debounced while the slider moves), sent with one supersede
// key so the engine cancels older runs, and painted only if it is still the latest one asked for. The
// previous forecast stays on screen meanwhile.
import type { AppState } from './store';
import { useAppStore } from './store';
import { bucketLength } from './forecast-view';
import { prepareBacktest, prepareRun, type PreparedBacktest } from './dataset';
import { backtestCutoffs, MIN_BACKTEST_HISTORY, type BacktestSpec } from '../eval/backtest';
import { backtestItems } from '../eval/run';
import type { QuantileForecast } from '../forecast/pipeline';
import type { ForecastResult } from '../worker/engine-api';
import type { CachedRun } from './slices/forecast-slice';
import { describeError } from './errors';
import { getEngine } from './engine';
import { whenIdle } from './when-idle';

const get = useAppStore.getState;
const set = useAppStore.setState;

/** All chart runs share this key: a newer one cancels an older one in the engine. */
const SUPERSEDE_KEY = 'chart';
/** Longest wait for an idle page before a backtest's baselines are computed anyway (ms). */
const BASELINES_IDLE_TIMEOUT_MS = 500;
/** Delay before a run while the horizon slider moves, ms. */
export const DEBOUNCE_MS = 150;

let timer: ReturnType<typeof setTimeout> | null = null;
/** Key of the run the UI currently wants; a finished run with another key is never painted. */
let wantedKey: string | null = null;
/** The run in flight, so it can be cancelled when nothing wants it any more. */
let inflight: { key: string; controller: AbortController } | null = null;

/** Cancels the run in flight unless it computes `key`. */
function cancelInflight(except: string | null): void {
  if (inflight && inflight.key !== except) {
    inflight.controller.abort();
    inflight = null;
  }
}

/** Identity of the inputs except the horizon: same data, model and settings. */
export function baseKey(
  s: Pick<AppState, 'dataVersion' | 'modelVersion' | 'crossLearning' | 'backtest' | 'backtestWindows' | 'backtestStep'>,
): string {
  const windows = s.backtest ? `|w${s.backtestWindows}s${s.backtestStep ?? 'h'}` : '';
  return `d${s.dataVersion}|m${s.modelVersion}|x${s.crossLearning ? 1 : 0}|b${s.backtest ? 1 : 0}${windows}`;
}

/** The backtest the settings ask for: `backtestWindows` windows of `horizon` steps. */
export function backtestSpec(s: Pick<AppState, 'horizon' | 'backtestWindows' | 'backtestStep'>): BacktestSpec {
  return { h: s.horizon, windows: s.backtestWindows, step: s.backtestStep ?? s.horizon };
}

/** Identity of the run the current state needs, or null when no run is possible (no data or model). */
export function wantedRunKey(s: AppState): string | null {
  if (!s.model || s.tasks.length === 0) return null;
  const span = s.backtest ? `h${s.horizon}` : `n${bucketLength(s.horizon, s.model.patchSize)}`;
  return `${baseKey(s)}|${span}`;
}

/** Cancels scheduled runs (new data arrives; the old runs' results would be dropped anyway). */
export function resetForecasts(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  wantedKey = null;
  cancelInflight(null);
  set({ forecasting: false, inferenceProgress: null });
}

/**
 * Makes sure the chart will show a forecast for the current state: nothing to do when the cached run covers
 * it, else a run after `DEBOUNCE_MS` (or at once with `immediate`).
 */
export function requestForecast(options: { immediate?: boolean } = {}): void {
  const s = get();
  const key = wantedRunKey(s);
  if (key === null || s.run?.key === key) {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    wantedKey = key;
    cancelInflight(null);
    if (s.forecasting) set({ forecasting: false, inferenceProgress: null });
    return;
  }
  if (inflight?.key === key) {
    // The run in flight is the one wanted (the slider came back to its bucket).
    if (timer !== null) clearTimeout(timer);
    timer = null;
    wantedKey = key;
    if (!s.forecasting) set({ forecasting: true });
    return;
  }
  wantedKey = key;
  if (timer !== null) clearTimeout(timer);
  if (!s.forecasting) set({ forecasting: true });
  timer = setTimeout(
    () => {
      timer = null;
      void execute();
    },
    options.immediate ? 0 : DEBOUNCE_MS,
  );
}

async function execute(): Promise<void> {
  const s = get();
  const key = wantedRunKey(s);
  if (key === null || !s.model || !s.seriesSet) {
    set({ forecasting: false });
    return;
  }
  wantedKey = key;
  if (inflight?.key === key) return;
  const holdout = s.backtest ? s.horizon : null;
  const predictionLength = s.backtest ? s.horizon : bucketLength(s.horizon, s.model.patchSize);
  const tasks = s.tasks;
  const frequency = s.seriesSet.frequency;
  const futureNames = s.seriesSet.futureCovariateNames;
  let prepared;
  let windows: PreparedBacktest | null = null;
  const spec = backtestSpec(s);
  try {
    prepared = prepareRun(tasks, frequency, holdout, predictionLength, s.model.contextLength, futureNames);
    if (s.backtest) {
      const cutoffsOf = (length: number, task: { names: string[] }) =>
        backtestCutoffs(length, spec, MIN_BACKTEST_HISTORY, task.names.join(', '));
      windows = prepareBacktest(tasks, frequency, spec.h, cutoffsOf, s.model.contextLength, futureNames);
    }
  } catch (e) {
    set({ forecasting: false });
    set({ error: describeError(e, 'forecast') });
    return;
  }
  set({ inferenceProgress: null });
  const controller = new AbortController();
  inflight = { key, controller };
  const call = (dicts: typeof prepared.dicts): Promise<ForecastResult> =>
    getEngine().forecast(
      { tasks: dicts, predictionLength, crossLearning: s.crossLearning, supersedeKey: SUPERSEDE_KEY },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'inference' && wantedKey === key) set({ inferenceProgress: { done: p.done, total: p.total } });
        },
      },
    );
  try {
    let result: ForecastResult;
    let backtest: CachedRun['backtest'] = null;
    if (windows) {
      // One call for every window of every task; with cross-learning, each window on its own, so that no window
      // sees the later history of another (which would leak its actuals).
      const all: QuantileForecast[] = new Array(windows.entries.length);
      const groups = s.crossLearning
        ? [...new Set(windows.entries.map((e) => e.window))].map((w) => windows!.entries.flatMap((e, i) => (e.window === w ? [i] : [])))
        : [windows.entries.map((_, i) => i)];
      let last: ForecastResult | null = null;
      let inferenceMs = 0;
      let modelCalls = 0;
      for (const indices of groups) {
        last = await call(indices.map((i) => windows!.dicts[i]));
        last.forecasts.forEach((f, k) => (all[indices[k]] = f));
        inferenceMs += last.inferenceMs;
        modelCalls += last.modelCalls;
      }
      // The chart's fan is each task's last window (the one `prepared` describes).
      const lastOfTask = tasks.map((_, t) => {
        let index = -1;
        windows!.entries.forEach((e, i) => {
          if (e.task === t) index = i;
        });
        return all[index];
      });
      result = { ...(last as ForecastResult), forecasts: lastOfTask, inferenceMs, modelCalls };
      backtest = { spec, prepared: windows, forecasts: all };
    } else {
      result = await call(prepared.dicts);
    }
    if (inflight?.controller === controller) inflight = null;
    if (wantedKey !== key) return;
    set((state) => ({
      run: {
        key,
        baseKey: baseKey(s),
        predictionLength,
        holdout,
        result,
        tasks,
        cuts: prepared.cuts,
        forecastTimestamps: prepared.forecastTimestamps,
        actuals: prepared.actuals,
        backtest,
      },
      baselines: backtest ? { runKey: key, result: null, error: null } : null,
      forecasting: false,
      inferenceProgress: null,
      lastInferenceMs: result.inferenceMs,
      // The engine may fall back from WebGPU to WASM during a run; the status bar follows.
      model: state.model ? { ...state.model, backend: result.backend } : state.model,
    }));
    // The baselines wait until the new chart is drawn: on a 2-core machine, their WASM in the worker would take
    // the CPU from the page while it draws (docs/benchmarks.md, the first forecast's long tasks).
    if (backtest) {
      const windowsOfRun = backtest.prepared;
      void whenIdle(BASELINES_IDLE_TIMEOUT_MS).then(() => computeRunBaselines(key, tasks, windowsOfRun, result, frequency, s.seasonOverride, controller.signal));
    }
    // A series the model could not take failed alone: the others are shown, and the alert names it.
    const failed = result.forecasts.flatMap((f, i) => (f.error ? [`${tasks[i]?.names.join(', ') ?? `Series ${i + 1}`}: ${f.error}`] : []));
    if (failed.length > 0) {
      set({ error: { name: 'SeriesValueError', title: failed.length === 1 ? 'One series could not be forecast' : `${failed.length} series could not be forecast`, message: failed.join(' ') } });
    }
    // The state may have moved on while this ran (e.g. the slider crossed another bucket).
    requestForecast({ immediate: true });
  } catch (e) {
    if (inflight?.controller === controller) inflight = null;
    const name = e instanceof Error ? e.name : '';
    if (name === 'AbortError' || name === 'ModelChangedError' || name === 'EngineDisposedError') return;
    if (wantedKey !== key) return;
    wantedKey = null;
    set({ forecasting: false, inferenceProgress: null, error: describeError(e, 'forecast') });
  }
}

/** Forecasts the baselines of every backtest window in the worker and stores them with the run's key. */
async function computeRunBaselines(
  key: string,
  tasks: AppState['tasks'],
  prepared: PreparedBacktest,
  result: ForecastResult,
  frequency: NonNullable<AppState['seriesSet']>['frequency'],
  season: number | null,
  signal: AbortSignal,
): Promise<void> {
  const items = backtestItems(tasks, prepared, (name) => name);
  const levels = [...(result.forecasts[0]?.quantileLevels ?? [])].sort((a, b) => a - b);
  try {
    const baselines = await getEngine().baselines(
      { trains: items.map((i) => i.train), h: prepared.actuals[0]?.[0]?.length ?? 0, levels, frequency, ...(season ? { season } : {}) },
      { signal },
    );
    if (get().run?.key === key) set({ baselines: { runKey: key, result: baselines, error: null } });
  } catch (e) {
    if (get().run?.key !== key || (e instanceof Error && e.name === 'AbortError')) return;
    set({ baselines: { runKey: key, result: null, error: e instanceof Error ? e.message : String(e) } });
  }
}

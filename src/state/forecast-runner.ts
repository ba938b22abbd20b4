// Schedules model runs for the chart. A run is keyed by the data, the settings and the horizon's patch bucket
// (forecast mode) or the holdout (backtest mode); a horizon inside the cached run's bucket needs no run, the
// view slices it. Otherwise a run is scheduled (debounced while the slider moves), sent with one supersede
// key so the engine cancels older runs, and painted only if it is still the latest one asked for. The
// previous forecast stays on screen meanwhile.
import type { AppState } from './store';
import { useAppStore } from './store';
import { bucketLength } from './forecast-view';
import { prepareRun } from './dataset';
import { describeError } from './errors';
import { getEngine } from './engine';

const get = useAppStore.getState;
const set = useAppStore.setState;

/** All chart runs share this key: a newer one cancels an older one in the engine. */
const SUPERSEDE_KEY = 'chart';
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
export function baseKey(s: Pick<AppState, 'dataVersion' | 'modelVersion' | 'crossLearning' | 'backtest'>): string {
  return `d${s.dataVersion}|m${s.modelVersion}|x${s.crossLearning ? 1 : 0}|b${s.backtest ? 1 : 0}`;
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
  let prepared;
  try {
    prepared = prepareRun(tasks, s.seriesSet.frequency, holdout, predictionLength, s.model.contextLength, s.seriesSet.futureCovariateNames);
  } catch (e) {
    set({ forecasting: false });
    set({ error: describeError(e, 'forecast') });
    return;
  }
  set({ inferenceProgress: null });
  const controller = new AbortController();
  inflight = { key, controller };
  try {
    const result = await getEngine().forecast(
      { tasks: prepared.dicts, predictionLength, crossLearning: s.crossLearning, supersedeKey: SUPERSEDE_KEY },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'inference' && wantedKey === key) set({ inferenceProgress: { done: p.done, total: p.total } });
        },
      },
    );
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
      },
      forecasting: false,
      inferenceProgress: null,
      lastInferenceMs: result.inferenceMs,
      // The engine may fall back from WebGPU to WASM during a run; the status bar follows.
      model: state.model ? { ...state.model, backend: result.backend } : state.model,
    }));
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

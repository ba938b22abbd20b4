// Every state change of the app, as plain module-level functions over the store: starting up, reading a file,
// choosing column roles, changing forecast settings, and scheduling model runs (model choices live in
// model-actions.ts). Components call these; the engine client's callbacks call them too, without hooks.
import { CsvParseError } from '../data/errors';
import type { ParsedTable } from '../data/csv';
import { buildSeries, type SeriesSelection, type SeriesSet } from '../data/table';
import type { TableReading } from '../data/table-reading';
import type { BackendPreference } from '../runtime/backend';
import type { Frequency } from '../data/timestamps';
import type { WorkerClientEvent } from '../worker/client';
import { getEngine, onEngineEvent } from './engine';
import { buildTasks } from './dataset';
import { describeError } from './errors';
import { clampHorizon, defaultHorizon } from './horizon';
import { absoluteUrl, loadModel, startModels } from './model-actions';
import { requestForecast, resetForecasts } from './forecast-runner';
import { nextTask } from './when-idle';
import { useAppStore } from './store';
import type { AppError, HistoryWindow } from './slices/ui-slice';

const get = useAppStore.getState;
const set = useAppStore.setState;

/** Most rolling-origin backtest windows the app offers. */
export const MAX_BACKTEST_WINDOWS = 20;

/** The demo dataset shipped with the app. */
export const EXAMPLE_CSV_PATH = 'airline-passengers.csv';

// ---------------------------------------------------------------------------------------------------------
// Errors

/** Shows an error in the alert banner. */
export function showError(error: AppError): void {
  set({ error });
}

/** Hides the alert banner. */
export function clearError(): void {
  set({ error: null });
}

// ---------------------------------------------------------------------------------------------------------
// Model

/** Switches the backend (Auto / WebGPU / WASM), records it in the URL and reloads the model on it. */
export function setBackendPreference(preference: BackendPreference): void {
  // A "WebGPU is not available" alert is about the previous choice: it goes with it.
  set((s) => ({ backendPreference: preference, ...(s.error?.name === 'BackendUnavailableError' ? { error: null } : {}) }));
  const url = new URL(window.location.href);
  if (preference === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', preference);
  window.history.replaceState(null, '', url);
  void loadModel(preference);
}

function onWorkerEvent(event: WorkerClientEvent): void {
  switch (event.type) {
    case 'worker-restarted':
      set({ modelPhase: { phase: 'loading', step: 'The worker stopped; restarting it' } });
      return;
    case 'model-reloaded':
      set((s) => ({ model: event.status, modelPhase: { phase: 'ready' }, modelVersion: s.modelVersion + 1 }));
      requestForecast({ immediate: true });
      return;
    case 'model-reload-failed':
    case 'worker-failed': {
      const message = event.type === 'worker-failed' ? event.reason : event.error.message;
      set({ modelPhase: { phase: 'error', message } });
      showError({
        title: 'The forecasting worker stopped',
        message: `${message} Reload the page, or choose WASM in Backend.`,
      });
      return;
    }
  }
}

/**
 * Starts the app: reads `?backend=` (and `?model=`) from the URL and loads the model. Resolves when that first
 * load has settled (ready or failed).
 */
export function initApp(): Promise<void> {
  onEngineEvent(onWorkerEvent);
  // The worker starts now, so its script loads and its runtime starts while the page renders for the first time.
  getEngine();
  const requested = new URLSearchParams(window.location.search).get('backend');
  const preference: BackendPreference = requested === 'wasm' || requested === 'webgpu' ? requested : 'auto';
  set({ backendPreference: preference });
  // startModels shows load failures itself; anything else is a bug, reported in the console, not swallowed.
  return startModels(preference).catch((e: unknown) => console.error('starting the models failed', e));
}

// ---------------------------------------------------------------------------------------------------------
// Data

let parseController: AbortController | null = null;

/** Options applied after a table is loaded. */
interface AfterLoad {
  backtest?: boolean;
  horizon?: number;
  /** How to read `NN/NN/YYYY` dates whose day and month cannot be told apart. */
  dateOrder?: 'dmy' | 'mdy';
}

/** The last file read successfully, kept to read it again with other options (date order). */
let lastFile: { file: Blob; name: string } | null = null;

/** Reads a CSV file (in the worker) and, when it can be used, makes it the current data. */
export async function loadFile(file: Blob, name: string, after: AfterLoad = {}): Promise<void> {
  parseController?.abort();
  const controller = new AbortController();
  parseController = controller;
  set({ parseProgress: { loaded: 0, total: file.size }, error: null });
  try {
    const options = after.dateOrder ? { signal: controller.signal, dateOrder: after.dateOrder } : { signal: controller.signal };
    // The worker parses the file and reads it too (schema, description, series): none of that runs here.
    const { table, reading } = await getEngine().readCsv(file, options, (p) => {
      if (parseController === controller) set({ parseProgress: { loaded: p.loaded, total: p.total } });
    });
    // The message's task unpacks the file's table and series (a quarter of a 73 ms task for 373,000 rows in a
    // sampled profile); the page's render of the new data (about a third of it) comes in the next task.
    await nextTask();
    if (parseController !== controller) return;
    lastFile = { file, name };
    set({ dateOrder: after.dateOrder ?? null });
    applyTable(table, reading, { name, size: file.size }, after);
  } catch (e) {
    if (parseController !== controller) return;
    if (e instanceof CsvParseError && e.code === 'aborted') return;
    showError(describeError(e, 'file', name));
  } finally {
    if (parseController === controller) {
      parseController = null;
      set({ parseProgress: null });
    }
  }
}

/** Loads the bundled airline-passengers example as a 12-month backtest (train 1949–1959, forecast 1960). */
export async function loadExample(): Promise<void> {
  try {
    const response = await fetch(absoluteUrl(EXAMPLE_CSV_PATH));
    if (!response.ok) throw new Error(`HTTP ${response.status} while loading ${EXAMPLE_CSV_PATH}`);
    const blob = await response.blob();
    await loadFile(blob, EXAMPLE_CSV_PATH, { backtest: true, horizon: 12 });
  } catch (e) {
    showError(describeError(e, 'file', EXAMPLE_CSV_PATH));
  }
}

/** Reads the current file again with day-first or month-first dates (for ambiguous `NN/NN/YYYY` columns). */
export function setDateOrder(dateOrder: 'dmy' | 'mdy'): void {
  if (lastFile) void loadFile(lastFile.file, lastFile.name, { dateOrder, backtest: get().backtest });
}

function applyTable(table: ParsedTable, reading: TableReading, source: { name: string; size: number }, after: AfterLoad): void {
  const { schema, description, selection } = reading;
  set({
    source,
    table,
    schema,
    description,
    selection,
    seriesIndex: 0,
    backtest: after.backtest ?? false,
    error: null,
  });
  // The series may not build (duplicate timestamps, ...): the preview stays, and the alert says why.
  adoptSeries(reading.seriesSet !== null ? { seriesSet: reading.seriesSet } : { error: reading.seriesError }, after.horizon ?? 'default');
}

/**
 * Builds series and tasks from the current table and selection (after the user changed a column's role), then
 * forecasts.
 * @param horizon The horizon to keep, or 'default' for one that suits the data's frequency.
 */
function rebuildSeries(horizon: number | 'default'): void {
  const { table, selection } = get();
  if (!table || !selection) return;
  let built: { seriesSet: SeriesSet } | { error: unknown };
  try {
    built = { seriesSet: buildSeries(table, selection) };
  } catch (error) {
    built = { error };
  }
  adoptSeries(built, horizon);
}

/** Makes a set of series (or the error of building it) the current data, and forecasts it. */
function adoptSeries(built: { seriesSet: SeriesSet } | { error: unknown }, horizon: number | 'default'): void {
  resetForecasts();
  const fail = (e: unknown) => {
    set((s) => ({ seriesSet: null, tasks: [], run: null, dataVersion: s.dataVersion + 1 }));
    showError(describeError(e, 'selection', get().source?.name));
  };
  if ('error' in built) return fail(built.error);
  const seriesSet = built.seriesSet;
  try {
    const tasks = buildTasks(seriesSet, get().multivariate);
    set((s) => ({
      seriesSet,
      tasks,
      dataVersion: s.dataVersion + 1,
      seriesIndex: 0,
      run: null,
    }));
    const wanted = horizon === 'default' ? defaultHorizon(seriesSet.frequency) : horizon;
    set((s) => ({ horizon: clampHorizon(s, wanted) }));
    requestForecast({ immediate: true });
  } catch (e) {
    fail(e);
  }
}

/** What a column is used for. */
export type ColumnRoleChoice = 'target' | 'covariate' | 'timestamp' | 'id' | 'ignore';

/** Gives a column a role (one timestamp and one id column at most; the previous one is ignored then). */
export function setColumnRole(column: string, role: ColumnRoleChoice): void {
  const current = get().selection;
  if (!current) return;
  const order = get().table?.columns.map((c) => c.name) ?? [];
  const byFileOrder = (names: string[]) => [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const next: SeriesSelection = {
    targetColumns: current.targetColumns.filter((c) => c !== column),
    covariateColumns: current.covariateColumns.filter((c) => c !== column),
  };
  if (current.timestampColumn !== undefined && current.timestampColumn !== column) next.timestampColumn = current.timestampColumn;
  if (current.idColumn !== undefined && current.idColumn !== column) next.idColumn = current.idColumn;
  switch (role) {
    case 'target':
      next.targetColumns = byFileOrder([...next.targetColumns, column]);
      break;
    case 'covariate':
      next.covariateColumns = byFileOrder([...next.covariateColumns, column]);
      break;
    case 'timestamp':
      next.timestampColumn = column;
      break;
    case 'id':
      next.idColumn = column;
      break;
    case 'ignore':
      break;
  }
  set({ selection: next, error: null });
  rebuildSeries(get().horizon);
}

// ---------------------------------------------------------------------------------------------------------
// Forecast settings

/** Sets the forecast horizon (slider). Inside the cached run's patch bucket this only re-slices. */
export function setHorizon(horizon: number): void {
  set((s) => ({ horizon: clampHorizon(s, horizon) }));
  requestForecast();
}

/** Turns backtest mode (hold out the last h points) on or off. */
export function setBacktest(backtest: boolean): void {
  set({ backtest });
  set((s) => ({ horizon: clampHorizon(s, s.horizon) }));
  requestForecast({ immediate: true });
}

/** Sets the number of rolling-origin backtest windows (1 = one holdout). */
export function setBacktestWindows(windows: number): void {
  set({ backtestWindows: Math.max(1, Math.min(MAX_BACKTEST_WINDOWS, Math.round(windows) || 1)) });
  requestForecast({ immediate: true });
}

/** Sets the steps between backtest cutoffs (null: the horizon, windows side by side). */
export function setBacktestStep(step: number | null): void {
  set({ backtestStep: step === null || !Number.isFinite(step) || step < 1 ? null : Math.round(step) });
  requestForecast({ immediate: true });
}

/** Sets the season of the baselines and the MASE (null: from the frequency, or estimated for steps). */
export function setSeasonOverride(season: number | null): void {
  set({ seasonOverride: season === null || !Number.isFinite(season) || season < 1 ? null : Math.round(season) });
  // The baselines depend on the season: run the backtest again.
  set((s) => ({ dataVersion: s.dataVersion + 1 }));
  requestForecast({ immediate: true });
}

/**
 * Places the rows of a file without a time column on a calendar: the frequency and the time of the first row
 * (e.g. monthly from 1949-01), or plain steps again with null.
 */
export function setFrequencyAndStart(frequency: Frequency | null, start: string | null): void {
  const current = get().selection;
  if (!current) return;
  const next: SeriesSelection = { ...current };
  delete next.frequency;
  delete next.start;
  if (frequency && start) {
    next.frequency = frequency;
    next.start = start;
  }
  set({ selection: next, error: null });
  rebuildSeries('default');
}

/** Forecasts the targets of one series id jointly (one multivariate task) or each on its own. */
export function setMultivariate(multivariate: boolean): void {
  const { seriesSet } = get();
  set({ multivariate });
  if (!seriesSet) return;
  const tasks = buildTasks(seriesSet, multivariate);
  set((s) => ({ tasks, dataVersion: s.dataVersion + 1, seriesIndex: 0 }));
  set((s) => ({ horizon: clampHorizon(s, s.horizon) }));
  requestForecast({ immediate: true });
}

/** Lets the tasks of a batch attend to each other (cross-learning). */
export function setCrossLearning(crossLearning: boolean): void {
  set({ crossLearning });
  requestForecast({ immediate: true });
}

// ---------------------------------------------------------------------------------------------------------
// View

/** Picks the series the chart shows. */
export function setSeriesIndex(index: number): void {
  set({ seriesIndex: index });
}

/** Shows recent history only, or all of it. */
export function setHistoryWindow(window: HistoryWindow): void {
  set({ historyWindow: window });
}

/** Drag-and-drop feedback. */
export function setDragActive(active: boolean): void {
  if (get().dragActive !== active) set({ dragActive: active });
}

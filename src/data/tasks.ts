// Between the data layer's series and the engine: groups series into forecasting tasks (one per series, or
// several targets jointly when multivariate is on), aligns them on one time grid, cuts off a holdout for
// backtests, and builds the pipeline's list-of-dicts input. Pure functions, so what the chart shows and what
// the model sees are derived from the same values.
import type { TaskDict } from '../forecast/inputs';
import type { ForecastSeries, SeriesSet } from './table';
import { addPeriods, futureTimestamps, type Frequency } from './timestamps';

/** Covariate values: numbers (NaN missing) or text ('' missing). */
export type CovariateArray = number[] | string[];

/** One forecasting task: one or more target series on a shared time grid, with their covariates. */
export interface UiTask {
  /** Label of each target variate (the data layer's series id). */
  names: string[];
  /** Grid timestamps of the history (UTC ms, or step numbers). */
  timestamps: number[];
  /** `[variates][T]`, NaN missing. */
  targets: Float64Array[];
  /** Every covariate over `timestamps`. */
  past: Record<string, CovariateArray>;
  /** Timestamps after the history at which known-future covariates have values. */
  knownFutureTimestamps: number[];
  /** Known-future covariates over `knownFutureTimestamps`. */
  future: Record<string, CovariateArray>;
}

/** One target series as the chart and exports address it. */
export interface SeriesRef {
  name: string;
  task: number;
  variate: number;
}

/** Largest grid a multivariate alignment may create (guards against far-apart series). */
const MAX_ALIGNED_LENGTH = 5_000_000;

function isText(values: CovariateArray): values is string[] {
  return values.length > 0 && typeof values[0] === 'string';
}

function emptyLike(values: CovariateArray, length: number): CovariateArray {
  return isText(values) ? new Array<string>(length).fill('') : new Array<number>(length).fill(NaN);
}

function isMissing(value: number | string): boolean {
  return typeof value === 'string' ? value === '' : Number.isNaN(value);
}

/** A task of a single series, as the data layer built it. */
function singleTask(s: ForecastSeries): UiTask {
  return {
    names: [s.id],
    timestamps: s.timestamps,
    targets: [s.target],
    past: s.pastCovariates,
    knownFutureTimestamps: s.futureTimestamps,
    future: s.futureCovariates,
  };
}

/**
 * Joins series into one task on the grid from the earliest first to the latest last value; a series that
 * starts later or ends earlier gets NaN there. Covariates take the first value any series has at a time.
 */
export function alignSeries(group: readonly ForecastSeries[], frequency: Frequency): UiTask {
  if (group.length === 1) return singleTask(group[0]);
  const start = Math.min(...group.map((s) => s.timestamps[0]));
  const end = Math.max(...group.map((s) => s.timestamps[s.timestamps.length - 1]));
  const timestamps: number[] = [];
  for (let t = start, k = 0; t <= end && k < MAX_ALIGNED_LENGTH; k++, t = addPeriods(start, frequency, k)) {
    timestamps.push(t);
  }
  const index = new Map<number, number>(timestamps.map((t, i) => [t, i]));
  const targets = group.map((s) => {
    const row = new Float64Array(timestamps.length).fill(NaN);
    s.timestamps.forEach((t, i) => {
      const k = index.get(t);
      if (k !== undefined) row[k] = s.target[i];
    });
    return row;
  });

  const past: Record<string, CovariateArray> = {};
  const names = Object.keys(group[0].pastCovariates);
  for (const name of names) {
    const out = emptyLike(group[0].pastCovariates[name], timestamps.length);
    const put = (t: number, v: number | string): void => {
      const k = index.get(t);
      if (k !== undefined && isMissing(out[k]) && !isMissing(v)) (out as (number | string)[])[k] = v;
    };
    for (const s of group) {
      s.timestamps.forEach((t, i) => put(t, s.pastCovariates[name][i]));
      const fut = s.futureCovariates[name];
      if (fut) s.futureTimestamps.forEach((t, i) => put(t, fut[i]));
    }
    past[name] = out;
  }

  // Known future: rows after the joint end, from whichever series carries them.
  const futureNames = Object.keys(group[0].futureCovariates);
  const futureTs = [...new Set(group.flatMap((s) => s.futureTimestamps.filter((t) => t > end)))].sort((a, b) => a - b);
  const futureIndex = new Map<number, number>(futureTs.map((t, i) => [t, i]));
  const future: Record<string, CovariateArray> = {};
  for (const name of futureNames) {
    const out = emptyLike(group[0].futureCovariates[name], futureTs.length);
    for (const s of group) {
      const values = s.futureCovariates[name];
      s.futureTimestamps.forEach((t, i) => {
        const k = futureIndex.get(t);
        if (k !== undefined && isMissing(out[k]) && !isMissing(values[i])) (out as (number | string)[])[k] = values[i];
      });
    }
    future[name] = out;
  }
  return {
    names: group.map((s) => s.id),
    timestamps,
    targets,
    past,
    knownFutureTimestamps: futureTs,
    future,
  };
}

/**
 * Groups the series into tasks. Multivariate: the targets of one series id (long tables) or all targets
 * (wide tables) form one task; otherwise every series is its own task.
 */
export function buildTasks(set: SeriesSet, multivariate: boolean): UiTask[] {
  if (!multivariate) return set.series.map(singleTask);
  const groups = new Map<string, ForecastSeries[]>();
  for (const s of set.series) {
    const key = s.groupId ?? '';
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  return [...groups.values()].map((g) => alignSeries(g, set.frequency));
}

/** The flat list of target series over tasks, in task order. */
export function seriesRefs(tasks: readonly UiTask[]): SeriesRef[] {
  return tasks.flatMap((task, t) => task.names.map((name, v) => ({ name, task: t, variate: v })));
}

/** Whether any task has more than one target (so multivariate changes something). */
export function canBeMultivariate(set: SeriesSet): boolean {
  const seen = new Set<string>();
  for (const s of set.series) {
    const key = s.groupId ?? '';
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Shortest history over tasks. */
export function shortestHistory(tasks: readonly UiTask[]): number {
  return tasks.length === 0 ? 0 : Math.min(...tasks.map((t) => t.timestamps.length));
}

/** A task as the model sees it for one run, plus what the chart needs to draw it. */
export interface PreparedRun {
  /** Pipeline input, one dict per task. */
  dicts: TaskDict[];
  /** Per task: the history length before the forecast (T, or T − holdout in a backtest). */
  cuts: number[];
  /** Per task: timestamps of the forecast steps (predictionLength of them). */
  forecastTimestamps: number[][];
  /** Per task, backtest only: `[variates][holdout]` held-out actual values. */
  actuals: Float64Array[][] | null;
}

function toCovariate(values: CovariateArray): Float64Array | (string | null)[] {
  return isText(values) ? values.map((v) => (v === '' ? null : v)) : Float64Array.from(values);
}

/** `values[from, to)` padded with missing values up to `length`. */
function window(values: CovariateArray, from: number, to: number, length: number): CovariateArray {
  const out = emptyLike(values, length);
  for (let i = from; i < Math.min(to, values.length) && i - from < length; i++) {
    (out as (number | string)[])[i - from] = values[i];
  }
  return out;
}

/**
 * Builds the model input of every task and the matching chart data.
 * @param holdout Backtest: the number of final history steps to hold out and forecast; null to forecast the future.
 * @param predictionLength Steps to request from the model (≥ holdout).
 * @param contextLength Most history sent to the model (the model's context length; older values are not used).
 * @param futureNames Covariates whose future values are known (given to the model over the forecast steps).
 */
export function prepareRun(
  tasks: readonly UiTask[],
  frequency: Frequency,
  holdout: number | null,
  predictionLength: number,
  contextLength: number,
  futureNames: readonly string[],
): PreparedRun {
  const dicts: TaskDict[] = [];
  const cuts: number[] = [];
  const forecastTimestamps: number[][] = [];
  const actuals: Float64Array[][] = [];
  for (const task of tasks) {
    const T = task.timestamps.length;
    const cut = holdout === null ? T : T - holdout;
    const from = Math.max(0, cut - contextLength);
    const targets = task.targets.map((row) => row.slice(from, cut));
    const past: Record<string, Float64Array | (string | null)[]> = {};
    for (const [name, values] of Object.entries(task.past)) past[name] = toCovariate(values.slice(from, cut) as CovariateArray);

    const future: Record<string, Float64Array | (string | null)[]> = {};
    for (const name of futureNames) {
      const hist = task.past[name];
      if (!hist) continue;
      let values: CovariateArray;
      if (holdout === null) {
        const known = task.future[name] ?? emptyLike(hist, 0);
        values = window(known, 0, known.length, predictionLength);
      } else {
        // The held-out covariate values, then the known future after the history.
        const joined = [...hist.slice(cut), ...(task.future[name] ?? [])] as CovariateArray;
        values = window(joined, 0, joined.length, predictionLength);
      }
      future[name] = toCovariate(values);
    }

    const dict: TaskDict = { target: targets.length === 1 ? targets[0] : targets };
    if (Object.keys(past).length > 0) dict.past_covariates = past;
    if (Object.keys(future).length > 0) dict.future_covariates = future;
    dicts.push(dict);
    cuts.push(cut);
    const last = task.timestamps[cut - 1];
    forecastTimestamps.push(
      holdout === null
        ? futureTimestamps(last, frequency, predictionLength)
        : [...task.timestamps.slice(cut), ...futureTimestamps(task.timestamps[T - 1], frequency, predictionLength - holdout)],
    );
    if (holdout !== null) actuals.push(task.targets.map((row) => row.slice(cut)));
  }
  return { dicts, cuts, forecastTimestamps, actuals: holdout === null ? null : actuals };
}

/** The task as it was known after its first `length` time steps (a backtest window's view of the data). */
export function truncateTask(task: UiTask, length: number): UiTask {
  if (length >= task.timestamps.length) return task;
  const past: Record<string, CovariateArray> = {};
  for (const [name, values] of Object.entries(task.past)) past[name] = values.slice(0, length) as CovariateArray;
  return {
    names: task.names,
    timestamps: task.timestamps.slice(0, length),
    targets: task.targets.map((row) => row.slice(0, length)),
    past,
    knownFutureTimestamps: [],
    future: {},
  };
}

/** One (task, window) of a backtest run. */
export interface BacktestEntry {
  task: number;
  /** 0-based window (0 is the earliest). */
  window: number;
  /** History length of the window: steps [0, cutoff) are known, [cutoff, cutoff + h) are forecast and scored. */
  cutoff: number;
}

/** The model input of a rolling-origin backtest: one dict per (task, window), and which is which. */
export interface PreparedBacktest {
  dicts: TaskDict[];
  entries: BacktestEntry[];
  /** Per entry: timestamps of the h forecast steps. */
  forecastTimestamps: number[][];
  /** Per entry: `[variates][h]` actual values of the window. */
  actuals: Float64Array[][];
}

/**
 * Builds every window of a rolling-origin backtest (cutoffs from `cutoffsOf`, e.g. src/eval's `backtestCutoffs`):
 * each window is the task truncated to `cutoff + h` steps and forecast with the last h held out, so its input is
 * exactly that of a separate run on the data up to the cutoff (covariates of the window's steps given as known,
 * as they are in the file).
 */
export function prepareBacktest(
  tasks: readonly UiTask[],
  frequency: Frequency,
  h: number,
  cutoffsOf: (length: number, task: UiTask) => number[],
  contextLength: number,
  futureNames: readonly string[],
): PreparedBacktest {
  const out: PreparedBacktest = { dicts: [], entries: [], forecastTimestamps: [], actuals: [] };
  tasks.forEach((task, t) => {
    cutoffsOf(task.timestamps.length, task).forEach((cutoff, window) => {
      const run = prepareRun([truncateTask(task, cutoff + h)], frequency, h, h, contextLength, futureNames);
      out.dicts.push(run.dicts[0]);
      out.entries.push({ task: t, window, cutoff });
      out.forecastTimestamps.push(run.forecastTimestamps[0]);
      out.actuals.push(run.actuals?.[0] ?? []);
    });
  });
  return out;
}

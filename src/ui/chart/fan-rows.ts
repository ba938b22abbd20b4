// The fan chart's data, as plain rows, and its split into the layers the chart draws separately: the history
// (with the axes), the fan (intervals and median) and the overlays (held-out actuals, earlier windows' medians).
// Why split: recharts recomputes and re-renders every item of a chart whenever that chart's data changes, in one
// task; three smaller charts updated in three frames keep each task short (ui/chart/use-layer-stages.ts).
import { levelRow, type SeriesForecast } from '../../state/forecast-view';
import { valueAxis, type ValueAxis } from './value-ticks';

/** Most points drawn for history; longer histories are thinned evenly (the last point is always kept). */
export const MAX_HISTORY_POINTS = 2000;

/** One time of the chart, with whatever is drawn there. */
export interface Row {
  t: number;
  /** True for the observed history's rows (their value may be missing: a gap in the line). */
  observed?: true;
  history?: number;
  median?: number;
  band80?: [number, number];
  band50?: [number, number];
  actual?: number;
  /** Median of an earlier backtest window at this time. */
  windowMedian?: number;
  /** Index into the forecast steps, for the readout. */
  step?: number;
}

/** One backtest window on the chart: its span and, for earlier windows, the median forecast over it. */
export interface BacktestWindowMark {
  label: string;
  start: number;
  end: number;
  median?: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
}

function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

/** Builds the chart rows: (thinned) history, then one row per forecast step. */
export function buildRows(props: {
  history: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
  forecast: SeriesForecast | null;
  actual: ArrayLike<number> | null;
  historyWindow: number | 'all';
}): Row[] {
  const { history, forecast, actual, historyWindow } = props;
  const n = history.values.length;
  const start = historyWindow === 'all' ? 0 : Math.max(0, n - historyWindow);
  const stride = Math.max(1, Math.ceil((n - start) / MAX_HISTORY_POINTS));
  const rows: Row[] = [];
  for (let i = start; i < n; i += stride) {
    if (n - 1 - i < stride && i !== n - 1) continue;
    rows.push({ t: history.timestamps[i], observed: true, history: finite(history.values[i]) });
  }
  if (n > 0 && (rows.length === 0 || rows[rows.length - 1].t !== history.timestamps[n - 1])) {
    rows.push({ t: history.timestamps[n - 1], observed: true, history: finite(history.values[n - 1]) });
  }
  if (!forecast || forecast.timestamps.length === 0) return rows;

  // Anchor the fan at the last observed value so it visibly grows out of the history.
  const last = rows[rows.length - 1];
  if (last?.history !== undefined) {
    last.median = last.history;
    last.band80 = [last.history, last.history];
    last.band50 = [last.history, last.history];
  }
  const q10 = levelRow(forecast, 0.1);
  const q25 = levelRow(forecast, 0.25);
  const q75 = levelRow(forecast, 0.75);
  const q90 = levelRow(forecast, 0.9);
  forecast.timestamps.forEach((t, k) => {
    rows.push({
      t,
      median: finite(forecast.mean[k]),
      band80: [q10[k], q90[k]],
      band50: [q25[k], q75[k]],
      actual: actual ? finite(actual[k]) : undefined,
      step: k,
    });
  });
  return rows;
}

/** Adds the medians of earlier backtest windows to the rows (at their own times, inserted where thinned out). */
export function withWindowMedians(rows: Row[], windows: readonly BacktestWindowMark[] | undefined): Row[] {
  if (!windows?.some((w) => w.median)) return rows;
  const byTime = new Map(rows.map((r) => [r.t, r]));
  const out = [...rows];
  const first = rows[0]?.t ?? -Infinity;
  for (const w of windows) {
    if (!w.median) continue;
    for (let i = 0; i < w.median.timestamps.length; i++) {
      const t = w.median.timestamps[i];
      if (t < first) continue;
      let row = byTime.get(t);
      if (!row) {
        row = { t };
        byTime.set(t, row);
        out.push(row);
      }
      row.windowMedian = finite(w.median.values[i]);
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Smallest and largest value drawn (history, intervals, medians, actuals). */
export function valueRange(rows: readonly Row[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  const see = (v: number | undefined): void => {
    if (v === undefined || !Number.isFinite(v)) return;
    if (v < min) min = v;
    if (v > max) max = v;
  };
  for (const r of rows) {
    see(r.history);
    see(r.median);
    see(r.actual);
    see(r.windowMedian);
    if (r.band80) {
      see(r.band80[0]);
      see(r.band80[1]);
    }
    if (r.band50) {
      see(r.band50[0]);
      see(r.band50[1]);
    }
  }
  return [min, max];
}

/** The rows of each layer; every layer shares the same domains, so they line up exactly. */
export interface FanLayers {
  /** Observed history (gaps kept as rows without a value). */
  history: Row[];
  /** The fan: its anchor on the last observed value, then the forecast steps. */
  fan: Row[];
  /** Actuals and earlier windows' medians, with a row without values wherever a line must break. */
  overlay: Row[];
  /** Time domain of every layer. */
  x: [number, number];
  /** Value axis of every layer (a unit band when nothing finite is drawn). */
  y: ValueAxis;
}

const UNIT_AXIS: ValueAxis = { domain: [0, 1], ticks: [0, 1] };

/** Splits the chart's rows into its layers, with the domains they share. */
export function splitLayers(rows: readonly Row[]): FanLayers {
  const history: Row[] = [];
  const fan: Row[] = [];
  const overlay: Row[] = [];
  let overlayOpen = false;
  for (const r of rows) {
    if (r.observed) history.push(r);
    if (r.step !== undefined || r.band80 !== undefined) fan.push(r);
    const drawsOverlay = r.actual !== undefined || r.windowMedian !== undefined;
    // A row without overlay values right after one with them breaks the dashed lines there (as in one chart).
    if (drawsOverlay || overlayOpen) overlay.push(r);
    overlayOpen = drawsOverlay;
  }
  const x: [number, number] = [rows[0]?.t ?? 0, rows[rows.length - 1]?.t ?? 1];
  if (x[1] <= x[0]) x[1] = x[0] + 1;
  return { history, fan, overlay, x, y: valueAxis(...valueRange(rows)) ?? UNIT_AXIS };
}

/** Index of the row nearest to time `t` among rows[0..last] (rows ascending in time), or -1 without rows. */
export function nearestRow(rows: readonly Row[], t: number, last = rows.length - 1): number {
  if (last < 0) return -1;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && t - rows[lo - 1].t <= rows[lo].t - t ? lo - 1 : lo;
}

/** Index of the last row at or before time `t` (rows ascending), or the last row when `t` is null. */
export function lastAtOrBefore(rows: readonly Row[], t: number | null): number {
  if (t === null) return rows.length - 1;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].t <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

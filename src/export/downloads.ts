// What a forecast or backtest is saved as, the same in the app and the CLI: a tidy forecast CSV (one row per
// series per step, naming the target column, timestamps in the input's own format), a backtest CSV (window,
// cutoff, actual, the model's and each baseline's quantiles), a JSON document with the metrics, the detected
// facts and the settings, and file names that say what they hold. Pure text builders, no DOM.
import { formatOnAxis, type TimeAxis } from '../data/time-axis';
import type { ExportWindow } from '../eval/run';
import type { MethodSummary } from '../eval/aggregate';
import type { ForecastScores } from '../eval/metrics';
import { csvText, formatValue } from './csv-cell';
import { quantileColumnName, type SeriesForecast } from './forecast-view';

/** The forecast of one series, with the target column it forecasts. */
export interface NamedForecast extends SeriesForecast {
  /** The input column the series' values come from. */
  targetColumn: string;
}

/**
 * The forecast CSV: `series, target, timestamp, mean, q…` (one quantile column per model level, ascending), one
 * row per series per step; `target` names the input column, `timestamp` is written in the input's format.
 */
export function forecastCsv(forecasts: readonly NamedForecast[], axis: TimeAxis): string {
  const levels = forecasts[0]?.levels ?? [];
  const lines = [['series', 'target', 'timestamp', 'mean', ...levels.map(quantileColumnName)].join(',')];
  for (const f of forecasts) {
    for (let t = 0; t < f.timestamps.length; t++) {
      const cells = [csvText(f.series), csvText(f.targetColumn), csvText(formatOnAxis(f.timestamps[t], axis)), formatValue(f.mean[t])];
      for (const row of f.quantiles) cells.push(formatValue(row[t]));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Column-name stem of a method in the backtest CSV: 'model', 'seasonal_naive', 'auto_ets'. */
export function methodColumn(method: string): string {
  return method.replace(/[^A-Za-z0-9]+/g, '_');
}

/**
 * The backtest CSV: `series, target, window, cutoff, timestamp, actual`, then per method (the model, then each
 * baseline) its median and every quantile: `model_median, model_q0.1, …, seasonal_naive_median, …`.
 */
export function backtestCsv(windows: readonly ExportWindow[], axis: TimeAxis): string {
  const first = windows[0];
  if (!first) return 'series,target,window,cutoff,timestamp,actual\n';
  const header = ['series', 'target', 'window', 'cutoff', 'timestamp', 'actual'];
  for (const f of first.forecasts) {
    const stem = methodColumn(f.method);
    header.push(`${stem}_median`, ...f.levels.map((l) => `${stem}_${quantileColumnName(l)}`));
  }
  const lines = [header.join(',')];
  for (const w of windows) {
    const cutoff = csvText(formatOnAxis(w.cutoffTimestamp, axis));
    for (let t = 0; t < w.actual.length; t++) {
      const cells = [csvText(w.series), csvText(w.targetColumn), String(w.window + 1), cutoff, csvText(formatOnAxis(w.timestamps[t], axis)), formatValue(w.actual[t])];
      for (const f of w.forecasts) {
        cells.push(formatValue(f.median[t]));
        for (const row of f.quantiles) cells.push(formatValue(row[t]));
      }
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Everything about the input and the run that the JSON records. */
export interface RunReport {
  kind: 'forecast' | 'backtest';
  model: string;
  backend: string;
  /** The input and what was detected in it. */
  data: {
    file: string;
    facts: Record<string, string | number | string[] | undefined>;
    notes: string[];
  };
  settings: Record<string, string | number | boolean | number[] | undefined>;
}

function rounded(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(7)) : null));
}

function scoreRecord(s: ForecastScores): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(s)) out[k] = Number.isFinite(v) ? Number(v.toPrecision(7)) : null;
  return out;
}

/** The JSON download: the report, the forecasts (timestamps in the input's format), and for a backtest every window's scores and the summary. */
export function reportJson(
  report: RunReport,
  axis: TimeAxis,
  forecasts: readonly NamedForecast[],
  backtest?: { windows: readonly ExportWindow[]; summary: readonly MethodSummary[]; season: string },
): string {
  const doc = {
    ...report,
    frequency: axis.frequency.label,
    quantileLevels: forecasts[0]?.levels ?? backtest?.windows[0]?.forecasts[0]?.levels ?? [],
    series: forecasts.map((f) => ({
      series: f.series,
      target: f.targetColumn,
      timestamps: f.timestamps.map((ts) => formatOnAxis(ts, axis)),
      mean: rounded(f.mean),
      /** `[levels][steps]` */
      quantiles: f.quantiles.map(rounded),
    })),
    ...(backtest
      ? {
          metrics: {
            season: backtest.season,
            summary: backtest.summary.map((s) =>
              Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? (Number.isFinite(v) ? Number(v.toPrecision(7)) : null) : v])),
            ),
            windows: backtest.windows.map((w) => ({
              series: w.series,
              target: w.targetColumn,
              window: w.window + 1,
              cutoff: formatOnAxis(w.cutoffTimestamp, axis),
              timestamps: w.timestamps.map((ts) => formatOnAxis(ts, axis)),
              actual: rounded(w.actual),
              scores: Object.fromEntries(w.forecasts.map((f, i) => [f.method, { label: f.label, ...scoreRecord(w.scores[i]), ...(f.failure ? { failure: f.failure } : {}) }])),
            })),
          },
        }
      : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A safe file-name part: letters, digits, dot, dash and underscore. */
function slug(text: string): string {
  return text.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'data';
}

/**
 * File name of a download that says what it holds: `<input>-<target>-forecast-h12.csv`,
 * `<input>-<n>-series-backtest-3x12.json`.
 */
export function downloadName(
  input: string,
  targets: readonly string[],
  kind: 'forecast' | 'backtest',
  spec: { h: number; windows?: number },
  extension: 'csv' | 'json',
): string {
  const stem = slug(input.replace(/\.[^.]+$/, ''));
  const what = targets.length === 1 ? slug(targets[0]) : `${targets.length}-targets`;
  const span = kind === 'backtest' ? `backtest-${spec.windows ?? 1}x${spec.h}` : `forecast-h${spec.h}`;
  return `${stem}-${what}-${span}.${extension}`;
}

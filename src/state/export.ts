// The two downloads of a forecast: a tidy CSV (one row per series per step) and a JSON document with
// everything needed to reproduce the chart. Pure builders plus one browser helper that saves a Blob, so
// the file contents are unit tested without a DOM.
import { formatTimestamp, type Frequency } from '../data/timestamps';
import { quantileColumnName, type SeriesForecast } from './forecast-view';

/** Context written into the JSON download. */
export interface ExportMeta {
  model: string;
  backend: string;
  frequency: Frequency;
  /** Whether the forecast is a backtest (it covers held-out history). */
  backtest: boolean;
}

/** A forecast value as text: 7 significant digits (float32 precision), no trailing zeros; empty when missing. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(7))) : '';
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The forecast CSV: columns `series, timestamp, mean, q…` (one per model quantile level, ascending), one row per
 * series per forecast step, timestamps formatted at the data's frequency.
 */
export function forecastCsv(forecasts: readonly SeriesForecast[], frequency: Frequency): string {
  const levels = forecasts[0]?.levels ?? [];
  const header = ['series', 'timestamp', 'mean', ...levels.map(quantileColumnName)].join(',');
  const lines = [header];
  for (const f of forecasts) {
    for (let t = 0; t < f.timestamps.length; t++) {
      const cells = [csvField(f.series), csvField(formatTimestamp(f.timestamps[t], frequency)), formatValue(f.mean[t])];
      for (const row of f.quantiles) cells.push(formatValue(row[t]));
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON download: quantile levels, timestamps (formatted and ISO/step) and values per series. */
export function forecastJson(forecasts: readonly SeriesForecast[], meta: ExportMeta): string {
  const round = (values: ArrayLike<number>) =>
    Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(7)) : null));
  const doc = {
    model: meta.model,
    backend: meta.backend,
    frequency: meta.frequency.label,
    backtest: meta.backtest,
    quantileLevels: forecasts[0]?.levels ?? [],
    series: forecasts.map((f) => ({
      series: f.series,
      timestamps: f.timestamps.map((ts) => formatTimestamp(ts, meta.frequency)),
      mean: round(f.mean),
      /** `[levels][steps]` */
      quantiles: f.quantiles.map(round),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Saves text as a file through a temporary object URL (stays on this machine). */
export function saveText(text: string, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

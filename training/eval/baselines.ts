// Forecast accuracy metrics of the model evaluation and its two baselines, seasonal naive and AutoETS, which
// come from the evaluation library shared with the app and the CLI (src/eval: augurs' AutoETS, WASM). Kept as
// thin adapters to the `Forecast` shape (median + quantiles at WQL_LEVELS) that evaluate.ts scores.
import { initAugursNode } from '../../src/eval/augurs-node';
import { autoEtsForecast, seasonalNaiveForecast, type MethodForecast } from '../../src/eval/baselines';

/** Quantile levels of the WQL (those of the Chronos papers' benchmark). */
export const WQL_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

/** A probabilistic forecast: `quantiles[i][t]` is the level `WQL_LEVELS[i]` at step t. */
export interface Forecast {
  median: number[];
  quantiles: number[][];
}

/** Scale of the MASE: mean absolute seasonal difference of the history (lag m). */
export function maseScale(history: readonly number[], m: number): number {
  let sum = 0;
  let count = 0;
  for (let t = m; t < history.length; t++) {
    sum += Math.abs(history[t] - history[t - m]);
    count++;
  }
  return count > 0 ? sum / count : NaN;
}

/** Mean absolute scaled error of the median forecast. */
export function mase(actual: readonly number[], median: readonly number[], scale: number): number {
  let sum = 0;
  for (let t = 0; t < actual.length; t++) sum += Math.abs(actual[t] - median[t]);
  return sum / actual.length / scale;
}

/** Mean absolute percentage error (%) of the median forecast. */
export function mape(actual: readonly number[], median: readonly number[]): number {
  let sum = 0;
  for (let t = 0; t < actual.length; t++) sum += Math.abs(actual[t] - median[t]) / Math.abs(actual[t]);
  return (100 * sum) / actual.length;
}

/**
 * The two sums of the weighted quantile loss, so that windows can be aggregated before dividing:
 * WQL = (Σ over levels and steps of 2·pinball) / (number of levels · Σ|actual|).
 */
export function wqlParts(actual: readonly number[], forecast: Forecast): { loss: number; norm: number } {
  let loss = 0;
  for (let i = 0; i < WQL_LEVELS.length; i++) {
    const q = WQL_LEVELS[i];
    for (let t = 0; t < actual.length; t++) {
      const diff = actual[t] - forecast.quantiles[i][t];
      loss += 2 * Math.max(q * diff, (q - 1) * diff);
    }
  }
  let norm = 0;
  for (const y of actual) norm += Math.abs(y);
  return { loss: loss / WQL_LEVELS.length, norm };
}

/** Seasonal period to use for a history: m when at least two full seasons are observed, else 1. */
export function effectivePeriod(m: number, length: number): number {
  return m > 1 && length >= 2 * m ? m : 1;
}

/**
 * Seasonal naive at the WQL levels, from the evaluation library (src/eval/baselines.ts): repeat the last season,
 * Gaussian quantiles from the seasonal differences, widening with √(seasons ahead).
 */
export function seasonalNaive(history: readonly number[], m: number, horizon: number): Forecast {
  return asForecast(seasonalNaiveForecast(history, m, horizon, WQL_LEVELS));
}

/**
 * AutoETS from augurs (src/eval/baselines.ts): MSTL + AutoETS when `period` > 1 and two seasons are observed,
 * else non-seasonal AutoETS; quantiles from its prediction intervals. Loads augurs' WASM on first use.
 */
export function autoEts(history: readonly number[], period: number, horizon: number): Forecast {
  initAugursNode();
  return asForecast(autoEtsForecast(history, period, horizon, WQL_LEVELS));
}

function asForecast(f: MethodForecast): Forecast {
  return { median: Array.from(f.median), quantiles: f.quantiles.map((q) => Array.from(q)) };
}

// Forecast accuracy metrics of one forecast window against its actuals, shared by the app's backtests, the CLI
// and `npm run eval`: point errors of the median (MAE, RMSE, MAPE, sMAPE, MASE), the weighted quantile loss and
// the coverage of the 80% interval. Pure functions over plain arrays so they are unit tested against
// hand-computed values; missing actuals (NaN) are left out of every average.

/** A numeric sequence: plain array or typed array. */
export type Numbers = ArrayLike<number>;

/** The scores shown next to a backtest. Percentages are in percent (0–100+). NaN when undefined. */
export interface ForecastScores {
  mae: number;
  rmse: number;
  /** Mean absolute percentage error over actuals that are not zero. */
  mape: number;
  /** Symmetric MAPE, `200·|y−ŷ|/(|y|+|ŷ|)` averaged (a pair of zeros counts as 0). */
  smape: number;
  /** MAE scaled by the in-sample MAE of the seasonal-naive forecast on the training part. */
  mase: number;
  /** Weighted quantile loss averaged over the quantile levels. */
  wql: number;
  /** Share of actuals inside the forecast's 80% interval [q0.1, q0.9], in percent (ideal: 80). */
  coverage80: number;
}

/** Indices where the actual value is observed. */
function observed(actual: Numbers): number[] {
  const idx: number[] = [];
  for (let i = 0; i < actual.length; i++) if (Number.isFinite(actual[i])) idx.push(i);
  return idx;
}

/** Mean absolute error of `forecast` against `actual` (same length). */
export function mae(actual: Numbers, forecast: Numbers): number {
  const idx = observed(actual);
  if (idx.length === 0) return NaN;
  let sum = 0;
  for (const i of idx) sum += Math.abs(actual[i] - forecast[i]);
  return sum / idx.length;
}

/** Root mean squared error. */
export function rmse(actual: Numbers, forecast: Numbers): number {
  const idx = observed(actual);
  if (idx.length === 0) return NaN;
  let sum = 0;
  for (const i of idx) sum += (actual[i] - forecast[i]) ** 2;
  return Math.sqrt(sum / idx.length);
}

/** Mean absolute percentage error in percent, over the actuals that are not zero (NaN if there are none). */
export function mape(actual: Numbers, forecast: Numbers): number {
  let sum = 0;
  let n = 0;
  for (const i of observed(actual)) {
    if (actual[i] === 0) continue;
    sum += Math.abs((actual[i] - forecast[i]) / actual[i]);
    n++;
  }
  return n === 0 ? NaN : (100 * sum) / n;
}

/** Symmetric mean absolute percentage error in percent (0–200); a step where both values are 0 scores 0. */
export function smape(actual: Numbers, forecast: Numbers): number {
  const idx = observed(actual);
  if (idx.length === 0) return NaN;
  let sum = 0;
  for (const i of idx) {
    const denom = Math.abs(actual[i]) + Math.abs(forecast[i]);
    sum += denom === 0 ? 0 : (2 * Math.abs(actual[i] - forecast[i])) / denom;
  }
  return (100 * sum) / idx.length;
}

/**
 * Mean absolute scaled error: MAE divided by the mean absolute seasonal difference `|y[t] − y[t−m]|` of the
 * training series. Falls back to m = 1 when the training series is not longer than one season; NaN when the
 * scale is zero or cannot be computed.
 */
export function mase(actual: Numbers, forecast: Numbers, train: Numbers, season: number): number {
  const m = train.length > season ? season : 1;
  let sum = 0;
  let n = 0;
  for (let t = m; t < train.length; t++) {
    const d = train[t] - train[t - m];
    if (Number.isFinite(d)) {
      sum += Math.abs(d);
      n++;
    }
  }
  const scale = n === 0 ? NaN : sum / n;
  if (!(scale > 0)) return NaN;
  return mae(actual, forecast) / scale;
}

/** Pinball (quantile) loss of one prediction at level q. */
export function pinball(actual: number, predicted: number, q: number): number {
  return actual >= predicted ? q * (actual - predicted) : (1 - q) * (predicted - actual);
}

/**
 * Weighted quantile loss averaged over levels (GluonTS `mean_wQuantileLoss`):
 * `mean_q [ 2·Σ_t ρ_q(y_t, ŷ_{q,t}) / Σ_t |y_t| ]`.
 * @param quantiles `quantiles[k]` is the forecast at `levels[k]`, each as long as `actual`.
 */
export function wql(actual: Numbers, levels: readonly number[], quantiles: readonly Numbers[]): number {
  const idx = observed(actual);
  if (idx.length === 0 || levels.length === 0) return NaN;
  let scale = 0;
  for (const i of idx) scale += Math.abs(actual[i]);
  if (scale === 0) return NaN;
  let total = 0;
  levels.forEach((q, k) => {
    let loss = 0;
    for (const i of idx) loss += pinball(actual[i], quantiles[k][i], q);
    total += (2 * loss) / scale;
  });
  return total / levels.length;
}

/**
 * Seasonal-naive forecast: repeats the last full season of `train` (the value one season earlier, for each
 * future step). Falls back to the last observed value when the training series is shorter than a season.
 * Missing values in the repeated season are replaced by the last observed value before them.
 */
export function seasonalNaive(train: Numbers, season: number, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  const n = train.length;
  if (n === 0) return out.fill(NaN);
  const filled = Float64Array.from(train);
  let last = NaN;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(filled[i])) last = filled[i];
    else filled[i] = last;
  }
  const m = n >= season ? Math.max(1, season) : 1;
  for (let h = 0; h < horizon; h++) out[h] = filled[n - m + (h % m)];
  return out;
}

/**
 * Share (percent) of observed actuals inside [lower, upper]; NaN without observed actuals or interval values.
 */
export function coverage(actual: Numbers, lower: Numbers, upper: Numbers): number {
  let inside = 0;
  let n = 0;
  for (const i of observed(actual)) {
    if (!Number.isFinite(lower[i]) || !Number.isFinite(upper[i])) continue;
    n++;
    if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  }
  return n === 0 ? NaN : (100 * inside) / n;
}

/** The row of `quantiles` at `level`, linearly interpolated between neighbouring levels (edge rows outside). */
export function quantileAt(levels: readonly number[], quantiles: readonly Numbers[], level: number): Float64Array {
  const steps = quantiles[0]?.length ?? 0;
  const out = new Float64Array(steps).fill(NaN);
  if (levels.length === 0) return out;
  let hi = levels.findIndex((l) => l >= level - 1e-9);
  if (hi < 0) hi = levels.length - 1;
  const lo = levels[hi] <= level + 1e-9 || hi === 0 ? hi : hi - 1;
  const w = levels[hi] === levels[lo] ? 0 : (level - levels[lo]) / (levels[hi] - levels[lo]);
  for (let t = 0; t < steps; t++) out[t] = quantiles[lo][t] + Math.max(0, Math.min(1, w)) * (quantiles[hi][t] - quantiles[lo][t]);
  return out;
}

/** Every score of a probabilistic forecast: the point forecast is the median. */
export function scoreForecast(
  actual: Numbers,
  median: Numbers,
  levels: readonly number[],
  quantiles: readonly Numbers[],
  train: Numbers,
  season: number,
): ForecastScores {
  return {
    mae: mae(actual, median),
    rmse: rmse(actual, median),
    mape: mape(actual, median),
    smape: smape(actual, median),
    mase: mase(actual, median, train, season),
    wql: wql(actual, levels, quantiles),
    coverage80: coverage(actual, quantileAt(levels, quantiles, 0.1), quantileAt(levels, quantiles, 0.9)),
  };
}

/** Every score of a point forecast; for WQL the point forecast stands in for every quantile level. */
export function scorePointForecast(
  actual: Numbers,
  forecast: Numbers,
  levels: readonly number[],
  train: Numbers,
  season: number,
): ForecastScores {
  return scoreForecast(actual, forecast, levels, levels.map(() => forecast), train, season);
}

/**
 * Averages scores of several windows of ONE series (ignoring NaN entries per metric). Scores of different series
 * have different scales: aggregate those with src/eval/aggregate.ts, never with this.
 */
export function averageScores(scores: readonly ForecastScores[]): ForecastScores {
  const keys: (keyof ForecastScores)[] = ['mae', 'rmse', 'mape', 'smape', 'mase', 'wql', 'coverage80'];
  const out = {} as ForecastScores;
  for (const key of keys) {
    const finite = scores.map((s) => s[key]).filter(Number.isFinite);
    out[key] = finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
  }
  return out;
}

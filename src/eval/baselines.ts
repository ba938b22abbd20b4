// The baselines every forecast is judged against, scored exactly like the model (same windows, same quantile
// levels, same metrics): seasonal naive (naive when the season is 1) with Gaussian quantiles from its in-sample
// seasonal errors, and AutoETS from augurs (grafana/augurs, WASM): `MSTL.ets([m])` for seasonal series (MSTL
// decomposition, AutoETS on the seasonally adjusted series), plain non-seasonal AutoETS otherwise. AutoETS
// quantiles come from augurs' prediction intervals: level q < 0.5 is the lower bound of the central
// (1 − 2q) interval, q > 0.5 the upper bound of the (2q − 1) interval, q = 0.5 the point forecast.
import { augursReady, AutoETS, MSTL } from './augurs';

/** A probabilistic forecast of one window by one method, at ascending quantile levels. */
export interface MethodForecast {
  /** Stable id: 'model', 'seasonal-naive', 'auto-ets'. */
  method: string;
  /** Honest display name, e.g. 'Seasonal naive (m = 12)', 'AutoETS (augurs, MSTL+ETS, m = 12)'. */
  label: string;
  levels: number[];
  /** `[levels][h]`. */
  quantiles: Float64Array[];
  /** `[h]` point forecast (the median). */
  median: Float64Array;
  /** Why the method could not forecast (its values are NaN then). */
  failure?: string;
}

/** Ids of the baselines. */
export type BaselineId = 'seasonal-naive' | 'auto-ets';
/** Every baseline, in display order. */
export const BASELINES: readonly BaselineId[] = ['seasonal-naive', 'auto-ets'];

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The training values a classical method can fit: leading missing values dropped, interior gaps linearly
 * interpolated, trailing gaps carried forward from the last observed value.
 */
export function fillGaps(values: ArrayLike<number>): Float64Array {
  let start = 0;
  while (start < values.length && !Number.isFinite(values[start])) start++;
  const out = Float64Array.from(Array.prototype.slice.call(values, start) as number[]);
  let last = -1;
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) continue;
    if (last >= 0 && i - last > 1) {
      for (let k = last + 1; k < i; k++) out[k] = out[last] + ((out[i] - out[last]) * (k - last)) / (i - last);
    }
    last = i;
  }
  for (let i = last + 1; i < out.length; i++) out[i] = out[last];
  return last < 0 ? new Float64Array(0) : out;
}

function failed(method: string, label: string, h: number, levels: readonly number[], failure: string): MethodForecast {
  return {
    method,
    label,
    levels: [...levels],
    quantiles: levels.map(() => new Float64Array(h).fill(NaN)),
    median: new Float64Array(h).fill(NaN),
    failure,
  };
}

/** Display name of the seasonal-naive baseline for a season: 'Naive' when it is 1. */
export function seasonalNaiveLabel(season: number): string {
  return season > 1 ? `Seasonal naive (m = ${season})` : 'Naive';
}

/**
 * Seasonal naive: step h repeats the value one season before it (the last observed season). Quantiles are
 * Gaussian around it with the standard deviation of the in-sample seasonal differences, growing with √(k + 1)
 * for the k-th season ahead (Hyndman & Athanasopoulos, FPP3 §5.5). The season falls back to 1 (naive) when the
 * history is shorter than one season.
 */
export function seasonalNaiveForecast(
  train: ArrayLike<number>,
  season: number,
  h: number,
  levels: readonly number[],
): MethodForecast {
  const y = fillGaps(train);
  const m = y.length > season ? Math.max(1, Math.round(season)) : 1;
  const label = seasonalNaiveLabel(m);
  if (y.length === 0) return failed('seasonal-naive', label, h, levels, 'no observed values');
  let sq = 0;
  let count = 0;
  for (let t = m; t < train.length; t++) {
    const d = train[t] - train[t - m];
    if (Number.isFinite(d)) {
      sq += d * d;
      count++;
    }
  }
  const sigma = count > 0 ? Math.sqrt(sq / count) : 0;
  const median = new Float64Array(h);
  const sd = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    median[k] = y[y.length - m + (k % m)];
    sd[k] = sigma * Math.sqrt(Math.floor(k / m) + 1);
  }
  const quantiles = levels.map((q) => {
    const z = normalQuantile(q);
    return median.map((v, k) => v + z * sd[k]);
  });
  return { method: 'seasonal-naive', label, levels: [...levels], quantiles, median };
}

/** Display name of the AutoETS baseline for a season. */
export function autoEtsLabel(season: number, length: number): string {
  return season > 1 && length >= 2 * season ? `AutoETS (augurs, MSTL+ETS, m = ${season})` : 'AutoETS (augurs)';
}

/**
 * AutoETS from augurs: `MSTL.ets([season])` when the season is above 1 and at least two seasons are observed,
 * else non-seasonal AutoETS ('ZZN': error and trend chosen by AICc). Quantiles from the prediction intervals
 * (see the file header). Needs `initAugursSync` / `initAugurs` first.
 */
export function autoEtsForecast(
  train: ArrayLike<number>,
  season: number,
  h: number,
  levels: readonly number[],
): MethodForecast {
  const y = fillGaps(train);
  const label = autoEtsLabel(season, y.length);
  if (!augursReady()) return failed('auto-ets', label, h, levels, 'augurs is not loaded');
  if (y.length < 4) return failed('auto-ets', label, h, levels, 'fewer than 4 observed values');
  const seasonal = season > 1 && y.length >= 2 * season;
  let model: { predict(h: number, level?: number | null): { point: number[]; intervals?: { lower: number[]; upper: number[] } }; free(): void };
  try {
    if (seasonal) {
      const mstl = MSTL.ets([season]);
      mstl.fit(y);
      model = mstl;
    } else {
      const ets = new AutoETS(1, 'ZZN');
      ets.fit(y);
      model = ets;
    }
  } catch (e) {
    return failed('auto-ets', label, h, levels, `augurs could not fit the series (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const point = model.predict(h, null).point;
    const median = Float64Array.from(point);
    const byConfidence = new Map<number, { lower: number[]; upper: number[] }>();
    const quantiles = levels.map((q) => {
      if (Math.abs(q - 0.5) < 1e-9) return Float64Array.from(point);
      const confidence = Number(Math.abs(2 * q - 1).toFixed(6));
      let interval = byConfidence.get(confidence);
      if (!interval) {
        const f = model.predict(h, confidence);
        interval = f.intervals ?? { lower: point.map(() => NaN), upper: point.map(() => NaN) };
        byConfidence.set(confidence, interval);
      }
      return Float64Array.from(q < 0.5 ? interval.lower : interval.upper);
    });
    if (!median.every(Number.isFinite)) return failed('auto-ets', label, h, levels, 'augurs returned non-finite forecasts');
    return { method: 'auto-ets', label, levels: [...levels], quantiles, median };
  } catch (e) {
    return failed('auto-ets', label, h, levels, `augurs could not forecast (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    model.free();
  }
}

/** The forecasts of every baseline for one training window. */
export function baselineForecasts(
  train: ArrayLike<number>,
  season: number,
  h: number,
  levels: readonly number[],
  baselines: readonly BaselineId[] = BASELINES,
): MethodForecast[] {
  return baselines.map((id) =>
    id === 'seasonal-naive' ? seasonalNaiveForecast(train, season, h, levels) : autoEtsForecast(train, season, h, levels),
  );
}

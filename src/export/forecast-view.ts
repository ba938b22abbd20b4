// What the chart, the metrics and the downloads show of a forecast: per target series, the first h steps of
// the cached model output at the model's quantile levels, plus any level the UI needs (0.25, 0.75, ...)
// interpolated from them. Slicing lives here because it is what makes horizon changes inside one patch
// bucket free: the model output for n patches does not depend on the requested length within the bucket.
import { interpolateQuantiles } from '../forecast/quantiles';
import type { QuantileForecast } from '../forecast/pipeline';

/** The forecast of one target series, cut to the horizon on screen. */
export interface SeriesForecast {
  /** Series label (column name, id, or `id · column`). */
  series: string;
  /** UTC ms (or step numbers) of the forecast steps. */
  timestamps: number[];
  /** The model's quantile levels, ascending. */
  levels: number[];
  /** `[levels.length][h]` forecast at each level. */
  quantiles: Float32Array[];
  /** `[h]` point forecast: the median, as upstream `predict_quantiles` returns it as the mean. */
  mean: Float32Array;
}

/**
 * Number of output patches a horizon needs. Horizons with the same count share one model run: the
 * answer for a shorter horizon is the first steps of the longer one.
 */
export function patchBucket(horizon: number, patchSize: number): number {
  return Math.max(1, Math.ceil(horizon / patchSize));
}

/** The prediction length actually requested for a horizon: the end of its patch bucket. */
export function bucketLength(horizon: number, patchSize: number): number {
  return patchBucket(horizon, patchSize) * patchSize;
}

/**
 * Reads one target variate of a task forecast, cut to `h` steps, with levels sorted ascending.
 * @param h Steps to keep (at most `forecast.horizon`).
 */
export function sliceVariate(
  forecast: QuantileForecast,
  variate: number,
  h: number,
  series: string,
  timestamps: readonly number[],
): SeriesForecast {
  const steps = Math.min(h, forecast.horizon, timestamps.length);
  const q = forecast.quantileLevels.length;
  const order = forecast.quantileLevels.map((level, i) => ({ level, i })).sort((a, b) => a.level - b.level);
  const quantiles = order.map(({ i }) => {
    const start = (variate * q + i) * forecast.horizon;
    return forecast.values.slice(start, start + steps);
  });
  const levels = order.map(({ level }) => level);
  return {
    series,
    timestamps: timestamps.slice(0, steps),
    levels,
    quantiles,
    mean: levelRow({ levels, quantiles }, 0.5),
  };
}

/**
 * The `[h]` forecast at `level`: the model's row when the level is on its grid, else linearly interpolated
 * between the neighbouring levels (edge values outside the grid).
 */
export function levelRow(forecast: Pick<SeriesForecast, 'levels' | 'quantiles'>, level: number): Float32Array {
  const exact = forecast.levels.findIndex((l) => Math.abs(l - level) < 1e-9);
  if (exact >= 0) return forecast.quantiles[exact];
  const steps = forecast.quantiles[0]?.length ?? 0;
  const q = forecast.levels.length;
  const byStep = new Float32Array(steps * q);
  for (let k = 0; k < q; k++) for (let t = 0; t < steps; t++) byStep[t * q + k] = forecast.quantiles[k][t];
  return interpolateQuantiles([level], forecast.levels, byStep);
}

/** Formats a quantile level for column names: `0.1` → `q0.1`, `0.05` → `q0.05` (no trailing zeros). */
export function quantileColumnName(level: number): string {
  return `q${Number(level.toFixed(6))}`;
}

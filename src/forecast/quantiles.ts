// Quantile arithmetic of the pipeline: linear interpolation between quantile levels (upstream
// `chronos.utils.interpolate_quantiles`), quantiles of weighted samples (`weighted_quantile`) and the
// probability mass of each quantile level (`Chronos2Pipeline._get_prob_mass_per_quantile_level`).
// Upstream runs these in float32; every step here is rounded with Math.fround so the results agree bit for bit
// where the operation order is the same.

import { QuantileLevelError } from './errors';

const f32 = Math.fround;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Linearly interpolates quantile values at `queryLevels` from values given at `levels` (any order; they
 * are sorted together with the values). Below the lowest level the lowest value is used, above the highest
 * the highest value, unless a level 0 or 1 is present. Values are not sorted: non-monotone inputs are
 * interpolated as given.
 *
 * @param queryLevels Levels in [0, 1] to read off.
 * @param levels Levels in [0, 1] of the last axis of `values`.
 * @param values `[rows][levels.length]` row-major.
 * @returns `[rows][queryLevels.length]` float32.
 * @throws QuantileLevelError when a level is outside [0, 1] or `values` does not match `levels`.
 */
export function interpolateQuantiles(
  queryLevels: readonly number[],
  levels: readonly number[],
  values: Float32Array,
): Float32Array {
  const n = levels.length;
  if (n === 0 || values.length % n !== 0) {
    throw new QuantileLevelError(`Got ${values.length} values for ${n} quantile levels; the sizes must divide.`);
  }
  checkUnitInterval(levels, 'levels');
  const shared = Float32Array.from(levels);
  return interpolateRows(queryLevels, values.length / n, n, () => shared, values);
}

/**
 * Quantiles of a weighted sample: samples are sorted per row, their normalised cumulative weights (clamped
 * to [0, 1]) become their levels, and `queryLevels` are interpolated from them with `interpolateQuantiles`
 * semantics. All rows share the weights.
 *
 * @param queryLevels Levels in [0, 1].
 * @param weights Positive weight per sample (the last axis of `samples`).
 * @param samples `[rows][weights.length]` row-major.
 * @returns `[rows][queryLevels.length]` float32.
 */
export function weightedQuantile(
  queryLevels: readonly number[],
  weights: ArrayLike<number>,
  samples: Float32Array,
): Float32Array {
  const n = weights.length;
  if (n === 0 || samples.length % n !== 0) {
    throw new QuantileLevelError(`Got ${samples.length} samples for ${n} weights; the sizes must divide.`);
  }
  const w = Float32Array.from(weights);
  if (!w.every((x) => x > 0)) throw new QuantileLevelError('Sample weights must be > 0.');
  const total = f32(sumFloat64(w));
  const normalised = w.map((x) => x / total);

  const rows = samples.length / n;
  const sorted = new Float32Array(samples.length);
  const cumulative = new Float32Array(samples.length);
  const order = new Array<number>(n);
  for (let r = 0; r < rows; r++) {
    const row = samples.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => compareNanLast(row[a], row[b]) || a - b);
    // NOTE: torch.cumsum on CPU accumulates float32 in float64 and rounds each partial sum.
    let acc = 0;
    for (let i = 0; i < n; i++) {
      sorted[r * n + i] = row[order[i]];
      acc += normalised[order[i]];
      cumulative[r * n + i] = Math.min(Math.max(f32(acc), 0), 1);
    }
  }
  return interpolateRows(queryLevels, rows, n, (r) => cumulative.subarray(r * n, (r + 1) * n), sorted);
}

/**
 * Probability mass of each quantile level when the levels split [0, 1] into piecewise-uniform bins:
 * mass(q_i) = (q_{i+1} − q_{i−1}) / 2 with q_0 = 0 and q_{n+1} = 1, normalised to sum 1 (float32).
 * @throws QuantileLevelError unless every level is strictly inside (0, 1).
 */
export function probMassPerQuantileLevel(levels: readonly number[]): Float32Array {
  if (levels.length === 0 || !levels.every((q) => q > 0 && q < 1)) {
    throw new QuantileLevelError(
      `Quantile levels must be strictly between 0 and 1 and not empty; got [${levels.join(', ')}].`,
    );
  }
  const bounds = Float32Array.from([0, ...levels, 1]);
  const mass = Float32Array.from(levels, (_, i) => f32(bounds[i + 2] - bounds[i]) / 2);
  const total = f32(sumFloat64(mass));
  return mass.map((m) => m / total);
}

/**
 * Shared core of the two interpolations. `levelsOf(row)` gives the (unsorted) float32 levels of a row.
 * NOTE: like upstream, whether the level-0 / level-1 edge points are added is decided once for all rows from
 * the global minimum / maximum level.
 */
function interpolateRows(
  queryLevels: readonly number[],
  rows: number,
  n: number,
  levelsOf: (row: number) => Float32Array,
  values: Float32Array,
): Float32Array {
  checkUnitInterval(queryLevels, 'query levels');
  const query = Float32Array.from(queryLevels);
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (const level of levelsOf(r)) {
      min = Math.min(min, level);
      max = Math.max(max, level);
    }
  }
  const padLow = min > 0;
  const padHigh = max < 1;
  const width = n + (padLow ? 1 : 0) + (padHigh ? 1 : 0);
  const lv = new Float32Array(width);
  const vv = new Float32Array(width);
  const order = new Array<number>(n);
  const out = new Float32Array(rows * query.length);

  for (let r = 0; r < rows; r++) {
    const levels = levelsOf(r);
    const row = values.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => levels[a] - levels[b] || a - b);
    let k = 0;
    if (padLow) {
      lv[k] = 0;
      vv[k++] = row[order[0]];
    }
    for (let i = 0; i < n; i++) {
      lv[k] = Math.min(Math.max(levels[order[i]], 0), 1);
      vv[k++] = row[order[i]];
    }
    if (padHigh) {
      lv[k] = 1;
      vv[k++] = row[order[n - 1]];
    }
    for (let j = 0; j < query.length; j++) {
      const q = query[j];
      let upper = 0;
      while (upper < width && lv[upper] <= q) upper++;
      upper = Math.min(upper, width - 1);
      const lower = Math.max(upper - 1, 0);
      const weight = nanToNum(f32(f32(q - lv[lower]) / f32(lv[upper] - lv[lower])));
      out[r * query.length + j] = vv[lower] + f32(weight * f32(vv[upper] - vv[lower]));
    }
  }
  return out;
}

/** torch.nan_to_num for float32: NaN → 0, ±Infinity → ±float32 max. */
function nanToNum(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x === Infinity) return FLOAT32_MAX;
  if (x === -Infinity) return -FLOAT32_MAX;
  return x;
}

/** torch.sort order: ascending, NaN last. */
function compareNanLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

function sumFloat64(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

function checkUnitInterval(levels: readonly number[], what: string): void {
  const bad = levels.filter((q) => !(q >= 0 && q <= 1));
  if (bad.length > 0) {
    throw new QuantileLevelError(`All ${what} must be between 0 and 1; got [${bad.join(', ')}].`);
  }
}

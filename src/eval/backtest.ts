// Rolling-origin backtests in the convention of Nixtla's `cross_validation(h, n_windows, step_size)`: the last
// window ends with the series, each earlier one `step_size` steps before the next; every window forecasts `h`
// steps from the history up to its cutoff, exactly as a separate run on the truncated data would. Scores each
// window of each series for the model and the baselines with the same metrics.
import { baselineForecasts, type BaselineId, type MethodForecast } from './baselines';
import { scoreForecast, type ForecastScores } from './metrics';

/** A rolling-origin backtest: `windows` windows of `h` steps, cutoffs `step` steps apart. */
export interface BacktestSpec {
  h: number;
  windows: number;
  step: number;
}

/** Fewest history values before the first cutoff. */
export const MIN_BACKTEST_HISTORY = 3;

/** A backtest the data cannot hold. */
export class BacktestError extends Error {
  override readonly name = 'BacktestError';
}

/** Checks a spec's numbers; throws a {@link BacktestError} that says which is wrong. */
export function validateSpec(spec: BacktestSpec): void {
  for (const key of ['h', 'windows', 'step'] as const) {
    if (!Number.isSafeInteger(spec[key]) || spec[key] < 1) {
      throw new BacktestError(`The backtest's ${key === 'h' ? 'horizon' : key} must be a whole number ≥ 1, got ${spec[key]}.`);
    }
  }
}

/**
 * The cutoffs of a series of `length` values, ascending, as history lengths: window i (0-based) trains on
 * values [0, cutoff) and is scored on [cutoff, cutoff + h). The last cutoff is `length − h`.
 * Throws a {@link BacktestError} when the first window would have fewer than `minHistory` values to learn from.
 */
export function backtestCutoffs(length: number, spec: BacktestSpec, minHistory = MIN_BACKTEST_HISTORY, name?: string): number[] {
  validateSpec(spec);
  const cutoffs: number[] = [];
  for (let i = 0; i < spec.windows; i++) cutoffs.push(length - spec.h - (spec.windows - 1 - i) * spec.step);
  if (cutoffs[0] < minHistory) {
    const need = minHistory + spec.h + (spec.windows - 1) * spec.step;
    throw new BacktestError(
      `${name ? `'${name}' has` : 'The series has'} ${length} values; ${spec.windows} window${spec.windows === 1 ? '' : 's'} ` +
        `of ${spec.h} steps, ${spec.step} apart, need at least ${need} (${minHistory} to learn from before the first). ` +
        'Use fewer windows, a shorter horizon or a smaller step.',
    );
  }
  return cutoffs;
}

/** One window of one series, forecast by every method and scored. */
export interface ScoredWindow {
  series: string;
  /** 0-based window number (0 is the earliest). */
  window: number;
  /** History length before the window: values [0, cutoff) were known. */
  cutoff: number;
  actual: Float64Array;
  /** Per method, same order as `scores`: the model first, then the baselines. */
  forecasts: MethodForecast[];
  scores: ForecastScores[];
}

/** Scores every method's forecast of one window (MASE scaled on that window's own history). */
export function scoreWindow(
  series: string,
  window: number,
  cutoff: number,
  history: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecasts: MethodForecast[],
  season: number,
): ScoredWindow {
  const train = Float64Array.from(Array.prototype.slice.call(history, 0, cutoff) as number[]);
  const truth = Float64Array.from(actual);
  return {
    series,
    window,
    cutoff,
    actual: truth,
    forecasts,
    scores: forecasts.map((f) => scoreForecast(truth, f.median, f.levels, f.quantiles, train, season)),
  };
}

/** What the model is asked in a backtest: one truncated history per (series, window). */
export interface WindowRequest {
  series: number;
  window: number;
  /** History up to the cutoff. */
  train: Float64Array;
  h: number;
}

/** The model's forecasts of every request, in order, at ascending `levels` (`quantiles[levels][h]`). */
export type WindowForecaster = (requests: readonly WindowRequest[]) => Promise<{ levels: number[]; quantiles: ArrayLike<number>[] }[]>;

/** Options of {@link backtest}. */
export interface BacktestOptions {
  /** The model; one call with every window of every series. */
  forecast: WindowForecaster;
  /** Display name of the model. */
  modelLabel: string;
  /** Season of the baselines and the MASE. */
  season: number;
  /** Baselines to run (default: seasonal naive and AutoETS). */
  baselines?: readonly BaselineId[];
}

/**
 * Runs a rolling-origin backtest of the model and the baselines on every series (each series' windows end at
 * its own last value) and scores every window.
 */
export async function backtest(
  series: readonly { name: string; values: ArrayLike<number> }[],
  spec: BacktestSpec,
  options: BacktestOptions,
): Promise<ScoredWindow[]> {
  const cutoffs = series.map((s) => backtestCutoffs(s.values.length, spec, MIN_BACKTEST_HISTORY, s.name));
  const requests: WindowRequest[] = [];
  series.forEach((s, i) =>
    cutoffs[i].forEach((cutoff, w) =>
      requests.push({ series: i, window: w, train: Float64Array.from(Array.prototype.slice.call(s.values, 0, cutoff) as number[]), h: spec.h }),
    ),
  );
  const model = await options.forecast(requests);
  return requests.map((r, k) => {
    const s = series[r.series];
    const cutoff = cutoffs[r.series][r.window];
    const levels = model[k].levels;
    const quantiles = model[k].quantiles.map((row) => Float64Array.from(Array.prototype.slice.call(row, 0, spec.h) as number[]));
    const medianIndex = levels.findIndex((l) => Math.abs(l - 0.5) < 1e-9);
    const modelForecast: MethodForecast = {
      method: 'model',
      label: options.modelLabel,
      levels,
      quantiles,
      median: medianIndex >= 0 ? quantiles[medianIndex] : quantiles[Math.floor(quantiles.length / 2)],
    };
    const actual = Array.prototype.slice.call(s.values, cutoff, cutoff + spec.h) as number[];
    const baselines = baselineForecasts(r.train, options.season, spec.h, levels, options.baselines);
    return scoreWindow(s.name, r.window, cutoff, s.values, actual, [modelForecast, ...baselines], options.season);
  });
}

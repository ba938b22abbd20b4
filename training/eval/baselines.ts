// Forecast accuracy metrics and the two classical baselines the bundled model is measured against:
// seasonal naive and a Holt-Winters exponential-smoothing model chosen by AIC (our own implementation, so the
// evaluation needs no package beyond the project's). Both baselines give Gaussian quantiles around their point
// forecast, from their in-sample one-step errors.

/** Quantile levels of the WQL (those of the Chronos papers' benchmark). */
export const WQL_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;
const Z_SCORES = [-1.2815516, -0.8416212, -0.5244005, -0.2533471, 0, 0.2533471, 0.5244005, 0.8416212, 1.2815516];

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

function gaussianForecast(point: number[], sigmas: number[]): Forecast {
  return {
    median: point,
    quantiles: Z_SCORES.map((z) => point.map((p, t) => p + z * sigmas[t])),
  };
}

/** Seasonal period to use for a history: m when at least two full seasons are observed, else 1. */
export function effectivePeriod(m: number, length: number): number {
  return m > 1 && length >= 2 * m ? m : 1;
}

/** Seasonal naive: repeat the last season; spread from the seasonal differences, growing with √(seasons ahead). */
export function seasonalNaive(history: readonly number[], m: number, horizon: number): Forecast {
  const n = history.length;
  const point: number[] = [];
  const sigmas: number[] = [];
  let sq = 0;
  let count = 0;
  for (let t = m; t < n; t++) {
    sq += (history[t] - history[t - m]) ** 2;
    count++;
  }
  const sigma = count > 0 ? Math.sqrt(sq / count) : 0;
  for (let h = 1; h <= horizon; h++) {
    const k = Math.ceil(h / m);
    point.push(history[n - m + ((h - 1) % m)]);
    sigmas.push(sigma * Math.sqrt(k));
  }
  return gaussianForecast(point, sigmas);
}

type TrendKind = 'none' | 'add' | 'damped';
type SeasonKind = 'none' | 'add' | 'mul';

interface EtsFit {
  sse: number;
  count: number;
  level: number;
  trend: number;
  season: number[];
  /** Index into `season` of the first forecast step. */
  seasonStart: number;
}

function fitEts(y: readonly number[], m: number, trendKind: TrendKind, seasonKind: SeasonKind, alpha: number, beta: number, gamma: number, phi: number): EtsFit | null {
  const seasonal = seasonKind !== 'none';
  const start = seasonal ? m : 1;
  let level: number;
  let trend = 0;
  const season = new Array<number>(seasonal ? m : 1).fill(seasonKind === 'mul' ? 1 : 0);
  if (seasonal) {
    let first = 0;
    let second = 0;
    for (let i = 0; i < m; i++) first += y[i] / m;
    for (let i = m; i < 2 * m; i++) second += y[i] / m;
    level = first;
    if (trendKind !== 'none') trend = (second - first) / m;
    for (let i = 0; i < m; i++) season[i] = seasonKind === 'mul' ? y[i] / first : y[i] - first;
    // the first season's level sits at its centre; move it to the end of the season
    level += trend * ((m - 1) / 2);
  } else {
    level = y[0];
    if (trendKind !== 'none' && y.length > 1) trend = y[1] - y[0];
  }
  const damp = trendKind === 'damped' ? phi : 1;
  let sse = 0;
  for (let t = start; t < y.length; t++) {
    const s = seasonal ? season[t % m] : 0;
    const base = level + damp * trend;
    const pred = seasonKind === 'mul' ? base * s : base + s;
    const err = y[t] - pred;
    if (!Number.isFinite(err)) return null;
    sse += err * err;
    const prevLevel = level;
    if (seasonKind === 'mul') {
      if (!(s > 1e-8)) return null;
      level = alpha * (y[t] / s) + (1 - alpha) * base;
      if (!(level > 1e-8)) return null;
      season[t % m] = gamma * (y[t] / level) + (1 - gamma) * s;
    } else {
      level = alpha * (y[t] - s) + (1 - alpha) * base;
      if (seasonal) season[t % m] = gamma * (y[t] - level) + (1 - gamma) * s;
    }
    if (trendKind !== 'none') trend = beta * (level - prevLevel) + (1 - beta) * damp * trend;
  }
  return { sse, count: y.length - start, level, trend, season, seasonStart: y.length % (seasonal ? m : 1) };
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS = [0.01, 0.05, 0.1, 0.2];
const GAMMAS = [0.01, 0.05, 0.1, 0.2, 0.4];
const PHIS = [0.9, 0.95];

/**
 * Holt-Winters exponential smoothing (ETS with additive errors): trend none/additive/damped × season
 * none/additive/multiplicative, smoothing parameters from a grid by least squares, the model by AIC.
 * Quantiles: Gaussian with the one-step error variance propagated by the ETS(A,A,A) class-1 formula.
 */
export function ets(history: readonly number[], period: number, horizon: number): Forecast {
  const m = effectivePeriod(period, history.length);
  const positive = history.every((v) => v > 0);
  const seasons: SeasonKind[] = m > 1 ? (positive ? ['none', 'add', 'mul'] : ['none', 'add']) : ['none'];
  let best: { aic: number; fit: EtsFit; trendKind: TrendKind; seasonKind: SeasonKind; alpha: number; beta: number; gamma: number; phi: number } | null = null;
  for (const seasonKind of seasons) {
    for (const trendKind of ['none', 'add', 'damped'] as TrendKind[]) {
      const betas = trendKind === 'none' ? [0] : BETAS;
      const gammas = seasonKind === 'none' ? [0] : GAMMAS;
      const phis = trendKind === 'damped' ? PHIS : [1];
      for (const alpha of ALPHAS)
        for (const beta of betas) {
          if (beta > alpha) continue;
          for (const gamma of gammas)
            for (const phi of phis) {
              const fit = fitEts(history, m, trendKind, seasonKind, alpha, beta, gamma, phi);
              if (!fit || fit.count < 4) continue;
              const params = 1 + (trendKind !== 'none' ? 2 : 0) + (trendKind === 'damped' ? 1 : 0) + (seasonKind !== 'none' ? m : 0);
              const aic = fit.count * Math.log(Math.max(fit.sse, 1e-300) / fit.count) + 2 * params;
              if (!best || aic < best.aic) best = { aic, fit, trendKind, seasonKind, alpha, beta, gamma, phi };
            }
        }
    }
  }
  if (!best) return seasonalNaive(history, 1, horizon);
  const { fit, trendKind, seasonKind, alpha, beta, gamma, phi } = best;
  const sigma = Math.sqrt(fit.sse / fit.count);
  const point: number[] = [];
  const sigmas: number[] = [];
  let dampSum = 0;
  let variance = 0;
  for (let h = 1; h <= horizon; h++) {
    dampSum += trendKind === 'damped' ? phi ** h : 1;
    const base = fit.level + (trendKind === 'none' ? 0 : dampSum * fit.trend);
    const s = seasonKind === 'none' ? 0 : fit.season[(fit.seasonStart + h - 1) % m];
    point.push(seasonKind === 'mul' ? base * s : base + s);
    sigmas.push(sigma * Math.sqrt(1 + variance));
    const c = alpha * (1 + h * (trendKind === 'none' ? 0 : beta)) + (seasonKind !== 'none' && h % m === 0 ? gamma : 0);
    variance += c * c;
  }
  return gaussianForecast(point, sigmas);
}

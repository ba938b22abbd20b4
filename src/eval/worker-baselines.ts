// The baselines request of the app's worker: many backtest windows at once (their training values, the
// horizon, the season and the quantile levels), answered with every baseline's forecast of each. Plain,
// structured-cloneable data; `computeBaselines` runs in the worker once augurs is loaded there.
import { baselineForecasts, type MethodForecast } from './baselines';
import { chooseSeason, type SeasonChoice } from './season';
import type { Frequency } from '../data/timestamps';

/** Baselines of backtest windows, as the UI asks the worker for them. */
export interface BaselineRequest {
  /** Training values of each window (history up to its cutoff). */
  trains: Float64Array[];
  h: number;
  levels: number[];
  frequency: Frequency;
  /** The user's season, when given. */
  season?: number;
}

/** The worker's answer: the season it used and, per window, every baseline's forecast. */
export interface BaselineResult {
  season: SeasonChoice;
  forecasts: MethodForecast[][];
}

/** Computes the baselines of every window (checks `signal` between windows). */
export async function computeBaselines(request: BaselineRequest, signal?: AbortSignal): Promise<BaselineResult> {
  const season = chooseSeason(request.frequency, request.season, request.trains);
  const forecasts: MethodForecast[][] = [];
  for (let i = 0; i < request.trains.length; i++) {
    if (signal?.aborted) throw new DOMException('The baselines were cancelled.', 'AbortError');
    forecasts.push(baselineForecasts(request.trains[i], season.season, request.h, request.levels));
    if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { season, forecasts };
}

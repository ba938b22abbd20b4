// Horizon rules: the slider's range (up to 4× the model's single-call horizon, and in a backtest at most half
// the shortest history, so something is left to learn from) and a default horizon per data frequency.
import type { Frequency } from '../data/timestamps';
import type { ModelStatus } from '../worker/engine-api';
import type { UiTask } from './dataset';
import { shortestHistory } from './dataset';

/** How many single-call horizons the slider reaches (beyond the first, the pipeline unrolls). */
export const UNROLL_FACTOR = 4;
/** Slider maximum before a model is loaded. */
const FALLBACK_MAX = 64;

/** What the horizon range depends on. */
export interface HorizonContext {
  model: ModelStatus | null;
  backtest: boolean;
  tasks: readonly UiTask[];
}

/** The model's horizon in one call: `maxOutputPatches · patchSize`. */
export function modelHorizon(model: ModelStatus | null): number | null {
  return model ? model.maxOutputPatches * model.patchSize : null;
}

/** Largest horizon the slider offers. */
export function maxHorizon(ctx: HorizonContext): number {
  const single = modelHorizon(ctx.model);
  let max = single === null ? FALLBACK_MAX : UNROLL_FACTOR * single;
  if (ctx.backtest && ctx.tasks.length > 0) max = Math.min(max, Math.max(1, Math.floor(shortestHistory(ctx.tasks) / 2)));
  return max;
}

/** A horizon within [1, maxHorizon]. */
export function clampHorizon(ctx: HorizonContext, horizon: number): number {
  return Math.min(Math.max(1, Math.round(horizon)), maxHorizon(ctx));
}

/** A horizon that suits the frequency: a year of months, two weeks of days, a day of hours, ... */
export function defaultHorizon(frequency: Frequency): number {
  const byUnit: Record<Frequency['unit'], number> = {
    second: 60,
    minute: 60,
    hour: 24,
    day: 14,
    week: 13,
    month: 12,
    quarter: 8,
    year: 5,
    step: 16,
  };
  const base = byUnit[frequency.unit];
  if (frequency.unit === 'minute' && frequency.step > 1) return Math.min(96, Math.round(1440 / frequency.step));
  return frequency.step > 1 && frequency.unit !== 'step' ? Math.max(2, Math.round(base / frequency.step)) : base;
}

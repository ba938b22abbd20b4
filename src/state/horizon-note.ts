// Why the horizon slider stops where it does, in words for the hint under it: the model's single-call horizon
// times the roll-out factor, or in a backtest half the shortest series, or no model yet.
import { maxHorizon, modelHorizon, UNROLL_FACTOR, type HorizonContext } from './horizon';
import { shortestHistory } from './dataset';

/** The slider's maximum and the reason for it. */
export interface HorizonLimit {
  max: number;
  reason: 'no-model' | 'model' | 'history';
  /** One sentence for people. */
  text: string;
}

/** Explains {@link maxHorizon} for the current state. */
export function horizonLimit(ctx: HorizonContext): HorizonLimit {
  const max = maxHorizon(ctx);
  const single = modelHorizon(ctx.model);
  if (single === null) return { max, reason: 'no-model', text: `Up to ${max} steps until a model is loaded.` };
  const modelMax = UNROLL_FACTOR * single;
  if (ctx.backtest && ctx.tasks.length > 0 && max < modelMax) {
    const shortest = shortestHistory(ctx.tasks);
    return {
      max,
      reason: 'history',
      text: `Up to ${max}: a backtest holds out at most half of the shortest series (${shortest} points), so enough history is left to forecast from.`,
    };
  }
  return {
    max,
    reason: 'model',
    text: `Up to ${max}: the model forecasts ${single} steps per call; longer horizons feed its own forecast back in, and past ${UNROLL_FACTOR} calls the errors compound too much.`,
  };
}

// The evaluation library: rolling-origin backtests (Nixtla cross_validation convention), per-window metrics,
// baselines (seasonal naive, AutoETS from augurs), the season to use, and scale-free aggregates. Used by the
// app (in its worker), `npm run forecast -- --backtest` and `npm run eval`. No DOM, no app state.
export * from './metrics';
export * from './baselines';
export * from './season';
export * from './backtest';
export * from './aggregate';
export * from './run';
export { augursReady, initAugurs, initAugursSync } from './augurs';

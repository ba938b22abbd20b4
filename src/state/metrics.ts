// The app's backtest scores are the evaluation library's (src/eval/metrics.ts); re-exported for the UI.
export * from '../eval/metrics';

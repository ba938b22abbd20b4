// Public API of the forecasting pipeline: what the worker engine, CLI and UI import.

export * from './errors';
export type {
  CategoricalValues,
  CovariateValues,
  ForecastInputs,
  MultiSeries,
  PreparedTask,
  SeriesValues,
  TaskDict,
  Tensor3D,
} from './inputs';
export { prepareInputs } from './inputs';
export type { Batch, BatchingOptions } from './batching';
export { buildBatch, planBatches } from './batching';
export { interpolateQuantiles, probMassPerQuantileLevel, weightedQuantile } from './quantiles';
export type {
  BatchProgress,
  PredictOptions,
  PredictQuantilesOptions,
  QuantileForecast,
  QuantilesForecast,
  ResolvedPredictOptions,
} from './pipeline';
export {
  DEFAULT_QUANTILE_LEVELS,
  forecastRow,
  predict,
  predictQuantiles,
  resolvePredictOptions,
} from './pipeline';
export type { EmbedCallOutput, ModelCallInput, ModelCallOutput, ModelInfo, ModelRunner } from './model-runner';
export type { EmbedOptions, TaskEmbedding } from './embed';
export { cosineSimilarity, embed, mostSimilar, seriesVectors } from './embed';

// The public library: the one module a program imports (`import { Chronos2 } from 'chronos-web'`), re-exporting
// the curated API of each layer — data (CSV → table → series → tasks), forecasting (the pipeline, embeddings),
// evaluation (backtests, metrics, baselines), export (CSV/JSON), models (config, safetensors, LoRA, converter,
// manifest), runtime (onnxruntime sessions and backends), hub download and model cache, and the
// queueing/batching engine. Browser-safe: no DOM, no Node built-ins; Node extras live in ./node.ts.
// Nothing here (or below) imports the app (src/state, src/ui).

// ---------------------------------------------------------------------------------------------------------
// Front door

/** Load a converted model (URL or bytes) or a checkpoint and forecast: `await Chronos2.load(url)`. */
export { Chronos2, fetchConvertedModel } from './chronos2';
export type { FetchModelOptions, LoadOptions, ModelSource } from './chronos2';

// ---------------------------------------------------------------------------------------------------------
// Forecasting pipeline (upstream Chronos2Pipeline semantics)

export {
  DEFAULT_QUANTILE_LEVELS,
  forecastRow,
  interpolateQuantiles,
  planBatches,
  predict,
  predictQuantiles,
  prepareInputs,
  resolvePredictOptions,
} from './forecast';
export {
  CovariateError,
  EmptyInputError,
  ForecastInputError,
  ForecastOptionError,
  InputSchemaError,
  InputShapeError,
  ModelOutputError,
  PredictionLengthError,
  QuantileLevelError,
} from './forecast';
export { cosineSimilarity, embed, mostSimilar, seriesVectors } from './forecast';
export type { EmbedOptions, TaskEmbedding } from './forecast';
export type {
  BatchProgress,
  CategoricalValues,
  CovariateValues,
  ForecastInputs,
  ModelCallInput,
  ModelCallOutput,
  ModelInfo,
  ModelRunner,
  MultiSeries,
  PredictOptions,
  PredictQuantilesOptions,
  PreparedTask,
  QuantileForecast,
  QuantilesForecast,
  SeriesValues,
  TaskDict,
  Tensor3D,
} from './forecast';

// ---------------------------------------------------------------------------------------------------------
// Data: CSV → table → series

export { parseCsv, CSV_LIMITS } from './data/csv';
export type { ParseCsvOptions, ParsedColumn, ParsedTable, ParseProgress } from './data/csv';
export { CsvParseError } from './data/errors';
export { buildSeries, describeTable, detectSchema, MIN_OBSERVATIONS } from './data/table';
export type { ForecastSeries, SeriesSelection, SeriesSet, TableDescription, TableSchema } from './data/table';
export { defaultSelection, readTable } from './data/table-reading';
export type { TableReading } from './data/table-reading';
/** Series → pipeline tasks (univariate or multivariate, covariates), forecast runs and rolling backtests. */
export { buildTasks, prepareBacktest, prepareRun, seriesRefs } from './data/tasks';
export type { PreparedBacktest, PreparedRun, SeriesRef, UiTask } from './data/tasks';
export { addPeriods, futureTimestamps, inferFrequency, parseTimestamp, seasonLength } from './data/timestamps';
export type { Frequency } from './data/timestamps';
export { FREQUENCY_HELP, parseFrequency } from './data/frequency-names';
export { formatOnAxis } from './data/time-axis';
export type { TimeAxis } from './data/time-axis';

// ---------------------------------------------------------------------------------------------------------
// Evaluation: rolling-origin backtests, metrics, baselines (seasonal naive, AutoETS), aggregates

export * from './eval';

// ---------------------------------------------------------------------------------------------------------
// Export: forecast tables as CSV / JSON, as the app downloads them

export { backtestCsv, downloadName, forecastCsv, reportJson } from './export/downloads';
export type { NamedForecast, RunReport } from './export/downloads';
export { bucketLength, levelRow, quantileColumnName, sliceVariate } from './export/forecast-view';
export type { SeriesForecast } from './export/forecast-view';

// ---------------------------------------------------------------------------------------------------------
// Models: configuration, checkpoints, conversion to ONNX, manifests

export { convertCheckpoint } from './model/convert';
export type { CheckpointFiles, ConvertedModel, ConvertOptions } from './model/convert';
export { ConfigError, parseChronos2Config, parseChronos2ConfigText } from './model/config';
export type { Chronos2Config } from './model/config';
export { ManifestError, parseManifest } from './model/manifest';
export type { ModelManifest } from './model/manifest';
export { SafetensorsError } from './model/safetensors';
export { WEIGHT_STORAGES } from './model/onnx/fp16';
export type { WeightStorage } from './model/onnx/fp16';
export { AdapterError, parseLoraAdapter, parseLoraConfigText } from './model/lora';
export type { AdapterFiles, LoraAdapter, LoraConfig } from './model/lora';
export { PRESETS } from './model/presets';
export { makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from './model/random-checkpoint';

// ---------------------------------------------------------------------------------------------------------
// Runtime: onnxruntime sessions and backend choice

export { BackendUnavailableError, configureOrtEnv, createRunner } from './runtime/backend';
export type { BackendChoice, BackendKind, BackendPreference, OrtEnvOptions } from './runtime/backend';
export { ModelCallError, OrtModelRunner } from './runtime/ort-runner';
export type { OrtModule, SessionOptions } from './runtime/ort-runner';

// ---------------------------------------------------------------------------------------------------------
// Hugging Face hub and the model cache

export { prepareHubModel } from './hub/hub-model';
export type { HubModelRequest, PreparedModel, PrepareProgress } from './hub/hub-model';
export { ModelCache, openBrowserModelCache, opfsCacheBackend } from './hub/cache';
export type { CacheBackend, CachedModel } from './hub/cache';
export { downloadFile } from './hub/download';
export type { DownloadProgress } from './hub/download';
export {
  CachedModelError,
  DownloadIntegrityError,
  DownloadInterruptedError,
  GatedRepoError,
  HubHttpError,
  HubInputError,
  HubNetworkError,
  ModelFilesError,
  ModelTooLargeError,
  RepoNotFoundError,
} from './hub/errors';

// ---------------------------------------------------------------------------------------------------------
// The engine: queue, batching across requests, cancellation, WebGPU → WASM fallback (the browser worker's core)

export { CROSS_LEARNING_BATCH_ROWS, DEFAULT_BATCH_ROWS, Engine } from './worker/engine';
export type { EngineOptions, RunnerFactory } from './worker/engine';
export type { CallOptions, EngineProgress, ForecastEngine, ForecastRequest, ForecastResult, ModelSourceSpec, ModelStatus } from './worker/engine-api';
export { AbortError, EngineDisposedError, ModelChangedError, ModelNotLoadedError, ModelSourceError } from './worker/errors';

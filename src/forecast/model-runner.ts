// The one seam between the forecasting pipeline and whatever executes the Chronos-2 graph
// (onnxruntime-web in a browser or Node, onnxruntime-node, or a worker behind a client).
// The pipeline only ever sees this interface, so it is tested against the real ONNX model
// without caring where the model runs.

/** One call of `Chronos2Model.forward`, row-major, float32 like upstream. */
export interface ModelCallInput {
  /** Number of rows B (targets and covariates of all tasks in the batch). */
  batchSize: number;
  /** Context length T of every row (rows are left-padded with NaN by the caller). T >= 1. */
  contextLength: number;
  /** [B, T] float32, NaN = missing. */
  context: Float32Array;
  /** [B] group ids: rows with equal ids attend to each other in group attention. */
  groupIds: BigInt64Array;
  /** Number of output patches n (1..maxOutputPatches). */
  numOutputPatches: number;
  /** [B, n * patchSize] float32, NaN = unknown future value. */
  futureCovariates: Float32Array;
}

/** Raw model outputs of one call. */
export interface ModelCallOutput {
  /** [B, Q, n * patchSize] quantile predictions in the original scale (model order of quantiles). */
  quantilePreds: Float32Array;
  /** [B] instance-norm location per row. */
  loc: Float32Array;
  /** [B] instance-norm scale per row. */
  scale: Float32Array;
}

/** Outputs of one call made for embeddings. */
export interface EmbedCallOutput {
  /** [B, S, d_model] the encoder's last hidden states, S = context patches + 1 (REG token, if any) + output patches. */
  hiddenStates: Float32Array;
  /** S. */
  sequenceLength: number;
  /** [B] instance-norm location per row. */
  loc: Float32Array;
  /** [B] instance-norm scale per row. */
  scale: Float32Array;
}

/** Static facts about the model the pipeline needs (from its config). */
export interface ModelInfo {
  contextLength: number;
  patchSize: number;
  maxOutputPatches: number;
  quantiles: number[];
}

/** Executes Chronos-2 forward calls. Implementations must be safe to call sequentially. */
export interface ModelRunner {
  readonly info: ModelInfo;
  run(input: ModelCallInput): Promise<ModelCallOutput>;
  /** The same call, returning the encoder's hidden states (runners that cannot, lack it). */
  embed?(input: ModelCallInput): Promise<EmbedCallOutput>;
}

// Embeddings of time series, with the semantics of upstream `Chronos2Pipeline.embed` (chronos2/pipeline.py): the
// inputs are batched like `predict`'s (the last `contextLength` values per series, left-padded to the batch's
// longest), the model runs once per batch with one masked output patch, and each task gets the encoder's last
// hidden states of its variates — context patches, then the REG token and the output patch — with its loc/scale.
// Plus the two things a person does with them: a summary vector per series and a nearest-neighbour ranking.

import { buildBatch, planBatches } from './batching';
import { ForecastOptionError, InputSchemaError, ModelOutputError } from './errors';
import { prepareInputs, type ForecastInputs } from './inputs';
import type { ModelRunner } from './model-runner';

/** Options of {@link embed} (upstream keyword arguments in camelCase). */
export interface EmbedOptions {
  /** Series per model call; tasks are added until a batch has at least this many. Default 256. */
  batchSize?: number;
  /** Most past values used per series; default and upper bound: the model's context length. */
  contextLength?: number;
  /** Receives the warning upstream emits when `contextLength` is above the model's. */
  onWarning?: (message: string) => void;
  /** Called after each batch with the number of tasks done. */
  afterBatch?: (tasksDone: number, taskCount: number) => void;
  /** Aborts between model calls. */
  signal?: AbortSignal;
}

/** Embeddings of one task. */
export interface TaskEmbedding {
  numVariates: number;
  /** Tokens per variate: context patches of the batch + REG token (if the model has one) + 1 output patch. */
  numTokens: number;
  dModel: number;
  /** `[V][numTokens][dModel]` row-major float32. */
  values: Float32Array;
  /** `[V]` instance-norm location per variate. */
  loc: Float32Array;
  /** `[V]` instance-norm scale per variate. */
  scale: Float32Array;
}

/**
 * Embeds every task of `inputs` (upstream `Chronos2Pipeline.embed`): 1-D or 2-D series (a list, or a
 * `[tasks][variates][T]` tensor); no covariates.
 * @throws ForecastInputError subclasses for invalid inputs or options, ModelOutputError when the runner cannot
 *   embed or returns outputs of the wrong size, the signal's reason when aborted
 */
export async function embed(runner: ModelRunner, inputs: ForecastInputs, options: EmbedOptions = {}): Promise<TaskEmbedding[]> {
  const { info } = runner;
  const batchSize = options.batchSize ?? 256;
  requirePositiveInteger('batchSize', batchSize);
  let contextLength = options.contextLength ?? info.contextLength;
  requirePositiveInteger('contextLength', contextLength);
  if (contextLength > info.contextLength) {
    options.onWarning?.(
      `The specified contextLength ${contextLength} is greater than the model's default context length ${info.contextLength}. ` +
        `Resetting contextLength to ${info.contextLength}.`,
    );
    contextLength = info.contextLength;
  }
  if (!runner.embed) throw new ModelOutputError('This model runner cannot compute embeddings.');

  const P = info.patchSize;
  const tasks = prepareInputs(inputs, P);
  const withCovariates = tasks.findIndex((t) => t.nCovariates > 0);
  if (withCovariates >= 0) {
    throw new InputSchemaError(`Task ${withCovariates} has covariates; embeddings take target series only (1-D or 2-D arrays), as upstream's embed does.`);
  }
  const results: TaskEmbedding[] = [];
  for (const taskIndices of planBatches(tasks, batchSize)) {
    options.signal?.throwIfAborted();
    const batch = buildBatch(tasks, taskIndices, { contextLength, batchSize, crossLearning: false });
    const out = await runner.embed({
      batchSize: batch.numRows,
      contextLength: batch.length,
      context: batch.context,
      groupIds: batch.groupIds,
      numOutputPatches: 1,
      futureCovariates: new Float32Array(batch.numRows * P).fill(NaN),
    });
    const S = out.sequenceLength;
    const D = out.hiddenStates.length / (batch.numRows * S);
    if (!Number.isInteger(D) || D < 1 || out.loc.length !== batch.numRows || out.scale.length !== batch.numRows) {
      throw new ModelOutputError(`The model returned ${out.hiddenStates.length} hidden values for ${batch.numRows} rows of ${S} tokens; check that the model matches its config.`);
    }
    for (const [start, end] of batch.targetRanges) {
      results.push({
        numVariates: end - start,
        numTokens: S,
        dModel: D,
        values: out.hiddenStates.slice(start * S * D, end * S * D),
        loc: out.loc.slice(start, end),
        scale: out.scale.slice(start, end),
      });
    }
    options.afterBatch?.(results.length, tasks.length);
  }
  return results;
}

/**
 * One vector per variate summarising its series: the REG token's hidden state (the token Chronos-2 reads the whole
 * context through), `[V][dModel]`. Models without a REG token get the mean of the context patches instead.
 */
export function seriesVectors(embedding: TaskEmbedding, hasRegToken = true): Float32Array[] {
  const { numVariates, numTokens: S, dModel: D, values } = embedding;
  const vectors: Float32Array[] = [];
  for (let v = 0; v < numVariates; v++) {
    const base = v * S * D;
    if (hasRegToken) {
      // tokens: context patches …, REG, output patch
      vectors.push(values.slice(base + (S - 2) * D, base + (S - 1) * D));
      continue;
    }
    const mean = new Float32Array(D);
    for (let t = 0; t < S - 1; t++) for (let d = 0; d < D; d++) mean[d] += values[base + t * D + d] / (S - 1);
    vectors.push(mean);
  }
  return vectors;
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** The other vectors ranked by cosine similarity to `vectors[query]`, most similar first. */
export function mostSimilar(vectors: readonly ArrayLike<number>[], query: number, limit = vectors.length - 1): Array<{ index: number; similarity: number }> {
  if (!Number.isInteger(query) || query < 0 || query >= vectors.length) throw new RangeError(`query ${query} is not an index of the ${vectors.length} vectors`);
  return vectors
    .map((v, index) => ({ index, similarity: cosineSimilarity(vectors[query], v) }))
    .filter((r) => r.index !== query)
    .sort((a, b) => b.similarity - a.similarity || a.index - b.index)
    .slice(0, Math.max(0, limit));
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new ForecastOptionError(`${name} must be an integer >= 1, got ${value}.`);
}

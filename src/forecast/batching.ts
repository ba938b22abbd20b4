// Packs prepared tasks into model batches exactly like upstream `Chronos2Dataset` in TEST mode
// (chronos2/dataset.py): each task is cut to its last `contextLength` values, tasks are taken in order until
// the batch holds at least `batchSize` rows (a task is never split, so a batch can overshoot), rows are
// left-padded with NaN to the longest row, and group ids number the tasks inside the batch.
// Pure functions: the pipeline and the tests build the first model call from the same code.

import { InputShapeError } from './errors';
import type { PreparedTask } from './inputs';

/** How tasks are packed. */
export interface BatchingOptions {
  /** Keep at most this many trailing values per task (already capped at the model's context length). */
  contextLength: number;
  /** Tasks are added while the batch has fewer rows than this (rows = targets + covariates). */
  batchSize: number;
  /** Put every row of the batch in group 0, so all tasks of the batch attend to each other. */
  crossLearning: boolean;
}

/** Inputs of the first model call for one batch. */
export interface Batch {
  /** Indices into the prepared task list, in order. */
  taskIndices: number[];
  /** Rows B over all tasks of the batch. */
  numRows: number;
  /** Columns T: the longest (truncated) task history in the batch. */
  length: number;
  /** `[B][T]` float32, left-padded with NaN. */
  context: Float32Array;
  /** `[B]` group id per row: the task's index inside the batch, or 0 with cross-learning. */
  groupIds: BigInt64Array;
  /** `[B][predictionLength]` future covariate values, NaN = unknown. */
  futureCovariates: Float32Array;
  predictionLength: number;
  /** Per task, the half-open row range `[start, end)` of its targets. */
  targetRanges: Array<readonly [number, number]>;
}

/**
 * Splits task indices into batches: tasks are added in order while the batch has fewer than `batchSize`
 * rows, so every batch but the last has at least `batchSize` rows, and a task larger than `batchSize`
 * forms a batch of its own.
 */
export function planBatches(tasks: readonly PreparedTask[], batchSize: number): number[][] {
  const batches: number[][] = [];
  let next = 0;
  while (next < tasks.length) {
    const indices: number[] = [];
    let rows = 0;
    while (next < tasks.length && rows < batchSize) {
      indices.push(next);
      rows += tasks[next].numRows;
      next += 1;
    }
    batches.push(indices);
  }
  return batches;
}

/**
 * Builds the model inputs of one batch.
 * @throws InputShapeError when every task of the batch has an empty history (the model needs T >= 1).
 */
export function buildBatch(
  tasks: readonly PreparedTask[],
  taskIndices: readonly number[],
  options: BatchingOptions,
): Batch {
  const members = taskIndices.map((i) => tasks[i]);
  const kept = members.map((task) => Math.min(task.length, options.contextLength));
  const length = kept.reduce((a, b) => Math.max(a, b), 0);
  if (length === 0) {
    throw new InputShapeError(
      `Tasks ${taskIndices.join(', ')} all have an empty history; give at least one value per series.`,
    );
  }
  const predictionLength = members.length > 0 ? members[0].futureCovariates.length / members[0].numRows : 0;
  const numRows = members.reduce((sum, task) => sum + task.numRows, 0);
  const context = new Float32Array(numRows * length).fill(NaN);
  const futureCovariates = new Float32Array(numRows * predictionLength);
  const groupIds = new BigInt64Array(numRows);
  const targetRanges: Array<readonly [number, number]> = [];

  let row = 0;
  members.forEach((task, group) => {
    const keep = kept[group];
    const skip = task.length - keep;
    for (let r = 0; r < task.numRows; r++) {
      const source = task.context.subarray(r * task.length + skip, (r + 1) * task.length);
      context.set(source, (row + r) * length + (length - keep));
    }
    futureCovariates.set(task.futureCovariates, row * predictionLength);
    groupIds.fill(options.crossLearning ? 0n : BigInt(group), row, row + task.numRows);
    targetRanges.push([row, row + task.nTargets]);
    row += task.numRows;
  });

  return {
    taskIndices: [...taskIndices],
    numRows,
    length,
    context,
    groupIds,
    futureCovariates,
    predictionLength,
    targetRanges,
  };
}

// Makes batched and separate results identical on every runtime: each prepared task's history is left-padded with
// missing values (NaN) to a whole number of patches, so a task has the same length alone as inside any batch of
// the engine (which only groups tasks with the same number of context patches and left-pads them with NaN to
// the longest). Why: onnxruntime-node's native reductions (the instance-norm mean/scale over the history) group
// their sums by length, so a 40-step series alone and padded to 47 in a batch differed in the last bits
// (up to 1e-5 absolute on the bundled model); onnxruntime-web's WASM kernels happened not to.
import type { PreparedTask } from '../forecast';

/**
 * Left-pads every task to `ceil(length / patchSize) · patchSize` steps (at most `contextLength`, beyond which
 * the pipeline cuts the history anyway). Padding is what the model does itself, so forecasts do not change
 * beyond rounding; tasks already aligned are returned as they are.
 */
export function alignToPatches(tasks: readonly PreparedTask[], patchSize: number, contextLength: number): PreparedTask[] {
  return tasks.map((task) => {
    const { length, numRows } = task;
    if (length >= contextLength) return task;
    const aligned = Math.min(Math.ceil(length / patchSize) * patchSize, contextLength);
    if (aligned === length) return task;
    const context = new Float32Array(numRows * aligned).fill(Number.NaN);
    for (let r = 0; r < numRows; r++) context.set(task.context.subarray(r * length, (r + 1) * length), r * aligned + (aligned - length));
    return { ...task, context, length: aligned };
  });
}

// Keeps series of any magnitude inside what the float32 model can compute. The model normalises each row itself
// (mean and standard deviation in float32), so values around 1e20 overflow its sum of squares (→ -Infinity) and
// values near 1e-30 underflow it (→ forecasts 23 orders of magnitude off). Rows outside the safe range are
// standardised here in float64 before the model and the forecasts mapped back after: the model's output is
// equivariant to such an affine map (it normalises again), so nothing changes but the rounding. Rows inside the
// safe range are left bit for bit as they are, so ordinary series give exactly the same numbers as before.
// Values float32 cannot hold at all (beyond ±3.4e38, or ±Infinity) are refused per task, with a message that
// says which row, so that one such series never blanks the other series of a model call.

import type { Batch } from './batching';
import type { PreparedTask } from './inputs';

/** Largest magnitude the model's float32 instance norm handles without overflow (sums over 8192 squares). */
const SAFE_MAX = 1e15;
/** Smallest spread it handles without its squares underflowing. */
const SAFE_MIN = 1e-15;

/** The affine map applied to one row: model input = (x − shift) / scale. */
export interface RowScaling {
  row: number;
  shift: number;
  scale: number;
}

/**
 * Why a prepared task cannot be forecast, or null when it can: a value float32 cannot hold (beyond ±3.4e38 in
 * the input, which became ±Infinity, or ±Infinity itself) in its history or its future covariates.
 */
export function unforecastableReason(task: PreparedTask): string | null {
  const rowOf = (i: number): number => Math.floor(i / task.length);
  const where = (row: number): string =>
    row < task.nTargets ? (task.nTargets === 1 ? 'its target' : `target variate ${row}`) : `covariate row ${row - task.nTargets}`;
  for (let i = 0; i < task.context.length; i++) {
    const v = task.context[i];
    if (v === Infinity || v === -Infinity) {
      return `${where(rowOf(i))} has a value the model cannot take (infinite, or beyond ±3.4e38, the float32 range) at step ${i % task.length}`;
    }
  }
  const width = task.futureCovariates.length / Math.max(1, task.numRows);
  for (let i = 0; i < task.futureCovariates.length; i++) {
    const v = task.futureCovariates[i];
    if (v === Infinity || v === -Infinity) {
      return `${where(Math.floor(i / width))} has a future value the model cannot take (infinite, or beyond ±3.4e38, the float32 range)`;
    }
  }
  return null;
}

/**
 * Standardises, in float64 and in place, every row of the batch whose observed values the model's float32
 * instance norm cannot handle (magnitude above 1e15, or spread below 1e-15); its future covariates get the same
 * map. Returns the maps applied, for {@link restoreMagnitudes}.
 */
export function normaliseMagnitudes(batch: Batch): RowScaling[] {
  const { length: T, predictionLength: F } = batch;
  const applied: RowScaling[] = [];
  for (let row = 0; row < batch.numRows; row++) {
    const values = batch.context.subarray(row * T, (row + 1) * T);
    let n = 0;
    let sum = 0;
    let maxAbs = 0;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    if (n === 0 || maxAbs === 0) continue;
    const mean = sum / n;
    let squares = 0;
    for (const v of values) if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
    const std = Math.sqrt(squares / n);
    let map: RowScaling | null = null;
    if (std > 0) {
      if (maxAbs > SAFE_MAX || std < SAFE_MIN) map = { row, shift: mean, scale: std };
    } else if (maxAbs > SAFE_MAX || maxAbs < SAFE_MIN) {
      // A constant row: scaled to ±1 (not shifted to 0), so the model's floor for a zero spread stays relative.
      map = { row, shift: 0, scale: maxAbs };
    }
    if (!map) continue;
    for (let t = 0; t < T; t++) values[t] = (values[t] - map.shift) / map.scale;
    const future = batch.futureCovariates.subarray(row * F, (row + 1) * F);
    for (let t = 0; t < F; t++) future[t] = (future[t] - map.shift) / map.scale;
    applied.push(map);
  }
  return applied;
}

/**
 * Maps forecasts `[rows][Q][H]` of standardised rows back to their original scale, in float64 (rounded once to
 * float32). A forecast beyond float32's range becomes ±Infinity, which the pipeline reports for that task.
 */
export function restoreMagnitudes(values: Float32Array, maps: readonly RowScaling[], numQuantiles: number, horizon: number): void {
  const rowSize = numQuantiles * horizon;
  for (const { row, shift, scale } of maps) {
    const out = values.subarray(row * rowSize, (row + 1) * rowSize);
    for (let i = 0; i < out.length; i++) out[i] = out[i] * scale + shift;
  }
}

// Analytic cost of one Chronos-2 forward call, so benchmarks can report achieved GFLOP/s next to the
// backend's matmul ceiling. Counts the matrix products (2 FLOPs per multiply-add); elementwise work is
// left out, as usual for transformer FLOP counts.
import type { Chronos2Config } from '../model/config';

/** Shape of one forward call. */
export interface CallShape {
  /** Rows in the batch. */
  batch: number;
  /** Context length T. */
  contextLength: number;
  /** Forecast horizon in steps (rounded up to whole patches). */
  horizon: number;
}

/** FLOPs of one forward call of `config` at `shape`. */
export function forwardFlops(config: Chronos2Config, shape: CallShape): number {
  const P = config.patchSize;
  const D = config.dModel;
  const inner = config.numHeads * config.dKv;
  const B = shape.batch;
  const N = Math.ceil(Math.min(shape.contextLength, config.contextLength) / P);
  const n = Math.ceil(shape.horizon / P);
  const S = N + (config.useRegToken ? 1 : 0) + n;
  const Q = config.quantiles.length;
  let macs = 0;
  // input residual block over context and future tokens
  macs += B * (N + n) * (3 * P * config.dFf + config.dFf * D + 3 * P * D);
  for (let l = 0; l < config.numLayers; l++) {
    macs += 2 * B * S * 4 * D * inner; // q, k, v, o of time and group attention
    macs += 2 * B * config.numHeads * S * S * config.dKv; // time attention scores and values
    macs += 2 * S * config.numHeads * B * B * config.dKv; // group attention scores and values
    macs += 2 * B * S * D * config.dFf; // MLP
  }
  // output residual block over the forecast tokens
  macs += B * n * (D * config.dFf + config.dFf * Q * P + D * Q * P);
  return 2 * macs;
}

/** FLOPs of a [m,k]×[k,n] matrix product. */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

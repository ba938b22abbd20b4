// Timing of forward calls and of the matmul ceiling, shared by the Node benchmark and the browser
// benchmark page so every backend is measured the same way: warm-up, then repeated runs, percentiles.
import type { ModelCallInput, ModelRunner } from '../forecast/model-runner';
import type { Chronos2Config } from '../model/config';
import { forwardFlops, matmulFlops, type CallShape } from './flops';

/** Latency statistics of repeated runs, ms. */
export interface LatencyStats {
  p50: number;
  p95: number;
  mean: number;
  runs: number;
}

/** One measured forward configuration. */
export interface ForwardMeasurement extends CallShape {
  latency: LatencyStats;
  seriesPerSecond: number;
  gflops: number;
}

/** One measured matmul ceiling. */
export interface MatmulMeasurement {
  m: number;
  k: number;
  n: number;
  latency: LatencyStats;
  gflops: number;
}

/** Percentile summary of latencies. */
export function latencyStats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: pick(0.5), p95: pick(0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, runs: sorted.length };
}

/** Deterministic seasonal test series [batch, T] (trend + two seasonalities + noise, a few NaNs). */
export function syntheticContext(batch: number, length: number, seed = 1): Float32Array {
  const out = new Float32Array(batch * length);
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let b = 0; b < batch; b++) {
    const level = 50 + 100 * rand();
    for (let t = 0; t < length; t++) {
      out[b * length + t] = level + 0.05 * t + 10 * Math.sin((2 * Math.PI * t) / 24) + 5 * Math.sin((2 * Math.PI * t) / 168) + 2 * rand();
    }
    out[b * length + Math.floor(length / 2)] = NaN;
  }
  return out;
}

/** One model call of `shape`: synthetic series, one group per row, no known future covariates. */
export function syntheticCallInput(patchSize: number, shape: CallShape): ModelCallInput {
  const n = Math.ceil(shape.horizon / patchSize);
  return {
    batchSize: shape.batch,
    contextLength: shape.contextLength,
    context: syntheticContext(shape.batch, shape.contextLength),
    groupIds: BigInt64Array.from({ length: shape.batch }, (_, i) => BigInt(i)),
    numOutputPatches: n,
    futureCovariates: new Float32Array(shape.batch * n * patchSize).fill(NaN),
  };
}

/** Runs until `minRuns` runs and `minMs` elapsed (at most `maxRuns`), after `warmup` untimed runs. */
async function repeat(fn: () => Promise<unknown>, options: { warmup: number; minRuns: number; maxRuns: number; minMs: number }): Promise<number[]> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < options.maxRuns && (samples.length < options.minRuns || performance.now() - start < options.minMs)) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

/** Measures forward calls of `runner` at `shape`. */
export async function measureForward(
  runner: ModelRunner,
  config: Chronos2Config,
  shape: CallShape,
  options = { warmup: 1, minRuns: 3, maxRuns: 20, minMs: 3000 },
): Promise<ForwardMeasurement> {
  const input = syntheticCallInput(runner.info.patchSize, shape);
  const samples = await repeat(() => runner.run(input), options);
  const latency = latencyStats(samples);
  return {
    ...shape,
    latency,
    seriesPerSecond: (shape.batch * 1000) / latency.p50,
    gflops: forwardFlops(config, shape) / (latency.p50 * 1e6),
  };
}

/** Latency of repeated calls of `run` (the same warm-up and repetition as the matmul ceiling). */
export async function measureLatency(run: () => Promise<unknown>, options = { warmup: 2, minRuns: 5, maxRuns: 50, minMs: 2000 }): Promise<LatencyStats> {
  return latencyStats(await repeat(run, options));
}

/** Measures `run` (one X[m,k]·W[k,n] product) as the backend's matmul ceiling. */
export async function measureMatmul(
  run: () => Promise<unknown>,
  m: number,
  k: number,
  n: number,
  options = { warmup: 2, minRuns: 5, maxRuns: 50, minMs: 2000 },
): Promise<MatmulMeasurement> {
  const latency = await measureLatency(run, options);
  return { m, k, n, latency, gflops: matmulFlops(m, k, n) / (latency.p50 * 1e6) };
}

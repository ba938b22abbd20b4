// The pipeline's sequence of model calls, checked against every call recorded by upstream, with a runner that
// replays the recorded outputs of the first call. Where the whole result follows from that call (one batch
// or the first batch, no long horizon), the outputs must equal upstream's exactly; that covers slicing the
// horizon, per-task target ranges and predict_quantiles' selection / interpolation.

import { describe, expect, it } from 'vitest';
import {
  planBatches,
  predict,
  predictQuantiles,
  prepareInputs,
  resolvePredictOptions,
  type ModelCallInput,
} from '../../src/forecast';
import {
  firstMismatch,
  fixtureInputs,
  fixtureOptions,
  flat,
  modelInfo,
  pipelineCases,
  type FixtureCase,
  type Nested,
} from './fixtures';
import { ReplayRunner } from './replay-runner';

function lastColumns(call: ModelCallInput, tail: number): Float32Array {
  const T = call.contextLength;
  const out = new Float32Array(call.batchSize * tail);
  for (let r = 0; r < call.batchSize; r++) out.set(call.context.subarray(r * T + T - tail, (r + 1) * T), r * tail);
  return out;
}

async function run(c: FixtureCase): Promise<{ runner: ReplayRunner; firstBatchTasks: number; longHorizon: boolean }> {
  const info = modelInfo(c.model);
  const runner = new ReplayRunner(info, c.intermediates?.model_calls ?? []);
  const options = fixtureOptions(c);
  const resolved = resolvePredictOptions(info, options);
  const tasks = prepareInputs(fixtureInputs(c), resolved.predictionLength);
  const firstBatchTasks = planBatches(tasks, resolved.batchSize)[0].length;
  const longHorizon = resolved.predictionLength > resolved.maxOutputPatches * info.patchSize;

  if (c.call === 'predict') {
    const forecasts = await predict(runner, fixtureInputs(c), options);
    const expected = c.expected.predictions ?? [];
    expect(forecasts.length).toBe(expected.length);
    forecasts.forEach((f, i) => {
      expect(f.quantileLevels).toEqual(info.quantiles);
      expect([f.numVariates, f.quantileLevels.length, f.horizon]).toEqual([
        (expected[i] as Nested[]).length,
        info.quantiles.length,
        resolved.predictionLength,
      ]);
      if (!longHorizon && i < firstBatchTasks) expect(firstMismatch(f.values, flat(expected[i]))).toBeNull();
    });
  } else {
    const forecasts = await predictQuantiles(runner, fixtureInputs(c), options);
    const quantiles = c.expected.quantiles ?? [];
    const mean = c.expected.mean ?? [];
    expect(forecasts.length).toBe(quantiles.length);
    forecasts.forEach((f, i) => {
      if (!longHorizon && i < firstBatchTasks) {
        expect(firstMismatch(f.quantiles, flat(quantiles[i]))).toBeNull();
        expect(firstMismatch(f.mean, flat(mean[i]))).toBeNull();
      } else {
        expect(f.quantiles.length).toBe(flat(quantiles[i]).length);
        expect(f.mean.length).toBe(flat(mean[i]).length);
      }
    });
  }
  return { runner, firstBatchTasks, longHorizon };
}

describe('model call sequence and replayed outputs equal upstream', () => {
  for (const c of pipelineCases()) {
    it(c.name, async () => {
      const { runner } = await run(c);
      const recorded = c.intermediates?.model_calls ?? [];
      expect(runner.calls.length).toBe(recorded.length);
      runner.calls.forEach((call, i) => {
        const want = recorded[i];
        expect(call.numOutputPatches).toBe(want.num_output_patches);
        expect([call.batchSize, call.contextLength]).toEqual(want.context_shape);
        expect(Array.from(call.groupIds, Number)).toEqual(want.group_ids);
        expect(call.context.length).toBe(call.batchSize * call.contextLength);
        expect(call.futureCovariates.length).toBe(call.batchSize * call.numOutputPatches * runner.info.patchSize);
      });
      const first = recorded[0];
      if (first.context === undefined || first.future_covariates === undefined) throw new Error('no call 0');
      expect(firstMismatch(runner.calls[0].context, flat(first.context))).toBeNull();
      expect(firstMismatch(runner.calls[0].futureCovariates, flat(first.future_covariates))).toBeNull();
      // Call 1 depends only on the inputs and the replayed call 0 (later calls depend on unreplayed outputs).
      const second = recorded[1];
      if (second?.context_tail !== undefined && second.context_tail_length !== undefined) {
        const tail = lastColumns(runner.calls[1], second.context_tail_length);
        expect(firstMismatch(tail, flat(second.context_tail))).toBeNull();
      }
    });
  }
});

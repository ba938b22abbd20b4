// Input preparation and batch construction against the upstream intermediates recorded in the fixtures:
// encoded per-task rows (list-of-dicts cases) and the exact first model call of every pipeline case.

import { describe, expect, it } from 'vitest';
import { buildBatch, planBatches, prepareInputs, resolvePredictOptions } from '../../src/forecast';
import {
  firstMismatch,
  fixtureInputs,
  fixtureOptions,
  flat,
  modelInfo,
  pipelineCases,
  shapeOf,
} from './fixtures';

const cases = pipelineCases();
const dictCases = cases.filter((c) => c.input_format === 'list_of_dicts');

describe('prepareInputs: list-of-dicts encoding equals upstream prepared_inputs', () => {
  it('has list-of-dicts cases to check', () => {
    expect(dictCases.length).toBeGreaterThanOrEqual(4);
  });

  for (const c of dictCases) {
    it(c.name, () => {
      const options = resolvePredictOptions(modelInfo(c.model), fixtureOptions(c));
      const tasks = prepareInputs(fixtureInputs(c), options.predictionLength);
      const prepared = c.intermediates?.prepared_inputs ?? [];
      expect(tasks.length).toBe(prepared.length);
      tasks.forEach((task, i) => {
        const want = prepared[i];
        const [rows, length] = shapeOf(want.context);
        expect([task.numRows, task.length]).toEqual([rows, length]);
        expect(task.nTargets).toBe(want.n_targets);
        expect(task.nCovariates).toBe(want.n_covariates);
        expect(task.nFutureCovariates).toBe(want.n_future_covariates);
        expect(firstMismatch(task.context, flat(want.context))).toBeNull();
        expect(firstMismatch(task.futureCovariates, flat(want.future_covariates))).toBeNull();
      });
    });
  }
});

describe('buildBatch: the first model call equals upstream', () => {
  for (const c of cases) {
    it(c.name, () => {
      const info = modelInfo(c.model);
      const options = resolvePredictOptions(info, fixtureOptions(c));
      const tasks = prepareInputs(fixtureInputs(c), options.predictionLength);
      const plan = planBatches(tasks, options.batchSize);
      const batch = buildBatch(tasks, plan[0], options);
      const call = c.intermediates?.model_calls?.[0];
      if (call?.context === undefined || call.future_covariates === undefined) throw new Error('fixture lacks call 0');

      expect([batch.numRows, batch.length]).toEqual(call.context_shape);
      expect(Array.from(batch.groupIds, Number)).toEqual(call.group_ids);
      expect(firstMismatch(batch.context, flat(call.context))).toBeNull();

      const numPatches = Math.min(Math.ceil(options.predictionLength / info.patchSize), options.maxOutputPatches);
      expect(numPatches).toBe(call.num_output_patches);
      // The fixture stores the future covariates as the model saw them: cut or NaN-padded to n·P columns.
      const width = numPatches * info.patchSize;
      expect(shapeOf(call.future_covariates)).toEqual([batch.numRows, width]);
      const want = flat(call.future_covariates);
      const H = batch.predictionLength;
      for (let r = 0; r < batch.numRows; r++) {
        const got = new Float32Array(width).fill(NaN);
        got.set(batch.futureCovariates.subarray(r * H, r * H + Math.min(H, width)));
        expect(firstMismatch(got, want.subarray(r * width, (r + 1) * width))).toBeNull();
      }
    });
  }
});

describe('planBatches', () => {
  const task = (rows: number) => ({
    context: new Float32Array(rows),
    futureCovariates: new Float32Array(rows),
    numRows: rows,
    length: 1,
    nTargets: rows,
    nCovariates: 0,
    nFutureCovariates: 0,
  });

  it('adds tasks until a batch has at least batchSize rows (a batch may overshoot)', () => {
    expect(planBatches([1, 1, 1, 1, 1].map(task), 3)).toEqual([[0, 1, 2], [3, 4]]);
    expect(planBatches([2, 2, 2].map(task), 3)).toEqual([[0, 1], [2]]);
  });

  it('never splits a task larger than batchSize', () => {
    expect(planBatches([5, 1, 1].map(task), 2)).toEqual([[0], [1, 2]]);
  });
});

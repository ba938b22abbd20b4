// Every named error of the pipeline for the invalid calls upstream rejects, plus warnings, progress and abort.
// The runner here returns zeros: these tests never look at forecast values.

import { describe, expect, it } from 'vitest';
import {
  CovariateError,
  EmptyInputError,
  ForecastInputError,
  ForecastOptionError,
  InputSchemaError,
  InputShapeError,
  ModelOutputError,
  PredictionLengthError,
  QuantileLevelError,
  predict,
  predictQuantiles,
  type ForecastInputs,
  type ModelCallInput,
  type ModelCallOutput,
  type ModelInfo,
  type ModelRunner,
  type PredictQuantilesOptions,
} from '../../src/forecast';

const QUANTILES = [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99];
const INFO: ModelInfo = { contextLength: 512, patchSize: 16, maxOutputPatches: 8, quantiles: QUANTILES };

class ZeroRunner implements ModelRunner {
  calls = 0;
  constructor(
    readonly info: ModelInfo = INFO,
    private readonly extra = 0,
  ) {}
  async run(input: ModelCallInput): Promise<ModelCallOutput> {
    this.calls += 1;
    const width = input.numOutputPatches * this.info.patchSize;
    return {
      quantilePreds: new Float32Array(input.batchSize * this.info.quantiles.length * width + this.extra),
      loc: new Float32Array(input.batchSize),
      scale: new Float32Array(input.batchSize),
    };
  }
}

const series = [1, 2, 3, 4, 5];
const call = (inputs: unknown, options: PredictQuantilesOptions = {}, runner: ModelRunner = new ZeroRunner()) =>
  predictQuantiles(runner, inputs as ForecastInputs, { predictionLength: 4, ...options });

async function expectError(promise: Promise<unknown>, type: new (m: string) => Error, name: string): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).name).toBe(name);
  expect((error as Error).message.length).toBeGreaterThan(20);
  return error as Error;
}

describe('EmptyInputError', () => {
  it('for an empty list or a tensor without tasks', async () => {
    const e = await expectError(call([]), EmptyInputError, 'EmptyInputError');
    expect(e).toBeInstanceOf(ForecastInputError);
    await expectError(call({ shape: [0, 1, 5], data: [] }), EmptyInputError, 'EmptyInputError');
  });
});

describe('InputShapeError', () => {
  it.each([
    ['a 3-d element of a list', [[[[1, 2]]]]],
    ['ragged variates', [[[1, 2], [1]]]],
    ['a tensor whose data does not match its shape', { shape: [1, 2, 3], data: [1, 2] }],
    ['a tensor of the wrong rank', { shape: [1, 5], data: series }],
    ['a 3-d dict target', [{ target: [[[1, 2]]] }]],
    ['a batch where every series is empty', [[]]],
  ])('for %s', async (_, inputs) => {
    await expectError(call(inputs), InputShapeError, 'InputShapeError');
  });
});

describe('InputSchemaError', () => {
  it.each([
    ['an unknown dict key', [{ target: series, covariates: {} }]],
    ['a dict without target', [{ past_covariates: {} }]],
    ['past_covariates that is not an object', [{ target: series, past_covariates: [1, 2] }]],
    ['future_covariates that is null', [{ target: series, future_covariates: null, past_covariates: {} }]],
    ['different numbers of targets', [{ target: series }, { target: [series, series] }]],
    ['different past covariates', [{ target: series, past_covariates: { a: series } }, { target: series }]],
    [
      'different future covariates',
      [
        { target: series, past_covariates: { a: series }, future_covariates: { a: [1, 2, 3, 4] } },
        { target: series, past_covariates: { a: series } },
      ],
    ],
    [
      'disagreeing future availability',
      [
        { target: series, past_covariates: { a: series }, future_covariates: { a: [1, 2, 3, 4] } },
        { target: series, past_covariates: { a: series }, future_covariates: { a: null } },
      ],
    ],
    ['a string in a target', [['1', 2, 3]]],
    ['an element that is neither series nor dict', [42]],
    ['a dict after a series', [series, { target: series }]],
  ])('for %s', async (_, inputs) => {
    await expectError(call(inputs), InputSchemaError, 'InputSchemaError');
  });
});

describe('CovariateError', () => {
  it.each([
    ['a past covariate of the wrong length', [{ target: series, past_covariates: { a: [1, 2] } }]],
    [
      'a future covariate of the wrong length',
      [{ target: series, past_covariates: { a: series }, future_covariates: { a: [1, 2] } }],
    ],
    ['future covariate names not among past covariates', [{ target: series, future_covariates: { a: [1, 2, 3, 4] } }]],
    ['a 2-d covariate', [{ target: series, past_covariates: { a: [series] } }]],
    [
      'numbers mixed into a categorical covariate',
      [{ target: series, past_covariates: { a: ['x', 'y', 3, 'x', 'y'] } }],
    ],
    [
      'strings in the future of a numeric covariate',
      [{ target: series, past_covariates: { a: series }, future_covariates: { a: ['x', 'y', 'x', 'y'] } }],
    ],
  ])('for %s', async (_, inputs) => {
    await expectError(call(inputs), CovariateError, 'CovariateError');
  });
});

describe('PredictionLengthError', () => {
  it.each([0, -3, 2.5, NaN])('for predictionLength %s', async (predictionLength) => {
    await expectError(call([series], { predictionLength }), PredictionLengthError, 'PredictionLengthError');
  });

  it('when limitPredictionLength is set and the horizon exceeds the model’s', async () => {
    const runner = new ZeroRunner();
    await expectError(
      call([series], { predictionLength: 129, limitPredictionLength: true }, runner),
      PredictionLengthError,
      'PredictionLengthError',
    );
    expect(runner.calls).toBe(0);
  });
});

describe('QuantileLevelError', () => {
  it('for unrolled quantiles off the model grid', async () => {
    await expectError(call([series], { unrolledQuantiles: [0.1, 0.33] }), QuantileLevelError, 'QuantileLevelError');
  });

  it('for no unrolled quantiles when the horizon needs unrolling', async () => {
    await expectError(
      call([series], { predictionLength: 200, unrolledQuantiles: [] }),
      QuantileLevelError,
      'QuantileLevelError',
    );
    await expect(call([series], { predictionLength: 100, unrolledQuantiles: [] })).resolves.toHaveLength(1);
  });

  it('for requested levels outside [0, 1]', async () => {
    await expectError(call([series], { quantileLevels: [0.5, 1.5] }), QuantileLevelError, 'QuantileLevelError');
  });

  it('for a model without a 0.5 level (the mean)', async () => {
    const runner = new ZeroRunner({ ...INFO, quantiles: [0.1, 0.9] });
    await expectError(
      call([series], { quantileLevels: [0.1], unrolledQuantiles: [0.1] }, runner),
      QuantileLevelError,
      'QuantileLevelError',
    );
  });
});

describe('ForecastOptionError', () => {
  it.each([
    ['batchSize', { batchSize: 0 }],
    ['contextLength', { contextLength: 0 }],
    ['maxOutputPatches', { maxOutputPatches: 0 }],
    ['fractional batchSize', { batchSize: 1.5 }],
  ])('for %s', async (_, options) => {
    await expectError(call([series], options), ForecastOptionError, 'ForecastOptionError');
  });
});

describe('ModelOutputError', () => {
  it('when the runner returns outputs of the wrong size', async () => {
    const e = await expectError(call([series], {}, new ZeroRunner(INFO, 1)), ModelOutputError, 'ModelOutputError');
    expect(e).not.toBeInstanceOf(ForecastInputError);
  });
});

describe('warnings, progress and abort', () => {
  it('warns where upstream warns', async () => {
    const warnings: string[] = [];
    await predict(new ZeroRunner(), [series], {
      predictionLength: 130,
      contextLength: 1000,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/prediction length <= 128/);
    expect(warnings[1]).toMatch(/Resetting contextLength to 512/);

    const more: string[] = [];
    await call([series], { quantileLevels: [0.001, 0.5], onWarning: (m) => more.push(m) });
    expect(more).toHaveLength(1);
  });

  it('reports progress after each batch', async () => {
    const progress: number[][] = [];
    await predict(new ZeroRunner(), [series, series, series], {
      predictionLength: 4,
      batchSize: 2,
      afterBatch: (p) => progress.push([p.batchIndex, p.batchCount, p.tasksDone, p.taskCount]),
    });
    expect(progress).toEqual([
      [0, 2, 2, 3],
      [1, 2, 3, 3],
    ]);
  });

  it('stops before the next model call when aborted', async () => {
    const controller = new AbortController();
    const runner = new ZeroRunner();
    controller.abort(new Error('stop'));
    await expect(predict(runner, [series], { predictionLength: 4, signal: controller.signal })).rejects.toThrow('stop');
    expect(runner.calls).toBe(0);
  });
});

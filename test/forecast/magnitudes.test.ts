// Numbers at the edges of float32, through the real onnxruntime-web (WASM) and the real random-small model:
// a series beyond float32 fails alone with a message naming it while the other series of the same model call come
// out as if forecast alone (in predict and across requests the engine batches together); series around 1e20 and
// near 1e-30 forecast what the same series at ordinary scale forecasts, scaled (no -Infinity, no garbage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predict, SeriesValueError, type QuantileForecast, type TaskDict } from '../../src/forecast';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';
import { countingFactory, expectSameForecasts, makeEngine, readConvertedModel, referenceRunner, series } from '../worker/helpers';

let runner: OrtModelRunner;
let source: Awaited<ReturnType<typeof readConvertedModel>>;

beforeAll(async () => {
  source = await readConvertedModel();
  runner = await referenceRunner(source.onnx, source.manifest);
});
afterAll(async () => {
  await runner?.dispose();
});

const H = 16;
const a = series(96, 12, 0);
const c = series(96, 7, 3);
const beyond = Float64Array.from(series(96, 12, 1), (v, i) => (i === 40 ? 3.5e38 : v));

function maxRelError(got: Float32Array, expected: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
  return worst / scale;
}

describe('a series beyond float32', () => {
  it('fails alone with a message naming it; the others come out as if alone', async () => {
    const together = await predict(runner, [a, beyond, c], { predictionLength: H, invalidTasks: 'isolate' });
    expect(together[1].error).toBe('Its target has a value the model cannot take (infinite, or beyond ±3.4e38, the float32 range) at step 40.');
    expect(together[1].values.every(Number.isNaN)).toBe(true);
    expect(together[0].error).toBeUndefined();
    expect(together[0].values.every(Number.isFinite)).toBe(true);
    const alone = [...(await predict(runner, [a], { predictionLength: H })), ...(await predict(runner, [c], { predictionLength: H }))];
    expectSameForecasts([together[0], together[2]], alone, 1e-6);
  });

  it('by default refuses the call with a SeriesValueError that names the task', async () => {
    const error = await predict(runner, [a, beyond], { predictionLength: H }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeriesValueError);
    expect((error as SeriesValueError).taskIndex).toBe(1);
    expect((error as Error).message).toBe('Task 1: its target has a value the model cannot take (infinite, or beyond ±3.4e38, the float32 range) at step 40.');
    const covariate = await predict(runner, [{ target: a, past_covariates: { x: Float64Array.from(a, (v) => v * 1e39) } }], { predictionLength: H }).catch((e: unknown) => e);
    expect((covariate as Error).message).toMatch(/^Task 0: covariate row 0 has a value the model cannot take/);
  });

  it('in the engine: a request batched with a bad one gets exactly its own forecasts; the bad one learns which series failed', async () => {
    const { factory, log } = countingFactory();
    const engine = makeEngine({ createRunner: factory });
    await engine.loadModel({ kind: 'onnx', ...source }, 'wasm');
    log.calls.length = 0;
    const good: TaskDict[] = [{ target: a }, { target: c }];
    const bad: TaskDict[] = [{ target: a }, { target: beyond }];
    const [first, second] = await Promise.all([engine.forecast({ tasks: good, predictionLength: H }), engine.forecast({ tasks: bad, predictionLength: H })]);
    expect(log.calls.length).toBe(1); // batched together
    expectSameForecasts(first.forecasts, await predict(runner, [a, c], { predictionLength: H }), 1e-6);
    expect(second.forecasts[0].error).toBeUndefined();
    expectSameForecasts([second.forecasts[0]], await predict(runner, [a], { predictionLength: H }), 1e-6);
    expect(second.forecasts[1].error).toMatch(/^Its target has a value the model cannot take/);
    await engine.dispose();
  });
});

describe('very large and very small magnitudes', () => {
  const scaled = (k: number): Float64Array => Float64Array.from(a, (v) => v * k);
  let reference: QuantileForecast;
  beforeAll(async () => {
    [reference] = await predict(runner, [Float64Array.from(a, (v) => Math.fround(v))], { predictionLength: H });
  });

  for (const k of [1e20, 1e30, 3e33, 1e-20, 1e-30, 1e-35]) {
    it(`a series scaled by ${k} forecasts the same series, scaled`, async () => {
      const [forecast] = await predict(runner, [scaled(k)], { predictionLength: H });
      expect(forecast.values.every(Number.isFinite)).toBe(true);
      const back = Float32Array.from(forecast.values, (v) => v / k);
      // float32 rounding of the input (relative 6e-8) and of the model's own normalisation.
      expect(maxRelError(back, reference.values)).toBeLessThan(2e-4);
    });
  }

  it('a constant series at 1e-30 stays at 1e-30', async () => {
    const [forecast] = await predict(runner, [new Float64Array(64).fill(1e-30)], { predictionLength: H });
    for (const v of forecast.values) expect(Math.abs(v / 1e-30 - 1)).toBeLessThan(1e-3);
  });

  it('ordinary series are left exactly as they were (bit for bit the same model input)', async () => {
    const calls: Float32Array[] = [];
    const spy = { info: runner.info, run: (input: Parameters<typeof runner.run>[0]) => (calls.push(input.context.slice()), runner.run(input)) };
    await predict(spy, [a], { predictionLength: H });
    expect(Array.from(calls[0].subarray(calls[0].length - a.length))).toEqual(a.map((v) => Math.fround(v)));
  });
});

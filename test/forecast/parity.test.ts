// End-to-end parity of predict / predictQuantiles with upstream Chronos2Pipeline: every pipeline fixture case
// runs through the real converted ONNX graph (onnxruntime-web, WASM, in Node). Tolerance per task and output:
// max|got − expected| ≤ 1e-4 · max|expected| (upstream float32 vs float64 differ by ≤ 1.4e-6 of that).

import { afterAll, describe, expect, it } from 'vitest';
import { predict, predictQuantiles } from '../../src/forecast';
import { runnerFromDir } from '../../src/node/model-files';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';
import { fixtureInputs, fixtureOptions, flat, hasModel, modelDir, pipelineCases, relativeMaxError } from './fixtures';

const TOLERANCE = 1e-4;

const runners = new Map<string, Promise<OrtModelRunner>>();
function runnerFor(model: string): Promise<OrtModelRunner> {
  let runner = runners.get(model);
  if (runner === undefined) {
    runner = runnerFromDir(modelDir(model));
    runners.set(model, runner);
  }
  return runner;
}

afterAll(async () => {
  for (const runner of runners.values()) await (await runner).dispose();
});

describe('predict / predictQuantiles match upstream end to end', () => {
  for (const c of pipelineCases()) {
    // The dummy checkpoint comes from ../shared and is skipped where it is absent.
    it.skipIf(!hasModel(c.model))(c.name, async () => {
      const runner = await runnerFor(c.model);
      const errors: Record<string, number> = {};
      if (c.call === 'predict') {
        const expected = c.expected.predictions ?? [];
        const forecasts = await predict(runner, fixtureInputs(c), fixtureOptions(c));
        expect(forecasts.length).toBe(expected.length);
        forecasts.forEach((f, i) => (errors[`task ${i}`] = relativeMaxError(f.values, flat(expected[i]))));
      } else {
        const quantiles = c.expected.quantiles ?? [];
        const mean = c.expected.mean ?? [];
        const forecasts = await predictQuantiles(runner, fixtureInputs(c), fixtureOptions(c));
        expect(forecasts.length).toBe(quantiles.length);
        forecasts.forEach((f, i) => {
          errors[`task ${i} quantiles`] = relativeMaxError(f.quantiles, flat(quantiles[i]));
          errors[`task ${i} mean`] = relativeMaxError(f.mean, flat(mean[i]));
        });
      }
      for (const [what, error] of Object.entries(errors)) {
        expect(error, `${c.name} ${what}: relative max error ${error}`).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  }
});

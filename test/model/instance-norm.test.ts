// The graph's instance norm computes loc and scale as accurately as torch's cascade summation does: the model is
// sensitive to them, and a plain float32 sum over a long context (thousands of values far from 0) drifts by
// many ulps, which once put a 1500-step mid-size forecast 4e-4 away from the reference (issue 12).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../../src/model/convert';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';

const modelDir = path.resolve(__dirname, '../fixtures/chronos2/models/random-small');
// random-small with an 8192-step context (its weights do not depend on the context length)
const config = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
config.chronos_config.context_length = 8192;
const files = {
  configText: JSON.stringify(config),
  safetensors: new Uint8Array(readFileSync(path.join(modelDir, 'model.safetensors'))),
};

/** Units in the last place of float32 at x. */
function ulps(got: number, exact: number): number {
  const e = Math.floor(Math.log2(Math.abs(exact)));
  return Math.abs(got - exact) / 2 ** (e - 23);
}

describe.each([true, false])('instance norm (fused %s)', (fused) => {
  it('gives loc and scale within 2 ulps of the exact float64 values on long, offset contexts with gaps', async () => {
    const converted = await convertCheckpoint(files, { name: 'random-small', fused });
    const runner = await OrtModelRunner.create(ort, converted.onnx, modelInfoFromConfig(converted.config));
    const B = 3;
    const T = 8192;
    const context = new Float32Array(B * T);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const offset = [121.3, 5432.1, -77.7][b];
        context[b * T + t] = b === 1 && t < 3000 ? NaN : offset + 20 * Math.sin(t / 37) + 5 * rand();
      }
    }
    expect(converted.config.contextLength).toBe(T);
    const out = await runner.run({
      batchSize: B,
      contextLength: T,
      context,
      groupIds: BigInt64Array.from([0n, 1n, 2n]),
      numOutputPatches: 1,
      futureCovariates: new Float32Array(B * converted.config.patchSize).fill(NaN),
    });
    for (let b = 0; b < B; b++) {
      const row = Array.from(context.subarray(b * T, (b + 1) * T)).filter((x) => !Number.isNaN(x));
      const mean = row.reduce((s, x) => s + x, 0) / row.length;
      const std = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / row.length);
      expect(ulps(out.loc[b], mean), `loc of row ${b}`).toBeLessThanOrEqual(2);
      expect(ulps(out.scale[b], std), `scale of row ${b}`).toBeLessThanOrEqual(2);
    }
    await runner.dispose();
  });
});

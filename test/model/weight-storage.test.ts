// Weight-only quantized conversions (int8, int4 via MatMulNBits): smaller files, every random-small golden
// forward case within the error the UI states for that storage, and the manifest says what it is.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../../src/model/convert';
import { WEIGHT_STORAGE_ERROR } from '../../src/model/onnx/weight-storage';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';

const fixtures = path.resolve(__dirname, '../fixtures/chronos2');
const modelDir = path.join(fixtures, 'models/random-small');
const files = {
  configText: readFileSync(path.join(modelDir, 'config.json'), 'utf8'),
  safetensors: new Uint8Array(readFileSync(path.join(modelDir, 'model.safetensors'))),
};
const cases = readdirSync(path.join(fixtures, 'cases')).filter((f) => /^(a_forward_random_small|b_predict_airline_pl12|e_predict_pl7)/.test(f));

describe.each(['int8', 'int4'] as const)('%s weight storage', (storage) => {
  it('is smaller than fp32 and stays within the stated error on golden cases', async () => {
    const fp32 = await convertCheckpoint(files, { name: 'rs' });
    const quantized = await convertCheckpoint(files, { name: 'rs', weightStorage: storage });
    expect(quantized.manifest.weights).toBe(storage);
    expect(quantized.manifest.parameterCount).toBe(fp32.manifest.parameterCount);
    expect(quantized.onnx.byteLength).toBeLessThan((storage === 'int8' ? 0.5 : 0.35) * fp32.onnx.byteLength);
    const runner = await OrtModelRunner.create(ort, quantized.onnx, modelInfoFromConfig(quantized.config));
    expect(cases.length).toBe(4);
    let worst = 0;
    for (const file of cases) {
      const c = JSON.parse(readFileSync(path.join(fixtures, 'cases', file), 'utf8')) as GoldenCase;
      const result = await runGoldenCase(runner, file, c, WEIGHT_STORAGE_ERROR[storage]);
      worst = Math.max(worst, result.worst);
      expect(result.worst, file).toBeLessThanOrEqual(WEIGHT_STORAGE_ERROR[storage]);
    }
    // Quantization must actually change the numbers (a test that cannot fail otherwise).
    expect(worst).toBeGreaterThan(1e-4);
    await runner.dispose();
  });
});

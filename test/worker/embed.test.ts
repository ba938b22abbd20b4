// The engine's embed request (what the app's Similar series panel asks the worker for): one REG-token vector per
// series, equal to the library's embed on the same model, with loc/scale; refused clearly without a model.
import { describe, expect, it } from 'vitest';
import { embed, seriesVectors } from '../../src/forecast';
import { makeEngine, readConvertedModel, referenceRunner, series } from './helpers';

describe('engine embed', () => {
  it('gives the library embed vectors for each series, after the model is loaded', async () => {
    const engine = makeEngine();
    await expect(engine.embed({ series: [series(40, 12)] })).rejects.toThrow(/Load a model before computing embeddings/);
    const { onnx, manifest } = await readConvertedModel();
    await engine.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const input = [series(60, 12), series(45, 7, 3), series(80, 12, 10).map((x) => 3 * x)];
    const result = await engine.embed({ series: input });
    expect(result.dModel).toBe(manifest.config.dModel);
    expect(result.vectors).toHaveLength(3);
    const runner = await referenceRunner(onnx, manifest);
    const direct = await embed(runner, input.map((s) => Float32Array.from(s)), { batchSize: 64 });
    direct.forEach((e, i) => {
      expect(Array.from(result.vectors[i])).toEqual(Array.from(seriesVectors(e)[0]));
      expect(result.loc[i]).toBe(e.loc[0]);
      expect(result.scale[i]).toBe(e.scale[0]);
    });
    await runner.dispose();
    await engine.dispose();
  });
});

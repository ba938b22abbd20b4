// The engine's embed request (what the app's Similar series panel asks the worker for): one REG-token vector per
// series, equal to the library's embed on the same model, with loc/scale; refused clearly without a model.
import { describe, expect, it } from 'vitest';
import { embed, seriesVectors } from '../../src/forecast';
import { defaultRunnerFactory, type RunnerFactory } from '../../src/worker/engine';
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

  it('takes the session like a forecast: a forecast asked for meanwhile runs after it, never at the same time', async () => {
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const track = async <T,>(kind: string, call: () => Promise<T>): Promise<T> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      order.push(kind);
      try {
        // Each call yields to the event loop, as a WebGPU call does (a WASM one resolves in microtasks only).
        await new Promise((resolve) => setTimeout(resolve, 2));
        return await call();
      } finally {
        inFlight -= 1;
      }
    };
    const factory: RunnerFactory = async (...args) => {
      const created = await defaultRunnerFactory(...args);
      const runner = created.runner;
      return {
        ...created,
        runner: {
          info: runner.info,
          dispose: () => runner.dispose(),
          run: (input) => track('forecast', () => runner.run(input)),
          embed: (input) => track('embed', () => runner.embed!(input)),
        },
      };
    };
    const engine = makeEngine({ createRunner: factory });
    const { onnx, manifest } = await readConvertedModel();
    await engine.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    order.length = 0;
    // Enough series for several embedding calls, so a forecast arriving after the first one would overlap.
    const many = Array.from({ length: 200 }, (_, i) => series(64, 12, i));
    const embedding = engine.embed({ series: many });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const forecast = engine.forecast({ tasks: [{ target: series(48, 12) }], predictionLength: 12 });
    const [embedded, forecasted] = await Promise.all([embedding, forecast]);
    expect(embedded.vectors).toHaveLength(200);
    expect(forecasted.forecasts).toHaveLength(1);
    expect(most).toBe(1);
    expect(order.at(-1)).toBe('forecast');
    expect(order.filter((o) => o === 'embed').length).toBeGreaterThan(1);
    await engine.dispose();
  });
});

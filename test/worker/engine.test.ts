// The engine on the real onnxruntime-web (WASM) with the real random-small model: loading from a local HTTP
// server, from bytes and from a checkpoint; forecasts equal to direct `predict()` calls; the queue (batching,
// supersede, cancel, model changes); named errors; and the move to WASM when a WebGPU run fails. Runners are the
// real ORT runner, at most wrapped to count calls or to fail like a lost GPU device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForecastInputError, predict, type ForecastInputs } from '../../src/forecast';
import { ManifestError, type ModelManifest } from '../../src/model/manifest';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';
import type { EngineProgress, ForecastRequest, ForecastResult, ModelStatus } from '../../src/worker/engine-api';
import { defaultRunnerFactory, type RunnerFactory } from '../../src/worker/engine';
import { AbortError, ModelChangedError, ModelNotLoadedError, ModelSourceError } from '../../src/worker/errors';
import {
  MODEL_DIR,
  countingFactory,
  expectSameForecasts,
  makeEngine,
  outcome,
  readCheckpoint,
  readConvertedModel,
  referenceRunner,
  sampleTasks,
  serveDir,
  series,
  wrapRunner,
  type CallLog,
  type TestServer,
} from './helpers';

let onnx: Uint8Array;
let manifest: ModelManifest;
let reference: OrtModelRunner;
let server: TestServer & { release(): void };

beforeAll(async () => {
  ({ onnx, manifest } = await readConvertedModel());
  reference = await referenceRunner(onnx, manifest);
  server = await serveDir(MODEL_DIR);
});

afterAll(async () => {
  await reference?.dispose();
  await server?.close();
});

const source = () => ({ kind: 'onnx' as const, onnx, manifest });

/** What a direct `predict()` returns for a request. */
function direct(request: ForecastRequest) {
  return predict(reference, request.tasks as ForecastInputs, {
    predictionLength: request.predictionLength,
    crossLearning: request.crossLearning,
    contextLength: request.contextLength,
  });
}

describe('loading', () => {
  it('downloads a converted model from a local HTTP server with byte progress', async () => {
    const engine = makeEngine();
    const progress: EngineProgress[] = [];
    const status = await engine.loadModel({ kind: 'url', url: server.url }, 'auto', { onProgress: (p) => progress.push(p) });

    expect(server.requests).toEqual(expect.arrayContaining(['manifest.json', 'model.onnx']));
    const downloads = progress.filter((p): p is Extract<EngineProgress, { phase: 'download' }> => p.phase === 'download');
    const model = downloads.filter((p) => p.file === 'model.onnx');
    expect(model.length).toBeGreaterThan(3);
    expect(model[0].loaded).toBe(0);
    expect(model.at(-1)).toEqual({ phase: 'download', file: 'model.onnx', loaded: manifest.onnxBytes, total: manifest.onnxBytes });
    for (let i = 1; i < model.length; i++) expect(model[i].loaded).toBeGreaterThanOrEqual(model[i - 1].loaded);
    expect(downloads.some((p) => p.file === 'manifest.json')).toBe(true);
    // Phases in order: downloads, then the session, then the warm-up.
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['download', 'session', 'warmup']);

    expect(status).toMatchObject({
      name: 'random-small',
      parameterCount: manifest.parameterCount,
      onnxBytes: manifest.onnxBytes,
      contextLength: manifest.config.contextLength,
      patchSize: manifest.config.patchSize,
      maxOutputPatches: manifest.config.maxOutputPatches,
      quantiles: manifest.config.quantiles,
    });
    // Node has no WebGPU: `auto` falls back to WASM and says why.
    expect(status.backend.backend).toBe('wasm');
    expect(status.backend.reason).toMatch(/WebGPU/);
    expect(engine.status).toEqual(status);
    await engine.dispose();
  });

  it('fails a missing URL with a ManifestError and forecasts then say no model is loaded', async () => {
    const engine = makeEngine();
    const load = await outcome(engine.loadModel({ kind: 'url', url: `${server.url}missing/` }, 'wasm'));
    expect(load.ok).toBe(false);
    if (!load.ok) {
      expect(load.error).toBeInstanceOf(ManifestError);
      expect(load.error.message).toMatch(/404/);
    }
    const forecast = await outcome(engine.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 }));
    expect(!forecast.ok && forecast.error).toBeInstanceOf(ModelNotLoadedError);
    expect(!forecast.ok && forecast.error.message).toMatch(/loading the last model failed/);
    await engine.dispose();
  });

  it('cancels a download through the AbortSignal', async () => {
    const slow = await serveDir(MODEL_DIR, { hold: ['model.onnx'] });
    try {
      const engine = makeEngine();
      const controller = new AbortController();
      const load = engine.loadModel({ kind: 'url', url: slow.url }, 'wasm', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'download' && p.file === 'model.onnx' && p.loaded > 0) controller.abort();
        },
      });
      const result = await outcome(load);
      expect(!result.ok && result.error).toBeInstanceOf(AbortError);
      expect(!result.ok && result.error.name).toBe('AbortError');
      expect(engine.status).toBeNull();
      await engine.dispose();
    } finally {
      slow.release();
      await slow.close();
    }
  });

  it('converts a Hugging Face checkpoint, reporting the convert phase', async () => {
    const checkpoint = await readCheckpoint();
    const engine = makeEngine();
    const progress: EngineProgress[] = [];
    const status = await engine.loadModel({ kind: 'checkpoint', name: 'random-small-ckpt', ...checkpoint }, 'wasm', {
      onProgress: (p) => progress.push(p),
    });
    expect(progress.filter((p) => p.phase === 'convert').length).toBeGreaterThanOrEqual(1);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['convert', 'session', 'warmup']));
    expect(status.name).toBe('random-small-ckpt');
    expect(status.parameterCount).toBe(manifest.parameterCount);
    expect(status.backend.backend).toBe('wasm');

    // The converted graph forecasts like the converted model in public/ (same weights, same graph builder).
    const request = { tasks: sampleTasks('covariates', 80, 24), predictionLength: 24 };
    const result = await engine.forecast(request);
    expectSameForecasts(result.forecasts, await direct(request), 1e-5);
    await engine.dispose();
  });

  it('rejects a malformed source or backend with a ModelSourceError, and bytes that do not match the manifest', async () => {
    const engine = makeEngine();
    await expect(engine.loadModel({ kind: 'ftp' } as never, 'wasm')).rejects.toBeInstanceOf(ModelSourceError);
    await expect(engine.loadModel(source(), 'cuda' as never)).rejects.toBeInstanceOf(ModelSourceError);
    const truncated = { kind: 'onnx' as const, onnx: onnx.subarray(0, 1000), manifest };
    await expect(engine.loadModel(truncated, 'wasm')).rejects.toBeInstanceOf(ManifestError);
    await engine.dispose();
  });

  it('starts the runtime before the download and creates the session only after it is ready', async () => {
    const events: string[] = [];
    let ready!: () => void;
    const engine = makeEngine({
      prepareRuntime: (preference) => {
        events.push(`prepare ${preference}`);
        return new Promise<void>((resolve) => (ready = () => {
          events.push('runtime ready');
          resolve();
        }));
      },
      createRunner: async (...args) => {
        events.push('session');
        return defaultRunnerFactory(...args);
      },
    });
    let downloaded!: () => void;
    const done = new Promise<void>((resolve) => (downloaded = resolve));
    const loading = engine.loadModel({ kind: 'url', url: server.url }, 'wasm', {
      onProgress: (p) => {
        if (p.phase === 'download' && p.file === 'model.onnx' && p.loaded === p.total) {
          events.push('downloaded');
          downloaded();
        }
      },
    });
    // The download finishes while the runtime is still starting; a moment later the session still waits for it.
    await done;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['prepare wasm', 'downloaded']);
    ready();
    const status = await loading;
    expect(events).toEqual(['prepare wasm', 'downloaded', 'runtime ready', 'session']);
    expect(status.backend.backend).toBe('wasm');
    await engine.dispose();
  });

  it('loads the model when starting the runtime failed (the session reports real failures)', async () => {
    const engine = makeEngine({ prepareRuntime: () => Promise.reject(new Error('no runtime')) });
    const status = await engine.loadModel(source(), 'wasm');
    expect(status.name).toBe(manifest.name);
    await engine.dispose();
  });
});

describe('forecasting', () => {
  it('gives the results of a direct predict() call, with inference progress and timing', async () => {
    const engine = makeEngine();
    await engine.loadModel(source(), 'wasm');
    for (const request of [
      { tasks: sampleTasks('univariate', 100, 24), predictionLength: 24 },
      { tasks: sampleTasks('multivariate', 300, 16), predictionLength: 16, crossLearning: true },
      { tasks: sampleTasks('covariates', 100, 200), predictionLength: 200, contextLength: 64 },
    ] satisfies ForecastRequest[]) {
      const progress: EngineProgress[] = [];
      const result = await engine.forecast(request, { onProgress: (p) => progress.push(p) });
      expectSameForecasts(result.forecasts, await direct(request), 1e-6);
      expect(result.modelCalls).toBeGreaterThanOrEqual(1);
      expect(result.inferenceMs).toBeGreaterThan(0);
      expect(result.backend.backend).toBe('wasm');
      const inference = progress.filter((p) => p.phase === 'inference');
      expect(inference.length).toBe(result.modelCalls);
      expect(inference.at(-1)).toEqual({ phase: 'inference', done: result.modelCalls, total: result.modelCalls });
    }
    await engine.dispose();
  });

  it('rejects forecasts before a model is loaded with ModelNotLoadedError', async () => {
    const engine = makeEngine();
    const result = await outcome(engine.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 }));
    expect(!result.ok && result.error).toBeInstanceOf(ModelNotLoadedError);
    expect(!result.ok && result.error.name).toBe('ModelNotLoadedError');
    await engine.dispose();
  });

  it('rejects invalid inputs with the pipeline’s named errors', async () => {
    const engine = makeEngine();
    await engine.loadModel(source(), 'wasm');
    const cases: Array<[unknown, string]> = [
      [{ tasks: [], predictionLength: 8 }, 'EmptyInputError'],
      [{ tasks: [{ target: series(40, 12) }], predictionLength: 0 }, 'PredictionLengthError'],
      [{ tasks: [{ target: series(40, 12) }], predictionLength: 8, contextLength: -3 }, 'ForecastOptionError'],
      [{ tasks: [{ target: series(40, 12), colour: 'red' }], predictionLength: 8 }, 'InputSchemaError'],
      [{ tasks: 'not a list', predictionLength: 8 }, 'InputSchemaError'],
      [{ tasks: [{ target: series(40, 12) }], predictionLength: 8, crossLearning: 'yes' }, 'InputSchemaError'],
    ];
    for (const [request, name] of cases) {
      const result = await outcome(engine.forecast(request as ForecastRequest));
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(ForecastInputError);
        expect(result.error.name).toBe(name);
      }
    }
    // The engine still works after rejected requests.
    await expect(engine.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 })).resolves.toBeTruthy();
    await engine.dispose();
  });
});

describe('queue', () => {
  async function countingEngine(factory: RunnerFactory, log: CallLog) {
    const engine = makeEngine({ createRunner: factory });
    await engine.loadModel(source(), 'wasm');
    log.reset(); // the warm-up call
    return engine;
  }

  it('batches 3 concurrent compatible requests into one model call; results equal separate calls within 1e-6', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);
    // Different schemas (univariate, bivariate, with covariates) and longest histories 100, 99 and 97: all
    // 7 context patches. Separately they could not even be one predict() call (tasks must share a schema).
    const requests: ForecastRequest[] = [
      { tasks: sampleTasks('univariate', 100, 24, 0), predictionLength: 24 },
      { tasks: sampleTasks('multivariate', 99, 24, 3), predictionLength: 24, crossLearning: false },
      { tasks: sampleTasks('covariates', 97, 24, 7), predictionLength: 24 },
    ];
    const results = await Promise.all(requests.map((r) => engine.forecast(r)));
    expect(log.calls.length).toBe(1);
    expect(log.calls[0].batchSize).toBe(3 + 4 + 4);
    for (const [i, result] of results.entries()) {
      expect(result.modelCalls).toBe(1);
      expect(result.forecasts.length).toBe(requests[i].tasks.length);
      expectSameForecasts(result.forecasts, await direct(requests[i]), 1e-6);
    }
    await engine.dispose();
  });

  it('does not batch requests that differ in horizon, context patches or cross-learning', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);
    const requests: ForecastRequest[] = [
      { tasks: [{ target: series(100, 12) }], predictionLength: 24 },
      { tasks: [{ target: series(100, 12) }], predictionLength: 16 }, // other horizon
      { tasks: [{ target: series(40, 12) }], predictionLength: 24 }, // 3 patches instead of 7
      { tasks: [{ target: series(100, 12) }], predictionLength: 24, crossLearning: true }, // runs alone
      { tasks: [{ target: series(99, 10) }], predictionLength: 24 }, // batches with the first
    ];
    const results = await Promise.all(requests.map((r) => engine.forecast(r)));
    expect(log.calls.map((c) => c.batchSize)).toEqual([2, 1, 1, 1]);
    for (const [i, result] of results.entries()) expectSameForecasts(result.forecasts, await direct(requests[i]), 1e-6);
    await engine.dispose();
  });

  it('respects the batch row budget', async () => {
    const { factory, log } = countingFactory();
    const engine = makeEngine({ createRunner: factory, batchRows: 5 });
    await engine.loadModel(source(), 'wasm');
    log.reset();
    const requests = [0, 1, 2].map((seed) => ({ tasks: sampleTasks('multivariate', 60, 8, seed), predictionLength: 8 })); // 4 rows each
    const results = await Promise.all(requests.map((r) => engine.forecast(r)));
    expect(log.calls.map((c) => c.batchSize)).toEqual([4, 4, 4]);
    for (const [i, result] of results.entries()) expect(result.forecasts.length).toBe(requests[i].tasks.length);
    await engine.dispose();
  });

  it('uses the row budget of the backend it runs on; cross-learning keeps the upstream batch of 256', async () => {
    for (const backend of ['wasm', 'webgpu'] as const) {
      const { factory, log } = countingFactory();
      // The session is WASM in Node; the choice says which backend's budget applies.
      const labelled: RunnerFactory = async (...args) => {
        const created = await factory(...args);
        return { ...created, choice: { ...created.choice, backend } };
      };
      const engine = makeEngine({ createRunner: labelled, batchRows: { wasm: 2, webgpu: 5 } });
      await engine.loadModel(source(), 'wasm');
      expect(engine.status?.backend.backend).toBe(backend);
      log.reset();
      const requests = [0, 1, 2].map((seed) => ({ tasks: [{ target: series(100, 12, seed) }], predictionLength: 24 }));
      await Promise.all(requests.map((r) => engine.forecast(r)));
      expect(log.calls.map((c) => c.batchSize), backend).toEqual(backend === 'wasm' ? [2, 1] : [3]);
      log.reset();
      const five: ForecastRequest = { tasks: [0, 1, 2, 3, 4].map((seed) => ({ target: series(100, 12, seed) })), predictionLength: 24 };
      const split = await engine.forecast(five);
      expect(log.calls.map((c) => c.batchSize), backend).toEqual(backend === 'wasm' ? [2, 2, 1] : [5]);
      expectSameForecasts(split.forecasts, await direct(five), 1e-6);
      log.reset();
      await engine.forecast({ ...five, crossLearning: true });
      expect(log.calls.map((c) => c.batchSize), `${backend} cross-learning`).toEqual([5]);
      await engine.dispose();
    }
  });

  it('queues requests that arrive while the model is busy and batches them together', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);
    const later: Promise<unknown>[] = [];
    // 1024 steps: 8 model calls; the others arrive during the first one.
    const first = engine.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
      onProgress: (p) => {
        if (p.phase !== 'inference' || p.done !== 1) return;
        for (const seed of [1, 2, 3]) later.push(engine.forecast({ tasks: [{ target: series(100, 12, seed) }], predictionLength: 24 }));
      },
    });
    await first;
    await Promise.all(later);
    expect(later.length).toBe(3);
    expect(log.calls.length).toBe(8 + 1);
    expect(log.calls.at(-1)?.batchSize).toBe(3);
    await engine.dispose();
  });

  it('supersedes an older queued request with the same key: it rejects with AbortError, the newer resolves', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);
    const request = (seed: number, key: string): ForecastRequest => ({
      tasks: [{ target: series(100, 12, seed) }],
      predictionLength: 24,
      supersedeKey: key,
    });
    const older = outcome(engine.forecast(request(1, 'chart-1')));
    const other = engine.forecast(request(2, 'chart-2'));
    const newer = engine.forecast(request(3, 'chart-1'));
    const [olderResult, otherResult, newerResult] = await Promise.all([older, other, newer]);
    expect(olderResult.ok).toBe(false);
    if (!olderResult.ok) {
      expect(olderResult.error).toBeInstanceOf(AbortError);
      expect(olderResult.error.name).toBe('AbortError');
      expect(olderResult.error.message).toMatch(/superseded.*chart-1/);
    }
    expectSameForecasts(newerResult.forecasts, await direct(request(3, 'chart-1')));
    expectSameForecasts(otherResult.forecasts, await direct(request(2, 'chart-2')));
    expect(log.calls.map((c) => c.batchSize)).toEqual([2]); // the superseded one never ran
    await engine.dispose();
  });

  it('supersedes a running request: its pipeline stops before the next model call', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);
    const long: ForecastRequest = { tasks: [{ target: series(100, 12) }], predictionLength: 1024, supersedeKey: 'view' };
    const later: { newer?: Promise<ForecastResult> } = {};
    const newRequest: ForecastRequest = { tasks: [{ target: series(100, 12, 4) }], predictionLength: 24, supersedeKey: 'view' };
    const older = outcome(
      engine.forecast(long, {
        onProgress: (p) => {
          if (p.phase === 'inference' && p.done === 1) later.newer = engine.forecast(newRequest);
        },
      }),
    );
    const result = await older;
    expect(!result.ok && result.error.name).toBe('AbortError');
    expect(later.newer).toBeDefined();
    const newerResult = await later.newer!;
    expectSameForecasts(newerResult.forecasts, await direct(newRequest));
    // 1024 steps take 8 calls of 128; the older stopped after its first, the newer took one.
    expect(log.calls.length).toBe(2);
    await engine.dispose();
  });

  it('cancels through AbortSignal: a queued request is removed, a running one stops between model calls', async () => {
    const { factory, log } = countingFactory();
    const engine = await countingEngine(factory, log);

    const alreadyAborted = AbortSignal.abort();
    await expect(engine.forecast({ tasks: [{ target: series(50, 12) }], predictionLength: 8 }, { signal: alreadyAborted })).rejects.toThrow(AbortError);

    const running = new AbortController();
    const queued = new AbortController();
    const progressAfterEnd: EngineProgress[] = [];
    let runningEnded = false;
    const first = outcome(
      engine.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
        signal: running.signal,
        onProgress: (p) => {
          if (runningEnded) progressAfterEnd.push(p);
          if (p.phase === 'inference' && p.done === 1) running.abort();
        },
      }),
    ).finally(() => (runningEnded = true));
    const second = outcome(engine.forecast({ tasks: [{ target: series(100, 12, 1) }], predictionLength: 16 }, { signal: queued.signal }));
    const third = engine.forecast({ tasks: [{ target: series(100, 12, 2) }], predictionLength: 24 });
    queued.abort();

    const [firstResult, secondResult] = await Promise.all([first, second]);
    expect(!firstResult.ok && firstResult.error.name).toBe('AbortError');
    expect(!secondResult.ok && secondResult.error.name).toBe('AbortError');
    await third;
    // One call of the cancelled long forecast, none of the cancelled queued one, one of the third.
    expect(log.calls.map((c) => c.numOutputPatches)).toEqual([8, 2]);
    expect(progressAfterEnd).toEqual([]);
    await engine.dispose();
  });

  it('loading a new model fails forecasts accepted for the old one; later ones run on the new one', async () => {
    const checkpoint = await readCheckpoint();
    const engine = makeEngine();
    await engine.loadModel(source(), 'wasm');
    const later: {
      queued?: Promise<Awaited<ReturnType<typeof outcome<ForecastResult>>>>;
      load?: Promise<ModelStatus>;
      afterLoad?: Promise<ForecastResult>;
    } = {};
    const running = outcome(
      engine.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
        onProgress: (p) => {
          if (p.phase !== 'inference' || p.done !== 1) return;
          later.queued = outcome(engine.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 16 }));
          later.load = engine.loadModel({ kind: 'checkpoint', name: 'second', ...checkpoint }, 'wasm');
          later.afterLoad = engine.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 16 });
        },
      }),
    );
    const runningResult = await running;
    expect(later.queued && later.load && later.afterLoad).toBeDefined();
    for (const result of [runningResult, await later.queued!]) {
      expect(!result.ok && result.error).toBeInstanceOf(ModelChangedError);
    }
    expect((await later.load!).name).toBe('second');
    expect(engine.status?.name).toBe('second');
    const result = await later.afterLoad!;
    expect(result.forecasts[0].horizon).toBe(16);
    await engine.dispose();
  });

  it('ends every request exactly once, whatever happens to it', async () => {
    const engine = makeEngine();
    await engine.loadModel(source(), 'wasm');
    const settled = new Map<number, number>();
    const progressAfterSettle: number[] = [];
    const controllers: AbortController[] = [];
    const promises: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      const kind = i % 6;
      const request: ForecastRequest = {
        tasks: kind === 5 ? [] : [{ target: series(60 + (i % 3) * 20, 12, i) }],
        predictionLength: kind === 4 ? 300 : 16,
        ...(kind === 2 || kind === 3 ? { supersedeKey: `key-${i % 4}` } : {}),
      };
      settled.set(i, 0);
      promises.push(
        engine
          .forecast(request, {
            signal: controller.signal,
            onProgress: () => {
              if ((settled.get(i) ?? 0) > 0) progressAfterSettle.push(i);
            },
          })
          .then(
            () => settled.set(i, (settled.get(i) ?? 0) + 1),
            () => settled.set(i, (settled.get(i) ?? 0) + 1),
          ),
      );
      if (kind === 1) setTimeout(() => controller.abort(), i);
    }
    const reload = new Promise((resolve) => setTimeout(() => resolve(engine.loadModel(source(), 'wasm')), 5));
    await Promise.all(promises);
    await reload;
    expect([...settled.values()].every((n) => n === 1)).toBe(true);
    expect(progressAfterSettle).toEqual([]);
    await engine.dispose();
  });

  it('rejects everything unfinished on dispose', async () => {
    const engine = makeEngine();
    await engine.loadModel(source(), 'wasm');
    const pending = [1, 2, 3].map((i) => outcome(engine.forecast({ tasks: [{ target: series(100, 12, i) }], predictionLength: 64 * i })));
    await engine.dispose();
    for (const result of await Promise.all(pending)) expect(!result.ok && result.error.name).toBe('EngineDisposedError');
    await expect(engine.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 })).rejects.toThrow(/disposed/);
  });
});

describe('WebGPU device loss', () => {
  /**
   * A factory whose first session claims to be WebGPU and whose model calls fail like a lost device from the
   * `failFrom`-th call on; WASM sessions are the real ones.
   */
  function flakyGpuFactory(options: { failFrom: number; deviceLost?: Promise<string> }) {
    const log: CallLog = { calls: [], reset: () => (log.calls.length = 0) };
    const preferences: string[] = [];
    const factory: RunnerFactory = async (ortModule, bytes, info, preference) => {
      preferences.push(preference);
      const created = await defaultRunnerFactory(ortModule, bytes, info, 'wasm');
      if (preference === 'wasm') return { ...created, runner: wrapRunner(created.runner, log) };
      const lost = (index: number) => (index >= options.failFrom ? new Error('GPUDevice was lost (simulated)') : null);
      return {
        runner: wrapRunner(created.runner, log, lost),
        choice: { backend: 'webgpu', reason: 'test: a WASM session standing in for WebGPU', threads: 1, adapter: 'test' },
        ...(options.deviceLost ? { deviceLost: options.deviceLost } : {}),
      };
    };
    return { factory, log, preferences };
  }

  it('recreates the session on WASM when a run fails on WebGPU, reports it, and retries once', async () => {
    const { factory, preferences } = flakyGpuFactory({ failFrom: 1 }); // the warm-up (call 0) works
    const engine = makeEngine({ createRunner: factory });
    const status = await engine.loadModel(source(), 'auto');
    expect(status.backend.backend).toBe('webgpu');

    const progress: EngineProgress[] = [];
    const request: ForecastRequest = { tasks: sampleTasks('covariates', 100, 24), predictionLength: 24 };
    const result = await engine.forecast(request, { onProgress: (p) => progress.push(p) });
    expect(preferences).toEqual(['auto', 'wasm']);
    expect(result.backend.backend).toBe('wasm');
    expect(result.backend.reason).toMatch(/WebGPU failed during a forecast \(GPUDevice was lost/);
    expect(progress.some((p) => p.phase === 'session' && /WebGPU stopped working/.test(p.message))).toBe(true);
    expectSameForecasts(result.forecasts, await direct(request));
    expect(engine.status?.backend.backend).toBe('wasm');

    // Later forecasts run on WASM without another switch.
    const again = await engine.forecast(request);
    expect(again.backend.backend).toBe('wasm');
    expect(preferences).toEqual(['auto', 'wasm']);
    await engine.dispose();
  });

  it('moves to WASM before the next run once the device reports it was lost', async () => {
    let loseDevice: (reason: string) => void = () => undefined;
    const deviceLost = new Promise<string>((resolve) => (loseDevice = resolve));
    const { factory, log, preferences } = flakyGpuFactory({ failFrom: Number.POSITIVE_INFINITY, deviceLost });
    const engine = makeEngine({ createRunner: factory });
    await engine.loadModel(source(), 'auto');
    const before = await engine.forecast({ tasks: [{ target: series(64, 12) }], predictionLength: 16 });
    expect(before.backend.backend).toBe('webgpu');

    loseDevice('device removed (simulated)');
    await deviceLost;
    log.reset();
    const after = await engine.forecast({ tasks: [{ target: series(64, 12) }], predictionLength: 16 });
    expect(after.backend.backend).toBe('wasm');
    expect(after.backend.reason).toMatch(/device removed/);
    expect(preferences).toEqual(['auto', 'wasm']);
    expect(log.calls.length).toBe(1); // only the WASM call: nothing ran on the lost device
    await engine.dispose();
  });

  it('does not retry runs that fail on WASM', async () => {
    const failing: RunnerFactory = async (ortModule, bytes, info) => {
      const created = await defaultRunnerFactory(ortModule, bytes, info, 'wasm');
      const log: CallLog = { calls: [], reset: () => undefined };
      return { ...created, runner: wrapRunner(created.runner, log, (i) => (i >= 1 ? new Error('out of memory (simulated)') : null)) };
    };
    const engine = makeEngine({ createRunner: failing });
    await engine.loadModel(source(), 'wasm');
    await expect(engine.forecast({ tasks: [{ target: series(64, 12) }], predictionLength: 16 })).rejects.toThrow(/out of memory/);
    await engine.dispose();
  });
});

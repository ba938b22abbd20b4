// The engine's new model sources on the real onnxruntime-web (WASM in Node) with a model cache on real files:
// a hub repository (downloaded from the stand-in hub, converted, cached, forecasting like the bundled model), the
// same model by cache id with no request, local files (checkpoint folder and converted model), a dropped download
// resumed by the next load, and named errors for a missing cache entry and files that are not a model.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/hub/cache';
import { FP16_GOLDEN_ERROR } from '../../src/model/onnx/fp16';
import { fsCacheBackend } from '../../src/node/fs-cache-backend';
import type { EngineProgress, ForecastRequest } from '../../src/worker/engine-api';
import { addFixtureRepos, REPOS, SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type TestHub } from '../support/hub-server';
import { expectSameForecasts, makeEngine, readConvertedModel, sampleTasks } from '../worker/helpers';

let hub: TestHub;
let cacheDir: string;
let cache: ModelCache;

beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
});
afterAll(() => hub?.close());
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'chronos-engine-cache-'));
  cache = new ModelCache(fsCacheBackend(cacheDir));
  hub.requests.length = 0;
  return () => rmSync(cacheDir, { recursive: true, force: true });
});

const request: ForecastRequest = { tasks: sampleTasks('univariate', 80, 12), predictionLength: 12 };

/** Forecasts of the bundled random-small model (the same checkpoint), for comparison. */
async function bundledForecasts() {
  const engine = makeEngine();
  await engine.loadModel({ kind: 'onnx', ...(await readConvertedModel()) }, 'wasm');
  const result = await engine.forecast(request);
  await engine.dispose();
  return result.forecasts;
}

function checkpointFiles(): File[] {
  return ['config.json', 'model.safetensors'].map((name) => new File([readFileSync(path.join(SMALL_CHECKPOINT, name))], name));
}

describe('engine model sources', () => {
  it('loads a hub repository with download progress, caches it, and reloads it from the cache with no request', async () => {
    const engine = makeEngine({ modelCache: cache });
    const progress: EngineProgress[] = [];
    const status = await engine.loadModel({ kind: 'hub', repo: REPOS.small, hubUrl: hub.url }, 'wasm', { onProgress: (p) => progress.push(p) });
    expect(status).toMatchObject({ name: REPOS.small, parameterCount: 79_072, weights: 'float32' });
    expect(status.cacheId).toMatch(/^[0-9a-f]{32}$/);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['download', 'convert', 'cache', 'session', 'warmup']));
    const expected = await bundledForecasts();
    expectSameForecasts((await engine.forecast(request)).forecasts, expected);

    hub.requests.length = 0;
    const again = await engine.loadModel({ kind: 'cached', id: status.cacheId! }, 'wasm');
    expect(again).toMatchObject({ name: REPOS.small, cacheId: status.cacheId });
    expect(hub.requests).toEqual([]);
    expectSameForecasts((await engine.forecast(request)).forecasts, expected);
    await engine.dispose();
  });

  it('resumes a dropped download on the next load of the same repository', async () => {
    const engine = makeEngine({ modelCache: cache });
    await expect(engine.loadModel({ kind: 'hub', repo: REPOS.dropped, hubUrl: hub.url }, 'wasm')).rejects.toMatchObject({ name: 'DownloadInterruptedError' });
    expect(await cache.list()).toEqual([]);
    const status = await engine.loadModel({ kind: 'hub', repo: REPOS.dropped, hubUrl: hub.url }, 'wasm');
    expect(status.name).toBe(REPOS.dropped);
    expect(hub.requests.filter((r) => r.status === 206)).toHaveLength(1);
    await engine.dispose();
  });

  it('loads local files: a checkpoint folder, then a converted model, both cached', async () => {
    const engine = makeEngine({ modelCache: cache });
    const fromCheckpoint = await engine.loadModel({ kind: 'files', files: checkpointFiles() }, 'wasm');
    expect(fromCheckpoint).toMatchObject({ name: 'local checkpoint', parameterCount: 79_072 });
    const expected = await bundledForecasts();
    expectSameForecasts((await engine.forecast(request)).forecasts, expected);

    const { onnx, manifest } = await readConvertedModel();
    const files = [new File([new Uint8Array(onnx)], 'model.onnx'), new File([JSON.stringify(manifest)], 'manifest.json')];
    const fromOnnx = await engine.loadModel({ kind: 'files', files }, 'wasm');
    expect(fromOnnx).toMatchObject({ name: manifest.name });
    expect((await cache.list()).map((c) => c.origin.kind)).toEqual(['local', 'local']);
    await engine.dispose();
  });

  it('fp16 storage from a checkpoint: half the file, forecasts within the stated bound', async () => {
    const engine = makeEngine({ modelCache: cache });
    const status = await engine.loadModel({ kind: 'files', files: checkpointFiles(), weights: 'float16' }, 'wasm');
    expect(status.weights).toBe('float16');
    // Each weight drops from 4 bytes to 2; the graph itself (about 50 KB of this 80K-parameter model, index
    // tables included) and the Cast per weight do not shrink, so the bound is on the bytes saved, not a ratio.
    const fp32 = await readConvertedModel();
    expect(fp32.onnx.byteLength - status.onnxBytes).toBeGreaterThan(0.85 * 2 * fp32.manifest.parameterCount);
    const got = (await engine.forecast(request)).forecasts;
    const expected = await bundledForecasts();
    // The golden-case measure: max |fp16 − fp32| / max |fp32| per task.
    got.forEach((forecast, i) => {
      let error = 0;
      let scale = 0;
      forecast.values.forEach((v, j) => {
        error = Math.max(error, Math.abs(v - expected[i].values[j]));
        scale = Math.max(scale, Math.abs(expected[i].values[j]));
      });
      expect(error / scale).toBeLessThanOrEqual(FP16_GOLDEN_ERROR);
    });
    await engine.dispose();
  });

  it('names what is wrong: files that are not a model, a cache entry that is gone', async () => {
    const engine = makeEngine({ modelCache: cache });
    await expect(engine.loadModel({ kind: 'files', files: [new File(['a,b'], 'data.csv')] }, 'wasm')).rejects.toMatchObject({
      name: 'ModelFilesError',
      message: expect.stringMatching(/These files are not a model \(data\.csv\)\. Open a Chronos-2 checkpoint folder/),
    });
    await expect(engine.loadModel({ kind: 'files', files: [checkpointFiles()[1]] }, 'wasm')).rejects.toThrow(/needs its config\.json too/);
    await expect(engine.loadModel({ kind: 'cached', id: '0'.repeat(32) }, 'wasm')).rejects.toMatchObject({ name: 'CachedModelError' });
    await expect(engine.loadModel({ kind: 'cached', id: 'x' }, 'wasm')).rejects.toMatchObject({ name: 'ModelSourceError' });
    await engine.dispose();
  });
});

// The real worker client talking to the real handler and engine over a MessageChannel (only the transport is
// in-process): results equal direct predict() calls, progress arrives, error names survive the boundary,
// cancel and supersede work across it, every request gets exactly one answer on the wire, CSV parsing runs
// behind it, and a crashed or hung worker is replaced and its model reloaded.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { predict } from '../../src/forecast';
import { CsvParseError } from '../../src/data/errors';
import type { ModelManifest } from '../../src/model/manifest';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';
import { WorkerClient, type WorkerClientEvent, type WorkerClientOptions } from '../../src/worker/client';
import { EngineError, type EngineProgress, type ForecastRequest } from '../../src/worker/engine-api';
import { AbortError, WorkerCrashedError } from '../../src/worker/errors';
import type { WorkerResponse } from '../../src/worker/protocol';
import {
  ChannelWorker,
  MemoryLocks,
  MODEL_DIR,
  expectSameForecasts,
  outcome,
  readConvertedModel,
  referenceRunner,
  sampleTasks,
  serveDir,
  series,
  type TestServer,
} from './helpers';

let onnx: Uint8Array;
let manifest: ModelManifest;
let reference: OrtModelRunner;
let server: TestServer & { release(): void };
const clients: WorkerClient[] = [];

beforeAll(async () => {
  ({ onnx, manifest } = await readConvertedModel());
  reference = await referenceRunner(onnx, manifest);
  server = await serveDir(MODEL_DIR);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await reference?.dispose();
  await server?.close();
});

/** A client whose workers are {@link ChannelWorker}s; `workers` lists every worker it created. */
function makeClient(options: WorkerClientOptions = {}) {
  const workers: ChannelWorker[] = [];
  const events: WorkerClientEvent[] = [];
  const client = new WorkerClient({
    createWorker: () => {
      const worker = new ChannelWorker();
      workers.push(worker);
      return worker;
    },
    onEvent: (event) => events.push(event),
    ...options,
  });
  clients.push(client);
  return { client, workers, events };
}

/** Number of final answers (`result` / `error`) per request id the worker sent. */
function answersPerRequest(received: readonly WorkerResponse[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of received) if (m.type === 'result' || m.type === 'error') counts.set(m.requestId, (counts.get(m.requestId) ?? 0) + 1);
  return counts;
}

function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (condition()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

const direct = (request: ForecastRequest) => predict(reference, request.tasks, { predictionLength: request.predictionLength });

describe('client ↔ handler ↔ engine', () => {
  it('loads over HTTP and forecasts through the worker protocol like a direct predict()', async () => {
    const { client, workers } = makeClient();
    const loadProgress: EngineProgress[] = [];
    const status = await client.loadModel({ kind: 'url', url: server.url }, 'wasm', { onProgress: (p) => loadProgress.push(p) });
    expect(status.name).toBe('random-small');
    expect(status.backend.backend).toBe('wasm');
    expect(loadProgress.some((p) => p.phase === 'download' && p.file === 'model.onnx' && p.loaded === manifest.onnxBytes)).toBe(true);

    const request: ForecastRequest = { tasks: sampleTasks('covariates', 120, 24), predictionLength: 24 };
    const inference: EngineProgress[] = [];
    const result = await client.forecast(request, { onProgress: (p) => inference.push(p) });
    expectSameForecasts(result.forecasts, await direct(request), 1e-6);
    expect(result.forecasts[0].values).toBeInstanceOf(Float32Array);
    expect(inference.at(-1)).toEqual({ phase: 'inference', done: result.modelCalls, total: result.modelCalls });
    expect(workers.length).toBe(1);
  });

  it('batches concurrent requests sent through the client', async () => {
    const { client } = makeClient();
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const requests: ForecastRequest[] = [0, 1, 2].map((seed) => ({ tasks: [{ target: series(100, 12, seed) }], predictionLength: 24 }));
    const results = await Promise.all(requests.map((r) => client.forecast(r)));
    for (const [i, result] of results.entries()) {
      expectSameForecasts(result.forecasts, await direct(requests[i]), 1e-6);
      expect(result.modelCalls).toBe(1);
    }
  });

  it('keeps error class names across the boundary and answers every request exactly once', async () => {
    const { client, workers } = makeClient();
    const early = await outcome(client.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 }));
    expect(!early.ok && early.error).toBeInstanceOf(EngineError);
    expect(!early.ok && early.error.name).toBe('ModelNotLoadedError');

    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const cases: Array<[ForecastRequest, string]> = [
      [{ tasks: [], predictionLength: 8 }, 'EmptyInputError'],
      [{ tasks: [{ target: series(40, 12) }], predictionLength: -1 }, 'PredictionLengthError'],
      [{ tasks: [{ target: series(40, 12) }, { target: [series(40, 3), series(40, 4)] }], predictionLength: 8 }, 'InputSchemaError'],
    ];
    for (const [request, name] of cases) {
      const result = await outcome(client.forecast(request));
      expect(!result.ok && result.error.name).toBe(name);
      expect(!result.ok && result.error.message.length).toBeGreaterThan(10);
    }
    const load = await outcome(client.loadModel({ kind: 'url', url: `${server.url}nowhere/` }, 'wasm'));
    expect(!load.ok && load.error.name).toBe('ManifestError');

    const worker = workers[0];
    const answers = answersPerRequest(worker.received);
    const requestIds = worker.sent.filter((m) => m.type !== 'cancel' && m.type !== 'ping').map((m) => m.requestId);
    expect(requestIds.length).toBe(6);
    for (const id of requestIds) expect(answers.get(id)).toBe(1);
  });

  it('turns an AbortSignal into a cancel message and rejects once with AbortError', async () => {
    const { client, workers } = makeClient();
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const controller = new AbortController();
    const long = outcome(
      client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'inference' && p.done === 1) controller.abort();
        },
      }),
    );
    const result = await long;
    expect(!result.ok && result.error).toBeInstanceOf(AbortError);
    const worker = workers[0];
    const forecastId = worker.sent.find((m) => m.type === 'forecast')?.requestId;
    expect(worker.sent.some((m) => m.type === 'cancel' && m.requestId === forecastId)).toBe(true);
    // The worker's engine ends the request too: with exactly one error answer, named AbortError.
    await waitFor(() => answersPerRequest(worker.received).get(forecastId ?? -1) === 1);
    const answer = worker.received.find((m) => m.type === 'error' && m.requestId === forecastId);
    expect(answer?.type === 'error' && answer.error.name).toBe('AbortError');
    // The engine stopped between model calls: far fewer than 8 calls were reported.
    const calls = worker.received.filter((m) => m.type === 'progress' && m.requestId === forecastId).length;
    expect(calls).toBeLessThan(8);

    await expect(client.forecast({ tasks: [{ target: series(50, 12) }], predictionLength: 8 }, { signal: AbortSignal.abort() })).rejects.toThrow(AbortError);
  });

  it('supersedes across the boundary', async () => {
    const { client } = makeClient();
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const older = outcome(client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 24, supersedeKey: 'chart' }));
    const newerRequest: ForecastRequest = { tasks: [{ target: series(100, 12, 5) }], predictionLength: 24, supersedeKey: 'chart' };
    const newer = client.forecast(newerRequest);
    const olderResult = await older;
    expect(!olderResult.ok && olderResult.error.name).toBe('AbortError');
    expectSameForecasts((await newer).forecasts, await direct(newerRequest));
  });

  it('parses CSV in the worker, with progress, and rebuilds CsvParseError with its code', async () => {
    const { client } = makeClient();
    const rows = ['date,sales,region'];
    for (let i = 0; i < 500; i++) rows.push(`2024-01-${String((i % 28) + 1).padStart(2, '0')},${(100 + i * 0.5).toFixed(1)},north`);
    const text = `${rows.join('\n')}\n`;
    const progress: number[] = [];
    const table = await client.parseCsv(text, { chunkSize: 2048 }, (p) => progress.push(p.loaded));
    expect(table.rowCount).toBe(500);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['date', 'timestamp'],
      ['sales', 'numeric'],
      ['region', 'categorical'],
    ]);
    const sales = table.columns[1];
    expect(sales.kind === 'numeric' && sales.values).toBeInstanceOf(Float64Array);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(text.length);

    const fromBlob = await client.parseCsv(new Blob([text]));
    expect(fromBlob.rowCount).toBe(500);

    const empty = await outcome(client.parseCsv(''));
    expect(!empty.ok && empty.error).toBeInstanceOf(CsvParseError);
    expect(!empty.ok && empty.error instanceof CsvParseError && empty.error.code).toBe('empty');

    const aborted = await outcome(client.parseCsv(text, { signal: AbortSignal.abort() }));
    expect(!aborted.ok && aborted.error instanceof CsvParseError && aborted.error.code).toBe('aborted');
  });

  it('reads the table in the worker too: schema, description and series, or the series error as a CsvParseError', async () => {
    const { client } = makeClient();
    const rows = ['id,month,sales'];
    for (const id of ['a', 'b']) for (let m = 0; m < 24; m++) rows.push(`${id},${2020 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01,${id === 'a' ? m : 100 - m}`);
    const { table, reading } = await client.readCsv(`${rows.join('\n')}\n`);
    expect(table.rowCount).toBe(48);
    expect(reading.schema).toMatchObject({ shape: 'long', idColumn: 'id', timestampColumn: 'month', targetColumns: ['sales'] });
    expect(reading.selection).toEqual({ idColumn: 'id', timestampColumn: 'month', targetColumns: ['sales'], covariateColumns: [] });
    expect(reading.description.rowCount).toBe(48);
    expect(reading.seriesError).toBeNull();
    expect(reading.seriesSet?.frequency.label).toBe('monthly');
    expect(reading.seriesSet?.series.map((s) => [s.id, s.target.length, s.target[0], s.target[23]])).toEqual([
      ['a', 24, 0, 23],
      ['b', 24, 100, 77],
    ]);
    expect(reading.seriesSet?.series[0].timestamps[23]).toBe(Date.UTC(2021, 11, 1));

    // The same month twice in one series: the table and its schema still come back, the series do not.
    const { reading: twice } = await client.readCsv('month,sales\n2020-01-01,1\n2020-02-01,2\n2020-02-01,3\n2020-03-01,4\n');
    expect(twice.schema.timestampColumn).toBe('month');
    expect(twice.seriesSet).toBeNull();
    expect(twice.seriesError).toBeInstanceOf(CsvParseError);
    expect(twice.seriesError instanceof CsvParseError && twice.seriesError.code).toBe('duplicate-timestamps');
  });
});

describe('worker crashes', () => {
  it('restarts a worker that raised an error event, rejects what was in flight, and reloads the model', async () => {
    const { client, workers, events } = makeClient();
    await client.loadModel({ kind: 'url', url: server.url }, 'wasm');
    const inFlight = outcome(
      client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
        onProgress: (p) => {
          if (p.phase === 'inference' && p.done === 1) workers[0].crash('RangeError: Out of memory (simulated)');
        },
      }),
    );
    const result = await inFlight;
    expect(!result.ok && result.error).toBeInstanceOf(WorkerCrashedError);
    expect(!result.ok && result.error.message).toMatch(/Out of memory.*restarted/);
    expect(workers.length).toBe(2);
    expect(workers[0].terminated).toBe(true);
    expect(events[0]).toEqual({ type: 'worker-restarted', reason: 'uncaught error in the worker: RangeError: Out of memory (simulated)' });

    // The same source (URL) and backend are loaded again in the new worker.
    await waitFor(() => events.some((e) => e.type === 'model-reloaded'));
    const reload = workers[1].sent.find((m) => m.type === 'load-model');
    expect(reload?.type === 'load-model' && [reload.source, reload.backend]).toEqual([{ kind: 'url', url: server.url }, 'wasm']);
    const reloaded = events.find((e) => e.type === 'model-reloaded');
    expect(reloaded?.type === 'model-reloaded' && reloaded.status.name).toBe('random-small');

    const request: ForecastRequest = { tasks: [{ target: series(80, 12) }], predictionLength: 16 };
    expectSameForecasts((await client.forecast(request)).forecasts, await direct(request));
  });

  it('sends requests made during the reload to the new worker, where they wait for the model', async () => {
    const { client, workers, events } = makeClient();
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    workers[0].crash('boom');
    const request: ForecastRequest = { tasks: [{ target: series(80, 12) }], predictionLength: 16 };
    const result = await client.forecast(request);
    expectSameForecasts(result.forecasts, await direct(request));
    expect(workers[1].sent.map((m) => m.type).slice(0, 2)).toEqual(['load-model', 'forecast']);
    await waitFor(() => events.some((e) => e.type === 'model-reloaded'));
  });

  it('notices at once a worker that ended without an error event, restarts it and reloads the model', async () => {
    const locks = new MemoryLocks();
    const workers: ChannelWorker[] = [];
    const events: WorkerClientEvent[] = [];
    const client = new WorkerClient({
      createWorker: (name) => {
        const worker = new ChannelWorker();
        worker.holdLifeline(name, locks);
        workers.push(worker);
        return worker;
      },
      locks,
      onEvent: (event) => events.push(event),
    });
    clients.push(client);
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const started = Date.now();
    const inFlight = outcome(
      client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }, {
        onProgress: (p) => {
          if (p.phase === 'inference' && p.done === 1) workers[0].kill();
        },
      }),
    );
    const result = await inFlight;
    expect(!result.ok && result.error).toBeInstanceOf(WorkerCrashedError);
    expect(!result.ok && result.error.message).toMatch(/it ended without an error: it was terminated, or its process was killed\) before this request finished/);
    // At once: not after the two-minute heartbeat timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events[0]).toEqual({ type: 'worker-restarted', reason: 'it ended without an error: it was terminated, or its process was killed' });
    await waitFor(() => events.some((e) => e.type === 'model-reloaded'));
    const request: ForecastRequest = { tasks: [{ target: series(80, 12) }], predictionLength: 16 };
    expectSameForecasts((await client.forecast(request)).forecasts, await direct(request));
    // The client's own terminations (restart, dispose) are not taken for deaths.
    await client.dispose();
    expect(events.filter((e) => e.type === 'worker-restarted').length).toBe(1);
  });

  it('restarts a worker that stopped answering heartbeats', async () => {
    const { client, workers, events } = makeClient({ heartbeatIntervalMs: 20, heartbeatTimeoutMs: 150 });
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    workers[0].hang();
    const started = Date.now();
    const result = await outcome(client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 24 }));
    expect(!result.ok && result.error).toBeInstanceOf(WorkerCrashedError);
    expect(!result.ok && result.error.message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(workers[0].sent.some((m) => m.type === 'ping')).toBe(true);
    expect(events[0].type).toBe('worker-restarted');
    await waitFor(() => events.some((e) => e.type === 'model-reloaded'));
    await expect(client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 24 })).resolves.toBeTruthy();
  });

  it('does not mistake a busy worker for a hung one while it keeps reporting progress', async () => {
    const { client, events } = makeClient({ heartbeatIntervalMs: 10, heartbeatTimeoutMs: 2_000 });
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    await client.forecast({ tasks: [{ target: series(200, 12) }], predictionLength: 1024 });
    expect(events).toEqual([]);
  });

  it('gives up after too many crashes in a short time', async () => {
    const { client, workers, events } = makeClient({ maxRestarts: 1 });
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    workers[0].crash('first');
    await waitFor(() => events.some((e) => e.type === 'model-reloaded'));
    workers[1].crash('second');
    expect(events.map((e) => e.type)).toEqual(['worker-restarted', 'model-reloaded', 'worker-failed']);
    expect(workers.length).toBe(2);
    const result = await outcome(client.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 }));
    expect(!result.ok && result.error).toBeInstanceOf(WorkerCrashedError);
    expect(!result.ok && result.error.message).toMatch(/no longer restarted/);
  });

  it('dispose rejects unfinished requests, releases the model and terminates the worker', async () => {
    const { client, workers } = makeClient();
    await client.loadModel({ kind: 'onnx', onnx, manifest }, 'wasm');
    const pending = outcome(client.forecast({ tasks: [{ target: series(100, 12) }], predictionLength: 1024 }));
    await client.dispose();
    const result = await pending;
    expect(!result.ok && result.error.name).toBe('EngineDisposedError');
    expect(workers[0].terminated).toBe(true);
    expect(workers[0].sent.some((m) => m.type === 'dispose')).toBe(true);
    await expect(client.forecast({ tasks: [{ target: series(40, 12) }], predictionLength: 8 })).rejects.toThrow(/disposed/);
  });
});

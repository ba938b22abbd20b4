// Shared pieces of the worker tests: the real random-small model (converted and checkpoint), a real HTTP server
// on 127.0.0.1 serving it, a reference runner for direct `predict()` calls, a runner factory that wraps the real
// ORT runner to count (or fail) model calls, and an in-process stand-in for a Web Worker that runs the real
// handler and engine behind a MessageChannel, so the real client talks to them over a real message transport.
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import type { ModelCallInput, ModelRunner, QuantileForecast, TaskDict } from '../../src/forecast';
import { manifestWeights, parseManifest, type ModelManifest } from '../../src/model/manifest';
import { sessionOptionsFor } from '../../src/runtime/backend';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';
import type { WorkerLike } from '../../src/worker/client';
import { holdLifeline, type LockRequester } from '../../src/worker/lifeline';
import { Engine, defaultRunnerFactory, type EngineOptions, type RunnerFactory } from '../../src/worker/engine';
import { Handler } from '../../src/worker/handler';
import type { WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

export { ort };

export const MODEL_DIR = fileURLToPath(new URL('../../public/models/random-small/', import.meta.url));
export const CHECKPOINT_DIR = fileURLToPath(new URL('../fixtures/chronos2/models/random-small/', import.meta.url));

/** The converted random-small model as stored in public/. */
export async function readConvertedModel(): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const manifest = parseManifest(JSON.parse(await fs.readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8')));
  const onnx = new Uint8Array(await fs.readFile(path.join(MODEL_DIR, manifest.onnxFile)));
  return { onnx, manifest };
}

/** The random-small Hugging Face checkpoint (config.json + model.safetensors). */
export async function readCheckpoint(): Promise<{ configText: string; safetensors: Uint8Array }> {
  return {
    configText: await fs.readFile(path.join(CHECKPOINT_DIR, 'config.json'), 'utf8'),
    safetensors: new Uint8Array(await fs.readFile(path.join(CHECKPOINT_DIR, 'model.safetensors'))),
  };
}

/** A runner for direct `predict()` calls, created exactly as the engine creates its WASM session. */
export async function referenceRunner(onnx: Uint8Array, manifest: ModelManifest): Promise<OrtModelRunner> {
  return OrtModelRunner.create(ort, onnx, modelInfoFromConfig(manifest.config), sessionOptionsFor('wasm', manifestWeights(manifest)));
}

/** A static file server on 127.0.0.1 (random port) that streams files in small chunks. */
export interface TestServer {
  url: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `dir` over HTTP. `hold` names files whose body stops after the first chunk until `release()` of the
 * returned server is called (to cancel a download in the middle).
 */
export async function serveDir(dir: string, options: { hold?: string[] } = {}): Promise<TestServer & { release(): void }> {
  const requests: string[] = [];
  const waiting: Array<() => void> = [];
  let released = false;
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
    requests.push(name);
    const file = path.join(dir, name);
    if (name.includes('..') || name.length === 0) {
      res.writeHead(400).end();
      return;
    }
    fs.stat(file).then(
      (stat) => {
        res.writeHead(200, { 'Content-Length': stat.size, 'Content-Type': 'application/octet-stream' });
        const stream = createReadStream(file, { highWaterMark: 16 * 1024 });
        if (options.hold?.includes(name)) {
          stream.once('data', () => {
            if (released) return;
            stream.pause();
            waiting.push(() => stream.resume());
          });
        }
        stream.pipe(res);
      },
      () => res.writeHead(404, 'Not Found').end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    release: () => {
      released = true;
      waiting.splice(0).forEach((resume) => resume());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Shapes of the model calls a {@link countingFactory} runner made. */
export interface CallLog {
  calls: Array<Pick<ModelCallInput, 'batchSize' | 'contextLength' | 'numOutputPatches'>>;
  /** Forgets the calls so far (e.g. the load's warm-up call). */
  reset(): void;
}

/** Wraps the real runner so every model call is logged; `fail` may throw instead of calling the model. */
export function wrapRunner<R extends ModelRunner & { dispose(): Promise<void> }>(
  runner: R,
  log: CallLog,
  fail?: (callIndex: number) => Error | null,
): ModelRunner & { dispose(): Promise<void> } {
  let index = 0;
  return {
    info: runner.info,
    run: async (input) => {
      const error = fail?.(index++) ?? null;
      if (error) throw error;
      log.calls.push({ batchSize: input.batchSize, contextLength: input.contextLength, numOutputPatches: input.numOutputPatches });
      return runner.run(input);
    },
    dispose: () => runner.dispose(),
  };
}

/** The default runner factory, with every model call of the runners it creates logged. */
export function countingFactory(): { factory: RunnerFactory; log: CallLog } {
  const log: CallLog = {
    calls: [],
    reset() {
      this.calls.length = 0;
    },
  };
  const factory: RunnerFactory = async (ortModule, onnx, info, preference) => {
    const created = await defaultRunnerFactory(ortModule, onnx, info, preference);
    return { ...created, runner: wrapRunner(created.runner, log) };
  };
  return { factory, log };
}

/** An engine on the real onnxruntime-web with Node's fetch. */
export function makeEngine(options: Partial<EngineOptions> = {}): Engine {
  return new Engine({ ort, fetch: globalThis.fetch, ...options });
}

/** A smooth test series with a trend, `n` values. */
export function series(n: number, period: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => 10 + offset + 5 * Math.sin((2 * Math.PI * i) / period) + 0.05 * i);
}

/** Shapes of the sample requests: several univariate tasks, bivariate tasks, tasks with a known-future covariate. */
export type SampleShape = 'univariate' | 'multivariate' | 'covariates';

/**
 * The tasks of one valid request (tasks of a request share one schema) of histories up to `length` values:
 * univariate → 3 rows, multivariate → 4 rows (2 tasks × 2 variates), covariates → 4 rows (2 × target + covariate).
 */
export function sampleTasks(shape: SampleShape, length: number, predictionLength: number, seed = 0): TaskDict[] {
  switch (shape) {
    case 'univariate':
      return [{ target: series(length, 12, seed) }, { target: series(length - 7, 5, seed + 1) }, { target: series(length - 3, 30, seed + 2) }];
    case 'multivariate':
      return [
        { target: [series(length, 7, seed), series(length, 9, seed + 1)] },
        { target: [series(length - 4, 11, seed + 2), series(length - 4, 3, seed + 3)] },
      ];
    case 'covariates':
      return [0, 5].map((cut, i) => ({
        target: series(length - cut, 24, seed + i),
        past_covariates: { temp: series(length - cut, 24, seed + i + 4) },
        future_covariates: { temp: series(predictionLength, 24, seed + i + 5) },
      }));
  }
}

/** Largest |a − b| / max(|b|, 1) over all values (relative, with an absolute floor for values near 0). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1));
  }
  return worst;
}

/** Asserts that two forecast lists agree within `tolerance` relative (see {@link maxRelDiff}). */
export function expectSameForecasts(actual: QuantileForecast[], expected: QuantileForecast[], tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((f, i) => {
    expect([f.numVariates, f.horizon, f.quantileLevels]).toEqual([expected[i].numVariates, expected[i].horizon, expected[i].quantileLevels]);
    expect(maxRelDiff(f.values, expected[i].values)).toBeLessThanOrEqual(tolerance);
  });
}

/** How a promise ended, without throwing. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await promise };
  } catch (e) {
    return { ok: false, error: e as Error };
  }
}

/**
 * A Web Worker stand-in: the real {@link Handler} and {@link Engine} on one end of a MessageChannel, the client on
 * the other. `crash()` raises an `error` event like an uncaught exception in a worker; `hang()` makes the worker
 * stop answering. Every message is logged in both directions.
 */
export class ChannelWorker implements WorkerLike {
  readonly engine: Engine;
  readonly sent: WorkerRequest[] = [];
  readonly received: WorkerResponse[] = [];
  terminated = false;
  private readonly events = new EventTarget();
  private readonly clientPort: MessagePort;
  private readonly workerPort: MessagePort;

  constructor(engineOptions: Partial<EngineOptions> = {}) {
    const { port1, port2 } = new MessageChannel();
    this.clientPort = port1;
    this.workerPort = port2;
    this.engine = makeEngine(engineOptions);
    const handler = new Handler(this.engine, {
      postMessage: (message, transfer) => {
        this.received.push(message);
        port2.postMessage(message, transfer);
      },
    });
    port2.onmessage = (event: MessageEvent) => handler.onMessage(event.data);
    port1.onmessage = (event: MessageEvent) => this.events.dispatchEvent(new MessageEvent('message', { data: event.data }));
  }

  postMessage(message: WorkerRequest, transfer: Transferable[]): void {
    if (this.terminated) return;
    this.sent.push(message);
    this.clientPort.postMessage(message, transfer);
  }

  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void {
    this.events.addEventListener(type, listener);
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.clientPort.close();
    this.workerPort.close();
    void this.engine.dispose();
    // A terminated worker's locks are freed, as in a browser.
    if (this.name) this.locks?.releaseHeld(this.name);
  }

  /** An uncaught error inside the worker, as the `error` event a real Worker fires. */
  crash(message: string): void {
    this.events.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  /** The worker stops processing messages (a hung event loop). */
  hang(): void {
    this.workerPort.onmessage = null;
  }

  /** Takes the worker's lifeline lock, as the worker entry does (the lock is named after the worker). */
  holdLifeline(name: string, locks: MemoryLocks): void {
    this.name = name;
    this.locks = locks;
    holdLifeline({ name, postMessage: (message) => this.workerPort.postMessage(message) }, locks);
  }

  /** The worker's context is destroyed without any event (a killed process): its port goes quiet, its locks are freed. */
  kill(): void {
    this.workerPort.onmessage = null;
    if (this.name) this.locks?.releaseHeld(this.name);
  }

  private name: string | null = null;
  private locks: MemoryLocks | null = null;
}

/**
 * The Web Locks semantics the lifeline relies on, in memory: exclusive locks granted in request order, each held
 * until its callback's promise settles, or until its holder's context is destroyed (`releaseHeld`).
 */
export class MemoryLocks implements LockRequester {
  private readonly held = new Map<string, () => void>();
  private readonly queues = new Map<string, Array<() => void>>();

  request(name: string, ...args: unknown[]): Promise<never> {
    const callback = args[args.length - 1] as (lock: unknown) => unknown;
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          this.held.delete(name);
          this.queues.get(name)?.shift()?.();
        };
        this.held.set(name, release);
        Promise.resolve()
          .then(() => callback({ name, mode: 'exclusive' }))
          .then(
            (value) => (release(), resolve(value as never)),
            (e: unknown) => (release(), reject(e)),
          );
      };
      if (!this.held.has(name)) grant();
      else this.queues.set(name, [...(this.queues.get(name) ?? []), grant]);
    }) as Promise<never>;
  }

  /** Frees the lock held under `name` as a destroyed context does. */
  releaseHeld(name: string): void {
    this.held.get(name)?.();
  }
}

// The UI-thread side of the worker: a `ForecastEngine` (plus `parseCsv`) whose calls become protocol messages to
// a Web Worker running the real engine, so the UI cannot tell whether the engine is local or in a worker. It maps
// each response to its promise exactly once, forwards progress, turns AbortSignals into `cancel` messages, and
// keeps the worker alive: when it dies (an `error` event, an unreadable message, no answer to heartbeats, or, at
// once, the end of its lifeline: a Web Lock the worker holds for as long as it lives, so that a worker terminated
// or killed without any event is noticed the moment it is gone) the client rejects the requests in flight with
// `WorkerCrashedError`, starts a fresh worker and reloads the last model, reporting each step through `onEvent`.
import type { ParseCsvOptions, ParsedTable, ParseProgress } from '../data/csv';
import { CsvParseError } from '../data/errors';
import type { TableReading } from '../data/table-reading';
import { unpackSeriesSet, unpackTable } from './table-wire';
import type { BaselineRequest, BaselineResult } from '../eval/worker-baselines';
import type { BackendPreference } from '../runtime/backend';
import {
  EngineError,
  type CallOptions,
  type ForecastEngine,
  type EmbedRequest,
  type EmbedResult,
  type ForecastRequest,
  type ForecastResult,
  type ModelSourceSpec,
  type ModelStatus,
} from './engine-api';
import { AbortError, EngineDisposedError, ProtocolError, WorkerCrashedError } from './errors';
import { LIFELINE_HELD_ID, type LockRequester } from './lifeline';
import {
  errorToPayload,
  isWorkerResponse,
  type ErrorPayload,
  type ProgressMessage,
  type RequestId,
  type ResultMessage,
  type WorkerRequest,
} from './protocol';

/** A Worker as far as the client uses it: a real `Worker` fits, and tests can pass an in-process stand-in. */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

/** What the client reports about the worker's health. */
export type WorkerClientEvent =
  /** The worker died and a new one was started; requests in flight were rejected with `WorkerCrashedError`. */
  | { type: 'worker-restarted'; reason: string }
  /** After a restart, the last model was loaded again (same source and backend preference). */
  | { type: 'model-reloaded'; status: ModelStatus }
  /** After a restart, loading the last model again failed. */
  | { type: 'model-reload-failed'; error: ErrorPayload }
  /** The worker crashed too often in a short time; the client stopped restarting it and rejects every call. */
  | { type: 'worker-failed'; reason: string };

/** Options of a {@link WorkerClient}. */
export interface WorkerClientOptions {
  /**
   * Creates the worker (default: the Vite-bundled `forecast.worker.ts` as a module worker), given the name it
   * must carry (`new Worker(url, { name })`): the worker holds a Web Lock of that name while it lives.
   */
  createWorker?: (name: string) => WorkerLike;
  /** The Web Locks API that watches the worker's lifeline (default `navigator.locks`; null: heartbeats only). */
  locks?: LockRequester | null;
  /** Receives restart / reload reports. */
  onEvent?: (event: WorkerClientEvent) => void;
  /** While requests are in flight, a ping is sent this often, ms. Default 5 000. */
  heartbeatIntervalMs?: number;
  /**
   * A worker that sends nothing for this long while requests are in flight is taken as hung and restarted, ms.
   * Generous by default (120 000) because one model call on single-threaded WASM blocks the worker's event loop.
   */
  heartbeatTimeoutMs?: number;
  /** Restarts allowed within `restartWindowMs` before the client gives up. Default 3. */
  maxRestarts?: number;
  /** Default 60 000 ms. */
  restartWindowMs?: number;
  /** How long `dispose` waits for the worker to release its session before terminating it, ms. Default 2 000. */
  disposeTimeoutMs?: number;
}

/** One request waiting for its answer. */
interface Pending {
  accept(message: ResultMessage): void;
  fail(error: Error): void;
  progress(message: ProgressMessage): void;
}

/** A model the worker had loaded, kept to reload it after a crash. */
interface LoadedSource {
  source: ModelSourceSpec;
  backend: BackendPreference;
}

function defaultWorker(name: string): WorkerLike {
  return new Worker(new URL('./forecast.worker.ts', import.meta.url), { type: 'module', name });
}

/** A name no other worker of this origin has. */
function lifelineName(): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  return `chronos-forecast-worker-${random}`;
}

/** {@link ForecastEngine} backed by a Web Worker that restarts itself after a crash. */
export class WorkerClient implements ForecastEngine {
  private readonly createWorker: (name: string) => WorkerLike;
  private readonly locks: LockRequester | null;
  /** Lifeline lock name of each worker this client started. */
  private readonly names = new WeakMap<WorkerLike, string>();
  private readonly onEvent: (event: WorkerClientEvent) => void;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly maxRestarts: number;
  private readonly restartWindowMs: number;
  private readonly disposeTimeoutMs: number;

  private worker: WorkerLike | null;
  private nextId: RequestId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private lastModel: LoadedSource | null = null;
  private lastHeard = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private restartTimes: number[] = [];
  /** Set once the client gave up restarting; every call then rejects with it. */
  private failure: string | null = null;
  private disposing: Promise<void> | null = null;

  constructor(options: WorkerClientOptions = {}) {
    this.createWorker = options.createWorker ?? defaultWorker;
    this.locks = options.locks !== undefined ? options.locks : ((globalThis.navigator as Navigator | undefined)?.locks ?? null);
    this.onEvent = options.onEvent ?? (() => undefined);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 120_000;
    this.maxRestarts = options.maxRestarts ?? 3;
    this.restartWindowMs = options.restartWindowMs ?? 60_000;
    this.disposeTimeoutMs = options.disposeTimeoutMs ?? 2_000;
    this.worker = this.spawn();
  }

  /** {@inheritDoc ForecastEngine.loadModel} */
  async loadModel(source: ModelSourceSpec, backend: BackendPreference, options: CallOptions = {}): Promise<ModelStatus> {
    try {
      const status = await this.call(
        (requestId) => ({ type: 'load-model', requestId, source, backend }),
        (message) => (message.kind === 'load-model' ? message.status : unexpected(message, 'load-model')),
        engineProgress(options.onProgress),
        options.signal,
        () => new AbortError('Loading the model was cancelled.'),
      );
      // After a crash, a cached model is reloaded from the cache rather than downloaded and converted again.
      this.lastModel = { source: status.cacheId !== undefined ? { kind: 'cached', id: status.cacheId } : source, backend };
      return status;
    } catch (e) {
      // The worker released its old model when this load started; after a crash the last working one is restored.
      if (!(e instanceof WorkerCrashedError)) this.lastModel = null;
      throw e;
    }
  }

  /** {@inheritDoc ForecastEngine.forecast} */
  forecast(request: ForecastRequest, options: CallOptions = {}): Promise<ForecastResult> {
    return this.call(
      (requestId) => ({ type: 'forecast', requestId, request }),
      (message) => (message.kind === 'forecast' ? message.result : unexpected(message, 'forecast')),
      engineProgress(options.onProgress),
      options.signal,
      () => new AbortError('The forecast was cancelled.'),
    );
  }

  /** {@inheritDoc ForecastEngine.embed} */
  embed(request: EmbedRequest, options: CallOptions = {}): Promise<EmbedResult> {
    return this.call(
      (requestId) => ({ type: 'embed', requestId, request }),
      (message) => (message.kind === 'embed' ? message.result : unexpected(message, 'embed')),
      engineProgress(options.onProgress),
      options.signal,
      () => new AbortError('The embedding was cancelled.'),
    );
  }

  /**
   * Parses a CSV file in the worker (see `parseCsv` in data/csv.ts); errors are real `CsvParseError`s.
   * Cancel with `options.signal`: the promise then rejects with a `CsvParseError` with code 'aborted'.
   */
  parseCsv(input: string | Blob, options: ParseCsvOptions = {}, onProgress?: (progress: ParseProgress) => void): Promise<ParsedTable> {
    const { signal, ...rest } = options;
    return this.call(
      (requestId) => ({ type: 'parse-csv', requestId, input, options: rest }),
      (message) => (message.kind === 'parse-csv' ? message.table : unexpected(message, 'parse-csv')),
      (message) => {
        if (message.kind === 'parse-csv') onProgress?.(message.progress);
      },
      signal,
      () => new CsvParseError('aborted', 'Loading the file was cancelled.'),
    );
  }

  /**
   * Parses a CSV file and reads the table in the worker (`readTable` in data/table-reading.ts: schema,
   * description, the detected roles' series), so that none of it runs on the UI thread. Errors and cancelling as
   * in {@link parseCsv}; a series that cannot be built is not an error here but the reading's `seriesError`.
   */
  readCsv(
    input: string | Blob,
    options: ParseCsvOptions = {},
    onProgress?: (progress: ParseProgress) => void,
  ): Promise<{ table: ParsedTable; reading: TableReading }> {
    const { signal, ...rest } = options;
    return this.call(
      (requestId) => ({ type: 'read-csv', requestId, input, options: rest }),
      (message) => {
        if (message.kind !== 'read-csv') return unexpected(message, 'read-csv');
        const { seriesSet, seriesError, ...reading } = message.reading;
        return {
          table: unpackTable(message.table),
          reading: { ...reading, seriesSet: seriesSet && unpackSeriesSet(seriesSet), seriesError: seriesError === null ? null : rebuildError(seriesError) },
        };
      },
      (message) => {
        if (message.kind === 'parse-csv') onProgress?.(message.progress);
      },
      signal,
      () => new CsvParseError('aborted', 'Loading the file was cancelled.'),
    );
  }

  /** Forecasts the baselines of backtest windows in the worker (augurs WASM, off the UI thread). */
  baselines(request: BaselineRequest, options: { signal?: AbortSignal } = {}): Promise<BaselineResult> {
    return this.call(
      (requestId) => ({ type: 'baselines', requestId, request }),
      (message) => (message.kind === 'baselines' ? message.result : unexpected(message, 'baselines')),
      () => undefined,
      options.signal,
      () => new AbortError('The baselines were cancelled.'),
    );
  }

  /** Releases the worker's session and terminates the worker; unfinished requests reject with `EngineDisposedError`. */
  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    const closing = new EngineDisposedError('The forecasting client was disposed.');
    const inFlight = [...this.pending.values()];
    this.pending.clear();
    inFlight.forEach((p) => p.fail(closing));
    const worker = this.worker;
    const released = worker ? this.send(worker, 'dispose') : Promise.resolve();
    this.disposing = (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([released, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.disposeTimeoutMs)))]);
      clearTimeout(timer);
      this.stopHeartbeat();
      worker?.terminate();
      this.worker = null;
      const late = [...this.pending.values()];
      this.pending.clear();
      late.forEach((p) => p.fail(closing));
    })();
    return this.disposing;
  }

  // -------------------------------------------------------------------------------------------------------
  // Requests

  /** Sends one request and settles its promise exactly once: result, error, abort, crash or dispose. */
  private call<T>(
    build: (requestId: RequestId) => WorkerRequest,
    read: (message: ResultMessage) => T,
    onProgress: (message: ProgressMessage) => void,
    signal: AbortSignal | undefined,
    abortError: () => Error,
  ): Promise<T> {
    if (this.disposing) return Promise.reject(new EngineDisposedError('The forecasting client was disposed; create a new one.'));
    if (this.failure !== null || this.worker === null) return Promise.reject(new WorkerCrashedError(this.failureMessage()));
    if (signal?.aborted) return Promise.reject(abortError());
    const worker = this.worker;
    const requestId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.take(requestId)) return;
        this.post(worker, { type: 'cancel', requestId });
        reject(abortError());
      };
      const detach = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(requestId, {
        accept: (message) => {
          detach();
          try {
            resolve(read(message));
          } catch (e) {
            reject(e);
          }
        },
        fail: (error) => {
          detach();
          reject(error);
        },
        progress: (message) => {
          try {
            onProgress(message);
          } catch {
            // A failing progress callback must not break the request it reports on.
          }
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.startHeartbeat();
      this.post(worker, build(requestId));
    });
  }

  /** Sends a request without a caller (dispose); resolves on its result or error alike. */
  private send(worker: WorkerLike, type: 'dispose'): Promise<void> {
    const requestId = this.nextId++;
    return new Promise<void>((resolve) => {
      this.pending.set(requestId, { accept: () => resolve(), fail: () => resolve(), progress: () => undefined });
      this.post(worker, { type, requestId });
    });
  }

  private post(worker: WorkerLike, message: WorkerRequest): void {
    try {
      worker.postMessage(message, []);
    } catch (e) {
      // Not cloneable (a bad payload): fail this request only.
      const pending = this.take(message.requestId);
      pending?.fail(new ProtocolError(`The request could not be sent to the worker: ${errorToPayload(e).message}`));
    }
  }

  /** Removes and returns a pending request (undefined when it has already ended). */
  private take(requestId: RequestId): Pending | undefined {
    const pending = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (this.pending.size === 0) this.stopHeartbeat();
    return pending;
  }

  private onMessage(worker: WorkerLike, event: Event): void {
    if (worker !== this.worker) return;
    this.lastHeard = Date.now();
    const data: unknown = event instanceof MessageEvent ? event.data : undefined;
    if (!isWorkerResponse(data)) return;
    switch (data.type) {
      case 'pong':
        if (data.requestId === LIFELINE_HELD_ID) this.watchLifeline(worker);
        return;
      case 'progress':
        this.pending.get(data.requestId)?.progress(data);
        return;
      case 'result':
        this.take(data.requestId)?.accept(data);
        return;
      case 'error':
        this.take(data.requestId)?.fail(rebuildError(data.error));
        return;
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Worker life cycle

  private spawn(): WorkerLike {
    const name = lifelineName();
    const worker = this.createWorker(name);
    this.names.set(worker, name);
    worker.addEventListener('message', (event) => this.onMessage(worker, event));
    worker.addEventListener('error', (event) => {
      if (worker !== this.worker) return;
      const detail = 'message' in event && typeof event.message === 'string' && event.message ? `: ${event.message}` : '';
      this.crashed(`uncaught error in the worker${detail}`);
    });
    worker.addEventListener('messageerror', () => {
      if (worker === this.worker) this.crashed('a message from the worker could not be read');
    });
    return worker;
  }

  /**
   * Waits for the worker's lifeline lock: granted only once the worker no longer holds it, i.e. once it ended
   * (terminated, closed itself, or its process was killed), which fires no `error` event. A worker this client
   * replaced or disposed of is no longer `this.worker` and is ignored.
   */
  private watchLifeline(worker: WorkerLike): void {
    const name = this.names.get(worker);
    if (!this.locks || !name) return;
    this.locks
      .request(name, () => {
        if (worker === this.worker && !this.disposing) this.crashed('it ended without an error: it was terminated, or its process was killed');
      })
      .catch(() => undefined);
  }

  /** Replaces a dead worker: fails what was in flight, starts a new one, reloads the last model. */
  private crashed(reason: string): void {
    const dead = this.worker;
    if (this.disposing || dead === null) return;
    this.worker = null;
    this.stopHeartbeat();
    try {
      dead.terminate();
    } catch {
      // Already gone.
    }
    const inFlight = [...this.pending.values()];
    this.pending.clear();

    const now = Date.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.restartWindowMs);
    if (this.restartTimes.length >= this.maxRestarts) {
      this.failure = reason;
      const error = new WorkerCrashedError(this.failureMessage());
      inFlight.forEach((p) => p.fail(error));
      this.onEvent({ type: 'worker-failed', reason });
      return;
    }
    this.restartTimes.push(now);
    const error = new WorkerCrashedError(
      `The forecasting worker stopped (${reason}) before this request finished. It has been restarted` +
        `${this.lastModel ? ' and the model is being reloaded' : ''}; send the request again.`,
    );
    inFlight.forEach((p) => p.fail(error));
    this.worker = this.spawn();
    this.onEvent({ type: 'worker-restarted', reason });
    const last = this.lastModel;
    if (last) {
      this.call(
        (requestId) => ({ type: 'load-model', requestId, source: last.source, backend: last.backend }),
        (message) => (message.kind === 'load-model' ? message.status : unexpected(message, 'load-model')),
        () => undefined,
        undefined,
        () => new AbortError('Reloading the model was cancelled.'),
      ).then(
        (status) => this.onEvent({ type: 'model-reloaded', status }),
        (e: unknown) => this.onEvent({ type: 'model-reload-failed', error: errorToPayload(e) }),
      );
    }
  }

  private failureMessage(): string {
    return this.failure === null
      ? 'The forecasting worker is not running.'
      : `The forecasting worker crashed ${this.maxRestarts + 1} times within ${Math.round(this.restartWindowMs / 1000)} s ` +
          `(last: ${this.failure}); it is no longer restarted. Reload the page, or try the WASM backend or a smaller model.`;
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== null) return;
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private beat(): void {
    const worker = this.worker;
    if (worker === null || this.pending.size === 0) {
      this.stopHeartbeat();
      return;
    }
    const silent = Date.now() - this.lastHeard;
    if (silent > this.heartbeatTimeoutMs) {
      this.crashed(`it did not answer for ${(silent / 1000).toFixed(1)} s`);
      return;
    }
    worker.postMessage({ type: 'ping', requestId: this.nextId++ }, []);
  }
}

/** Progress adapter for engine calls. */
function engineProgress(onProgress: CallOptions['onProgress']): (message: ProgressMessage) => void {
  return (message) => {
    if (message.kind === 'engine') onProgress?.(message.progress);
  };
}

/** The error a worker reported, as the class the caller would have seen from a local call where possible. */
function rebuildError(payload: ErrorPayload): Error {
  if (payload.name === 'CsvParseError' && payload.code !== undefined) {
    return new CsvParseError(payload.code, payload.message, payload.location ?? {});
  }
  return new EngineError({ name: payload.name, message: payload.message });
}

function unexpected(message: ResultMessage, expected: ResultMessage['kind']): never {
  throw new ProtocolError(`Expected a ${expected} result for request ${message.requestId}, got a ${message.kind} result.`);
}

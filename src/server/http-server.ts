// The forecasting service's HTTP layer (node:http): `GET /ping`, `POST /invocations` (the Chronos-2 endpoint API),
// `GET /metrics`. It owns everything between the socket and the engine: body size and time limits, the
// concurrency cap (503 + Retry-After), JSON errors with a message, request ids and logs, aborting a request when
// its client disconnects, and a graceful shutdown that answers the requests in flight before closing.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ForecastInputError, planBatches, prepareInputs, type QuantileForecast, type TaskDict } from '../forecast';
import { alignToPatches } from './align';
import type { ForecastEngine, ModelStatus } from '../worker/engine-api';
import { CROSS_LEARNING_BATCH_ROWS } from '../worker/engine';
import {
  DEFAULT_ENDPOINT_LIMITS,
  EndpointRequestError,
  endpointPrediction,
  parseEndpointRequest,
  type EndpointLimits,
  type EndpointRequest,
} from './endpoint-api';
import { ServiceMetrics } from './metrics';

/** Limits of the service (the endpoint's plus the HTTP layer's). */
export interface ServiceLimits extends EndpointLimits {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Most invocations accepted at once (queued or running); more get 503 + Retry-After. */
  maxInFlight: number;
  /** Time to receive a whole request, ms (then 408). */
  bodyTimeoutMs: number;
  /** Time from arrival to the answer, ms (then 504 and the forecast is cancelled). */
  requestTimeoutMs: number;
}

/** Defaults: the endpoint's limits, 64 MiB bodies, 128 invocations in flight, 60 s to send, 5 min to answer. */
export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  ...DEFAULT_ENDPOINT_LIMITS,
  maxBodyBytes: 64 * 1024 * 1024,
  maxInFlight: 128,
  bodyTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
});

/** One line of the request log. */
export interface RequestLogEntry {
  time: string;
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** Series in an invocation. */
  series?: number;
  /** Request body bytes read. */
  bytes?: number;
  /** The error message of a non-2xx answer, or `client disconnected`. */
  error?: string;
}

/** Options of {@link createForecastService}. */
export interface ForecastServiceOptions {
  /** An engine with the model already loaded. */
  engine: ForecastEngine;
  /** The loaded model (for /ping and the quantile levels); null when none is loaded. */
  status: () => ModelStatus | null;
  limits?: Partial<ServiceLimits>;
  /** Metrics to count into (default: a fresh set). */
  metrics?: ServiceMetrics;
  /** Why the service cannot forecast any more (e.g. its model thread died), or null; /ping then answers 503. */
  unhealthy?: () => string | null;
  /** Receives one entry per request (default: none). */
  log?: (entry: RequestLogEntry) => void;
  /** Seconds clients are told to wait after a 503. Default 1. */
  retryAfterSeconds?: number;
}

/** A running (or not yet listening) forecasting service. */
export interface ForecastService {
  readonly server: http.Server;
  readonly metrics: ServiceMetrics;
  /** Invocations accepted and not yet answered. */
  readonly inFlight: number;
  /** Starts listening (port 0: any free port); resolves with the address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stops accepting connections, answers 503 to new requests on open connections, waits up
   * to `graceMs` for the invocations in flight, cancels the rest (503), then closes every connection. The engine
   * is not disposed (its owner does that).
   */
  shutdown(graceMs?: number): Promise<void>;
}

const JSON_TYPE = 'application/json';
/** Errors of the pipeline's input checks, by name (an engine behind a message boundary rebuilds them by name). */
const INPUT_ERROR_NAMES = new Set(['ForecastInputError', 'EmptyInputError', 'InputShapeError', 'InputSchemaError', 'CovariateError', 'PredictionLengthError', 'QuantileLevelError', 'ForecastOptionError']);
/** Abort reason of the requests a shutdown cancels. */
const SHUTDOWN = new Error('shutdown');

/** A JSON error body: `{"error": {"code", "message"}}`, plus `message` at the top as SageMaker clients read it. */
function errorBody(status: number, message: string): string {
  return JSON.stringify({ message, error: { code: status, message } });
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Creates the service over a loaded engine. */
export function createForecastService(options: ForecastServiceOptions): ForecastService {
  const limits: ServiceLimits = { ...DEFAULT_SERVICE_LIMITS, ...options.limits };
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  let inFlight = 0;
  let draining = false;
  const active = new Set<AbortController>();
  const idle: Array<() => void> = [];
  const metrics = options.metrics ?? new ServiceMetrics(() => inFlight);
  const engine = options.engine;

  const server = http.createServer({ requestTimeout: limits.bodyTimeoutMs, headersTimeout: Math.min(limits.bodyTimeoutMs, 60_000) });
  server.keepAliveTimeout = 5_000;

  server.on('request', (req, res) => {
    const started = performance.now();
    const id = headerValue(req.headers['x-request-id']) ?? randomUUID();
    const route = (req.url ?? '/').split('?')[0];
    const entry: Partial<RequestLogEntry> = {};
    res.setHeader('X-Request-Id', id);
    res.on('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      const known = route === '/ping' || route === '/invocations' || route === '/metrics' ? route : 'other';
      metrics.requests.inc({ route: known, status: String(status) });
      metrics.latency.observe((performance.now() - started) / 1000, { route: known });
      options.log?.({
        time: new Date().toISOString(),
        id,
        method: req.method ?? '',
        path: route,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...entry,
        ...(status === 499 ? { error: 'client disconnected' } : {}),
      });
    });
    void handle(req, res, route, entry).catch((e: unknown) => {
      const error = e instanceof HttpError ? e : new HttpError(500, `Internal error: ${(e as Error).message ?? String(e)}`);
      if (error.status >= 400 && error.status !== 499) entry.error = error.message;
      if (!res.headersSent && !res.destroyed) send(res, error.status, errorBody(error.status, error.message), JSON_TYPE, error.headers);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, route: string, entry: Partial<RequestLogEntry>): Promise<void> {
    if (draining) res.setHeader('Connection', 'close');
    if (route === '/ping') {
      allow(req, ['GET', 'HEAD']);
      const status = options.status();
      if (draining) throw new HttpError(503, 'The service is shutting down.', { 'Retry-After': retryAfter });
      if (!status) throw new HttpError(503, 'No model is loaded.', { 'Retry-After': retryAfter });
      const problem = options.unhealthy?.() ?? null;
      if (problem !== null) throw new HttpError(503, `The service cannot forecast: ${problem}.`);
      return send(res, 200, JSON.stringify({ status: 'ok', model: status.name, parameters: status.parameterCount, runtime: status.backend.reason }), JSON_TYPE);
    }
    if (route === '/metrics') {
      allow(req, ['GET', 'HEAD']);
      return send(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    if (route !== '/invocations') throw new HttpError(404, `No route ${route}; the service answers GET /ping, POST /invocations and GET /metrics.`);
    allow(req, ['POST']);
    if (draining) {
      metrics.rejected.inc({ reason: 'shutting_down' });
      throw new HttpError(503, 'The service is shutting down; send the request to another instance.', { 'Retry-After': retryAfter, Connection: 'close' });
    }
    if (inFlight >= limits.maxInFlight) {
      metrics.rejected.inc({ reason: 'busy' });
      // The body is not read: close the connection after answering rather than drain it.
      throw new HttpError(503, `The service is at its limit of ${limits.maxInFlight} requests in flight; retry shortly.`, {
        'Retry-After': retryAfter,
        Connection: 'close',
      });
    }
    inFlight += 1;
    const controller = new AbortController();
    active.add(controller);
    const onClose = (): void => {
      if (!res.writableFinished) {
        if (!controller.signal.aborted) metrics.aborted.inc();
        controller.abort(new Error('client disconnected'));
      }
    };
    res.on('close', onClose);
    try {
      const body = await readJson(req, limits, metrics, entry);
      let request: EndpointRequest;
      try {
        request = parseEndpointRequest(body, limits);
      } catch (e) {
        if (e instanceof EndpointRequestError) {
          metrics.rejected.inc({ reason: 'invalid' });
          throw new HttpError(e.status, e.message);
        }
        throw e;
      }
      entry.series = request.tasks.length;
      const forecasts = await forecastAll(request, controller.signal);
      const predictions = forecasts.map((f, i) => endpointPrediction(f, request, i));
      metrics.series.inc({}, request.tasks.length);
      send(res, 200, JSON.stringify({ predictions }), JSON_TYPE);
    } finally {
      res.off('close', onClose);
      active.delete(controller);
      inFlight -= 1;
      if (inFlight === 0) for (const wake of idle.splice(0)) wake();
    }
  }

  /** Runs a validated request through the engine: one engine request, or one per cross-learning group. */
  async function forecastAll(request: EndpointRequest, signal: AbortSignal): Promise<QuantileForecast[]> {
    const status = options.status();
    if (!status) throw new HttpError(503, 'No model is loaded.', { 'Retry-After': retryAfter });
    if (!status.quantiles.includes(0.5)) throw new HttpError(500, `The model's quantiles [${status.quantiles.join(', ')}] have no 0.5 level, which the endpoint returns as the mean.`);
    const prepared = alignToPatches(guarded(() => prepareInputs(request.tasks, request.predictionLength)), status.patchSize, status.contextLength);
    let groups: number[][] = [prepared.map((_, i) => i)];
    if (request.crossLearning && request.batchSize < CROSS_LEARNING_BATCH_ROWS) {
      // Cross-learning shares information inside a batch, so the batch must be the one upstream would form.
      groups = planBatches(prepared, request.batchSize);
    }
    const timedOut = new AbortController();
    const timeout = setTimeout(() => timedOut.abort(), limits.requestTimeoutMs);
    const both = AbortSignal.any([signal, timedOut.signal]);
    try {
      const results = await Promise.all(
        groups.map((indices) =>
          engine.forecast(
            {
              // Prepared tasks are one of the input forms the engine's pipeline accepts (validated again there).
              tasks: indices.map((i) => prepared[i]) as unknown as TaskDict[],
              predictionLength: request.predictionLength,
              crossLearning: request.crossLearning,
            },
            { signal: both },
          ),
        ),
      );
      return results.flatMap((r) => r.forecasts);
    } catch (e) {
      if (timedOut.signal.aborted) throw new HttpError(504, `The forecast took longer than ${limits.requestTimeoutMs / 1000} s and was cancelled.`);
      if (signal.aborted && signal.reason === SHUTDOWN) {
        throw new HttpError(503, 'The service shut down before this forecast finished; send it again.', { 'Retry-After': retryAfter, Connection: 'close' });
      }
      if (signal.aborted) throw new HttpError(499, 'client disconnected');
      const name = (e as Error).name;
      if (e instanceof ForecastInputError || INPUT_ERROR_NAMES.has(name)) throw new HttpError(400, (e as Error).message);
      if (name === 'EngineDisposedError' || name === 'ModelChangedError' || name === 'ModelNotLoadedError') {
        throw new HttpError(503, `${(e as Error).message}`, { 'Retry-After': retryAfter });
      }
      throw e;
    } finally {
      clearTimeout(timeout);
    }
  }

  return {
    server,
    metrics,
    get inFlight() {
      return inFlight;
    },
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async shutdown(graceMs = 30_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      for (const controller of active) controller.abort(SHUTDOWN);
      // Let the cancelled requests write their answers, then drop what is left.
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.closeAllConnections();
      await closed;
    },
  };

  function guarded<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ForecastInputError) throw new HttpError(400, e.message);
      throw e;
    }
  }
}

function allow(req: http.IncomingMessage, methods: string[]): void {
  if (!methods.includes(req.method ?? '')) throw new HttpError(405, `${req.method} is not allowed here; use ${methods.join(' or ')}.`, { Allow: methods.join(', ') });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s && /^[\w.:-]{1,128}$/.test(s) ? s : undefined;
}

function send(res: http.ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.byteLength, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/** Reads and parses a JSON body within the size limit. */
async function readJson(req: http.IncomingMessage, limits: ServiceLimits, metrics: ServiceMetrics, entry: Partial<RequestLogEntry>): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    metrics.rejected.inc({ reason: 'content_type' });
    throw new HttpError(415, `Content-Type ${type} is not supported; send application/json.`);
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = (): HttpError => {
    metrics.rejected.inc({ reason: 'too_large' });
    return new HttpError(413, `The request body is larger than the limit of ${limits.maxBodyBytes} bytes; send fewer series per request.`, { Connection: 'close' });
  };
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limits.maxBodyBytes) throw tooLarge();
    chunks.push(chunk);
  }
  entry.bytes = size;
  if (size === 0) throw new HttpError(400, 'The request body is empty; send a JSON object with "inputs".');
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch (e) {
    metrics.rejected.inc({ reason: 'invalid' });
    throw new HttpError(400, `The request body is not valid JSON: ${(e as Error).message}`);
  }
}

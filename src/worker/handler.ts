// The worker side of the protocol: turns each incoming message into an engine call (or a CSV parse, or a parse
// and read) and posts back its progress and exactly one result or error. It owns the AbortController of every
// unfinished request, so a `cancel` message reaches the engine as an aborted signal. It holds no forecasting
// logic and no DOM access; the worker entry binds it to `self`, tests bind it to one end of a MessageChannel.
import { parseCsv, type ParsedTable } from '../data/csv';
import { readTable } from '../data/table-reading';
import { packedBuffers, packSeriesSet, packTable, type PackedTable } from './table-wire';
import type { BaselineRequest, BaselineResult } from '../eval/worker-baselines';
import type { ForecastEngine, ForecastResult } from './engine-api';
import { ProtocolError } from './errors';
import {
  errorToPayload,
  isWorkerRequest,
  requestIdOf,
  type ParseCsvMessage,
  type ReadCsvMessage,
  type RequestId,
  type ResultMessage,
  type TableReadingMessage,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol';

/** Where the handler posts its responses: the worker's global scope, or a MessagePort. */
export interface ResponseSink {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
}

/** Serves the worker protocol with an engine. */
export class Handler {
  private readonly controllers = new Map<RequestId, AbortController>();

  /**
   * @param baselines Computes backtest baselines (the worker entry passes augurs loaded from its WASM URLs);
   *   without it, `baselines` requests fail with a clear error.
   */
  constructor(
    private readonly engine: ForecastEngine,
    private readonly sink: ResponseSink,
    private readonly baselines?: (request: BaselineRequest, signal: AbortSignal) => Promise<BaselineResult>,
  ) {}

  /** Handles one message from the client (the worker's `message` event data). */
  onMessage(data: unknown): void {
    if (!isWorkerRequest(data)) {
      const requestId = requestIdOf(data);
      if (requestId !== null) {
        this.post({
          type: 'error',
          requestId,
          error: errorToPayload(new ProtocolError(`Unknown or malformed message ${describeType(data)}; the client and worker code may be out of date.`)),
        });
      }
      return;
    }
    const message: WorkerRequest = data;
    switch (message.type) {
      case 'ping':
        this.post({ type: 'pong', requestId: message.requestId });
        return;
      case 'cancel':
        this.controllers.get(message.requestId)?.abort();
        return;
      case 'load-model':
        this.serve(message.requestId, (signal) =>
          this.engine
            .loadModel(message.source, message.backend, {
              signal,
              onProgress: (progress) => this.post({ type: 'progress', requestId: message.requestId, kind: 'engine', progress }),
            })
            .then((status) => ({ type: 'result', requestId: message.requestId, kind: 'load-model', status })),
        );
        return;
      case 'forecast':
        this.serve(message.requestId, (signal) =>
          this.engine
            .forecast(message.request, {
              signal,
              onProgress: (progress) => this.post({ type: 'progress', requestId: message.requestId, kind: 'engine', progress }),
            })
            .then((result) => ({ type: 'result', requestId: message.requestId, kind: 'forecast', result })),
        );
        return;
      case 'embed':
        this.serve(message.requestId, (signal) =>
          this.engine.embed(message.request, { signal }).then((result) => ({ type: 'result', requestId: message.requestId, kind: 'embed', result })),
        );
        return;
      case 'parse-csv':
        this.serve(message.requestId, (signal) =>
          this.parse(message, signal).then((table) => ({ type: 'result', requestId: message.requestId, kind: 'parse-csv', table })),
        );
        return;
      case 'read-csv':
        this.serve(message.requestId, (signal) =>
          this.parse(message, signal).then((table) => ({ type: 'result', requestId: message.requestId, kind: 'read-csv', ...readingMessage(table) })),
        );
        return;
      case 'baselines':
        this.serve(message.requestId, async (signal) => {
          if (!this.baselines) throw new ProtocolError('This worker cannot compute baselines.');
          const result = await this.baselines(message.request, signal);
          return { type: 'result', requestId: message.requestId, kind: 'baselines', result };
        });
        return;
      case 'dispose':
        for (const controller of this.controllers.values()) controller.abort();
        this.serve(message.requestId, () =>
          this.engine.dispose().then(() => ({ type: 'result', requestId: message.requestId, kind: 'dispose' })),
        );
        return;
    }
  }

  /** Parses the file of a `parse-csv` or `read-csv` request, posting its progress. */
  private parse(message: ParseCsvMessage | ReadCsvMessage, signal: AbortSignal): Promise<ParsedTable> {
    return parseCsv(message.input, { ...message.options, signal }, (progress) =>
      this.post({ type: 'progress', requestId: message.requestId, kind: 'parse-csv', progress }),
    );
  }

  /** Runs one request and posts its single result or error. */
  private serve(requestId: RequestId, work: (signal: AbortSignal) => Promise<ResultMessage>): void {
    if (this.controllers.has(requestId)) {
      this.post({
        type: 'error',
        requestId,
        error: errorToPayload(new ProtocolError(`Request id ${requestId} is already in use by an unfinished request.`)),
      });
      return;
    }
    const controller = new AbortController();
    this.controllers.set(requestId, controller);
    let pending: Promise<ResultMessage>;
    try {
      pending = work(controller.signal);
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (result) => {
        this.controllers.delete(requestId);
        this.post(result, transferablesOf(result));
      },
      (error: unknown) => {
        this.controllers.delete(requestId);
        this.post({ type: 'error', requestId, error: errorToPayload(error) });
      },
    );
  }

  private post(message: WorkerResponse, transfer: Transferable[] = []): void {
    this.sink.postMessage(message, transfer);
  }
}

/** Reads a parsed table here, in the worker, and packs it and its reading for the UI thread (see `readTable`). */
function readingMessage(table: ParsedTable): { table: PackedTable; reading: TableReadingMessage } {
  const { seriesSet, seriesError, ...reading } = readTable(table);
  return {
    table: packTable(table),
    reading: { ...reading, seriesSet: seriesSet && packSeriesSet(seriesSet), seriesError: seriesError === null ? null : errorToPayload(seriesError) },
  };
}

/** Buffers of a result that can be moved instead of copied (they are not used in the worker afterwards). */
function transferablesOf(message: ResultMessage): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (view: ArrayBufferView): void => {
    if (view.buffer instanceof ArrayBuffer) buffers.add(view.buffer);
  };
  if (message.kind === 'forecast') forecastBuffers(message.result).forEach(add);
  if (message.kind === 'parse-csv') tableBuffers(message.table).forEach(add);
  if (message.kind === 'read-csv') packedBuffers(message.table, message.reading.seriesSet).forEach((buffer) => buffers.add(buffer));
  return [...buffers];
}

function forecastBuffers(result: ForecastResult): ArrayBufferView[] {
  return result.forecasts.map((forecast) => forecast.values);
}

function tableBuffers(table: ParsedTable): ArrayBufferView[] {
  const views: ArrayBufferView[] = [];
  for (const column of table.columns) if (column.kind !== 'categorical') views.push(column.values);
  return views;
}

function describeType(data: unknown): string {
  if (typeof data !== 'object' || data === null || !('type' in data)) return `(${typeof data})`;
  return JSON.stringify(data.type);
}

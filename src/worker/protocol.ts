// Every message between the worker client (UI thread) and the worker handler, in one place: a request union
// and a response union, both keyed on `type` and carrying the `requestId` they belong to. Result messages are
// further keyed on `kind` (the request type they answer), so the client reads each payload with its real type
// and no casts. Everything here is structured-clone safe.
import type { BackendPreference } from '../runtime/backend';
import type { ParseCsvOptions, ParsedTable, ParseProgress } from '../data/csv';
import type { BaselineRequest, BaselineResult } from '../eval/worker-baselines';
import type { TableReading } from '../data/table-reading';
import type { PackedSeriesSet, PackedTable } from './table-wire';
import { CsvParseError, type CsvErrorCode, type CsvErrorLocation } from '../data/errors';
import type {
  EmbedRequest,
  EmbedResult,
  EngineErrorPayload,
  EngineProgress,
  ForecastRequest,
  ForecastResult,
  ModelSourceSpec,
  ModelStatus,
} from './engine-api';

/** Identifies one request; chosen by the client, unique among its unfinished requests. */
export type RequestId = number;

/** CSV options as they cross the boundary (an AbortSignal cannot be cloned; cancel with a `cancel` message). */
export type CsvOptionsMessage = Omit<ParseCsvOptions, 'signal'>;

// ---------------------------------------------------------------------------------------------------------
// Client → worker

/** Load (and for checkpoints convert) a model; answered by a `load-model` result. */
export interface LoadModelMessage {
  type: 'load-model';
  requestId: RequestId;
  source: ModelSourceSpec;
  backend: BackendPreference;
}

/** Run a forecast; answered by a `forecast` result. */
export interface ForecastMessage {
  type: 'forecast';
  requestId: RequestId;
  request: ForecastRequest;
}

/** Embed series with the loaded model; answered by an `embed` result. */
export interface EmbedMessage {
  type: 'embed';
  requestId: RequestId;
  request: EmbedRequest;
}

/** Parse a CSV file off the UI thread; answered by a `parse-csv` result. */
export interface ParseCsvMessage {
  type: 'parse-csv';
  requestId: RequestId;
  input: string | Blob;
  options: CsvOptionsMessage;
}

/**
 * Parse a CSV file and read the table (schema, description, the detected roles' series: `readTable`) off the UI
 * thread; answered by a `read-csv` result, with `parse-csv` progress.
 */
export interface ReadCsvMessage {
  type: 'read-csv';
  requestId: RequestId;
  input: string | Blob;
  options: CsvOptionsMessage;
}

/** Forecast the baselines (seasonal naive, AutoETS) of backtest windows; answered by a `baselines` result. */
export interface BaselinesMessage {
  type: 'baselines';
  requestId: RequestId;
  request: BaselineRequest;
}

/** Cancel the unfinished request `requestId`. Not answered itself: the cancelled request ends in an error. */
export interface CancelMessage {
  type: 'cancel';
  requestId: RequestId;
}

/** Release the model; answered by a `dispose` result. */
export interface DisposeMessage {
  type: 'dispose';
  requestId: RequestId;
}

/** Heartbeat; answered by a `pong` as soon as the worker's event loop is free. */
export interface PingMessage {
  type: 'ping';
  requestId: RequestId;
}

/** Every message the client sends. */
export type WorkerRequest =
  | LoadModelMessage
  | ForecastMessage
  | EmbedMessage
  | ParseCsvMessage
  | ReadCsvMessage
  | BaselinesMessage
  | CancelMessage
  | DisposeMessage
  | PingMessage;

// ---------------------------------------------------------------------------------------------------------
// Worker → client

/** The successful end of a request, keyed on the request type it answers. */
export type ResultMessage =
  | { type: 'result'; requestId: RequestId; kind: 'load-model'; status: ModelStatus }
  | { type: 'result'; requestId: RequestId; kind: 'forecast'; result: ForecastResult }
  | { type: 'result'; requestId: RequestId; kind: 'embed'; result: EmbedResult }
  | { type: 'result'; requestId: RequestId; kind: 'parse-csv'; table: ParsedTable }
  | { type: 'result'; requestId: RequestId; kind: 'read-csv'; table: PackedTable; reading: TableReadingMessage }
  | { type: 'result'; requestId: RequestId; kind: 'baselines'; result: BaselineResult }
  | { type: 'result'; requestId: RequestId; kind: 'dispose' };

/** A {@link TableReading} as it crosses the boundary: its series packed (table-wire.ts), their error as a payload. */
export type TableReadingMessage = Omit<TableReading, 'seriesSet' | 'seriesError'> & {
  seriesSet: PackedSeriesSet | null;
  seriesError: ErrorPayload | null;
};

/**
 * An error as it crosses the boundary: its class name and message; `CsvParseError`s also carry their `code`
 * and `location`, so the client can rebuild them as real `CsvParseError`s.
 */
export interface ErrorPayload extends EngineErrorPayload {
  code?: CsvErrorCode;
  location?: CsvErrorLocation;
}

/** The failed end of a request. */
export interface ErrorMessage {
  type: 'error';
  requestId: RequestId;
  error: ErrorPayload;
}

/** Progress of an unfinished request, keyed on what reports it. */
export type ProgressMessage =
  | { type: 'progress'; requestId: RequestId; kind: 'engine'; progress: EngineProgress }
  | { type: 'progress'; requestId: RequestId; kind: 'parse-csv'; progress: ParseProgress };

/** Answer to a {@link PingMessage}; also sent unasked with requestId 0 once the worker holds its lifeline lock. */
export interface PongMessage {
  type: 'pong';
  requestId: RequestId;
}

/** Every message the worker sends. Each request gets exactly one `result` or `error` (pings: one `pong`). */
export type WorkerResponse = ResultMessage | ErrorMessage | ProgressMessage | PongMessage;

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by both ends

const REQUEST_TYPES: ReadonlySet<string> = new Set(['load-model', 'forecast', 'embed', 'parse-csv', 'read-csv', 'baselines', 'cancel', 'dispose', 'ping']);
const RESPONSE_TYPES: ReadonlySet<string> = new Set(['result', 'error', 'progress', 'pong']);

function hasEnvelope(data: unknown, types: ReadonlySet<string>): data is { type: string; requestId: number } {
  if (typeof data !== 'object' || data === null || !('type' in data) || typeof data.type !== 'string') return false;
  return types.has(data.type) && requestIdOf(data) !== null;
}

/**
 * Whether `data` has the envelope of a {@link WorkerRequest} (a known `type` and an integer `requestId`).
 * Payloads are validated by the engine, which is the boundary for user data.
 */
export function isWorkerRequest(data: unknown): data is WorkerRequest {
  return hasEnvelope(data, REQUEST_TYPES);
}

/** Whether `data` has the envelope of a {@link WorkerResponse}. */
export function isWorkerResponse(data: unknown): data is WorkerResponse {
  return hasEnvelope(data, RESPONSE_TYPES);
}

/** The `requestId` of a malformed message, when it has a usable one (so it can still be answered). */
export function requestIdOf(data: unknown): RequestId | null {
  if (typeof data !== 'object' || data === null || !('requestId' in data)) return null;
  const { requestId } = data;
  return typeof requestId === 'number' && Number.isSafeInteger(requestId) ? requestId : null;
}

/** Turns anything thrown into the `{name, message}` that crosses the boundary (keeping a CSV error's code). */
export function errorToPayload(error: unknown): ErrorPayload {
  if (error instanceof CsvParseError) {
    return { name: error.name, message: error.message, code: error.code, location: { ...error.location } };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: typeof error === 'string' ? error : `non-Error value thrown: ${String(error)}` };
}

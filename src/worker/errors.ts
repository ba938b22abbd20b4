// Named errors of the engine, the worker handler and the worker client. They cross the worker boundary as
// `{name, message}` (protocol.ts), so callers tell outcomes apart by `name` on both sides of it; every message
// says what happened and what to do next.

/**
 * The request was cancelled: through the caller's AbortSignal, or superseded by a newer request with the same
 * `supersedeKey`. Named like the DOM's abort error so `error.name === 'AbortError'` checks work everywhere.
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';
}

/** A forecast was requested while no model is loaded (never loaded, or the last load failed). */
export class ModelNotLoadedError extends Error {
  override readonly name = 'ModelNotLoadedError';
}

/**
 * A forecast was accepted for one model but a new model was loaded before it finished. The forecast was
 * dropped rather than run on the old model; send it again to get a forecast from the new model.
 */
export class ModelChangedError extends Error {
  override readonly name = 'ModelChangedError';
}

/** The engine (or client) was disposed; create a new one. */
export class EngineDisposedError extends Error {
  override readonly name = 'EngineDisposedError';
}

/** A model source or backend preference handed to `loadModel` is malformed. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

/** A message between the client and the worker does not follow the protocol (a bug, not a user error). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/**
 * The worker died (an uncaught error, or it stopped answering) while the request was in flight. The client
 * restarts the worker and reloads the last model; the request itself has to be sent again.
 */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

// The one place the app creates its forecasting engine: a WorkerClient, so model loading, CSV parsing and
// inference run off the UI thread. Created lazily so importing the store does not start a worker.
import type { ForecastEngine } from '../worker/engine-api';
import { WorkerClient, type WorkerClientEvent } from '../worker/client';

let client: WorkerClient | null = null;
let listener: (event: WorkerClientEvent) => void = () => undefined;

/** Receives the client's worker health reports (restarts, reloads). */
export function onEngineEvent(handler: (event: WorkerClientEvent) => void): void {
  listener = handler;
}

/** The shared engine client (the worker starts on first use). */
export function getEngine(): ForecastEngine & Pick<WorkerClient, 'readCsv' | 'baselines'> {
  client ??= new WorkerClient({ onEvent: (event) => listener(event) });
  return client;
}

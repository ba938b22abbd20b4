// Starts the forecasting service in a Node process: loads onnxruntime (native when installed), creates the
// same queueing/batching engine the browser's worker runs, loads the model into it, and puts the HTTP layer in
// front. Used by `chronos-web serve` and by the tests, which start real services on port 0.
import type * as OrtWeb from 'onnxruntime-web';
import type { AddressInfo } from 'node:net';
import { Engine } from '../worker/engine';
import type { ModelStatus } from '../worker/engine-api';
import { loadNodeOrt, nodeRunnerFactory, type NodeRuntimePreference } from '../node/ort-node';
import { nodeModelCache, resolveModelSource, type ResolveModelOptions } from '../node/model-source';
import { createForecastService, type ForecastService, type RequestLogEntry, type ServiceLimits } from './http-server';
import { ServiceMetrics } from './metrics';

/** Options of {@link startForecastService}. */
export interface StartServiceOptions extends ResolveModelOptions {
  /** Model folder, URL or hub repository id; default: the bundled default model. */
  model?: string;
  port?: number;
  /** Default 127.0.0.1; `0.0.0.0` in a container. */
  host?: string;
  runtime?: NodeRuntimePreference;
  /** Intra-op threads of onnxruntime-node (default: its own choice, one per core). */
  threads?: number;
  /** Most rows per model call; concurrent requests are batched up to it. Default 32. */
  batchRows?: number;
  /** How long an idle engine waits for more requests to batch with, ms. Default 0 (one timer tick). */
  batchWindowMs?: number;
  limits?: Partial<ServiceLimits>;
  log?: (entry: RequestLogEntry) => void;
  /** Folder of the hub model cache (default: the user's cache directory). */
  cacheDir?: string;
  /** Load progress messages. */
  onProgress?: (message: string) => void;
}

/** A started service. */
export interface StartedService {
  service: ForecastService;
  engine: Engine;
  model: ModelStatus;
  address: AddressInfo;
  /** `http://host:port` */
  url: string;
  /** Graceful shutdown of the HTTP layer, then the engine. */
  close(graceMs?: number): Promise<void>;
}

/** Default rows per model call of the service (CPU throughput is flat from about 8 rows on). */
export const SERVICE_BATCH_ROWS = 32;

/** Loads the model and starts listening. */
export async function startForecastService(options: StartServiceOptions = {}): Promise<StartedService> {
  const nodeOrt = await loadNodeOrt(options.runtime ?? 'auto');
  let inFlight = (): number => 0;
  let crashed: string | null = null;
  const metrics = new ServiceMetrics(() => inFlight());
  const engine = new Engine({
    ort: nodeOrt.ort as unknown as typeof OrtWeb,
    fetch: globalThis.fetch,
    createRunner: nodeRunnerFactory(nodeOrt, {
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      thread: true,
      onCrash: (reason) => {
        crashed = reason;
        options.onProgress?.(`the model runtime failed: ${reason}; /ping now answers 503`);
      },
      observe: (rows) => {
        metrics.modelCalls.inc();
        metrics.batchRows.observe(rows);
      },
    }),
    batchRows: options.batchRows ?? SERVICE_BATCH_ROWS,
    batchWindowMs: options.batchWindowMs ?? 0,
    modelCache: nodeModelCache(options.cacheDir),
  });
  try {
    const { source, description } = await resolveModelSource(options.model, options);
    options.onProgress?.(`loading ${description} on ${nodeOrt.label}`);
    const model = await engine.loadModel(source, 'wasm', {
      onProgress: (p) => {
        if (p.phase !== 'download' && p.phase !== 'inference') options.onProgress?.(p.message);
      },
    });
    const service = createForecastService({
      engine,
      status: () => engine.status,
      unhealthy: () => crashed,
      metrics,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    inFlight = () => service.inFlight;
    const address = await service.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      service,
      engine,
      model,
      address,
      url: `http://${host}:${address.port}`,
      async close(graceMs) {
        await service.shutdown(graceMs);
        await engine.dispose();
      },
    };
  } catch (e) {
    await engine.dispose();
    throw e;
  }
}

// The library's Node entry (`exports["."].node` of package.json): everything of ./index.ts plus what needs Node —
// model folders on disk, onnxruntime-node, the file model cache in the user's cache directory, and the
// forecasting service (the Chronos-2 endpoint API over HTTP).
export * from './index';

/** `await loadChronos2('amazon/chronos-2')`: a folder, URL, hub id or the bundled model on onnxruntime-node. */
export { loadChronos2 } from './node/load-model';
export type { NodeLoadOptions } from './node/load-model';
export { loadNodeOrt, nodeRunnerFactory, nodeSessionOptions } from './node/ort-node';
export type { NodeOrt, NodeRuntimePreference } from './node/ort-node';
export { convertCheckpointDir, isCheckpointDir, readConvertedDir, runnerFromDir } from './node/model-files';
export type { RunnerOptions } from './node/model-files';
export { nodeModelCache, resolveModelSource, userCacheDir } from './node/model-source';
export type { NodeModelSource, ResolveModelOptions } from './node/model-source';
export { defaultModelDir } from './node/model-registry';
export { fsCacheBackend } from './node/fs-cache-backend';
/** augurs' WASM (AutoETS baselines) from node_modules, synchronously; the browser loads it with initAugurs(urls). */
export { initAugursNode } from './eval/augurs-node';

// The forecasting service
export { startForecastService, SERVICE_BATCH_ROWS } from './server/service';
export type { StartedService, StartServiceOptions } from './server/service';
export { createForecastService, DEFAULT_SERVICE_LIMITS } from './server/http-server';
export type { ForecastService, ForecastServiceOptions, RequestLogEntry, ServiceLimits } from './server/http-server';
export { DEFAULT_ENDPOINT_LIMITS, EndpointRequestError, endpointPrediction, parseEndpointRequest } from './server/endpoint-api';
export type { EndpointLimits, EndpointPrediction, EndpointRequest } from './server/endpoint-api';
export { ServiceMetrics } from './server/metrics';

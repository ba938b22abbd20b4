// The interface of the forecasting engine, implemented twice: by the engine itself (engine.ts, runs
// anywhere, tested in Node) and by the worker client (client.ts, forwards to a Web Worker). The UI
// only sees this interface, so it cannot tell where the engine runs. All payloads are structured-clone
// safe (typed arrays, plain objects), so they cross the worker boundary unchanged.
import type { BackendChoice, BackendPreference } from '../runtime/backend';
import type { ModelManifest } from '../model/manifest';
import type { TaskDict } from '../forecast/inputs';
import type { QuantileForecast } from '../forecast/pipeline';
import type { WeightStorage } from '../model/onnx/fp16';

/** Where the engine gets a model from. */
export type ModelSourceSpec =
  /** A converted model folder served over HTTP (manifest.json + model.onnx). */
  | { kind: 'url'; url: string }
  /** A converted model in memory (e.g. opened from disk). */
  | { kind: 'onnx'; onnx: Uint8Array; manifest: ModelManifest }
  /** A Hugging Face checkpoint (config.json + model.safetensors) to convert in the engine. */
  | { kind: 'checkpoint'; name: string; configText: string; safetensors: Uint8Array; weights?: WeightStorage }
  /**
   * A repository on the Hugging Face hub (or a mirror at `hubUrl`): taken from the model cache when a current copy
   * is there, else downloaded, converted and cached. An interrupted download is resumed by the next load of the
   * same repository.
   */
  | { kind: 'hub'; repo: string; revision?: string; hubUrl?: string; token?: string; weights?: WeightStorage }
  /**
   * Files picked or dropped by the user: a checkpoint folder, model.onnx + manifest.json, or a LoRA adapter (with
   * its base's files, or its base from the cache or the hub at `hubUrl`); converted and cached.
   */
  | { kind: 'files'; files: File[]; weights?: WeightStorage; hubUrl?: string }
  /** A model in the engine's model cache, by id (see `CachedModel`). */
  | { kind: 'cached'; id: string };

/** Progress of a long operation, one union for every phase. */
export type EngineProgress =
  | { phase: 'download'; file: string; loaded: number; total?: number; bytesPerSecond?: number; resumedFrom?: number }
  | { phase: 'convert'; message: string }
  | { phase: 'cache'; message: string }
  | { phase: 'session'; message: string }
  | { phase: 'warmup'; message: string }
  | { phase: 'inference'; done: number; total: number };

/** What is loaded and where it runs. */
export interface ModelStatus {
  name: string;
  parameterCount: number;
  onnxBytes: number;
  contextLength: number;
  patchSize: number;
  maxOutputPatches: number;
  quantiles: number[];
  backend: BackendChoice;
  /** How the weight matrices are stored (absent: float32); compute is float32 either way. */
  weights?: WeightStorage;
  /** The model cache entry this model was read from or stored as, when it is cached. */
  cacheId?: string;
  /** Something worth telling the user about this load (e.g. caching failed, or a cached copy was used offline). */
  note?: string;
}

/** One forecast request. Tasks use the pipeline's list-of-dicts form (targets + covariates). */
export interface ForecastRequest {
  tasks: TaskDict[];
  predictionLength: number;
  /** Let tasks of a batch attend to each other (upstream `cross_learning`). */
  crossLearning?: boolean;
  /** Most history used per task (default: the model's context length). */
  contextLength?: number;
  /**
   * Requests with the same key supersede each other: when a newer one arrives, an older one that has
   * not finished is cancelled and rejects with an `AbortError`-named error. Used per chart view.
   */
  supersedeKey?: string;
}

/** The answer to a {@link ForecastRequest}. */
export interface ForecastResult {
  /** One per task, at the model's quantile levels (`values` is [variates][Q][H]). */
  forecasts: QuantileForecast[];
  /** Wall-clock time of the model calls, ms. */
  inferenceMs: number;
  /** Number of model calls this request's results took (batched requests share calls). */
  modelCalls: number;
  backend: BackendChoice;
}

/** Options of one engine call. */
export interface CallOptions {
  onProgress?: (progress: EngineProgress) => void;
  signal?: AbortSignal;
}

/** An error as it crosses the worker boundary: its class name and message, never flattened to a string. */
export interface EngineErrorPayload {
  name: string;
  message: string;
}

/** Error rebuilt on the client side from an {@link EngineErrorPayload} (keeps the original class name). */
export class EngineError extends Error {
  constructor(payload: EngineErrorPayload) {
    super(payload.message);
    this.name = payload.name;
  }
}

/** The engine's interface: the same for the in-process engine and the worker client. */
export interface ForecastEngine {
  /** Loads (and, for checkpoints, converts) a model and creates its session on the chosen backend. */
  loadModel(source: ModelSourceSpec, backend: BackendPreference, options?: CallOptions): Promise<ModelStatus>;
  /** Runs a forecast with the loaded model. */
  forecast(request: ForecastRequest, options?: CallOptions): Promise<ForecastResult>;
  /** Releases the session (and, for the client, the worker). */
  dispose(): Promise<void>;
}

// The forecasting engine: loads a model (URL, converted bytes, checkpoint, Hugging Face repository, local files
// or the model cache) with phase-by-phase progress, queues forecast requests, batches compatible ones into one
// pipeline call, cancels superseded and aborted requests, and survives a lost WebGPU device by moving to WASM. It
// knows nothing about messaging or the DOM: its dependencies (the onnxruntime module, `fetch`, the model cache) are
// handed in, so the same class runs inside the worker and in Node tests. The worker handler and the worker client put it behind the same `ForecastEngine` interface.
import type * as OrtWeb from 'onnxruntime-web';
import { fetchConvertedModel } from '../chronos2';
import type { ModelCache } from '../hub/cache';
import { DEFAULT_MAX_MODEL_BYTES, type PartialDownload } from '../hub/download';
import { CachedModelError } from '../hub/errors';
import { convertBytes, prepareHubModel, type PartialStore } from '../hub/hub-model';
import { prepareLocalModel, verifyOnnx } from '../hub/local-files';
import { manifestWeights, parseManifest, type ModelManifest } from '../model/manifest';
import {
  embed as embedSeries,
  seriesVectors,
  ForecastInputError,
  InputSchemaError,
  planBatches,
  predict,
  prepareInputs,
  resolvePredictOptions,
  type ModelCallInput,
  type ModelCallOutput,
  type ModelInfo,
  type ModelRunner,
  type PreparedTask,
  type QuantileForecast,
} from '../forecast';
import { createRunner, type BackendChoice, type BackendKind, type BackendPreference, type CreateRunnerOptions, type OrtLoader } from '../runtime/backend';
import { modelInfoFromConfig } from '../runtime/ort-runner';
import type {
  CallOptions,
  EmbedRequest,
  EmbedResult,
  EngineProgress,
  ForecastEngine,
  ForecastRequest,
  ForecastResult,
  ModelSourceSpec,
  ModelStatus,
} from './engine-api';
import { AbortError, EngineDisposedError, ModelChangedError, ModelNotLoadedError, ModelSourceError } from './errors';

/** A model runner the engine can release. */
export type DisposableRunner = ModelRunner & { dispose(): Promise<void> };

/** What a {@link RunnerFactory} creates. */
export interface CreatedRunner {
  runner: DisposableRunner;
  choice: BackendChoice;
  /**
   * Settles with a reason when the WebGPU device behind `runner` is lost (never for WASM). The engine then
   * moves to WASM before its next model call instead of waiting for a call to fail.
   */
  deviceLost?: Promise<string>;
}

/** Creates a runner for ONNX bytes on a backend (default: `createRunner` of runtime/backend). */
export type RunnerFactory = (
  ort: typeof OrtWeb,
  onnx: Uint8Array,
  info: ModelInfo,
  preference: BackendPreference,
  options?: CreateRunnerOptions,
) => Promise<CreatedRunner>;

/** Dependencies and tuning of an {@link Engine}. */
export interface EngineOptions {
  /** The onnxruntime module (onnxruntime-web, with `ort.env` already configured). */
  ort: typeof OrtWeb;
  /** The build WebGPU sessions use, loaded on first use (the worker: ORT's native WebGPU EP). Default: `ort`. */
  webgpuOrt?: OrtLoader;
  /** Used for `url` model sources. */
  fetch: typeof fetch;
  /** Creates inference sessions; default {@link defaultRunnerFactory}. */
  createRunner?: RunnerFactory;
  /**
   * Starts the runtime a load with this preference will use, run while the model files download (the worker:
   * onnxruntime-web's WASM runtime, see runtime/wasm-runtime-init.ts). The session is created after it settles;
   * its failures are ignored (session creation reports them). Default: nothing.
   */
  prepareRuntime?: (preference: BackendPreference) => Promise<void>;
  /**
   * Most rows (targets + covariates over all tasks) one model call may hold, per backend or one number for both:
   * requests are batched together up to it and the pipeline splits larger ones into calls of at most this many
   * rows. Default {@link DEFAULT_BATCH_ROWS}. Cross-learning requests always use
   * {@link CROSS_LEARNING_BATCH_ROWS}, since there the batch decides which series share information.
   */
  batchRows?: number | Partial<Record<BackendKind, number>>;
  /** How long a request waits for others to batch with when the engine is idle, ms. Default 0 (one timer tick). */
  batchWindowMs?: number;
  /** Largest model file accepted (ONNX from a URL, checkpoint from a hub or from disk), bytes. Default 2 GiB. */
  maxDownloadBytes?: number;
  /**
   * Where converted hub and local models are cached (OPFS in the browser, files in Node tests), and where `cached`
   * sources are read from. Without one, nothing is cached and `cached` sources fail.
   */
  modelCache?: ModelCache | null;
}

/**
 * Default rows per model call by backend (measured in docs/benchmarks.md). WebGPU: 256, the pipeline's own
 * default and the throughput peak on an H200 (group attention is quadratic in the batch: 512 rows are slower).
 * WASM: 32; CPU throughput is flat from about 8 rows on, so smaller calls cost nothing and give progress and a
 * cancellation point every call instead of every 256 rows (256 rows of the 120M model take ~45 s at the
 * 5.7 series/s measured on two threads). Results do not depend on it (without cross-learning).
 */
export const DEFAULT_BATCH_ROWS: Readonly<Record<BackendKind, number>> = Object.freeze({ webgpu: 256, wasm: 32 });

/** Rows per pipeline call with cross-learning: upstream's default `batch_size`, on every backend. */
export const CROSS_LEARNING_BATCH_ROWS = 256;

/** {@link RunnerFactory} over `createRunner` (WebGPU probe, warm-up, WASM fallback) that also watches the device. */
export const defaultRunnerFactory: RunnerFactory = async (ort, onnx, info, preference, options) => {
  const { runner, choice, ort: used } = await createRunner(ort, onnx, info, preference, options);
  return { runner, choice, ...(choice.backend === 'webgpu' ? { deviceLost: webGpuDeviceLost(used) } : {}) };
};

/** Resolves when the device onnxruntime-web uses is lost for any reason but an intentional `destroy()`. */
function webGpuDeviceLost(ort: typeof OrtWeb): Promise<string> {
  return (async () => {
    const device = (await (ort.env.webgpu as { device?: GPUDevice | Promise<GPUDevice> }).device) as GPUDevice | undefined;
    // A build that does not expose its device: failures still surface from the next run (and move to WASM).
    if (!device) return new Promise<string>(() => undefined);
    const info = await device.lost;
    if (info.reason === 'destroyed') return new Promise<string>(() => undefined);
    return info.message || 'the WebGPU device was lost';
  })();
}

/** What decides whether two requests can share a pipeline call. */
interface BatchKey {
  predictionLength: number;
  contextLength: number;
  /** Context patches of the request's longest (cut) history; see {@link Engine} on why it must match. */
  contextPatches: number;
}

/** A validated request, ready to run. */
interface JobPlan {
  tasks: PreparedTask[];
  rows: number;
  crossLearning: boolean;
  key: BatchKey;
  /** May share a pipeline call with other requests. */
  batchable: boolean;
}

/** One forecast request from arrival to its single result or error. */
interface Job {
  readonly supersedeKey: string | undefined;
  readonly onProgress: ((progress: EngineProgress) => void) | undefined;
  /** 'waiting': for a model load; 'queued': validated, waiting for the model; 'running': in a pipeline call. */
  state: 'waiting' | 'queued' | 'running';
  settled: boolean;
  plan: JobPlan | null;
  run: ActiveRun | null;
  resolve(result: ForecastResult): void;
  reject(error: Error): void;
}

/** The pipeline call in progress. */
interface ActiveRun {
  jobs: Job[];
  /** Aborted once no job of the run wants its result any more; the pipeline stops before its next model call. */
  controller: AbortController;
  /** Settles (never rejects) when the pipeline has returned or thrown. */
  done: Promise<void>;
}

/** The loaded model. */
interface LoadedModel {
  runner: DisposableRunner;
  /**
   * Kept to recreate the session on WASM after a WebGPU failure; null on WASM, where nothing needs it (a 500 MB
   * model would otherwise stay in memory twice: here and in the session).
   */
  onnx: Uint8Array | null;
  info: ModelInfo;
  status: ModelStatus;
  /** Set when the WebGPU device was reported lost; the next run moves to WASM first. */
  deviceLost: string | null;
}

const noop = (): void => undefined;

/**
 * The forecasting engine ({@link ForecastEngine}), without messaging or DOM access.
 *
 * Semantics:
 * - **Loading** a model takes the current model out of service at once: forecasts that were accepted for it
 *   (queued or running) reject with `ModelChangedError` (running ones stop before their next model call), its
 *   session is released, then the new model is fetched/converted, its session created and warmed up. Forecasts
 *   sent while a load is in progress wait for it and run on the new model; if the load fails they reject with
 *   `ModelNotLoadedError`. Loads run one after another in call order.
 * - **Queue and batching**: requests wait while a pipeline call runs. When it ends, the oldest waiting request
 *   starts, together with every later waiting request that has the same prediction length, context length and
 *   number of context patches, `crossLearning` off, and fits in `batchRows` rows in total. Tasks keep their own
 *   group ids, so each result equals that of a separate call. The patch count must match because extra
 *   all-missing patches on the left of a shorter series change its forecast slightly (about 1e-5 relative, from
 *   the rotary position arithmetic), which would make batched and separate results differ.
 * - **Supersede**: a request with a `supersedeKey` cancels every unfinished older request with the same key
 *   (waiting, queued or running) as soon as it arrives; those reject with an `AbortError`.
 * - **Cancel**: aborting a request's signal rejects it at once with an `AbortError`. A queued request is
 *   removed; a running one stops the pipeline before its next model call unless it shares the call with other
 *   requests that still want their results.
 * - **WebGPU failure**: when a run fails on WebGPU (or the device was reported lost), the session is recreated on
 *   WASM, the affected requests get a `session` progress message, and the run is retried once; results then
 *   report the new backend, and so does {@link Engine.status}.
 * Every request ends exactly once, in a result or an error.
 */
export class Engine implements ForecastEngine {
  private readonly ort: typeof OrtWeb;
  private readonly fetchFn: typeof fetch;
  private readonly makeRunner: RunnerFactory;
  private readonly prepareRuntime: ((preference: BackendPreference) => Promise<void>) | null;
  private readonly webgpuOrt: OrtLoader | undefined;
  private readonly batchRows: Readonly<Record<BackendKind, number>>;
  private readonly batchWindowMs: number;
  private readonly maxDownloadBytes: number | undefined;
  private readonly modelCache: ModelCache | null;
  /**
   * The last interrupted hub download, kept in memory (never cached) so that a retry resumes it, also across loads
   * of other models in between (the app restores the previous model after a failure). Dropped when that download
   * completes, when another hub download fails or succeeds, and on dispose.
   */
  private partial: PartialDownload | null = null;
  private readonly partials: PartialStore = { get: () => this.partial, set: (p) => void (this.partial = p) };

  private model: LoadedModel | null = null;
  private lastLoadError: Error | null = null;
  private loadsPending = 0;
  /** Settles (never rejects) when the last requested load has finished. */
  private loadChain: Promise<void> = Promise.resolve();
  private readonly live = new Set<Job>();
  private readonly queue: Job[] = [];
  private active: ActiveRun | null = null;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private disposing: Promise<void> | null = null;
  /** One per load in progress; aborted by the caller's signal or by `dispose` (stops downloads). */
  private readonly loadAborters = new Set<AbortController>();

  constructor(options: EngineOptions) {
    this.ort = options.ort;
    this.fetchFn = options.fetch;
    this.makeRunner = options.createRunner ?? defaultRunnerFactory;
    this.prepareRuntime = options.prepareRuntime ?? null;
    this.webgpuOrt = options.webgpuOrt;
    const rows = options.batchRows;
    this.batchRows = typeof rows === 'number' ? { webgpu: rows, wasm: rows } : { ...DEFAULT_BATCH_ROWS, ...rows };
    this.batchWindowMs = options.batchWindowMs ?? 0;
    this.maxDownloadBytes = options.maxDownloadBytes;
    this.modelCache = options.modelCache ?? null;
    for (const [backend, n] of Object.entries(this.batchRows)) {
      if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`batchRows (${backend}) must be a positive integer, got ${n}`);
    }
  }

  /** The loaded model and its current backend, or null. */
  get status(): ModelStatus | null {
    return this.model ? copyStatus(this.model.status) : null;
  }

  /** Rows per model call on the backend `model` currently runs on. */
  private rowsFor(model: LoadedModel): number {
    return this.batchRows[model.status.backend.backend];
  }

  /** {@inheritDoc ForecastEngine.loadModel} */
  loadModel(source: ModelSourceSpec, backend: BackendPreference, options: CallOptions = {}): Promise<ModelStatus> {
    if (this.disposed) return Promise.reject(disposedError());
    try {
      validateSource(source);
      validateBackend(backend);
    } catch (e) {
      return Promise.reject(e);
    }
    this.loadsPending += 1;
    const changed = new ModelChangedError(
      'A new model is being loaded, so this forecast for the previous model was dropped; send it again to ' +
        'forecast with the new model.',
    );
    for (const job of [...this.live]) if (job.state !== 'waiting') this.rejectJob(job, changed);

    const previous = this.loadChain;
    const task = (async () => {
      await previous;
      try {
        const status = await this.load(source, backend, options);
        this.lastLoadError = null;
        return status;
      } catch (e) {
        this.lastLoadError = asError(e);
        throw this.lastLoadError;
      } finally {
        this.loadsPending -= 1;
        this.schedulePump();
      }
    })();
    this.loadChain = task.then(noop, noop);
    return task;
  }

  /** {@inheritDoc ForecastEngine.forecast} */
  forecast(request: ForecastRequest, options: CallOptions = {}): Promise<ForecastResult> {
    if (this.disposed) return Promise.reject(disposedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AbortError('The forecast was cancelled before it started.'));

    let resolve!: (result: ForecastResult) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<ForecastResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const supersedeKey = isRecord(request) && typeof request.supersedeKey === 'string' ? request.supersedeKey : undefined;
    const onAbort = (): void => this.cancelJob(job, new AbortError('The forecast was cancelled.'));
    const job: Job = {
      supersedeKey,
      onProgress: options.onProgress,
      state: 'waiting',
      settled: false,
      plan: null,
      run: null,
      resolve: (result) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
      reject: (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    };
    if (supersedeKey !== undefined) {
      for (const older of [...this.live]) {
        if (older.supersedeKey === supersedeKey) {
          this.cancelJob(
            older,
            new AbortError(`The forecast was superseded by a newer request with supersedeKey "${supersedeKey}".`),
          );
        }
      }
    }
    this.live.add(job);
    signal?.addEventListener('abort', onAbort, { once: true });
    void this.admit(job, request);
    return promise;
  }

  /** {@inheritDoc ForecastEngine.embed} */
  async embed(request: EmbedRequest, options: CallOptions = {}): Promise<EmbedResult> {
    if (this.disposed) throw disposedError();
    if (!isRecord(request) || !Array.isArray(request.series) || !request.series.every((s) => Array.isArray(s) || ArrayBuffer.isView(s))) {
      throw new ModelSourceError('An embed request needs `series`, an array of number arrays.');
    }
    await this.loadChain;
    // The embedding takes the session like a forecast run: after the run in flight, and forecasts that arrive
    // meanwhile wait for it (onnxruntime sessions must not run twice at once).
    while (this.active) await this.active.done;
    const model = this.model;
    if (!model) throw new ModelNotLoadedError('Load a model before computing embeddings.');
    const work = embedSeries(model.runner, request.series.map((s) => Float32Array.from(s)), {
      batchSize: 64,
      ...(request.contextLength !== undefined ? { contextLength: request.contextLength } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const run: ActiveRun = { jobs: [], controller: new AbortController(), done: Promise.resolve() };
    this.active = run;
    run.done = work.then(noop, noop).finally(() => {
      this.active = null;
      this.schedulePump();
    });
    const embeddings = await work;
    return {
      vectors: embeddings.map((e) => seriesVectors(e)[0]),
      loc: embeddings.map((e) => e.loc[0]),
      scale: embeddings.map((e) => e.scale[0]),
      dModel: embeddings[0]?.dModel ?? 0,
    };
  }

  /** {@inheritDoc ForecastEngine.dispose} Unfinished requests reject with `EngineDisposedError`. */
  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    this.disposed = true;
    const error = disposedError();
    for (const job of [...this.live]) this.rejectJob(job, error);
    for (const aborter of this.loadAborters) aborter.abort(error);
    this.partial = null;
    if (this.pumpTimer !== null) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    this.disposing = (async () => {
      await this.loadChain;
      await this.active?.done;
      await this.releaseModel();
    })();
    return this.disposing;
  }

  // -------------------------------------------------------------------------------------------------------
  // Loading

  private async load(source: ModelSourceSpec, backend: BackendPreference, options: CallOptions): Promise<ModelStatus> {
    const { signal, onProgress } = options;
    const check = (): void => {
      if (this.disposed) throw disposedError();
      if (signal?.aborted) throw new AbortError('Loading the model was cancelled.');
    };
    const aborter = new AbortController();
    const forward = (): void => aborter.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    this.loadAborters.add(aborter);
    try {
      return await this.loadSteps(source, backend, onProgress, aborter.signal, check);
    } finally {
      signal?.removeEventListener('abort', forward);
      this.loadAborters.delete(aborter);
    }
  }

  private async loadSteps(
    source: ModelSourceSpec,
    backend: BackendPreference,
    onProgress: CallOptions['onProgress'],
    signal: AbortSignal,
    check: () => void,
  ): Promise<ModelStatus> {
    check();
    await this.active?.done;
    await this.releaseModel();
    check();

    // The runtime starts while the files download (or are read from the cache), not after.
    const runtimeReady = this.prepareRuntime ? this.prepareRuntime(backend).catch(noop) : Promise.resolve();
    let files: ModelFiles;
    try {
      files = await this.modelFiles(source, signal, onProgress);
    } catch (e) {
      check();
      throw e;
    }
    check();
    const info = modelInfoFromConfig(files.manifest.config);
    report(onProgress, { phase: 'session', message: `Creating the inference session (${backend} backend).` });
    await runtimeReady;
    check();
    const created = await this.makeRunner(this.ort, files.onnx, info, backend, { webgpuOrt: this.webgpuOrt, weights: manifestWeights(files.manifest) });
    try {
      check();
      report(onProgress, { phase: 'warmup', message: `Checking the model with one small forecast on ${created.choice.backend}.` });
      await warmUp(created.runner);
      check();
    } catch (e) {
      await created.runner.dispose().catch(noop);
      throw e;
    }
    const { manifest } = files;
    const model: LoadedModel = {
      runner: created.runner,
      onnx: created.choice.backend === 'webgpu' ? files.onnx : null,
      info,
      deviceLost: null,
      status: {
        name: manifest.name,
        parameterCount: manifest.parameterCount,
        onnxBytes: manifest.onnxBytes,
        contextLength: info.contextLength,
        patchSize: info.patchSize,
        maxOutputPatches: info.maxOutputPatches,
        quantiles: [...info.quantiles],
        backend: { ...created.choice },
        weights: manifestWeights(manifest),
        ...(files.cacheId !== undefined ? { cacheId: files.cacheId } : {}),
        ...(files.note !== undefined ? { note: files.note } : {}),
      },
    };
    created.deviceLost?.then(
      (reason) => {
        if (this.model === model && model.runner === created.runner) model.deviceLost = reason;
      },
      noop,
    );
    this.model = model;
    return copyStatus(model.status);
  }

  /** The ONNX bytes and manifest of a source: downloaded, checked, converted, or read from the cache. */
  private async modelFiles(
    source: ModelSourceSpec,
    signal: AbortSignal | undefined,
    onProgress: CallOptions['onProgress'],
  ): Promise<ModelFiles> {
    const progress = (p: EngineProgress): void => report(onProgress, p);
    const maxBytes = this.maxDownloadBytes ?? DEFAULT_MAX_MODEL_BYTES;
    switch (source.kind) {
      case 'url':
        return fetchConvertedModel(source.url, { fetch: this.fetchFn, signal, onProgress: progress, maxBytes });
      case 'onnx': {
        const manifest = parseManifest(source.manifest, `manifest of ${describeName(source.manifest)}`);
        await verifyOnnx(source.onnx, manifest);
        return { onnx: source.onnx, manifest };
      }
      case 'checkpoint': {
        const converted = await convertBytes(source.configText, source.safetensors, {
          name: source.name,
          source: source.name,
          weights: source.weights ?? 'float32',
          onProgress: progress,
        });
        return { onnx: converted.onnx, manifest: converted.manifest };
      }
      case 'hub': {
        const prepared = await prepareHubModel(
          { repo: source.repo, revision: source.revision, hubUrl: source.hubUrl, token: source.token, weights: source.weights },
          { fetch: this.fetchFn, cache: this.modelCache, signal, onProgress: progress, maxBytes, partials: this.partials },
        );
        return preparedFiles(prepared);
      }
      case 'files': {
        const prepared = await prepareLocalModel(source.files, source.weights ?? 'float32', {
          cache: this.modelCache,
          // an adapter's base that was neither picked nor cached comes from the hub
          fetch: this.fetchFn,
          ...(source.hubUrl ? { hubUrl: source.hubUrl } : {}),
          signal,
          onProgress: progress,
          maxBytes,
        });
        return preparedFiles(prepared);
      }
      case 'cached': {
        if (!this.modelCache) throw new CachedModelError('This browser has no model cache, so cached models cannot be loaded.');
        progress({ phase: 'cache', message: 'Reading the model from this browser\'s cache.' });
        const { model, onnx } = await this.modelCache.read(source.id);
        try {
          await verifyOnnx(onnx, model.manifest);
        } catch {
          await this.modelCache.delete(source.id).catch(noop);
          throw new CachedModelError(`The cached copy of ${model.name} is damaged (its hash does not match) and was removed. Load the model again.`);
        }
        return { onnx, manifest: model.manifest, cacheId: model.id };
      }
    }
  }

  private async releaseModel(): Promise<void> {
    const model = this.model;
    this.model = null;
    await model?.runner.dispose().catch(noop);
  }

  // -------------------------------------------------------------------------------------------------------
  // Queue

  /** Validates a request once its model is known and queues it. */
  private async admit(job: Job, request: ForecastRequest): Promise<void> {
    try {
      while (this.loadsPending > 0) await this.loadChain;
      if (job.settled) return;
      const model = this.model;
      if (!model) {
        throw new ModelNotLoadedError(
          this.lastLoadError
            ? `No model is loaded: loading the last model failed (${this.lastLoadError.message}). Load a model, then forecast.`
            : 'No model is loaded. Call loadModel first, then forecast.',
        );
      }
      job.plan = planJob(model.info, request, this.rowsFor(model));
      job.state = 'queued';
      this.queue.push(job);
      this.schedulePump();
    } catch (e) {
      this.rejectJob(job, asError(e));
    }
  }

  private schedulePump(): void {
    if (this.pumpTimer !== null || this.disposed) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pump();
    }, this.batchWindowMs);
  }

  private pump(): void {
    if (this.active || this.loadsPending > 0 || this.queue.length === 0) return;
    const model = this.model;
    if (!model) {
      const error = new ModelNotLoadedError('The model was unloaded after a backend failure; load a model again.');
      for (const job of [...this.queue]) this.rejectJob(job, error);
      return;
    }
    const jobs = this.takeGroup();
    if (jobs.length === 0) return;
    const run: ActiveRun = { jobs, controller: new AbortController(), done: Promise.resolve() };
    for (const job of jobs) {
      job.state = 'running';
      job.run = run;
    }
    this.active = run;
    run.done = this.execute(model, run).finally(() => {
      this.active = null;
      this.schedulePump();
    });
  }

  /** Takes the oldest queued job and every later one that can share its pipeline call. */
  private takeGroup(): Job[] {
    const head = this.queue.shift();
    if (head === undefined) return [];
    const group = [head];
    const headPlan = plannedOf(head);
    let rows = headPlan.rows;
    const budget = this.model ? this.rowsFor(this.model) : 0;
    if (!headPlan.batchable || rows > budget) return group;
    for (let i = 0; i < this.queue.length; ) {
      const plan = plannedOf(this.queue[i]);
      if (plan.batchable && sameKey(plan.key, headPlan.key) && rows + plan.rows <= budget) {
        group.push(...this.queue.splice(i, 1));
        rows += plan.rows;
      } else {
        i += 1;
      }
    }
    return group;
  }

  /** Runs one pipeline call for a group of jobs and settles them. Never rejects. */
  private async execute(model: LoadedModel, run: ActiveRun): Promise<void> {
    try {
      if (model.deviceLost !== null && model.status.backend.backend === 'webgpu') {
        await this.switchToWasm(model, run, model.deviceLost);
      }
      let outcome: PipelineOutcome;
      try {
        outcome = await this.runPipeline(model, run);
      } catch (e) {
        if (run.controller.signal.aborted || model.status.backend.backend !== 'webgpu' || !isBackendFailure(e)) throw e;
        await this.switchToWasm(model, run, asError(e).message);
        outcome = await this.runPipeline(model, run);
      }
      const backend = { ...model.status.backend };
      let offset = 0;
      for (const job of run.jobs) {
        const count = plannedOf(job).tasks.length;
        const forecasts = outcome.forecasts.slice(offset, offset + count);
        offset += count;
        this.resolveJob(job, { forecasts, inferenceMs: outcome.inferenceMs, modelCalls: outcome.modelCalls, backend });
      }
    } catch (e) {
      const error = asError(e);
      for (const job of run.jobs) this.rejectJob(job, error);
    }
  }

  private async runPipeline(model: LoadedModel, run: ActiveRun): Promise<PipelineOutcome> {
    const plan = plannedOf(run.jobs[0]);
    const tasks = run.jobs.flatMap((job) => plannedOf(job).tasks);
    const { predictionLength, contextLength } = plan.key;
    const { patchSize, maxOutputPatches } = model.info;
    const callsPerBatch = Math.ceil(Math.ceil(predictionLength / patchSize) / maxOutputPatches);
    const batchSize = plan.crossLearning ? CROSS_LEARNING_BATCH_ROWS : this.rowsFor(model);
    const total = planBatches(tasks, batchSize).length * callsPerBatch;
    const runner = model.runner;
    let done = 0;
    const counting: ModelRunner = {
      info: runner.info,
      run: async (input: ModelCallInput): Promise<ModelCallOutput> => {
        const output = await runner.run(input);
        done += 1;
        this.notify(run.jobs, { phase: 'inference', done, total: Math.max(total, done) });
        await yieldToEventLoop();
        return output;
      },
    };
    const started = performance.now();
    const forecasts = await predict(counting, tasks, {
      predictionLength,
      contextLength,
      crossLearning: plan.crossLearning,
      batchSize,
      signal: run.controller.signal,
      // A series the model cannot take fails alone: it must not blank the other requests of the call.
      invalidTasks: 'isolate',
    });
    return { forecasts, inferenceMs: performance.now() - started, modelCalls: done };
  }

  /** Replaces a failed WebGPU session with a WASM one. On failure the model is unloaded. */
  private async switchToWasm(model: LoadedModel, run: ActiveRun, why: string): Promise<void> {
    this.notify(run.jobs, {
      phase: 'session',
      message: `WebGPU stopped working (${why}); recreating the session on WASM and retrying.`,
    });
    await model.runner.dispose().catch(noop);
    try {
      if (model.onnx === null) throw new Error('internal: the ONNX bytes of a WebGPU model were not kept');
      const created = await this.makeRunner(this.ort, model.onnx, model.info, 'wasm', { weights: model.status.weights });
      model.onnx = null;
      model.runner = created.runner;
      model.deviceLost = null;
      model.status = {
        ...model.status,
        backend: { ...created.choice, reason: `WebGPU failed during a forecast (${why}); switched to WASM` },
      };
    } catch (e) {
      if (this.model === model) this.model = null;
      throw e;
    }
    this.notify(run.jobs, { phase: 'session', message: 'The session now runs on WASM.' });
  }

  // -------------------------------------------------------------------------------------------------------
  // Settling

  private cancelJob(job: Job, error: AbortError): void {
    if (job.settled) return;
    this.rejectJob(job, error);
    const run = job.run;
    if (run && run.jobs.every((j) => j.settled)) run.controller.abort(error);
  }

  private resolveJob(job: Job, result: ForecastResult): void {
    if (!this.settle(job)) return;
    job.resolve(result);
  }

  private rejectJob(job: Job, error: Error): void {
    if (!this.settle(job)) return;
    job.reject(error);
    const run = job.run;
    if (run && run.jobs.every((j) => j.settled)) run.controller.abort(error);
  }

  /** Marks a job finished; false when it already was (so every request ends exactly once). */
  private settle(job: Job): boolean {
    if (job.settled) return false;
    job.settled = true;
    this.live.delete(job);
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
    return true;
  }

  private notify(jobs: readonly Job[], progress: EngineProgress): void {
    for (const job of jobs) if (!job.settled) report(job.onProgress, progress);
  }
}

interface PipelineOutcome {
  forecasts: QuantileForecast[];
  inferenceMs: number;
  modelCalls: number;
}

/**
 * Validates a request against the model (the boundary for user data) and prepares its tasks.
 * @throws ForecastInputError subclasses (InputSchemaError, PredictionLengthError, ForecastOptionError, ...).
 */
function planJob(info: ModelInfo, request: ForecastRequest, batchRows: number): JobPlan {
  if (!isRecord(request) || !Array.isArray(request.tasks)) {
    throw new InputSchemaError('A forecast request must be an object with a `tasks` array of task dicts.');
  }
  if (request.crossLearning !== undefined && typeof request.crossLearning !== 'boolean') {
    throw new InputSchemaError(`crossLearning must be true or false, got ${JSON.stringify(request.crossLearning)}.`);
  }
  if (request.supersedeKey !== undefined && typeof request.supersedeKey !== 'string') {
    throw new InputSchemaError('supersedeKey must be a string when given.');
  }
  const resolved = resolvePredictOptions(info, {
    predictionLength: request.predictionLength,
    contextLength: request.contextLength,
    crossLearning: request.crossLearning,
    batchSize: request.crossLearning === true ? CROSS_LEARNING_BATCH_ROWS : batchRows,
  });
  const tasks = prepareInputs(request.tasks, resolved.predictionLength);
  const rows = tasks.reduce((sum, task) => sum + task.numRows, 0);
  const kept = tasks.map((task) => Math.min(task.length, resolved.contextLength));
  const longest = kept.reduce((a, b) => Math.max(a, b), 0);
  return {
    tasks,
    rows,
    crossLearning: resolved.crossLearning,
    key: {
      predictionLength: resolved.predictionLength,
      contextLength: resolved.contextLength,
      contextPatches: Math.ceil(longest / info.patchSize),
    },
    // Tasks with an empty history run alone so they fail (or not) exactly as in a separate call.
    batchable: !resolved.crossLearning && rows <= batchRows && kept.every((n) => n > 0),
  };
}

function plannedOf(job: Job): JobPlan {
  if (job.plan === null) throw new Error('internal: a queued forecast has no plan');
  return job.plan;
}

function sameKey(a: BatchKey, b: BatchKey): boolean {
  return a.predictionLength === b.predictionLength && a.contextLength === b.contextLength && a.contextPatches === b.contextPatches;
}

/** One small forecast through the pipeline: compiles shaders / allocates buffers and checks the outputs are finite. */
async function warmUp(runner: ModelRunner): Promise<void> {
  const P = runner.info.patchSize;
  const target = Array.from({ length: 2 * P }, (_, i) => Math.sin(i / 3));
  const [forecast] = await predict(runner, [target], { predictionLength: P });
  if (!forecast.values.every(Number.isFinite)) throw new Error('The warm-up forecast produced non-finite values; the model file may be corrupt.');
}

/**
 * Lets queued tasks (in a worker: `cancel` and `ping` messages) run before the pipeline's next model call.
 * NOTE: needed because a WASM model call resolves through microtasks only, so without it a worker would not see
 * a cancel message until the whole pipeline call had finished.
 */
function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Whether a failed run may be the backend's fault (and worth retrying on WASM). */
function isBackendFailure(error: unknown): boolean {
  if (error instanceof ForecastInputError) return false;
  const name = error instanceof Error ? error.name : '';
  return name !== 'AbortError' && name !== 'ModelChangedError' && name !== 'EngineDisposedError';
}

function validateSource(source: ModelSourceSpec): void {
  if (!isRecord(source)) throw new ModelSourceError('A model source must be an object with a `kind`.');
  switch (source.kind) {
    case 'url':
      if (typeof source.url !== 'string' || source.url.length === 0) throw new ModelSourceError('A url model source needs a non-empty `url`.');
      return;
    case 'onnx':
      if (!(source.onnx instanceof Uint8Array) || !isRecord(source.manifest)) {
        throw new ModelSourceError('An onnx model source needs `onnx` bytes (Uint8Array) and its `manifest`.');
      }
      return;
    case 'checkpoint':
      if (typeof source.name !== 'string' || typeof source.configText !== 'string' || !(source.safetensors instanceof Uint8Array)) {
        throw new ModelSourceError('A checkpoint source needs `name`, `configText` (config.json text) and `safetensors` bytes.');
      }
      validateWeights(source.weights);
      return;
    case 'hub':
      if (typeof source.repo !== 'string') throw new ModelSourceError('A hub source needs a `repo` id such as amazon/chronos-2.');
      for (const key of ['revision', 'hubUrl', 'token'] as const) {
        if (source[key] !== undefined && typeof source[key] !== 'string') throw new ModelSourceError(`A hub source's \`${key}\` must be a string.`);
      }
      validateWeights(source.weights);
      return;
    case 'files':
      if (!Array.isArray(source.files) || !source.files.every((f) => typeof Blob !== 'undefined' && f instanceof Blob && typeof f.name === 'string')) {
        throw new ModelSourceError('A files source needs `files`, an array of File objects.');
      }
      if (source.hubUrl !== undefined && typeof source.hubUrl !== 'string') throw new ModelSourceError("A files source's `hubUrl` must be a string.");
      validateWeights(source.weights);
      return;
    case 'cached':
      if (typeof source.id !== 'string' || !/^[0-9a-f]{32}$/.test(source.id)) throw new ModelSourceError('A cached source needs the `id` of a cached model.');
      return;
    default: {
      const kind: unknown = (source as { kind?: unknown }).kind; // `never` by type; untrusted at run time
      throw new ModelSourceError(`Unknown model source kind ${JSON.stringify(kind)}; use url, onnx, checkpoint, hub, files or cached.`);
    }
  }
}

function validateWeights(weights: unknown): void {
  if (weights !== undefined && weights !== 'float32' && weights !== 'float16') {
    throw new ModelSourceError(`weights must be "float32" or "float16", got ${JSON.stringify(weights)}.`);
  }
}

/** The converted model of a source, and how it relates to the model cache. */
interface ModelFiles {
  onnx: Uint8Array;
  manifest: ModelManifest;
  cacheId?: string;
  note?: string;
}

function preparedFiles(prepared: { onnx: Uint8Array; manifest: ModelManifest; cached: { id: string } | null; note?: string }): ModelFiles {
  return {
    onnx: prepared.onnx,
    manifest: prepared.manifest,
    ...(prepared.cached ? { cacheId: prepared.cached.id } : {}),
    ...(prepared.note !== undefined ? { note: prepared.note } : {}),
  };
}

function validateBackend(backend: BackendPreference): void {
  if (backend !== 'auto' && backend !== 'webgpu' && backend !== 'wasm') {
    throw new ModelSourceError(`Unknown backend ${JSON.stringify(backend)}; use auto, webgpu or wasm.`);
  }
}

function describeName(manifest: unknown): string {
  return isRecord(manifest) && typeof manifest.name === 'string' ? manifest.name : 'the model';
}

function report(onProgress: CallOptions['onProgress'], progress: EngineProgress): void {
  try {
    onProgress?.(progress);
  } catch {
    // A failing progress callback must not break the request it reports on.
  }
}

function copyStatus(status: ModelStatus): ModelStatus {
  return { ...status, quantiles: [...status.quantiles], backend: { ...status.backend } };
}

function disposedError(): EngineDisposedError {
  return new EngineDisposedError('The engine was disposed; create a new one to load a model.');
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

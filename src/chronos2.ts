// The library's front door: `const model = await Chronos2.load(source, { backend }); await model.predict(...)`.
// It ties together loading (a converted model by URL or bytes, a raw checkpoint converted on the fly — optionally
// with a LoRA adapter merged in — or a hub repository), backend selection, the forecasting pipeline and embeddings.
// Browser and Node alike (no DOM, no Node-only APIs).
import * as ortWeb from 'onnxruntime-web';
import type * as OrtWeb from 'onnxruntime-web';
import { convertCheckpoint } from './model/convert';
import { downloadFile, type DownloadProgress } from './hub/download';
import { checkManifestAgainstOnnx, manifestWeights, parseManifestText, ManifestError, type ModelManifest } from './model/manifest';
import type { Chronos2Config } from './model/config';
import type { AdapterFiles } from './model/lora';
import { prepareHubModel, type HubModelRequest } from './hub/hub-model';
import {
  embed,
  predict,
  predictQuantiles,
  type EmbedOptions,
  type TaskEmbedding,
  type ForecastInputs,
  type PredictOptions,
  type PredictQuantilesOptions,
  type QuantileForecast,
  type QuantilesForecast,
} from './forecast';
import type { ModelInfo, ModelRunner } from './forecast/model-runner';
import { configureOrtEnv, createRunner, type BackendChoice, type BackendPreference, type OrtEnvOptions } from './runtime/backend';
import { loadWebGpuOrt } from './runtime/webgpu-runtime';
import { OrtModelRunner, modelInfoFromConfig, type OrtModule } from './runtime/ort-runner';

/** Where a model comes from. */
export type ModelSource =
  /** Base URL of a converted model folder (manifest.json + model.onnx). */
  | string
  | URL
  /** A converted model already in memory. */
  | { onnx: Uint8Array; manifest: ModelManifest }
  /** A Hugging Face checkpoint in memory, converted on load; with `adapter`, a LoRA adapter merged into it. */
  | { configText: string; safetensors: Uint8Array; name?: string; adapter?: AdapterFiles }
  /**
   * A hub repository (a checkpoint, or a LoRA adapter whose base is downloaded too), downloaded and converted on
   * load (not cached: the app's cache is the browser's; give `hub.hubUrl` for a mirror).
   */
  | { hub: HubModelRequest };

/** Options of {@link Chronos2.load}. */
export interface LoadOptions {
  /** Execution backend in browsers; ignored when `ort` is onnxruntime-node. Default `auto`. */
  backend?: BackendPreference;
  /** The onnxruntime module; default: onnxruntime-web. */
  ort?: OrtModule;
  /** Session options when `ort` is given explicitly. */
  sessionOptions?: OrtWeb.InferenceSession.SessionOptions;
  /** fetch implementation for URL sources (default: global fetch). */
  fetch?: typeof fetch;
  /** Largest ONNX file accepted from a URL (default 2 GiB). */
  maxBytes?: number;
  /**
   * Where onnxruntime-web finds its runtime files in a page (applied once, before the first session): default
   * `{ wasmPrefix: '/ort/' }`; `{ wasmPrefix: null }` in an app bundled by Vite or similar, which ships them itself.
   */
  ortEnv?: OrtEnvOptions;
}

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** Options of {@link fetchConvertedModel}. */
export interface FetchModelOptions {
  fetch?: typeof fetch;
  /** Largest ONNX file accepted (default 2 GiB). */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Byte progress of manifest.json, then of the ONNX file (with speed). */
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Loads a converted model folder from a URL and verifies the ONNX file against the manifest. The ONNX file is
 * downloaded into one buffer preallocated from Content-Length and hashed on the way (no second pass, no copy).
 * @throws ManifestError (missing or malformed manifest, wrong size or hash, HTTP errors), ModelTooLargeError,
 *   HubNetworkError or DownloadInterruptedError (network), or an AbortError
 */
export async function fetchConvertedModel(base: string | URL, options: FetchModelOptions = {}): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const root = String(base).endsWith('/') ? String(base) : `${String(base)}/`;
  const httpError = (response: Response, url: string): Error => new ManifestError(`${url}: HTTP ${response.status} ${response.statusText}`);
  const common = { fetch: fetchFn, signal: options.signal, onProgress: options.onProgress, httpError };
  const manifestFile = await downloadFile(`${root}manifest.json`, { ...common, file: 'manifest.json', maxBytes: 1024 * 1024 });
  const manifest = parseManifestText(new TextDecoder().decode(manifestFile.bytes), `${root}manifest.json`);
  const url = `${root}${manifest.onnxFile}`;
  const onnx = await downloadFile(url, { ...common, file: manifest.onnxFile, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  if (onnx.bytes.byteLength !== manifest.onnxBytes) {
    throw new ManifestError(`${url}: ${onnx.bytes.byteLength} bytes, the manifest says ${manifest.onnxBytes} (incomplete download?)`);
  }
  if (onnx.sha256 !== manifest.sha256) throw new ManifestError(`${url}: sha256 does not match the manifest (corrupt file?)`);
  checkManifestAgainstOnnx(manifest, onnx.bytes, `${root}manifest.json`);
  return { onnx: onnx.bytes, manifest };
}

/** A loaded Chronos-2 model. */
export class Chronos2 {
  private constructor(
    private readonly runner: ModelRunner & { dispose?: () => Promise<void> },
    /** The normalised model configuration. */
    readonly config: Chronos2Config,
    /** Name of the model (from the manifest). */
    readonly name: string,
    /** Which backend runs it and why. */
    readonly backend: BackendChoice,
  ) {}

  /** Loads a model from a URL, converted bytes, or a checkpoint. */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<Chronos2> {
    let onnx: Uint8Array;
    let manifest: ModelManifest;
    if (typeof source === 'string' || source instanceof URL) {
      ({ onnx, manifest } = await fetchConvertedModel(source, options));
    } else if ('onnx' in source) {
      ({ onnx, manifest } = source);
    } else if ('hub' in source) {
      ({ onnx, manifest } = await prepareHubModel(source.hub, { fetch: options.fetch ?? globalThis.fetch.bind(globalThis), cache: null, maxBytes: options.maxBytes }));
    } else {
      const converted = await convertCheckpoint(
        { configText: source.configText, safetensors: source.safetensors, ...(source.adapter ? { adapter: source.adapter } : {}) },
        { name: source.name ?? source.adapter?.name ?? 'checkpoint' },
      );
      ({ onnx, manifest } = converted);
    }
    const info: ModelInfo = modelInfoFromConfig(manifest.config);
    if (options.ort) {
      const runner = await OrtModelRunner.create(options.ort, onnx, info, options.sessionOptions);
      return new Chronos2(runner, manifest.config, manifest.name, { backend: 'wasm', reason: 'onnxruntime module given by the caller', threads: 1 });
    }
    if (options.ortEnv) configureOrtEnv(ortWeb, options.ortEnv);
    const { runner, choice } = await createRunner(ortWeb, onnx, info, options.backend ?? 'auto', { webgpuOrt: loadWebGpuOrt, weights: manifestWeights(manifest) });
    return new Chronos2(runner, manifest.config, manifest.name, choice);
  }

  /** Static facts the pipeline uses (context length, patch size, quantiles). */
  get info(): ModelInfo {
    return this.runner.info;
  }

  /** Quantile forecasts at the model's levels, one per task (upstream `Chronos2Pipeline.predict`). */
  predict(inputs: ForecastInputs, options?: PredictOptions): Promise<QuantileForecast[]> {
    return predict(this.runner, inputs, options);
  }

  /** Forecasts at chosen levels plus the mean (upstream `predict_quantiles`). */
  predictQuantiles(inputs: ForecastInputs, options?: PredictQuantilesOptions): Promise<QuantilesForecast[]> {
    return predictQuantiles(this.runner, inputs, options);
  }

  /**
   * The encoder's last hidden states per task (upstream `Chronos2Pipeline.embed`): `[V][patches + 2][d_model]` with
   * loc/scale per variate. See `seriesVectors` / `mostSimilar` (from the forecast module) for one vector per series.
   */
  embed(inputs: ForecastInputs, options?: EmbedOptions): Promise<TaskEmbedding[]> {
    return embed(this.runner, inputs, options);
  }

  /** Releases the inference session. */
  async dispose(): Promise<void> {
    await this.runner.dispose?.();
  }
}

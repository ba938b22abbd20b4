// The library's front door in Node: `await loadChronos2('amazon/chronos-2')` (or a folder, or a URL, or nothing
// for the bundled model) gives the same `Chronos2` object as in the browser, running on onnxruntime-node when it
// is installed (else onnxruntime-web's WASM), with hub models cached in the user's cache directory.
import { Chronos2 } from '../chronos2';
import { prepareHubModel, type PrepareProgress } from '../hub/hub-model';
import type { ModelManifest } from '../model/manifest';
import { loadNodeOrt, nodeSessionOptions, type NodeRuntimePreference } from './ort-node';
import { nodeModelCache, resolveModelSource, type ResolveModelOptions } from './model-source';

/** Options of {@link loadChronos2}. */
export interface NodeLoadOptions extends ResolveModelOptions {
  /** `auto` (default): onnxruntime-node when installed, else onnxruntime-web. */
  runtime?: NodeRuntimePreference;
  /** onnxruntime-node intra-op threads (default: one per core). */
  threads?: number;
  /** Folder of the hub model cache (default: the user's cache directory, see `userCacheDir`). */
  cacheDir?: string;
  /** Download and conversion progress of hub models. */
  onProgress?: (progress: PrepareProgress) => void;
  signal?: AbortSignal;
}

/**
 * Loads a Chronos-2 model in Node.
 * @param model A converted model folder, a checkpoint folder (converted in memory), an http(s) URL of a converted
 *   model folder, a Hugging Face repository id (downloaded once, converted and cached), or undefined for the
 *   package's bundled default model.
 */
export async function loadChronos2(model?: string, options: NodeLoadOptions = {}): Promise<Chronos2> {
  const [nodeOrt, { source }] = await Promise.all([loadNodeOrt(options.runtime ?? 'auto'), resolveModelSource(model, options)]);
  const load = { ort: nodeOrt.ort, sessionOptions: nodeSessionOptions(nodeOrt.kind, options.threads) };
  switch (source.kind) {
    case 'onnx':
      return Chronos2.load({ onnx: source.onnx, manifest: source.manifest }, load);
    case 'checkpoint':
      return Chronos2.load({ configText: source.configText, safetensors: source.safetensors, name: source.name }, load);
    case 'url':
      return Chronos2.load(source.url, load);
    case 'hub': {
      const prepared: { onnx: Uint8Array; manifest: ModelManifest } = await prepareHubModel(source, {
        fetch: globalThis.fetch,
        cache: nodeModelCache(options.cacheDir),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return Chronos2.load(prepared, load);
    }
    default:
      throw new Error(`internal: unexpected model source ${source.kind}`);
  }
}

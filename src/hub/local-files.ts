// Models from the user's own disk, picked or dropped as files: a Hugging Face checkpoint folder (config.json +
// model.safetensors, converted here) or a converted model (model.onnx + manifest.json, verified against each
// other). Either is cached like a hub model, so it is still there after a reload. Works on `File` objects, which
// cross into the worker cheaply (no bytes are read on the UI thread).
import { parseManifest, sha256Hex, ManifestError, type ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { parseChronos2ConfigText } from '../model/config';
import { cacheKey, type CachedModel, type ModelCache } from './cache';
import { allocateModelBuffer, DEFAULT_MAX_MODEL_BYTES, megabytes } from './download';
import { ModelFilesError, ModelTooLargeError } from './errors';
import { conversionMemoryFactor, convertBytes, prepareHubModel, safetensorsInspector, storeConverted, type PrepareDeps, type PreparedModel } from './hub-model';
import { convertWeights } from '../model/convert';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, AdapterError, parseLoraAdapter, parseLoraConfigText, type AdapterFiles } from '../model/lora';
import { weightsFromOnnx } from '../model/onnx/weights-from-onnx';
import { normalizeRepoId } from './repo';

/** What a set of files is. */
export type LocalModelFiles =
  | { kind: 'checkpoint'; name: string; config: File; weights: File }
  | { kind: 'onnx'; name: string; onnx: File; manifest: File }
  /** A LoRA adapter, with its base checkpoint when that was picked too. */
  | { kind: 'adapter'; name: string; adapterConfig: File; adapterWeights: File; base?: { config: File; weights: File } };

const MAX_TEXT_BYTES = 1024 * 1024;

function folderOf(file: File): string | undefined {
  const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  const parts = relative ? relative.split('/') : [];
  return parts.length > 1 ? parts[parts.length - 2] : undefined;
}

/**
 * Finds the model among picked or dropped files (other files, e.g. a README or tokenizer files, are ignored).
 * @throws ModelFilesError saying which files a model needs, and which were given
 */
export function classifyModelFiles(files: readonly File[]): LocalModelFiles {
  const byName = (predicate: (name: string) => boolean): File | undefined => files.find((f) => predicate(f.name.toLowerCase()));
  const adapterConfig = byName((n) => n === ADAPTER_CONFIG_FILE);
  const adapterWeights = byName((n) => n === ADAPTER_WEIGHTS_FILE);
  if (adapterConfig || adapterWeights) {
    if (!adapterConfig || !adapterWeights) {
      throw new ModelFilesError(`A LoRA adapter needs both ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}; only ${(adapterConfig ?? adapterWeights)!.name} was given.`);
    }
    const baseWeights = byName((n) => n === 'model.safetensors');
    const baseConfig = byName((n) => n === 'config.json');
    const name = folderOf(adapterConfig) ?? folderOf(adapterWeights) ?? 'local adapter';
    return { kind: 'adapter', name, adapterConfig, adapterWeights, ...(baseWeights && baseConfig ? { base: { config: baseConfig, weights: baseWeights } } : {}) };
  }
  const weights = byName((n) => n === 'model.safetensors') ?? byName((n) => n.endsWith('.safetensors'));
  const config = byName((n) => n === 'config.json');
  const onnx = byName((n) => n.endsWith('.onnx'));
  const manifest = byName((n) => n === 'manifest.json');
  if (weights && config) return { kind: 'checkpoint', name: folderOf(weights) ?? folderOf(config) ?? 'local checkpoint', config, weights };
  if (onnx && manifest) return { kind: 'onnx', name: folderOf(onnx) ?? onnx.name.replace(/\.onnx$/i, ''), onnx, manifest };
  const given = files.length === 0 ? 'no files' : files.map((f) => f.name).slice(0, 6).join(', ') + (files.length > 6 ? ', …' : '');
  const hint =
    weights && !config
      ? ' The checkpoint needs its config.json too.'
      : config && !weights
        ? ' The checkpoint needs its model.safetensors too.'
        : onnx && !manifest
          ? ' The ONNX model needs the manifest.json written next to it by the converter.'
          : '';
  throw new ModelFilesError(
    `These files are not a model (${given}). Open a Chronos-2 checkpoint folder (config.json + model.safetensors), ` +
      `a converted model (model.onnx + manifest.json) or a LoRA adapter (${ADAPTER_CONFIG_FILE} + ${ADAPTER_WEIGHTS_FILE}).${hint}`,
  );
}

async function readText(file: File): Promise<string> {
  if (file.size > MAX_TEXT_BYTES) throw new ModelFilesError(`${file.name} is ${megabytes(file.size)}; a model's ${file.name} is a few KB. Is it the right file?`);
  return file.text();
}

async function readBytes(file: File, maxBytes: number, memoryFactor: number): Promise<Uint8Array> {
  // Checked before reading, so a file the browser cannot hold fails with a clear message instead of a crash.
  if (file.size > maxBytes) allocateModelBuffer(file.size, file.name, maxBytes, memoryFactor);
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    if (e instanceof RangeError) {
      throw new ModelTooLargeError(`This model needs more memory than the browser can give it: reading ${file.name} (${megabytes(file.size)}) failed (${e.message}).`);
    }
    throw e;
  }
}

/** Verifies a converted model against its manifest (size and SHA-256). */
export async function verifyOnnx(onnx: Uint8Array, manifest: ModelManifest): Promise<void> {
  if (onnx.byteLength !== manifest.onnxBytes) {
    throw new ManifestError(
      `${manifest.name}: the ONNX file has ${onnx.byteLength} bytes, the manifest says ${manifest.onnxBytes}; pick the model.onnx that belongs to this manifest.`,
    );
  }
  if ((await sha256Hex(onnx)) !== manifest.sha256) {
    throw new ManifestError(`${manifest.name}: the ONNX file does not match the manifest's sha256 (wrong or corrupt file).`);
  }
}

/**
 * Loads a model from local files: converts a checkpoint (optionally to fp16 storage), verifies a converted
 * model, or merges a LoRA adapter into its base (see prepareLocalAdapter), then caches it.
 * @throws ModelFilesError, ConfigError, SafetensorsError, CheckpointError, ManifestError, ModelTooLargeError
 */
export async function prepareLocalModel(
  files: readonly File[],
  weights: WeightStorage,
  deps: LocalPrepareDeps,
): Promise<PreparedModel> {
  const found = classifyModelFiles(files);
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  if (found.kind === 'adapter') return prepareLocalAdapter(found, weights, deps, maxBytes);
  if (found.kind === 'onnx') {
    let json: unknown;
    try {
      json = JSON.parse(await readText(found.manifest));
    } catch (e) {
      if (e instanceof ModelFilesError) throw e;
      throw new ManifestError(`${found.manifest.name}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const manifest = parseManifest(json, found.manifest.name);
    const onnx = await readBytes(found.onnx, maxBytes, 2);
    await verifyOnnx(onnx, manifest);
    const id = await cacheKey(['local-onnx', manifest.sha256]);
    const stored = await storeConverted(
      deps.cache,
      { id, name: manifest.name, origin: { kind: 'local', files: [found.onnx.name, found.manifest.name] }, weights: manifest.weights ?? 'float32' },
      { onnx, manifest },
      deps.onProgress,
    );
    return { onnx, manifest, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
  }

  const configText = await readText(found.config);
  const config = parseChronos2ConfigText(configText, `${found.name}/config.json`);
  const inspect = safetensorsInspector(config, found.weights.name, found.name);
  const converted = await convertBytes(configText, await checkedBytes(found.weights, maxBytes, conversionMemoryFactor(weights), inspect), {
    name: found.name,
    source: `local files: ${found.name}`,
    weights,
    onProgress: deps.onProgress,
  });
  const id = await cacheKey(['local', found.name, converted.manifest.sha256, weights]);
  const stored = await storeConverted(
    deps.cache,
    { id, name: found.name, origin: { kind: 'local', files: [found.config.name, found.weights.name] }, weights },
    converted,
    deps.onProgress,
  );
  return { ...converted, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
}

/** Dependencies of {@link prepareLocalModel}: an adapter's base may come from the hub, hence an optional fetch. */
export type LocalPrepareDeps = Omit<PrepareDeps, 'fetch' | 'partials'> & {
  /** Used to download an adapter's base from the hub when it was neither picked nor cached. */
  fetch?: typeof fetch;
  /** The hub for that (default: the public hub). */
  hubUrl?: string;
};

/**
 * A LoRA adapter from local files, merged into its base: the base checkpoint picked with it, else a cached
 * float32 model named like the adapter's base_model_name_or_path (a hub repository id or a local folder name),
 * else that repository downloaded from the hub (and cached, once for all its adapters). The adapter is checked
 * against the base's config before the base's weights are read. The merged model is cached under the hashes of
 * the adapter and the base.
 * @throws AdapterError, ModelFilesError, SafetensorsError, ConfigError, and the hub's errors for a downloaded base
 */
async function prepareLocalAdapter(
  found: Extract<LocalModelFiles, { kind: 'adapter' }>,
  weights: WeightStorage,
  deps: LocalPrepareDeps,
  maxBytes: number,
): Promise<PreparedModel> {
  const configText = await readText(found.adapterConfig);
  const lora = parseLoraConfigText(configText, `${found.name}/${ADAPTER_CONFIG_FILE}`);
  const adapterBytes = await readBytes(found.adapterWeights, maxBytes, 1);
  const adapter: AdapterFiles = { configText, safetensors: adapterBytes, name: found.name };
  const adapterSha = await sha256Hex(adapterBytes);
  const origin = { kind: 'local' as const, files: [found.adapterConfig.name, found.adapterWeights.name] };

  if (found.base) {
    const baseConfigText = await readText(found.base.config);
    const baseName = folderOf(found.base.weights) ?? folderOf(found.base.config) ?? lora.baseModel ?? 'the base model';
    const baseConfig = parseChronos2ConfigText(baseConfigText, `${baseName}/config.json`);
    parseLoraAdapter(adapter, baseConfig, baseName);
    const inspect = safetensorsInspector(baseConfig, found.base.weights.name, baseName);
    const baseBytes = await checkedBytes(found.base.weights, maxBytes, conversionMemoryFactor(weights), inspect);
    const baseSha = await sha256Hex(baseBytes);
    const converted = await convertBytes(baseConfigText, baseBytes, {
      name: found.name,
      source: `local files: ${found.name} (LoRA) on ${baseName}`,
      weights,
      onProgress: deps.onProgress,
      adapter,
    });
    const id = await cacheKey(['local-lora', adapterSha, baseSha, weights]);
    const stored = await storeConverted(deps.cache, { id, name: found.name, origin: { ...origin, files: [...origin.files, found.base.config.name, found.base.weights.name] }, weights }, converted, deps.onProgress);
    return { ...converted, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
  }

  const baseId = lora.baseModel;
  if (!baseId) {
    throw new AdapterError(
      `${found.name}/${ADAPTER_CONFIG_FILE} names no base model (base_model_name_or_path is empty): pick the base model's config.json and model.safetensors together with the adapter.`,
      'base_model_name_or_path',
    );
  }
  let base: { onnx: Uint8Array; manifest: ModelManifest; note?: string } | null = null;
  const cachedBase = deps.cache ? await findCachedBase(deps.cache, baseId) : null;
  if (cachedBase && deps.cache) {
    parseLoraAdapter(adapter, cachedBase.manifest.config, baseId);
    deps.onProgress?.({ phase: 'cache', message: `Reading the base model ${baseId} of ${found.name} from this browser's cache.` });
    const { model, onnx } = await deps.cache.read(cachedBase.id);
    base = { onnx, manifest: model.manifest };
  } else if (deps.fetch) {
    let repo: string | null = null;
    try {
      repo = normalizeRepoId(baseId);
    } catch {
      repo = null;
    }
    if (repo) base = await prepareHubModel({ hubUrl: deps.hubUrl, repo, ...(lora.baseRevision ? { revision: lora.baseRevision } : {}), weights: 'float32' }, { ...deps, fetch: deps.fetch });
  }
  if (!base) {
    throw new AdapterError(
      `${found.name} is a LoRA adapter of "${baseId}" (base_model_name_or_path), which is neither cached in this browser nor a hub repository that could be downloaded: ` +
        "pick the base model's config.json and model.safetensors together with the adapter, or load the base first.",
      'base_model_name_or_path',
    );
  }
  const converted = await convertWeights(base.manifest.config, weightsFromOnnx(base.onnx, base.manifest.config, baseId), adapter, {
    name: found.name,
    source: `local files: ${found.name} (LoRA) on ${base.manifest.source ?? baseId}`,
    weightStorage: weights,
    baseName: baseId,
  });
  const id = await cacheKey(['local-lora', adapterSha, base.manifest.sha256, weights]);
  const stored = await storeConverted(deps.cache, { id, name: found.name, origin, weights }, converted, deps.onProgress);
  const note = [base.note, stored.note].filter(Boolean).join(' ');
  return { onnx: converted.onnx, manifest: converted.manifest, cached: stored.cached, fromCache: false, ...(note ? { note } : {}) };
}

/** A cached float32 model that is the base named `baseId`: a hub copy of that repository, or a local model of that name. */
async function findCachedBase(cache: ModelCache, baseId: string): Promise<CachedModel | null> {
  const entries = (await cache.list()).filter((e) => e.weights === 'float32' && !(e.origin.kind === 'hub' && e.origin.base));
  return entries.find((e) => e.origin.kind === 'hub' && e.origin.repo === baseId && e.origin.revision === 'main') ?? entries.find((e) => e.name === baseId) ?? null;
}

/** Reads a safetensors file after checking its header from the first bytes only. */
async function checkedBytes(file: File, maxBytes: number, memoryFactor: number, inspect: (received: Uint8Array, total: number) => boolean): Promise<Uint8Array> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (!inspect(head, file.size) && head.length === 8) {
    const headerLength = Number(new DataView(head.buffer).getBigUint64(0, true));
    inspect(new Uint8Array(await file.slice(0, 8 + headerLength).arrayBuffer()), file.size);
  }
  return readBytes(file, maxBytes, memoryFactor);
}

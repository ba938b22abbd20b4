// From a Hugging Face repository id to a converted, cached model, in one function shared by the browser worker
// and the Node CLI: look for a cached copy (keyed by hub, repo, revision and the weights' SHA-256), else
// download config.json (refusing a non-Chronos-2 model before any weights move), download model.safetensors
// (its header checked as soon as it arrives, an interrupted download kept for a Range resume), convert it to
// ONNX, and cache the result. Nothing partial or unverified is ever cached.
import { convertCheckpoint, convertWeights } from '../model/convert';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, AdapterError, parseLoraAdapter, parseLoraConfigText, type AdapterFiles } from '../model/lora';
import { weightsFromOnnx } from '../model/onnx/weights-from-onnx';
import { CheckpointError, validateCheckpointTensors } from '../model/checkpoint-names';
import { ConfigError, parseChronos2ConfigText, type Chronos2Config } from '../model/config';
import type { ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { MAX_HEADER_BYTES, parseSafetensorsHeader, SafetensorsError } from '../model/safetensors';
import { cacheKey, hubCacheKey, type CachedModel, type ModelCache } from './cache';
import { downloadFile, isSha256, megabytes, strongEtag, type DownloadProgress, type PartialDownload } from './download';
import { DownloadInterruptedError, GatedRepoError, HubHttpError, RepoNotFoundError } from './errors';
import { describeLocation, hubLocation, isCommitId, normalizeRepoId, resolveUrl, type HubLocation } from './repo';

/** What to load from a hub. */
export interface HubModelRequest {
  /** Base URL of the hub (default: the public Hugging Face hub). */
  hubUrl?: string;
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Access token for gated or private repositories (sent as a Bearer token, never stored). */
  token?: string;
  /** Weight storage of the converted model (default float32). */
  weights?: WeightStorage;
  /**
   * For a repository holding a LoRA adapter: its base repository (default: the adapter's
   * `base_model_name_or_path`, at the adapter config's `revision` or `main`).
   */
  base?: { repo: string; revision?: string };
}

/** Progress of preparing a model: downloads, then conversion and caching steps. */
export type PrepareProgress = DownloadProgress | { phase: 'convert'; message: string } | { phase: 'cache'; message: string };

/** Keeps one interrupted download between attempts (in memory). */
export interface PartialStore {
  get(): PartialDownload | null;
  set(partial: PartialDownload | null): void;
}

/** Dependencies of {@link prepareHubModel} and `prepareLocalModel`. */
export interface PrepareDeps {
  fetch: typeof fetch;
  /** Where converted models are cached; null to skip caching. */
  cache: ModelCache | null;
  signal?: AbortSignal;
  onProgress?: (progress: PrepareProgress) => void;
  /** Largest model file accepted, bytes. */
  maxBytes?: number;
  /** Where an interrupted download is kept for the next attempt. */
  partials?: PartialStore;
}

/** A converted model ready for a session. */
export interface PreparedModel {
  onnx: Uint8Array;
  manifest: ModelManifest;
  /** The cache entry it was read from or stored as; null when not cached. */
  cached: CachedModel | null;
  /** Whether it came from the cache (nothing downloaded or converted). */
  fromCache: boolean;
  /** Something the user should know (e.g. caching failed, or the hub was unreachable and a cached copy was used). */
  note?: string;
}

const CONFIG_FILE = 'config.json';
const WEIGHTS_FILE = 'model.safetensors';
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Peak memory of converting a checkpoint of size N: the checkpoint plus the ONNX file being written. */
export function conversionMemoryFactor(weights: WeightStorage): number {
  return weights === 'float16' ? 1.5 : 2;
}

/** Maps a failed hub response to a named error that says what to do. */
export function hubHttpError(location: HubLocation, file: string, withToken: boolean): (response: Response, url: string) => Error {
  return (response) => {
    const status = response.status;
    const code = response.headers.get('x-error-code') ?? '';
    const detail = response.headers.get('x-error-message');
    const suffix = detail ? ` The hub says: ${detail}` : '';
    const host = new URL(location.hubUrl).host;
    const name = describeLocation(location);
    if (code === 'RepoNotFound' && status === 401) {
      // The hub answers 401 for a repository that does not exist *or* is private, so as not to reveal which.
      return new RepoNotFoundError(
        `Repository ${location.repo} was not found on ${host}, or it is private (HTTP 401). Check the spelling (for example amazon/chronos-2); for a private repository enter an access token.${suffix}`,
      );
    }
    if (status === 401 || status === 403) {
      return new GatedRepoError(
        withToken
          ? `${name} is gated or private, and the access token was refused (HTTP ${status}). Check that the token is valid and that its account has accepted the repository's terms on ${host}.${suffix}`
          : `${name} is gated or private (HTTP ${status}): the hub only serves it to signed-in users who accepted its terms. Accept them on ${host}/${location.repo}, then enter an access token and try again.${suffix}`,
      );
    }
    if (status === 404) {
      if (code === 'RevisionNotFound') {
        return new RepoNotFoundError(`${location.repo} has no revision "${location.revision}" on ${host} (HTTP 404). Check the branch, tag or commit id.${suffix}`);
      }
      if (code === 'EntryNotFound') {
        return new RepoNotFoundError(`${name} has no ${file} (HTTP 404); a Chronos-2 repository holds config.json and model.safetensors.${suffix}`);
      }
      return new RepoNotFoundError(`Repository ${location.repo} was not found on ${host} (HTTP 404). Check the spelling, for example amazon/chronos-2.${suffix}`);
    }
    if (status === 429) return new HubHttpError(`The hub is limiting requests (HTTP 429) while fetching ${file} of ${name}; wait a minute and try again.`, status);
    return new HubHttpError(`The hub answered HTTP ${status} ${response.statusText} for ${file} of ${name}; try again later.${suffix}`, status);
  };
}

/** Refuses a config.json that is not a Chronos-2 config, naming what it is instead. */
function parseHubConfig(text: string, name: string): Chronos2Config {
  try {
    return parseChronos2ConfigText(text, CONFIG_FILE);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (e.field === 'chronos_config') {
      const what = describeForeignConfig(text);
      throw new ConfigError(
        `${name} is not a Chronos-2 model: its config.json ${what ? `describes ${what} and ` : ''}has no chronos_config. ` +
          'Pick a Chronos-2 repository such as amazon/chronos-2 or autogluon/chronos-2-small.',
        e.field,
      );
    }
    throw new ConfigError(`${name}: ${e.message}`, e.field);
  }
}

function describeForeignConfig(text: string): string {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null) return '';
    const { architectures, model_type: modelType } = json as { architectures?: unknown; model_type?: unknown };
    if (Array.isArray(architectures) && typeof architectures[0] === 'string') return `a ${architectures[0]}`;
    if (typeof modelType === 'string') return `a "${modelType}" model`;
  } catch {
    // The parse error was reported already.
  }
  return '';
}

/**
 * Checks a safetensors header (and its tensors against the config) as soon as its bytes have arrived, so a
 * corrupt or foreign file fails before the rest is downloaded. Returns an `inspect` callback for downloadFile.
 */
export function safetensorsInspector(config: Chronos2Config, file: string, context: string): (received: Uint8Array, total: number) => boolean {
  return (received, total) => {
    if (received.length < 8) {
      if (received.length >= total) parseSafetensorsHeader(received, total, file);
      return false;
    }
    try {
      const headerLength = new DataView(received.buffer, received.byteOffset, 8).getBigUint64(0, true);
      const complete = headerLength <= BigInt(MAX_HEADER_BYTES) && received.length >= 8 + Number(headerLength);
      const hopeless = headerLength === 0n || headerLength > BigInt(MAX_HEADER_BYTES) || 8 + Number(headerLength) > total;
      if (!complete && !hopeless) return false;
      const { tensors } = parseSafetensorsHeader(received, total, file);
      validateCheckpointTensors(config, tensors, file);
      return true;
    } catch (e) {
      if (e instanceof SafetensorsError) {
        throw new SafetensorsError(`${context}: ${e.message}. This is not a valid safetensors checkpoint; nothing was cached.`, e.file, e.tensor);
      }
      if (e instanceof CheckpointError) throw new CheckpointError(`${context}: ${e.message}`, e.missing, e.unexpected, e.mismatched);
      throw e;
    }
  };
}

/** Converts downloaded (or read) checkpoint bytes; the bytes are not referenced once this returns. */
export async function convertBytes(
  configText: string,
  safetensors: Uint8Array,
  options: { name: string; source: string; weights: WeightStorage; onProgress?: (progress: PrepareProgress) => void; adapter?: AdapterFiles },
): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const size = megabytes(safetensors.byteLength);
  options.onProgress?.({ phase: 'convert', message: `Converting ${options.name} (${size}) to ONNX${options.weights === 'float16' ? ' with fp16 weights' : ''}.` });
  // Let the progress message leave before the synchronous conversion occupies this thread.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const started = performance.now();
  const { onnx, manifest } = await convertCheckpoint(
    { configText, safetensors, ...(options.adapter ? { adapter: options.adapter } : {}) },
    { name: options.name, source: options.source, weightStorage: options.weights },
  );
  options.onProgress?.({
    phase: 'convert',
    message: `Converted ${options.name} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${manifest.parameterCount.toLocaleString('en-US')} parameters, ${megabytes(onnx.byteLength)} of ONNX.`,
  });
  return { onnx, manifest };
}

/** Stores a converted model; a failure to cache is a note, not an error (the model still works). */
export async function storeConverted(
  cache: ModelCache | null,
  meta: Omit<CachedModel, 'storedAt' | 'onnxBytes' | 'sha256' | 'parameterCount' | 'manifest'>,
  converted: { onnx: Uint8Array; manifest: ModelManifest },
  onProgress: PrepareDeps['onProgress'],
): Promise<{ cached: CachedModel | null; note?: string }> {
  if (!cache) return { cached: null, note: 'This browser has no storage for models, so it will be downloaded again next time.' };
  onProgress?.({ phase: 'cache', message: `Caching ${meta.name} (${megabytes(converted.onnx.byteLength)}) in this browser.` });
  try {
    await cache.removeIncomplete();
    return { cached: await cache.put({ ...meta, manifest: converted.manifest }, converted.onnx) };
  } catch (e) {
    return { cached: null, note: e instanceof Error ? e.message : String(e) };
  }
}

/** A cached copy that is current, or null when the hub has a different file (or none is cached). */
async function currentCachedCopy(location: HubLocation, weights: WeightStorage, headers: Record<string, string>, deps: PrepareDeps): Promise<{ model: CachedModel; note?: string } | null> {
  if (!deps.cache) return null;
  const copies = await deps.cache.findHub(location.hubUrl, location.repo, location.revision, weights);
  if (copies.length === 0) return null;
  if (isCommitId(location.revision)) return { model: copies[0] };
  deps.onProgress?.({ phase: 'cache', message: `Checking whether the cached copy of ${describeLocation(location)} is current.` });
  // an adapter's entry is current when its adapter file is (its base is named by hash in the entry's key)
  const file = copies.some((c) => c.origin.kind === 'hub' && c.origin.base) ? ADAPTER_WEIGHTS_FILE : WEIGHTS_FILE;
  let response: Response;
  try {
    response = await deps.fetch(resolveUrl(location, file), { method: 'HEAD', headers, signal: deps.signal, redirect: 'follow', cache: 'no-store' });
  } catch (e) {
    if (deps.signal?.aborted) throw e;
    return { model: copies[0], note: `The hub cannot be reached, so the copy cached on ${copies[0].storedAt.slice(0, 10)} is used.` };
  }
  if (!response.ok) {
    // a repository that now holds an adapter instead of a checkpoint (or the reverse) is simply not current
    if (response.status === 404 && response.headers.get('x-error-code') === 'EntryNotFound') return null;
    throw hubHttpError(location, file, 'Authorization' in headers)(response, response.url);
  }
  const etag = strongEtag(response.headers.get('x-linked-etag')) ?? strongEtag(response.headers.get('etag'));
  if (etag === undefined) return null;
  const match = copies.find((c) => c.origin.kind === 'hub' && (c.origin.etag === etag || (isSha256(etag) && c.origin.sha256 === etag)));
  if (!match || match.origin.kind !== 'hub' || !match.origin.base) return match ? { model: match } : null;
  // an adapter's merged copy is current only while its base is too
  const base = match.origin.base;
  if (isCommitId(base.revision)) return { model: match };
  const baseResponse = await deps.fetch(resolveUrl({ ...location, repo: base.repo, revision: base.revision }, WEIGHTS_FILE), {
    method: 'HEAD',
    headers,
    signal: deps.signal,
    redirect: 'follow',
    cache: 'no-store',
  }).catch((e: unknown) => {
    if (deps.signal?.aborted) throw e;
    return null;
  });
  if (!baseResponse) return { model: match, note: `The hub cannot be reached, so the copy cached on ${match.storedAt.slice(0, 10)} is used.` };
  const baseEtag = strongEtag(baseResponse.headers.get('x-linked-etag')) ?? strongEtag(baseResponse.headers.get('etag'));
  return baseResponse.ok && baseEtag === base.sha256 ? { model: match } : null;
}

/**
 * Gets a Chronos-2 model from a hub: from the cache when a current copy is there, else downloaded, converted
 * and cached.
 * @throws HubInputError, RepoNotFoundError, GatedRepoError, HubHttpError, HubNetworkError, ConfigError (not a
 *   Chronos-2 model), SafetensorsError / CheckpointError (corrupt or foreign weights), ModelTooLargeError,
 *   DownloadInterruptedError (resumable), DownloadIntegrityError, CachedModelError, or an AbortError.
 */
export async function prepareHubModel(request: HubModelRequest, deps: PrepareDeps): Promise<PreparedModel> {
  const location = hubLocation(request);
  const weights = request.weights ?? 'float32';
  const name = describeLocation(location);
  const token = request.token?.trim();
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};

  const current = await currentCachedCopy(location, weights, headers, deps);
  if (current && deps.cache) {
    deps.onProgress?.({ phase: 'cache', message: `Loading ${name} from this browser's cache.` });
    const { model, onnx } = await deps.cache.read(current.model.id);
    return { onnx, manifest: model.manifest, cached: model, fromCache: true, ...(current.note ? { note: current.note } : {}) };
  }

  const common = { fetch: deps.fetch, headers, signal: deps.signal, onProgress: deps.onProgress };
  let noConfig = false;
  const configError = hubHttpError(location, CONFIG_FILE, token !== undefined);
  let configFile;
  try {
    configFile = await downloadFile(resolveUrl(location, CONFIG_FILE), {
      ...common,
      file: CONFIG_FILE,
      maxBytes: MAX_CONFIG_BYTES,
      httpError: (response, url) => {
        noConfig = response.status === 404 && response.headers.get('x-error-code') === 'EntryNotFound';
        return configError(response, url);
      },
    });
  } catch (e) {
    // no config.json: the repository may hold a LoRA adapter of a Chronos-2 base instead
    if (!noConfig) throw e;
    const adapter = await downloadAdapterConfig(location, common, token !== undefined);
    if (!adapter) throw e;
    return prepareHubAdapter(request, location, adapter, deps);
  }
  const configText = new TextDecoder().decode(configFile.bytes);
  const config = parseHubConfig(configText, name);

  const weightsUrl = resolveUrl(location, WEIGHTS_FILE);
  let file;
  try {
    file = await downloadFile(weightsUrl, {
      ...common,
      file: WEIGHTS_FILE,
      maxBytes: deps.maxBytes,
      memoryFactor: conversionMemoryFactor(weights),
      // Not held in a local: once the download ends, nothing here may keep its buffer alive through conversion.
      resume: resumable(deps.partials, weightsUrl),
      inspect: safetensorsInspector(config, WEIGHTS_FILE, name),
      httpError: hubHttpError(location, WEIGHTS_FILE, token !== undefined),
    });
  } catch (e) {
    deps.partials?.set(e instanceof DownloadInterruptedError ? e.partial : null);
    throw e;
  }
  deps.partials?.set(null);
  // The commit comes with config.json (served directly); the weights' answer is a redirect target without it.
  const commit = file.commit ?? configFile.commit;
  const origin = {
    kind: 'hub' as const,
    hubUrl: location.hubUrl,
    repo: location.repo,
    revision: location.revision,
    sha256: file.sha256,
    ...(file.etag ? { etag: file.etag } : {}),
    ...(commit ? { commit } : {}),
  };
  const source = `${location.hubUrl}/${location.repo}@${commit ?? location.revision}`;
  const converted = await convertBytes(configText, takeBytes(file), { name, source, weights, onProgress: deps.onProgress });
  const id = await hubCacheKey(origin, weights);
  const stored = await storeConverted(deps.cache, { id, name, origin, weights }, converted, deps.onProgress);
  return { ...converted, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
}

/** adapter_config.json of a repository, or null when it has none either. */
async function downloadAdapterConfig(
  location: HubLocation,
  common: { fetch: typeof fetch; headers: Record<string, string>; signal?: AbortSignal; onProgress?: PrepareDeps['onProgress'] },
  withToken: boolean,
): Promise<{ text: string; commit?: string } | null> {
  let missing = false;
  const httpError = hubHttpError(location, ADAPTER_CONFIG_FILE, withToken);
  try {
    const file = await downloadFile(resolveUrl(location, ADAPTER_CONFIG_FILE), {
      ...common,
      file: ADAPTER_CONFIG_FILE,
      maxBytes: MAX_CONFIG_BYTES,
      httpError: (response, url) => {
        missing = response.status === 404;
        return httpError(response, url);
      },
    });
    return { text: new TextDecoder().decode(file.bytes), ...(file.commit ? { commit: file.commit } : {}) };
  } catch (e) {
    if (missing) return null;
    throw e;
  }
}

/**
 * A repository holding a LoRA adapter: the adapter (small) is downloaded and checked against its base's
 * config.json first, so a mismatched adapter fails before any base weights move; then the base is prepared like
 * any hub model (from the cache when it is there: downloaded and converted once for all its adapters), its weights
 * are read back from its float32 ONNX, the adapter is merged, and the result is cached under a key made of the
 * adapter's and the base's hashes. Nothing is cached when anything fails.
 */
async function prepareHubAdapter(
  request: HubModelRequest,
  location: HubLocation,
  adapterConfig: { text: string; commit?: string },
  deps: PrepareDeps,
): Promise<PreparedModel> {
  const name = describeLocation(location);
  const weights = request.weights ?? 'float32';
  const token = request.token?.trim();
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const common = { fetch: deps.fetch, headers, signal: deps.signal, onProgress: deps.onProgress };
  const lora = parseLoraConfigText(adapterConfig.text, `${name}/${ADAPTER_CONFIG_FILE}`);
  const baseId = request.base?.repo ?? lora.baseModel;
  if (!baseId) {
    throw new AdapterError(`${name} holds a LoRA adapter whose ${ADAPTER_CONFIG_FILE} names no base model (base_model_name_or_path is empty); choose its base explicitly.`, 'base_model_name_or_path');
  }
  let baseRepo: string;
  try {
    baseRepo = normalizeRepoId(baseId);
  } catch {
    throw new AdapterError(
      `${name} holds a LoRA adapter trained on "${baseId}" (base_model_name_or_path), which is not a hub repository id (a local path on the machine it was trained on?); choose its base explicitly.`,
      'base_model_name_or_path',
    );
  }
  const baseLocation = hubLocation({ hubUrl: location.hubUrl, repo: baseRepo, revision: request.base?.revision ?? lora.baseRevision ?? undefined });
  const baseName = describeLocation(baseLocation);

  const adapterFile = await downloadFile(resolveUrl(location, ADAPTER_WEIGHTS_FILE), {
    ...common,
    file: ADAPTER_WEIGHTS_FILE,
    maxBytes: deps.maxBytes,
    httpError: hubHttpError(location, ADAPTER_WEIGHTS_FILE, token !== undefined),
  });
  const adapter: AdapterFiles = { configText: adapterConfig.text, safetensors: adapterFile.bytes, name };

  // The base's config.json decides whether the adapter fits, before its weights are fetched.
  let baseConfigFile;
  try {
    baseConfigFile = await downloadFile(resolveUrl(baseLocation, CONFIG_FILE), {
      ...common,
      file: CONFIG_FILE,
      maxBytes: MAX_CONFIG_BYTES,
      httpError: hubHttpError(baseLocation, CONFIG_FILE, token !== undefined),
    });
  } catch (e) {
    if (e instanceof RepoNotFoundError) {
      throw new RepoNotFoundError(`${name} is a LoRA adapter of ${baseName} (base_model_name_or_path), and its base cannot be found: ${e.message}`);
    }
    throw e;
  }
  const baseConfig = parseHubConfig(new TextDecoder().decode(baseConfigFile.bytes), baseName);
  parseLoraAdapter(adapter, baseConfig, baseName);

  deps.onProgress?.({ phase: 'convert', message: `${name} is a LoRA adapter (r ${lora.r}) of ${baseName}: preparing the base model.` });
  const base = await prepareHubModel(
    { hubUrl: baseLocation.hubUrl, repo: baseLocation.repo, revision: baseLocation.revision, ...(token ? { token } : {}), weights: 'float32' },
    deps,
  );
  const baseOrigin = base.cached?.origin.kind === 'hub' ? base.cached.origin : undefined;
  const baseSha = baseOrigin?.sha256 ?? base.manifest.sha256;
  const commit = adapterFile.commit ?? adapterConfig.commit;
  const source = `${location.hubUrl}/${location.repo}@${commit ?? location.revision} (LoRA) on ${base.manifest.source ?? baseName}`;
  deps.onProgress?.({ phase: 'convert', message: `Merging the adapter ${name} into ${baseName} and converting to ONNX.` });
  await new Promise((resolve) => setTimeout(resolve, 0));
  const converted = await convertWeights(base.manifest.config, weightsFromOnnx(base.onnx, base.manifest.config, baseName), adapter, {
    name,
    source,
    weightStorage: weights,
    baseName,
  });
  const origin = {
    kind: 'hub' as const,
    hubUrl: location.hubUrl,
    repo: location.repo,
    revision: location.revision,
    sha256: adapterFile.sha256,
    ...(adapterFile.etag ? { etag: adapterFile.etag } : {}),
    ...(commit ? { commit } : {}),
    base: { repo: baseLocation.repo, revision: baseLocation.revision, sha256: baseSha },
  };
  const id = await cacheKey(['hub-lora', location.hubUrl, location.repo, location.revision, adapterFile.sha256, baseLocation.repo, baseSha, weights]);
  const stored = await storeConverted(deps.cache, { id, name, origin, weights }, converted, deps.onProgress);
  const note = [base.note, stored.note].filter(Boolean).join(' ');
  return { onnx: converted.onnx, manifest: converted.manifest, cached: stored.cached, fromCache: false, ...(note ? { note } : {}) };
}

function resumable(partials: PartialStore | undefined, url: string): PartialDownload | null {
  const partial = partials?.get() ?? null;
  return partial?.url === url ? partial : null;
}

/** Hands over a downloaded file's bytes, dropping the file's own reference so they can be freed after conversion. */
function takeBytes(file: { bytes: Uint8Array }): Uint8Array {
  const bytes = file.bytes;
  file.bytes = new Uint8Array(0);
  return bytes;
}

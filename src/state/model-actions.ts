// Every model action of the app, as module-level functions over the store: reading the registry of installed
// models, choosing the model to open (`?model=`, the last one used, or the registry's default), loading from the
// registry, from Hugging Face, from local files or from the browser's cache, retrying and cancelling a load,
// and managing the cache. A failed load brings the previous model back, so the page always keeps a working model
// when it had one. Components and the app's start-up call these; no hooks.
import { openBrowserModelCache, type ModelCache } from '../hub/cache';
import { DEFAULT_HUB_URL, normalizeHubUrl } from '../hub/repo';
import { defaultEntry, findEntry, isPlainName, parseRegistry, type RegistryEntry } from '../model/registry';
import type { WeightStorage } from '../model/onnx/fp16';
import { WEIGHT_STORAGE_LABEL } from '../model/onnx/weight-storage';
import type { BackendPreference } from '../runtime/backend';
import type { EngineProgress, ModelSourceSpec, ModelStatus } from '../worker/engine-api';
import { getEngine } from './engine';
import { describeError } from './errors';
import { requestForecast } from './forecast-runner';
import { clampHorizon } from './horizon';
import type { ModelChoice, ModelPhase } from './slices/model-slice';
import { useAppStore } from './store';

const get = useAppStore.getState;
const set = useAppStore.setState;

/** The model folder used when there is no registry (an older deployment): `models/random-small/`. */
export const FALLBACK_MODEL = 'random-small';
const STORAGE_KEYS = { model: 'chronos-web.model', hubUrl: 'chronos-web.hub-url' } as const;

/** A load the app can repeat: the engine's source and how the model panel names it. */
interface LoadRequest {
  source: ModelSourceSpec;
  choice: ModelChoice;
  /** Short name for progress and buttons. */
  label: string;
}

let loadToken = 0;
let loadController: AbortController | null = null;
/** The last model that loaded; restored after a failed load, reloaded on a backend change. */
let working: LoadRequest | null = null;
/** The last failed load, repeated by Retry (kept in memory only: it may hold an access token or files). */
let failed: LoadRequest | null = null;
let cache: ModelCache | null | undefined;

function modelCache(): ModelCache | null {
  if (cache === undefined) cache = openBrowserModelCache();
  return cache;
}

/** An app-relative path as an absolute URL (the worker resolves URLs against its own location). */
export function absoluteUrl(path: string): string {
  return new URL(`${import.meta.env.BASE_URL}${path}`, window.location.origin).href;
}

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage may be off (private mode); the app works without remembering.
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sources

function registryRequest(entry: Pick<RegistryEntry, 'name' | 'folder'>): LoadRequest {
  return { source: { kind: 'url', url: absoluteUrl(`models/${entry.folder}/`) }, choice: { kind: 'registry', name: entry.name }, label: entry.name };
}

function cachedRequest(id: string, name: string): LoadRequest {
  return { source: { kind: 'cached', id }, choice: { kind: 'cached', id, name }, label: name };
}

/** The default installed model: the registry's default entry, else its first, else the fallback folder. */
function defaultRequest(): LoadRequest {
  const registry = get().registry ?? [];
  const entry = defaultEntry({ version: 1, models: registry });
  return registryRequest(entry ?? { name: FALLBACK_MODEL, folder: FALLBACK_MODEL });
}

/** The remembered last model's choice as stored (null when none is stored or it cannot be read). */
function rememberedChoice(): Partial<ModelChoice> | null {
  const text = readStorage(STORAGE_KEYS.model);
  if (!text) return null;
  try {
    const choice = JSON.parse(text) as unknown;
    return typeof choice === 'object' && choice !== null ? (choice as Partial<ModelChoice>) : null;
  } catch {
    // An unreadable value is ignored.
    return null;
  }
}

/** The remembered last model, when it still exists. */
function rememberedRequest(): LoadRequest | null {
  const choice = rememberedChoice();
  if (choice?.kind === 'registry' && typeof choice.name === 'string') {
    const entry = findEntry({ version: 1, models: get().registry ?? [] }, choice.name);
    return entry ? registryRequest(entry) : null;
  }
  if (choice?.kind === 'cached' && typeof choice.id === 'string') {
    const cached = get().cachedModels.find((m) => m.id === choice.id);
    return cached ? cachedRequest(cached.id, cached.name) : null;
  }
  return null;
}

function remember(choice: ModelChoice): void {
  if (choice.kind === 'registry' || choice.kind === 'cached') writeStorage(STORAGE_KEYS.model, JSON.stringify(choice));
}

// ---------------------------------------------------------------------------------------------------------
// Loading

function loadingPhase(progress: EngineProgress): ModelPhase | null {
  switch (progress.phase) {
    case 'download':
      return {
        phase: 'loading',
        step: `Downloading ${progress.file}${progress.resumedFrom ? ' (resumed)' : ''}`,
        file: progress.file,
        loaded: progress.loaded,
        total: progress.total,
        bytesPerSecond: progress.bytesPerSecond,
      };
    case 'convert':
    case 'cache':
    case 'session':
    case 'warmup':
      return { phase: 'loading', step: progress.message };
    case 'inference':
      return null;
  }
}

/** After a load: the request that reloads this model fastest (a cached model from the cache). */
function reloadRequest(request: LoadRequest, status: ModelStatus): LoadRequest {
  return status.cacheId !== undefined ? cachedRequest(status.cacheId, status.name) : request;
}

/**
 * Loads a model; on success it becomes the working model and the data is forecast again. On failure the error
 * is shown, Retry is offered, and the previous working model is loaded again.
 */
async function runLoad(request: LoadRequest, preference: BackendPreference, restoring = false): Promise<boolean> {
  const token = ++loadToken;
  loadController?.abort();
  const controller = new AbortController();
  loadController = controller;
  set({ modelPhase: { phase: 'loading', step: restoring ? `Loading ${request.label} again` : `Loading ${request.label}` } });
  try {
    const status = await getEngine().loadModel(request.source, preference, {
      signal: controller.signal,
      onProgress: (p) => {
        const phase = token === loadToken ? loadingPhase(p) : null;
        if (phase) set({ modelPhase: phase });
      },
    });
    if (token !== loadToken) return false;
    working = reloadRequest(request, status);
    if (!restoring) failed = null;
    set((s) => ({
      model: status,
      modelPhase: { phase: 'ready' },
      modelVersion: s.modelVersion + 1,
      modelChoice: working!.choice,
      modelNote: status.note ?? null,
      ...(restoring ? {} : { retryLabel: null }),
    }));
    remember(working.choice);
    set((s) => ({ horizon: clampHorizon(s, s.horizon) }));
    requestForecast({ immediate: true });
    if (status.cacheId !== undefined || request.source.kind === 'cached') void refreshCachedModels();
    return true;
  } catch (e) {
    if (token !== loadToken) return false;
    const cancelled = e instanceof Error && e.name === 'AbortError';
    const error = describeError(e, 'model');
    set({ model: null, modelChoice: null, modelPhase: cancelled ? { phase: 'idle' } : { phase: 'error', message: error.message } });
    if (!cancelled && !restoring) {
      failed = request;
      set({ retryLabel: request.label, error });
    }
    // The engine released the previous model when this load started: bring it back.
    const previous = working;
    if (previous && previous !== request && !restoring) return runLoad(previous, preference, true).then(() => false);
    return false;
  } finally {
    if (loadController === controller) loadController = null;
  }
}

/** Starts a load the user asked for: clears the last error and Retry first. */
function userLoad(request: LoadRequest): Promise<boolean> {
  set({ error: null, retryLabel: null });
  failed = null;
  return runLoad(request, get().backendPreference);
}

/** Reads models/index.json; an absent registry (404) means only the fallback model, a broken one is reported. */
async function loadRegistry(): Promise<void> {
  try {
    const response = await fetch(absoluteUrl('models/index.json'));
    if (response.status === 404) {
      set({ registry: [] });
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} while reading models/index.json`);
    set({ registry: parseRegistry(await response.json()).models });
  } catch (e) {
    set({ registry: [], error: { name: 'RegistryError', title: 'The list of installed models could not be read', message: `${describeError(e, 'model').message}` } });
  }
}

/**
 * Starts the model side of the app: reads the registry and the cache, then loads `?model=<name>`, else the model
 * used last (when it still exists), else the registry's default.
 */
export async function startModels(preference: BackendPreference): Promise<void> {
  const fromEnv = (import.meta.env.VITE_HUB_URL as string | undefined) ?? DEFAULT_HUB_URL;
  set({ hubUrl: readStorage(STORAGE_KEYS.hubUrl) ?? fromEnv, modelPhase: { phase: 'loading', step: 'Reading the list of models' } });
  const registry = loadRegistry();
  const cached = refreshCachedModels();
  await registry;
  // The list of cached models matters only when the model to load is a remembered cached one: otherwise the load
  // starts without waiting for it (at start-up it came 40–160 ms after the registry on a 2-core machine).
  if (rememberedChoice()?.kind === 'cached') await cached;
  const requested = new URLSearchParams(window.location.search).get('model');
  let first: LoadRequest | null = null;
  if (requested !== null) {
    const entry = findEntry({ version: 1, models: get().registry ?? [] }, requested);
    if (entry) first = registryRequest(entry);
    else if (isPlainName(requested)) first = registryRequest({ name: requested, folder: requested });
  }
  first ??= rememberedRequest() ?? defaultRequest();
  const ok = await runLoad(first, preference);
  const fallback = defaultRequest();
  if (!ok && !working && first.label !== fallback.label) await runLoad(fallback, preference, true);
}

/** Loads the working model again (e.g. on another backend); the default one when none works yet. */
export async function loadModel(preference: BackendPreference = get().backendPreference): Promise<void> {
  await runLoad(working ?? defaultRequest(), preference);
}

/** Opens an installed model (an entry of models/index.json). */
export function useInstalledModel(name: string): Promise<boolean> {
  const entry = findEntry({ version: 1, models: get().registry ?? [] }, name);
  return userLoad(entry ? registryRequest(entry) : registryRequest({ name, folder: name }));
}

/** What the Hugging Face form submits. */
export interface HubLoadInput {
  repo: string;
  revision?: string;
  weights: WeightStorage;
  /** For gated or private repositories; used for this load only, never stored. */
  token?: string;
}

/** Loads a model from the hub (the configured base URL), through the cache when a current copy is there. */
export function loadFromHub(input: HubLoadInput): Promise<boolean> {
  const repo = input.repo.trim();
  const revision = input.revision?.trim() || 'main';
  const token = input.token?.trim();
  const label = `${repo}${revision === 'main' ? '' : `@${revision}`}${input.weights && input.weights !== 'float32' ? ` (${WEIGHT_STORAGE_LABEL[input.weights]})` : ''}`;
  return userLoad({
    source: { kind: 'hub', repo, revision, hubUrl: get().hubUrl, weights: input.weights, ...(token ? { token } : {}) },
    choice: { kind: 'hub', repo, revision, weights: input.weights },
    label,
  });
}

/** Loads a model from files the user picked or dropped (a checkpoint folder, model.onnx + manifest.json, or a LoRA adapter). */
export function openModelFiles(files: File[], weights: WeightStorage = get().weightStorage): Promise<boolean> {
  const first = files.find((f) => /\.(safetensors|onnx)$/i.test(f.name)) ?? files[0];
  const label = first ? first.name : 'local files';
  const hubUrl = get().hubUrl;
  // a LoRA adapter's base that is neither picked nor cached is downloaded from the configured hub
  return userLoad({ source: { kind: 'files', files, weights, ...(hubUrl ? { hubUrl } : {}) }, choice: { kind: 'files', name: label }, label });
}

/** Chooses the weight storage (fp32, fp16, int8, int4) of the next conversion (hub or local checkpoint). */
export function setWeightStorage(weightStorage: WeightStorage): void {
  set({ weightStorage });
}

/** Opens a model cached in this browser. */
export function useCachedModel(id: string): Promise<boolean> {
  const cached = get().cachedModels.find((m) => m.id === id);
  return userLoad(cachedRequest(id, cached?.name ?? 'cached model'));
}

/** Repeats the last failed load (an interrupted download resumes where it stopped). */
export function retryModelLoad(): Promise<boolean> {
  if (!failed) return Promise.resolve(false);
  const request = failed;
  set({ error: null, retryLabel: null });
  return runLoad(request, get().backendPreference);
}

/** Cancels the load in progress; the previous model comes back. */
export function cancelModelLoad(): void {
  loadController?.abort();
}

/**
 * Sets the hub base URL (a mirror or a local server) and remembers it.
 * @returns an error message when the URL is not valid, else null
 */
export function setHubUrl(url: string): string | null {
  try {
    const normalized = normalizeHubUrl(url);
    set({ hubUrl: normalized });
    writeStorage(STORAGE_KEYS.hubUrl, normalized === DEFAULT_HUB_URL ? null : normalized);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cache

/** Reads the list of cached models and the storage estimate. */
export async function refreshCachedModels(): Promise<void> {
  const store = modelCache();
  if (!store) {
    set({ cacheAvailable: false, cachedModels: [] });
    return;
  }
  try {
    const cachedModels = await store.list();
    const estimate = await navigator.storage.estimate().catch(() => null);
    set({
      cacheAvailable: true,
      cachedModels,
      storageEstimate: estimate && estimate.quota !== undefined ? { usage: estimate.usage ?? 0, quota: estimate.quota } : null,
    });
  } catch {
    set({ cacheAvailable: false, cachedModels: [] });
  }
}

/** Deletes a cached model. The model stays loaded if it is in use, until another one is picked or the page reloads. */
export async function deleteCachedModel(id: string): Promise<void> {
  await modelCache()?.delete(id);
  const remembered = readStorage(STORAGE_KEYS.model);
  if (remembered?.includes(id)) writeStorage(STORAGE_KEYS.model, null);
  if (working?.source.kind === 'cached' && working.source.id === id) {
    working = defaultRequest();
    set({ modelNote: 'This model was deleted from the cache; it stays loaded until you pick another model or reload the page.' });
  }
  await refreshCachedModels();
}

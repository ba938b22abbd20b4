// Model state: the backend the user asked for, the loaded model's status and where it came from, loading
// progress, the installed models (models/index.json), the models cached in this browser, and the hub settings.
import type { StateCreator } from 'zustand';
import type { CachedModel } from '../../hub/cache';
import type { WeightStorage } from '../../model/onnx/fp16';
import type { RegistryEntry } from '../../model/registry';
import type { BackendPreference } from '../../runtime/backend';
import type { ModelStatus } from '../../worker/engine-api';
import type { AppState } from '../store';

/** Where model loading stands. */
export type ModelPhase =
  | { phase: 'idle' }
  | {
      phase: 'loading';
      step: string;
      /** Set while a file downloads. */
      file?: string;
      loaded?: number;
      total?: number;
      bytesPerSecond?: number;
    }
  | { phase: 'ready' }
  | { phase: 'error'; message: string };

/** Which model the user chose, as the model panel names it. */
export type ModelChoice =
  /** An installed model of models/index.json. */
  | { kind: 'registry'; name: string }
  /** A model cached in this browser. */
  | { kind: 'cached'; id: string; name: string }
  /** A Hugging Face repository (cached once loaded). */
  | { kind: 'hub'; repo: string; revision: string; weights: WeightStorage }
  /** Files from the user's disk (cached once loaded). */
  | { kind: 'files'; name: string };

/** How much browser storage is used and available, when the browser says. */
export interface StorageEstimate {
  usage: number;
  quota: number;
}

/** Model slice of the store. */
export interface ModelSlice {
  backendPreference: BackendPreference;
  model: ModelStatus | null;
  modelPhase: ModelPhase;
  /** Bumped on every successful load, so cached forecasts of an older model are not reused. */
  modelVersion: number;
  /** What the loaded model is (null while none is). */
  modelChoice: ModelChoice | null;
  /** Something to know about the loaded model (e.g. it could not be cached), or null. */
  modelNote: string | null;
  /** Installed models from models/index.json; null until read. */
  registry: RegistryEntry[] | null;
  /** Models cached in this browser, newest first. */
  cachedModels: CachedModel[];
  /** Whether this browser can cache models (origin private file system). */
  cacheAvailable: boolean;
  storageEstimate: StorageEstimate | null;
  /** Base URL of the Hugging Face hub (or a mirror) used by Load from Hugging Face. */
  hubUrl: string;
  /** A failed load that Retry repeats (a resumable download resumes), described for the button; null if none. */
  retryLabel: string | null;
  /** Convert checkpoints (hub or local) with float16 weight storage. */
  weightStorage: WeightStorage;
}

/** Initial model state. */
export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = () => ({
  backendPreference: 'auto',
  model: null,
  modelPhase: { phase: 'idle' },
  modelVersion: 0,
  modelChoice: null,
  modelNote: null,
  registry: null,
  cachedModels: [],
  cacheAvailable: false,
  storageEstimate: null,
  hubUrl: '',
  retryLabel: null,
  weightStorage: 'float32',
});

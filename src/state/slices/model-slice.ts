// Model state: the backend the user asked for, the loaded model's status, and loading progress.
import type { StateCreator } from 'zustand';
import type { BackendPreference } from '../../runtime/backend';
import type { ModelStatus } from '../../worker/engine-api';
import type { AppState } from '../store';

/** Where model loading stands. */
export type ModelPhase =
  | { phase: 'idle' }
  | { phase: 'loading'; step: string; loaded?: number; total?: number }
  | { phase: 'ready' }
  | { phase: 'error'; message: string };

/** Model slice of the store. */
export interface ModelSlice {
  backendPreference: BackendPreference;
  model: ModelStatus | null;
  modelPhase: ModelPhase;
  /** Bumped on every successful load, so cached forecasts of an older model are not reused. */
  modelVersion: number;
}

/** Initial model state. */
export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = () => ({
  backendPreference: 'auto',
  model: null,
  modelPhase: { phase: 'idle' },
  modelVersion: 0,
});

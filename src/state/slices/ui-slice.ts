// UI-only state: which series the chart shows, how much history, the error banner and drag-and-drop feedback.
import type { StateCreator } from 'zustand';
import type { AppState } from '../store';

/** An error shown in the alert banner: what went wrong (title) and what to do (message). */
export interface AppError {
  title: string;
  message: string;
  /** Error class name, for tests and debugging (e.g. 'CsvParseError'). */
  name?: string;
}

/** How much history the chart shows. */
export type HistoryWindow = 'recent' | 'all';

/** UI slice of the store. */
export interface UiSlice {
  /** Index into the flattened list of target series (see `selectSeriesList`). */
  seriesIndex: number;
  historyWindow: HistoryWindow;
  error: AppError | null;
  dragActive: boolean;
}

/** Initial UI state. */
export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = () => ({
  seriesIndex: 0,
  historyWindow: 'recent',
  error: null,
  dragActive: false,
});

// UI-only state: which series the chart shows, how much history, the error banner, drag-and-drop feedback, which
// collapsible panels are open (tablets and phones start with the model panel and the data preview closed and
// close the data panel once a file is read, so the chart is on the first screen), and whether the offer of the real Chronos-2 was put aside.
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

/** The panels that collapse. */
export type PanelName = 'data' | 'model' | 'preview';

/** Up to this width (px) the layout is one column (tablets, phones) and the panels start collapsed. */
export const NARROW_MAX_WIDTH = 999;

/** Whether the window is one-column sized now, tablet or phone (false outside a browser). */
export function isNarrowScreen(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`).matches;
}

/** UI slice of the store. */
export interface UiSlice {
  /** Index into the flattened list of target series (see `selectSeriesList`). */
  seriesIndex: number;
  historyWindow: HistoryWindow;
  error: AppError | null;
  dragActive: boolean;
  /** Open state of each collapsible panel. */
  panelsOpen: Record<PanelName, boolean>;
  /** The user put the "get the real Chronos-2" offer aside (it stays as one line). */
  offerCollapsed: boolean;
}

/** Initial UI state. */
export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = () => ({
  seriesIndex: 0,
  historyWindow: 'recent',
  error: null,
  dragActive: false,
  panelsOpen: { data: true, model: !isNarrowScreen(), preview: !isNarrowScreen() },
  offerCollapsed: isNarrowScreen(),
});

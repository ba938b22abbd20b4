// The app's one zustand store, built from four slices (data, model, forecast, ui). Components read it with
// narrow selectors; actions live at module level (actions.ts) so the engine client can update state without
// a hook.
import { create } from 'zustand';
import { createDataSlice, type DataSlice } from './slices/data-slice';
import { createForecastSlice, type ForecastSlice } from './slices/forecast-slice';
import { createModelSlice, type ModelSlice } from './slices/model-slice';
import { createUiSlice, type UiSlice } from './slices/ui-slice';

/** The whole app state. */
export type AppState = DataSlice & ModelSlice & ForecastSlice & UiSlice;

/** The store hook; use narrow selectors: `useAppStore((s) => s.horizon)`. */
export const useAppStore = create<AppState>()((...args) => ({
  ...createDataSlice(...args),
  ...createModelSlice(...args),
  ...createForecastSlice(...args),
  ...createUiSlice(...args),
}));

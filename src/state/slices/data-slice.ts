// Data state: the file being read or loaded, its parsed table, detected schema and preview, the user's column
// roles and the series and tasks built from them.
import type { StateCreator } from 'zustand';
import type { ParsedTable } from '../../data/csv';
import type { SeriesSelection, SeriesSet, TableDescription, TableSchema } from '../../data/table';
import type { UiTask } from '../dataset';
import type { AppState } from '../store';

/** The file (or example) the data came from. */
export interface DataSource {
  name: string;
  /** Size in bytes. */
  size: number;
}

/** Data slice of the store. */
export interface DataSlice {
  source: DataSource | null;
  /** Non-null while a file is being read. */
  parseProgress: { loaded: number; total: number } | null;
  table: ParsedTable | null;
  schema: TableSchema | null;
  description: TableDescription | null;
  selection: SeriesSelection | null;
  seriesSet: SeriesSet | null;
  /** Forecasting tasks built from `seriesSet` (depends on the multivariate toggle). */
  tasks: UiTask[];
  /** Bumped whenever `tasks` change, so cached forecasts of other data are never reused. */
  dataVersion: number;
  /** Date order chosen for ambiguous `NN/NN/YYYY` dates, or null when sniffed. */
  dateOrder: 'dmy' | 'mdy' | null;
}

/** Initial data state. */
export const createDataSlice: StateCreator<AppState, [], [], DataSlice> = () => ({
  source: null,
  parseProgress: null,
  table: null,
  schema: null,
  description: null,
  selection: null,
  seriesSet: null,
  tasks: [],
  dataVersion: 0,
  dateOrder: null,
});

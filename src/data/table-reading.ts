// A parsed table read the way the app first shows it: the roles detected for its columns, the facts about the
// file, and the series of those roles (or why they cannot be built). One call, so that the app's worker does it
// right after parsing, off the UI thread: for files of 100,000 rows and more it took 100–300 ms
// (docs/benchmarks.md), one task that froze the page.
import type { ParsedTable } from './csv';
import { buildSeries, describeTable, detectSchema, type SeriesSelection, type SeriesSet, type TableDescription, type TableSchema } from './table';

/** What {@link readTable} found. */
export interface TableReading {
  schema: TableSchema;
  description: TableDescription;
  /** The roles the series are built with: the detected ones ({@link defaultSelection}). */
  selection: SeriesSelection;
  /** The series of `selection`, or null when they cannot be built (`seriesError` says why). */
  seriesSet: SeriesSet | null;
  /** Why the series cannot be built (duplicate timestamps, irregular times, ...), else null. */
  seriesError: unknown;
}

/** The column roles of a detected schema, as a selection of its own (no inferred frequency or start). */
export function defaultSelection(schema: SeriesSelection): SeriesSelection {
  const selection: SeriesSelection = {
    targetColumns: [...schema.targetColumns],
    covariateColumns: [...schema.covariateColumns],
  };
  if (schema.timestampColumn !== undefined) selection.timestampColumn = schema.timestampColumn;
  if (schema.idColumn !== undefined) selection.idColumn = schema.idColumn;
  return selection;
}

/** Detects a table's schema, describes it and builds the series of the detected roles. */
export function readTable(table: ParsedTable): TableReading {
  const schema = detectSchema(table);
  const description = describeTable(table, schema);
  const selection = defaultSelection(schema);
  try {
    return { schema, description, selection, seriesSet: buildSeries(table, selection), seriesError: null };
  } catch (error) {
    return { schema, description, selection, seriesSet: null, seriesError: error };
  }
}

// From a typed table to the series a forecast runs on. Detects the table's shape (wide: one series per numeric
// column; long: an id column with the series stacked one below the other) and sensible default roles for the
// columns, then regularises every series on its frequency grid (gaps become NaN), splits off the rows whose target
// is still unknown but whose covariates are given (known future values), and returns one entry per series in the
// shape of the Chronos-2 pipeline's list-of-dicts input {target, past_covariates, future_covariates}.

import {
  DELIMITER_NAMES,
  type CategoricalColumn,
  type ColumnKind,
  type CsvDelimiter,
  type NumericColumn,
  type ParsedColumn,
  type ParsedTable,
  type TimestampColumn,
} from './csv';
import type { DecimalSeparator } from './cells';
import { CsvParseError } from './errors';
import { offsetChanges, parseStart, stepAxis, type TimeAxis } from './time-axis';
import {
  addPeriods,
  formatTimestamp,
  gridTimestamps,
  inferSharedFrequency,
  makeFrequency,
  periodIndexer,
  STEP_FREQUENCY,
  TIMESTAMP_FORMAT_LABELS,
  type Frequency,
  type TimestampFormatId,
} from './timestamps';

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

/** Wide: a timestamp and one column per series. Long: an id column, a timestamp, and value column(s). */
export type TableShape = 'wide' | 'long';

/** Which columns play which role. Every name must be a column of the table. */
export interface SeriesSelection {
  /** Column of timestamps; without one, rows are consecutive steps (frequency unit 'step'). */
  timestampColumn?: string;
  /** Column naming the series of a long table; without one, the table is wide. */
  idColumn?: string;
  /** Numeric columns to forecast; each gives one univariate series (per id, in long tables). */
  targetColumns: string[];
  /** Numeric or categorical columns given to the model as covariates. */
  covariateColumns: string[];
  /**
   * Overrides the inferred frequency (e.g. daily for business-day data whose weekends are gaps). Without a
   * timestamp column, the frequency of the rows (with `start`).
   */
  frequency?: Frequency;
  /** Without a timestamp column: the time of the first row, as the user wrote it (`1949-01`, `1956 Q1`, `1949`). */
  start?: string;
}

/** The detected layout of a table and default roles of its columns, ready to pass to {@link buildSeries}. */
export interface TableSchema extends SeriesSelection {
  shape: TableShape;
  /** Inferred frequency; STEP_FREQUENCY without a timestamp column; absent when it cannot be inferred. */
  frequency?: Frequency;
  /** Timestamp columns, best first. */
  timestampCandidates: string[];
  /** Columns that could name the series of a long table, best first. */
  idCandidates: string[];
  /** Why the defaults were chosen, for the user (e.g. "the first 10 of 200 numeric columns are targets"). */
  notes: string[];
  /** Columns that count rows (1..N or 0..N-1 under a row-number name) and are ignored. */
  rowCounters: string[];
}

/** One series to forecast, shaped like one entry of Chronos-2's list-of-dicts input. */
export interface ForecastSeries {
  /** Unique id: the target column (wide), the id value (long), or `id/column` (long with several targets). */
  id: string;
  targetColumn: string;
  /** Value of the id column (long tables). */
  groupId?: string;
  /** Regularised timestamps (UTC ms; step numbers without a timestamp column), one per target value. */
  timestamps: number[];
  /** Target values on the grid, from the first to the last observed value; NaN for gaps and missing values. */
  target: Float64Array;
  /** Every covariate over `timestamps` (numbers with NaN, or text with '' for missing). */
  pastCovariates: Record<string, number[] | string[]>;
  /**
   * Covariates whose values are known after the last target value, over `futureTimestamps`. The keys are the same
   * for every series of a set; arrays may be shorter than the horizon (pad with NaN / '').
   */
  futureCovariates: Record<string, number[] | string[]>;
  /** Timestamps of the rows after the last target value that carry covariate values (empty when none). */
  futureTimestamps: number[];
}

/** The series of a table, with the facts a forecast needs about them. */
export interface SeriesSet {
  series: ForecastSeries[];
  frequency: Frequency;
  /** How the timestamps were written in the input (format, offsets), to write forecast timestamps the same way. */
  timeAxis: TimeAxis;
  /** Covariate names present in every series' `pastCovariates`, in selection order. */
  pastCovariateNames: string[];
  /** Covariate names present in every series' `futureCovariates`. */
  futureCovariateNames: string[];
  /** Fewest known future steps over the series (0 without known-future covariates). */
  knownFutureLength: number;
  warnings: string[];
}

/** Fewest observed target values a series needs to be forecast. */
export const MIN_OBSERVATIONS = 3;
/** Most numeric columns that become targets by default in a wide table. */
export const MAX_DEFAULT_TARGETS = 10;

// ---------------------------------------------------------------------------------------------------------------
// Schema detection
// ---------------------------------------------------------------------------------------------------------------

const FORMAT_RANK: readonly TimestampFormatId[] = [
  'iso',
  'ymd-slash',
  'dmy-dot',
  'dmy-slash',
  'mdy-slash',
  'ymd-compact',
  'epoch-milliseconds',
  'epoch-seconds',
  'year-month',
  'year-quarter',
  'year',
];
const ID_NAME = new RegExp(
  '(^|[_\\s-])(id|ids|key|series|item|sku|store|shop|product|group|station|sensor|site|region|country|symbol|' +
    'ticker|name|code)$|^(id|unique_id|item_id|series_id)',
  'i',
);
const TARGET_NAME = /^(target|y|value|values)$/i;
/**
 * Names of row counters: pandas' `Unnamed: 0` and `index`, R's `""` (read here as `column_<n>`), `X` and
 * `rownames`, and the usual row-number names. A column so named that holds exactly 1..N or 0..N-1 is no series.
 */
const INDEX_NAME =
  /^(index|idx|row|rows|rownum|row_?number|row\.names|rownames|row_names|unnamed: ?\d+|column_\d+|x|#|no\.?|nr\.?|n|t|time|step|period)$/i;

function findColumn(table: ParsedTable, name: string | undefined): ParsedColumn | undefined {
  return name === undefined ? undefined : table.columns.find((c) => c.name === name);
}

function hasValues(column: ParsedColumn, rowCount: number): boolean {
  return column.missing < rowCount;
}

/** A running 0, 1, 2, ... (or 1, 2, 3, ...) column: a row number or time step, not a series. */
function isIndexColumn(column: NumericColumn): boolean {
  if (!INDEX_NAME.test(column.name)) return false;
  if (column.missing > 0 || column.values.length < 2) return false;
  const v = column.values;
  if (v[0] !== 0 && v[0] !== 1) return false;
  for (let i = 0; i < v.length; i++) if (v[i] !== v[0] + i) return false;
  return true;
}

/** Text of a row's id cell, or '' when missing. */
function idText(column: ParsedColumn, row: number): string {
  if (column.kind === 'categorical') return column.values[row];
  const v = column.values[row];
  return Number.isNaN(v) ? '' : String(v);
}

function distinctCount(column: ParsedColumn, limit: number): number {
  if (column.kind === 'categorical') return column.distinct;
  const seen = new Set<number>();
  for (const v of column.values) {
    if (!Number.isNaN(v)) seen.add(v);
    if (seen.size > limit) break;
  }
  return seen.size;
}

/**
 * Rows grouped by a key, in file order; rows whose key is null are left out. Rows of one key usually come in a
 * block, so the map is looked up once per block, not once per row.
 */
function groupRows(rowCount: number, keyOf: (row: number) => string | null): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  let lastKey: string | null = null;
  let list: number[] = [];
  for (let r = 0; r < rowCount; r++) {
    const key = keyOf(r);
    if (key === null) continue;
    if (key !== lastKey) {
      let found = groups.get(key);
      if (!found) groups.set(key, (found = []));
      list = found;
      lastKey = key;
    }
    list.push(r);
  }
  return groups;
}

/** Number of rows whose (id, timestamp) pair already occurred (a group whose times already rise is not sorted). */
function duplicatePairs(idColumn: ParsedColumn | null, ts: Float64Array): number {
  const groups = groupRows(ts.length, (r) => (Number.isNaN(ts[r]) ? null : idColumn ? idText(idColumn, r) : ''));
  let duplicates = 0;
  for (const rows of groups.values()) {
    let ascending = true;
    for (let i = 1; i < rows.length && ascending; i++) ascending = ts[rows[i]] > ts[rows[i - 1]];
    if (ascending) continue;
    const sorted = Float64Array.from(rows, (r) => ts[r]).sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) duplicates++;
  }
  return duplicates;
}

/** Whether equal values of a column sit in one contiguous block each (series stacked one below the other). */
function isBlocked(column: CategoricalColumn): boolean {
  const seen = new Set<string>();
  let previous: string | undefined;
  for (const v of column.values) {
    if (v === previous) continue;
    if (seen.has(v)) return false;
    seen.add(v);
    previous = v;
  }
  return true;
}

/** The rows of each series id in file order ('' without an id column); rows without an id are left out. */
function rowGroups(table: ParsedTable, idColumn: ParsedColumn | undefined): Map<string, number[]> {
  if (!idColumn) return groupRows(table.rowCount, () => '');
  return groupRows(table.rowCount, (r) => idText(idColumn, r) || null);
}

/** Units whose periods are calendar days or longer: with UTC offsets, such data stays on local wall-clock time. */
const CALENDAR_UNITS = new Set<Frequency['unit']>(['day', 'week', 'month', 'quarter', 'year']);

/** The times series are placed by: UTC, or local wall-clock for daily and coarser data written with offsets. */
interface SeriesTimes {
  values: Float64Array;
  wallClock: boolean;
  frequency: Frequency | null;
}

/**
 * Chooses the time base of a timestamp column and infers (or takes) its frequency. Daily and coarser data written
 * with UTC offsets (`2024-03-31T00:00:00+02:00`) is placed by local wall-clock time, so days stay whole across
 * daylight-saving changes; everything else by UTC instants.
 */
function seriesTimes(
  table: ParsedTable,
  ts: TimestampColumn,
  idColumn: ParsedColumn | undefined,
  override?: Frequency,
  rowsOfSeries?: Map<string, number[]>,
): SeriesTimes {
  // Schema detection and every series build of a table ask for the same times: they are worked out once.
  const memoKey = `${ts.name}\u0000${idColumn?.name ?? ''}`;
  const cached = override ? undefined : seriesTimesMemo.get(table)?.get(memoKey);
  if (cached) return cached;
  const groups = [...(rowsOfSeries ?? rowGroups(table, idColumn)).values()];
  const infer = (values: Float64Array) => {
    if (override) return override;
    return inferSharedFrequency(groups.map((rows) => {
      const times = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) times[i] = values[rows[i]];
      return times;
    }));
  };
  let times: SeriesTimes | undefined;
  if (ts.offsets) {
    const offsets = ts.offsets;
    const wall = ts.values.map((v, r) => (Number.isNaN(offsets[r]) ? v : v + offsets[r] * 60_000));
    const frequency = infer(wall);
    if (frequency && CALENDAR_UNITS.has(frequency.unit)) times = { values: wall, wallClock: true, frequency };
  }
  times ??= { values: ts.values, wallClock: false, frequency: infer(ts.values) };
  if (!override) {
    let memo = seriesTimesMemo.get(table);
    if (!memo) seriesTimesMemo.set(table, (memo = new Map()));
    memo.set(memoKey, times);
  }
  return times;
}

/** {@link seriesTimes} of a table (parsed tables are not changed once read), by timestamp and id column names. */
const seriesTimesMemo = new WeakMap<ParsedTable, Map<string, SeriesTimes>>();

function inferTableFrequency(
  table: ParsedTable,
  ts: TimestampColumn,
  idColumn: ParsedColumn | undefined,
): Frequency | null {
  return seriesTimes(table, ts, idColumn).frequency;
}

/**
 * Infers the frequency for a choice of timestamp and id columns (e.g. after the user picked other ones than the
 * defaults): one frequency shared by all series. STEP_FREQUENCY without a timestamp column; null when the column
 * is not a timestamp column or has fewer than two distinct times per series.
 */
export function inferSelectionFrequency(
  table: ParsedTable,
  selection: Pick<SeriesSelection, 'timestampColumn' | 'idColumn'>,
): Frequency | null {
  if (selection.timestampColumn === undefined) return STEP_FREQUENCY;
  const ts = findColumn(table, selection.timestampColumn);
  if (!ts || ts.kind !== 'timestamp') return null;
  return inferTableFrequency(table, ts, findColumn(table, selection.idColumn));
}

/** Latest position (timestamp, or row number without a timestamp column) at which the column has a value. */
function lastObserved(column: NumericColumn, position: (row: number) => number): number {
  let last = -Infinity;
  for (let r = 0; r < column.values.length; r++) {
    const at = position(r);
    if (!Number.isNaN(column.values[r]) && at > last) last = at;
  }
  return last;
}

/**
 * Detects the shape of a table and default roles of its columns:
 * - timestamp: the timestamp column with the most precise format;
 * - long: when timestamps repeat and a text column (or an integer column named like an id) makes (id, timestamp)
 *   unique; without timestamps, a text column named like an id whose values come in contiguous blocks;
 * - targets: a numeric column named target/y/value if there is one; in long tables the first numeric column; in wide
 *   tables every numeric column (the first 10 when there are more), except running row numbers, and except numeric
 *   columns that go on after the leading numeric columns end (those are covariates with known future values);
 * - covariates: the other numeric columns (long) and text columns with 2 to 1000 distinct values (not unique per row).
 */
export function detectSchema(table: ParsedTable): TableSchema {
  const notes: string[] = [];
  const n = table.rowCount;
  const timestampColumns = table.columns
    .filter((c): c is TimestampColumn => c.kind === 'timestamp' && hasValues(c, n))
    .sort((a, b) => FORMAT_RANK.indexOf(a.format) - FORMAT_RANK.indexOf(b.format));
  const ts = timestampColumns[0];
  const numeric = table.columns
    .filter((c): c is NumericColumn => c.kind === 'numeric' && hasValues(c, n))
    .map((c) => ({ c }));
  // A running row number is not a series, unless it is the only numeric column there is.
  const indexColumns = new Set(
    numeric.length > 1 ? numeric.filter((x) => isIndexColumn(x.c)).map((x) => x.c.name) : [],
  );

  // Id column candidates.
  const idCandidates: ParsedColumn[] = [];
  for (const c of table.columns) {
    if (c === ts || !hasValues(c, n)) continue;
    if (c.kind === 'categorical' && c.distinct >= 2 && c.distinct < n) idCandidates.push(c);
    if (c.kind === 'numeric' && ID_NAME.test(c.name) && !indexColumns.has(c.name)) {
      const distinct = distinctCount(c, n / 2);
      if (distinct >= 2 && distinct <= n / 2 && c.values.every((v) => Number.isNaN(v) || Number.isInteger(v))) {
        idCandidates.push(c);
      }
    }
  }
  idCandidates.sort((a, b) => Number(ID_NAME.test(b.name)) - Number(ID_NAME.test(a.name)));

  let idColumn: ParsedColumn | undefined;
  if (ts) {
    const duplicates = duplicatePairs(null, ts.values);
    if (duplicates > 0) {
      let best = duplicates;
      let bestDistinct = Infinity;
      for (const candidate of idCandidates) {
        const d = duplicatePairs(candidate, ts.values);
        const distinct = distinctCount(candidate, n);
        if (d < best || (d === best && idColumn && distinct < bestDistinct)) {
          idColumn = candidate;
          best = d;
          bestDistinct = distinct;
        }
      }
    }
  } else {
    idColumn = idCandidates.find(
      (c): c is CategoricalColumn => c.kind === 'categorical' && ID_NAME.test(c.name) && isBlocked(c),
    );
  }
  const shape: TableShape = idColumn ? 'long' : 'wide';

  // Targets and covariates.
  const valueColumns = numeric.filter((x) => x.c !== idColumn && !indexColumns.has(x.c.name)).map((x) => x.c);
  for (const name of indexColumns) {
    const c = numeric.find((x) => x.c.name === name)?.c;
    const from = c ? c.values[0] : 1;
    notes.push(
      `Column '${name}'${/^column_\d+$/.test(name) ? ' (blank header, as R writes row names)' : ''} counts rows (${from}, ${from + 1}, ${from + 2}, …) and is ignored: it is ` +
        'neither forecast nor used as a covariate.',
    );
  }
  let targets: NumericColumn[];
  let numericCovariates: NumericColumn[] = [];
  const named = valueColumns.find((c) => TARGET_NAME.test(c.name));
  if (named) {
    targets = [named];
    numericCovariates = valueColumns.filter((c) => c !== named);
    if (numericCovariates.length > 0) {
      notes.push(
        `'${named.name}' is forecast (its name says it is the target); ` +
          `${quoted(numericCovariates.map((c) => c.name))} ${numericCovariates.length === 1 ? 'is a covariate' : 'are covariates'}.`,
      );
    }
  } else {
    // Columns that go on after the others end are covariates with known future values; the rest are series.
    const position = ts ? (r: number) => ts.values[r] : (r: number) => r;
    const last = valueColumns.map((c) => lastObserved(c, position));
    const end = Math.max(...last);
    const early = valueColumns.filter((_, i) => last[i] < end);
    const leading = early.length > 0 && early.every((c, i) => valueColumns[i] === c);
    if (leading && early.length < valueColumns.length) {
      targets = early;
      numericCovariates = valueColumns.slice(early.length);
      const one = numericCovariates.length === 1;
      notes.push(
        `${quoted(numericCovariates.map((c) => c.name))} ${one ? 'has' : 'have'} values after ` +
          `${quoted(targets.map((c) => c.name))} ${targets.length === 1 ? 'ends' : 'end'}, so ` +
          `${one ? 'it is used as a covariate' : 'they are used as covariates'} with known future values.`,
      );
    } else {
      targets = valueColumns.slice(0, MAX_DEFAULT_TARGETS);
      if (valueColumns.length > MAX_DEFAULT_TARGETS) {
        notes.push(
          `The table has ${valueColumns.length} numeric columns; the first ${MAX_DEFAULT_TARGETS} are forecast. ` +
            'Choose other target columns to forecast others.',
        );
      }
    }
    if (shape === 'long' && targets.length > 1) {
      notes.push(
        `Each of the ${targets.length} value columns is forecast per series id ('<id> · <column>'); choose ` +
          'target columns to forecast fewer.',
      );
    }
  }
  const categoricalCovariates = table.columns.filter(
    (c): c is CategoricalColumn =>
      c.kind === 'categorical' && c !== idColumn && c.distinct >= 2 && c.distinct <= Math.min(1000, n / 2),
  );

  let frequency: Frequency | undefined;
  if (ts) {
    frequency = inferTableFrequency(table, ts, idColumn) ?? undefined;
    if (!frequency) notes.push(`The frequency of '${ts.name}' cannot be inferred (fewer than two distinct times).`);
  } else {
    frequency = STEP_FREQUENCY;
    notes.push(
      'No column holds dates or times, so rows are taken as consecutive time steps. Set the frequency and the ' +
        'start of the first row to put them on a calendar.',
    );
  }

  const schema: TableSchema = {
    shape,
    targetColumns: targets.map((c) => c.name),
    covariateColumns: [...numericCovariates, ...categoricalCovariates].map((c) => c.name),
    timestampCandidates: timestampColumns.map((c) => c.name),
    idCandidates: idCandidates.map((c) => c.name),
    notes,
    rowCounters: [...indexColumns],
  };
  if (ts) schema.timestampColumn = ts.name;
  if (idColumn) schema.idColumn = idColumn.name;
  if (frequency) schema.frequency = frequency;
  return schema;
}

// ---------------------------------------------------------------------------------------------------------------
// Building series
// ---------------------------------------------------------------------------------------------------------------

function selectionError(message: string, column?: string): CsvParseError {
  return new CsvParseError('invalid-selection', message, column === undefined ? {} : { column });
}

function requireColumn(table: ParsedTable, name: string, role: string): ParsedColumn {
  const column = findColumn(table, name);
  if (!column) {
    const names = table.columns.map((c) => `'${c.name}'`).join(', ');
    throw selectionError(`There is no column '${name}' to use as ${role}. The columns are ${names}.`, name);
  }
  return column;
}

interface Grid {
  groupId: string | undefined;
  /** Grid origin (first timestamp, or 0 for steps). */
  origin: number;
  length: number;
  /** Grid position of each kept row, with its row. */
  rows: Int32Array;
  positions: Int32Array;
}

interface Plan {
  grid: Grid;
  column: NumericColumn;
  target: Float64Array;
  first: number;
  last: number;
  /** Last grid position after `last` that has a covariate value; equals `last` when none. */
  futureEnd: number;
}

const SECOND_FREQUENCY = makeFrequency('second');
const MINUTE_FREQUENCY = makeFrequency('minute');
const DAY_FREQUENCY = makeFrequency('day');

/** A timestamp at the resolution it has (date, date and minutes, or date and seconds). */
function formatInstant(ts: number): string {
  const freq = ts % 60_000 !== 0 ? SECOND_FREQUENCY : ts % 86_400_000 !== 0 ? MINUTE_FREQUENCY : DAY_FREQUENCY;
  return formatTimestamp(ts, freq);
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function rowsHave(n: number): string {
  return n === 1 ? '1 row has' : `${n} rows have`;
}

function wasWere(n: number): string {
  return n === 1 ? 'was' : 'were';
}

function describeRow(row: number): string {
  return `data row ${row + 1}`;
}

function seriesLabel(groupId: string | undefined): string {
  return groupId === undefined ? '' : ` in series '${groupId}'`;
}

/**
 * Orders one group's rows in time and places them on the frequency grid. Throws 'duplicate-timestamps' when two
 * rows share a period and 'irregular-timestamps' when a row is off the grid.
 */
function placeRows(
  rows: number[],
  groupId: string | undefined,
  ts: { name: string; values: Float64Array } | undefined,
  frequency: Frequency,
  state: { unsorted: boolean; withoutTime: number },
): Grid {
  if (!ts) {
    return {
      groupId,
      origin: 0,
      length: rows.length,
      rows: Int32Array.from(rows),
      positions: Int32Array.from(rows, (_, i) => i),
    };
  }
  const values = ts.values;
  let kept = rows.filter((r) => !Number.isNaN(values[r]));
  state.withoutTime += rows.length - kept.length;
  for (let i = 1; i < kept.length; i++) {
    if (values[kept[i]] < values[kept[i - 1]]) {
      state.unsorted = true;
      kept = [...kept].sort((a, b) => values[a] - values[b]);
      break;
    }
  }
  const origin = values[kept[0]];
  const indexOf = periodIndexer(origin, frequency);
  const positions = new Int32Array(kept.length);
  const where = (r: number) => `${describeRow(r)}${seriesLabel(groupId)}`;
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i];
    if (i > 0 && values[r] === values[kept[i - 1]]) {
      throw new CsvParseError(
        'duplicate-timestamps',
        `The timestamp ${formatTimestamp(values[r], frequency)} appears twice${seriesLabel(groupId)} ` +
          `(${describeRow(kept[i - 1])} and ${describeRow(r)}). Each series needs one row per time; remove or ` +
          'aggregate the duplicates' +
          (groupId === undefined
            ? ', or, if the file holds several series one below the other, choose the column that names them.'
            : '.'),
        { row: r + 1, column: ts.name, ...(groupId === undefined ? {} : { seriesId: groupId }) },
      );
    }
    const k = indexOf(values[r]);
    if (Number.isNaN(k)) {
      throw new CsvParseError(
        'irregular-timestamps',
        `The time ${formatInstant(values[r])} ` +
          `in ${where(r)} is not on the ${frequency.label} grid that starts at ` +
          `${formatTimestamp(origin, frequency)}. ` +
          'Resample the data to a regular frequency, or choose the frequency that fits it.',
        { row: r + 1, column: ts.name, ...(groupId === undefined ? {} : { seriesId: groupId }) },
      );
    }
    if (i > 0 && k === positions[i - 1]) {
      throw new CsvParseError(
        'duplicate-timestamps',
        `${describeRow(kept[i - 1])} and ${describeRow(r)}${seriesLabel(groupId)} fall in the same ` +
          `${frequency.label} period (${formatTimestamp(values[r], frequency)}). Aggregate them to one row per ` +
          'period, or choose a finer frequency.',
        { row: r + 1, column: ts.name, ...(groupId === undefined ? {} : { seriesId: groupId }) },
      );
    }
    positions[i] = k;
  }
  const length = kept.length === 0 ? 0 : positions[kept.length - 1] + 1;
  if (length > 10 * kept.length + 1000) {
    throw new CsvParseError(
      'irregular-timestamps',
      `Placing the ${kept.length} rows${seriesLabel(groupId)} on a ${frequency.label} grid would need ` +
        `${length.toLocaleString('en-US')} time steps, so the timestamps are far from regular (from ` +
        `${formatTimestamp(origin, frequency)} to ${formatTimestamp(values[kept[kept.length - 1]], frequency)}). ` +
        'Check for mistyped dates, or choose a coarser frequency.',
      { column: ts.name, ...(groupId === undefined ? {} : { seriesId: groupId }) },
    );
  }
  return { groupId, origin, length, rows: Int32Array.from(kept), positions };
}

function hasCovariateValue(column: NumericColumn | CategoricalColumn, row: number): boolean {
  return column.kind === 'numeric' ? !Number.isNaN(column.values[row]) : column.values[row] !== '';
}

/** A covariate's values on grid positions [from, to): numbers with NaN gaps, or text with '' gaps. */
function covariateSlice(
  column: NumericColumn | CategoricalColumn,
  grid: Grid,
  from: number,
  to: number,
): number[] | string[] {
  const size = Math.max(0, to - from);
  if (column.kind === 'numeric') {
    const out = new Array<number>(size).fill(NaN);
    for (let i = 0; i < grid.rows.length; i++) {
      const p = grid.positions[i];
      if (p >= from && p < to) out[p - from] = column.values[grid.rows[i]];
    }
    return out;
  }
  const out = new Array<string>(size).fill('');
  for (let i = 0; i < grid.rows.length; i++) {
    const p = grid.positions[i];
    if (p >= from && p < to) out[p - from] = column.values[grid.rows[i]];
  }
  return out;
}

/**
 * Turns a table and a choice of columns into the series to forecast.
 *
 * Per series (one per target column, per id in long tables): rows are ordered by time (with a warning when they
 * were not), placed on the frequency grid (missing periods become NaN), and cut to the span from the first to the
 * last observed target value. Rows after the last observed value that still carry covariate values are the known
 * future: covariates with a value there go to `futureCovariates` (the same keys for every series), and their
 * timestamps to `futureTimestamps`. Series with fewer than {@link MIN_OBSERVATIONS} values are left out with a
 * warning. Throws a {@link CsvParseError}: 'invalid-selection', 'invalid-timestamp', 'duplicate-timestamps',
 * 'irregular-timestamps', 'unknown-frequency' or 'too-few-rows'.
 */
export function buildSeries(table: ParsedTable, selection: SeriesSelection): SeriesSet {
  const warnings: string[] = [];

  // Validate the selection.
  if (selection.targetColumns.length === 0) throw selectionError('Choose at least one column to forecast.');
  const targets = selection.targetColumns.map((name) => {
    const column = requireColumn(table, name, 'target');
    if (column.kind !== 'numeric') {
      const holds = column.kind === 'timestamp' ? 'dates' : 'text';
      throw selectionError(`Column '${name}' holds ${holds}, not numbers, so it cannot be forecast.`, name);
    }
    return column;
  });
  let ts: TimestampColumn | undefined;
  if (selection.timestampColumn !== undefined) {
    const column = requireColumn(table, selection.timestampColumn, 'timestamp');
    if (column.kind !== 'timestamp') {
      throw selectionError(
        `Column '${column.name}' does not hold dates or times, so it cannot be the timestamp column.`,
        column.name,
      );
    }
    if (column.invalid > 0 && column.firstInvalid) {
      throw new CsvParseError(
        'invalid-timestamp',
        `'${column.firstInvalid.value}' in data row ${column.firstInvalid.row} of column '${column.name}' is not a ` +
          `date in the column's format (${TIMESTAMP_FORMAT_LABELS[column.format]})` +
          `${column.invalid > 1 ? `, and ${column.invalid - 1} more values are not either` : ''}. Correct or remove ` +
          'those rows and try again.',
        { row: column.firstInvalid.row, column: column.name },
      );
    }
    ts = column;
  }
  let idColumn: NumericColumn | CategoricalColumn | undefined;
  if (selection.idColumn !== undefined) {
    const column = requireColumn(table, selection.idColumn, 'series id');
    if (column.kind === 'timestamp' || selection.targetColumns.includes(column.name)) {
      throw selectionError(
        `Column '${column.name}' cannot name the series: it is ` +
          `${column.kind === 'timestamp' ? 'a date column' : 'a target'}.`,
        column.name,
      );
    }
    idColumn = column;
  }
  const covariates = selection.covariateColumns.map((name) => {
    const column = requireColumn(table, name, 'covariate');
    if (column.kind === 'timestamp' || column === idColumn || selection.targetColumns.includes(name)) {
      throw selectionError(
        `Column '${name}' cannot be a covariate: it is ` +
          `${column.kind === 'timestamp' ? 'a date column' : column === idColumn ? 'the series id' : 'a target'}.`,
        name,
      );
    }
    return column;
  });

  // Group and place rows.
  const groups = rowGroups(table, idColumn);
  const withoutId = idColumn ? table.rowCount - [...groups.values()].reduce((s, g) => s + g.length, 0) : 0;
  if (withoutId > 0) warnings.push(`${rowsHave(withoutId)} no series id and ${wasWere(withoutId)} left out.`);
  let frequency: Frequency;
  let placed: { name: string; values: Float64Array } | undefined;
  let axis: TimeAxis;
  if (!ts) {
    const start = selection.start === undefined ? null : parseStart(selection.start);
    if (selection.start !== undefined && !start) {
      throw selectionError(
        `The start '${selection.start}' is not a date. Write it like 1949-01-01, 1949-01, 1956-Q1, 2020-W05 or 1949.`,
      );
    }
    if (start && (!selection.frequency || selection.frequency.unit === 'step')) {
      throw selectionError('A start needs a frequency (monthly, quarterly, daily, ...) to place the rows in time.');
    }
    if (!start && selection.frequency && selection.frequency.unit !== 'step') {
      throw selectionError(
        `The file has no time column, so a ${selection.frequency.label} frequency needs a start date as well.`,
      );
    }
    if (start && selection.frequency) {
      frequency = selection.frequency;
      if (frequency.anchor !== undefined) {
        // Month-based periods land where the start does: on the first, or on the last day of the month.
        const d = new Date(start.ts);
        const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
        frequency = { ...frequency, anchor: d.getUTCDate() === lastDay && lastDay !== 1 ? 'end' : 'start' };
      }
      axis = {
        format: startFormat(start.format, frequency),
        example: selection.start as string,
        frequency,
        wallClock: false,
        offsets: [],
        start: start.ts,
      };
    } else {
      frequency = STEP_FREQUENCY;
      axis = stepAxis(frequency);
    }
  } else {
    const times = seriesTimes(table, ts, idColumn, selection.frequency, groups);
    if (!times.frequency) {
      throw new CsvParseError(
        'unknown-frequency',
        `The frequency of '${ts.name}' cannot be inferred: each series needs at least two different times. Add ` +
          'more rows, or choose the frequency.',
        { column: ts.name },
      );
    }
    frequency = times.frequency;
    placed = { name: ts.name, values: times.values };
    const pairs: [number, number][] = [];
    if (ts.offsets) for (let r = 0; r < table.rowCount; r++) pairs.push([times.values[r], ts.offsets[r]]);
    axis = {
      column: ts.name,
      format: ts.format,
      example: ts.example,
      frequency,
      wallClock: times.wallClock,
      offsets: offsetChanges(pairs),
    };
  }
  const state = { unsorted: false, withoutTime: 0 };
  const grids: Grid[] = [];
  for (const [key, rows] of groups) grids.push(placeRows(rows, idColumn ? key : undefined, placed, frequency, state));
  if (axis.start !== undefined) for (const grid of grids) grid.origin = axis.start;
  if (state.unsorted && ts) warnings.push(`The rows were not in time order; they were sorted by '${ts.name}'.`);
  if (state.withoutTime > 0) {
    warnings.push(`${rowsHave(state.withoutTime)} no timestamp and ${wasWere(state.withoutTime)} left out.`);
  }

  // Plan each series: its observed span and its known future.
  const plans: Plan[] = [];
  const tooShort: string[] = [];
  let gaps = 0;
  let firstGap: string | undefined;
  const futureNames = new Set<string>();
  for (const grid of grids) {
    for (const column of targets) {
      const target = new Float64Array(grid.length).fill(NaN);
      const filled = new Uint8Array(grid.length);
      for (let i = 0; i < grid.rows.length; i++) {
        target[grid.positions[i]] = column.values[grid.rows[i]];
        filled[grid.positions[i]] = 1;
      }
      let first = -1;
      let last = -1;
      let observed = 0;
      for (let p = 0; p < grid.length; p++) {
        if (Number.isNaN(target[p])) continue;
        if (first < 0) first = p;
        last = p;
        observed++;
      }
      const label = seriesId(grid.groupId, column.name, targets.length);
      if (observed < MIN_OBSERVATIONS) {
        tooShort.push(label);
        continue;
      }
      for (let p = first; p <= last; p++) {
        if (filled[p]) continue;
        gaps++;
        const where = grids.length > 1 || targets.length > 1 ? ` in '${label}'` : '';
        firstGap ??= `${formatTimestamp(addPeriods(grid.origin, frequency, p), frequency)}${where}`;
      }
      let futureEnd = last;
      for (let i = 0; i < grid.rows.length; i++) {
        const p = grid.positions[i];
        if (p <= last) continue;
        for (const covariate of covariates) {
          if (!hasCovariateValue(covariate, grid.rows[i])) continue;
          futureNames.add(covariate.name);
          futureEnd = Math.max(futureEnd, p);
        }
      }
      plans.push({ grid, column, target, first, last, futureEnd });
    }
  }
  if (plans.length === 0 && tooShort.length === 0) {
    throw new CsvParseError(
      'too-few-rows',
      'No rows are left to forecast once rows without a series id or timestamp are left out.',
    );
  }
  if (tooShort.length > 0) {
    const list = tooShort.slice(0, 5).map((s) => `'${s}'`).join(', ') + (tooShort.length > 5 ? ', ...' : '');
    if (plans.length === 0) {
      throw new CsvParseError(
        'too-few-rows',
        `No series has at least ${MIN_OBSERVATIONS} values to learn from (${list}). Add more history and try again.`,
      );
    }
    const count = tooShort.length;
    warnings.push(`${count} series with fewer than ${MIN_OBSERVATIONS} values ${wasWere(count)} left out: ${list}.`);
  }
  if (gaps > 0) {
    warnings.push(
      `${gaps} missing time step${gaps === 1 ? '' : 's'} at the ${frequency.label} frequency ${wasWere(gaps)} ` +
        `filled with missing values (first: ${firstGap}).`,
    );
  }

  // Build the series.
  const pastCovariateNames = covariates.map((c) => c.name);
  const futureCovariateNames = pastCovariateNames.filter((name) => futureNames.has(name));
  const futureColumns = covariates.filter((c) => futureNames.has(c.name));
  const series: ForecastSeries[] = plans.map((plan) => {
    const { grid, first, last, futureEnd } = plan;
    const timestamps = gridTimestamps(grid.origin, frequency, first, last);
    const future = gridTimestamps(grid.origin, frequency, last + 1, futureEnd);
    const pastCovariates: Record<string, number[] | string[]> = {};
    for (const c of covariates) pastCovariates[c.name] = covariateSlice(c, grid, first, last + 1);
    const futureCovariates: Record<string, number[] | string[]> = {};
    for (const c of futureColumns) futureCovariates[c.name] = covariateSlice(c, grid, last + 1, futureEnd + 1);
    const entry: ForecastSeries = {
      id: seriesId(grid.groupId, plan.column.name, targets.length),
      targetColumn: plan.column.name,
      timestamps,
      target: plan.target.slice(first, last + 1),
      pastCovariates,
      futureCovariates,
      futureTimestamps: future,
    };
    if (grid.groupId !== undefined) entry.groupId = grid.groupId;
    return entry;
  });
  const knownFutureLength =
    futureCovariateNames.length === 0 ? 0 : Math.min(...series.map((s) => s.futureTimestamps.length));
  if (futureCovariateNames.length > 0) {
    const longest = Math.max(...series.map((s) => s.futureTimestamps.length));
    warnings.push(
      `${futureCovariateNames.map((n) => `'${n}'`).join(', ')} ${futureCovariateNames.length === 1 ? 'is' : 'are'} ` +
        `known for ${knownFutureLength === longest ? knownFutureLength : `${knownFutureLength} to ${longest}`} ` +
        `step${longest === 1 ? '' : 's'} after the last target value; forecasts further ahead treat ` +
        `${futureCovariateNames.length === 1 ? 'it' : 'them'} as unknown.`,
    );
  }
  return { series, frequency, timeAxis: axis, pastCovariateNames, futureCovariateNames, knownFutureLength, warnings };
}

/** Separator between id and column in the name of a series of a long table with several targets. */
export const SERIES_NAME_SEPARATOR = ' · ';

/** The format to write timestamps of a user-given start in: decimal years follow the frequency. */
function startFormat(format: TimestampFormatId, frequency: Frequency): TimestampFormatId {
  if (format === 'year' || format === 'decimal-month' || format === 'decimal-quarter') {
    if (frequency.unit === 'month') return 'decimal-month';
    if (frequency.unit === 'quarter') return 'decimal-quarter';
    if (frequency.unit === 'year') return 'year';
    return 'iso';
  }
  return format;
}

function seriesId(groupId: string | undefined, column: string, targetCount: number): string {
  if (groupId === undefined) return column;
  return targetCount > 1 ? `${groupId}${SERIES_NAME_SEPARATOR}${column}` : groupId;
}


// ---------------------------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------------------------

/** Role of a column in a schema. */
export type ColumnRole = 'timestamp' | 'id' | 'target' | 'covariate' | 'unused';

/** One column as shown in a preview. */
export interface ColumnSummary {
  name: string;
  kind: ColumnKind;
  /** Timestamp format label ('YYYY-MM-DD', 'Unix seconds', ...) for timestamp columns. */
  format?: string;
  missing: number;
  role: ColumnRole;
}

/** What the UI shows about a parsed file before forecasting. */
export interface TableDescription {
  delimiter: CsvDelimiter;
  /** 'comma', 'semicolon', 'tab' or 'pipe'. */
  delimiterName: string;
  decimal: DecimalSeparator;
  hasHeader: boolean;
  encoding: string;
  shape: TableShape;
  rowCount: number;
  /** Number of series the schema's defaults give. */
  seriesCount: number;
  /** 'monthly', 'hourly', ...; absent when unknown. */
  frequencyLabel?: string;
  /** First and last timestamp, formatted at the frequency's resolution. */
  firstTimestamp?: string;
  lastTimestamp?: string;
  columns: ColumnSummary[];
  /** Column names, in file order. */
  header: string[];
  /** The first rows as text. */
  rows: string[][];
  /** Parser warnings followed by the schema's notes. */
  warnings: string[];
}

/**
 * Summarises a parsed table for a preview: detected delimiter, decimal separator, header, shape, frequency, time
 * span, row and series counts, each column's kind and role, and the first `maxRows` rows as text.
 */
export function describeTable(
  table: ParsedTable,
  schema: TableSchema = detectSchema(table),
  maxRows = 10,
): TableDescription {
  const role = (name: string): ColumnRole => {
    if (name === schema.timestampColumn) return 'timestamp';
    if (name === schema.idColumn) return 'id';
    if (schema.targetColumns.includes(name)) return 'target';
    if (schema.covariateColumns.includes(name)) return 'covariate';
    return 'unused';
  };
  const columns: ColumnSummary[] = table.columns.map((c) => {
    const summary: ColumnSummary = { name: c.name, kind: c.kind, missing: c.missing, role: role(c.name) };
    if (c.kind === 'timestamp') summary.format = TIMESTAMP_FORMAT_LABELS[c.format];
    return summary;
  });
  const idColumn = findColumn(table, schema.idColumn);
  let ids = 1;
  if (idColumn) {
    const seen = new Set<string>();
    for (let r = 0; r < table.rowCount; r++) seen.add(idText(idColumn, r));
    seen.delete('');
    ids = seen.size;
  }
  const description: TableDescription = {
    delimiter: table.delimiter,
    delimiterName: DELIMITER_NAMES[table.delimiter],
    decimal: table.decimal,
    hasHeader: table.hasHeader,
    encoding: table.encoding,
    shape: schema.shape,
    rowCount: table.rowCount,
    seriesCount: ids * schema.targetColumns.length,
    columns,
    header: table.columns.map((c) => c.name),
    rows: table.previewRows.slice(0, maxRows),
    warnings: [...table.warnings, ...schema.notes],
  };
  if (schema.frequency) description.frequencyLabel = schema.frequency.label;
  const ts = findColumn(table, schema.timestampColumn);
  if (ts && ts.kind === 'timestamp' && schema.frequency) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of ts.values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min <= max) {
      description.firstTimestamp = formatTimestamp(min, schema.frequency);
      description.lastTimestamp = formatTimestamp(max, schema.frequency);
    }
  }
  return description;
}

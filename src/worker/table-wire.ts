// A parsed table and its reading packed for the trip from the worker to the UI thread. Structured clone makes one
// string per text cell and one object per array element and per small buffer, and the UI thread pays for all of
// them when the message arrives: for a 10 MB long table (373,000 rows, 414 series) that was most of an 80-90 ms
// task. Packed, a text column is its distinct values plus an index per row, and the series' numbers travel in
// one buffer per kind; unpacking rebuilds the same objects from those in a few milliseconds.
import type { CategoricalColumn, ParsedColumn, ParsedTable } from '../data/csv';
import type { ForecastSeries, SeriesSet } from '../data/table';

/** A text column on the wire: its distinct values and, per row, the index of its value among them. */
export interface PackedTextColumn extends Omit<CategoricalColumn, 'values'> {
  words: string[];
  codes: Int32Array;
}

/** A parsed table on the wire: text columns packed, the others as they are. */
export interface PackedTable extends Omit<ParsedTable, 'columns'> {
  columns: (Exclude<ParsedColumn, CategoricalColumn> | PackedTextColumn)[];
}

/** A series on the wire: its numbers live in the set's shared buffers, at `at` (timestamps and target) and `futureAt`. */
export interface PackedSeries extends Omit<ForecastSeries, 'timestamps' | 'target' | 'futureTimestamps'> {
  length: number;
  at: number;
  futureLength: number;
  futureAt: number;
}

/** A set of series on the wire: every series' timestamps, targets and future timestamps in three buffers. */
export interface PackedSeriesSet extends Omit<SeriesSet, 'series'> {
  series: PackedSeries[];
  timestamps: Float64Array;
  targets: Float64Array;
  futureTimestamps: Float64Array;
}

/** Packs a table (its text columns; the other columns are the table's own arrays). */
export function packTable(table: ParsedTable): PackedTable {
  const columns = table.columns.map((column): PackedTable['columns'][number] => {
    if (column.kind !== 'categorical') return column;
    const { values, ...rest } = column;
    const index = new Map<string, number>();
    const codes = new Int32Array(values.length);
    for (let r = 0; r < values.length; r++) {
      let code = index.get(values[r]);
      if (code === undefined) index.set(values[r], (code = index.size));
      codes[r] = code;
    }
    return { ...rest, words: [...index.keys()], codes };
  });
  return { ...table, columns };
}

/** The buffers of a packed table and series set, to transfer rather than copy (not used by the sender afterwards). */
export function packedBuffers(table: PackedTable, set: PackedSeriesSet | null): ArrayBuffer[] {
  const views: ArrayBufferView[] = [];
  for (const column of table.columns) {
    if ('codes' in column) views.push(column.codes);
    else views.push(column.values, ...(column.kind === 'timestamp' && column.offsets ? [column.offsets] : []));
  }
  if (set) views.push(set.timestamps, set.targets, set.futureTimestamps);
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) if (view.buffer instanceof ArrayBuffer) buffers.add(view.buffer);
  return [...buffers];
}

/** The table {@link packTable} packed. */
export function unpackTable(packed: PackedTable): ParsedTable {
  const columns = packed.columns.map((column): ParsedColumn => {
    if (!('codes' in column)) return column;
    const { words, codes, ...rest } = column;
    const values = new Array<string>(codes.length);
    for (let r = 0; r < codes.length; r++) values[r] = words[codes[r]];
    return { ...rest, values };
  });
  return { ...packed, columns };
}

/** Packs a set of series into three buffers. */
export function packSeriesSet(set: SeriesSet): PackedSeriesSet {
  let total = 0;
  let futureTotal = 0;
  for (const s of set.series) {
    total += s.target.length;
    futureTotal += s.futureTimestamps.length;
  }
  const timestamps = new Float64Array(total);
  const targets = new Float64Array(total);
  const futureTimestamps = new Float64Array(futureTotal);
  let at = 0;
  let futureAt = 0;
  const series = set.series.map((s): PackedSeries => {
    const { timestamps: times, target, futureTimestamps: future, ...rest } = s;
    const packed = { ...rest, length: target.length, at, futureLength: future.length, futureAt };
    timestamps.set(times, at);
    targets.set(target, at);
    futureTimestamps.set(future, futureAt);
    at += target.length;
    futureAt += future.length;
    return packed;
  });
  return { ...set, series, timestamps, targets, futureTimestamps };
}

/** The set of series {@link packSeriesSet} packed; each target gets a buffer of its own again. */
export function unpackSeriesSet(packed: PackedSeriesSet): SeriesSet {
  const { series, timestamps, targets, futureTimestamps, ...rest } = packed;
  return {
    ...rest,
    series: series.map(({ length, at, futureLength, futureAt, ...s }): ForecastSeries => ({
      ...s,
      timestamps: numbers(timestamps, at, length),
      target: targets.slice(at, at + length),
      futureTimestamps: numbers(futureTimestamps, futureAt, futureLength),
    })),
  };
}

/** `length` numbers of `buffer` from `at`, as a plain array (a loop: `Array.from` on a typed array is far slower). */
function numbers(buffer: Float64Array, at: number, length: number): number[] {
  const out: number[] = [];
  for (let i = at; i < at + length; i++) out.push(buffer[i]);
  return out;
}

// The one error type of the data layer. Every way a user's file can fail (unreadable, empty, no numbers,
// duplicate timestamps, ...) is a `CsvParseError` with a machine-readable `code`, so the UI can react to the
// code and show the message, which always says what went wrong and what to do about it.

/** Why a CSV file could not be turned into a table or into forecastable series. */
export type CsvErrorCode =
  /** The file has no content (zero bytes, or only whitespace). */
  | 'empty'
  /** The file has a header row and no data rows. */
  | 'header-only'
  /** The file is not text (NUL bytes or many control characters near the start): an Excel workbook, an image, ... */
  | 'binary'
  /** No column holds numbers, so there is nothing to forecast. */
  | 'no-numeric-column'
  /** Fewer data rows (or observed values in a series) than a forecast needs. */
  | 'too-few-rows'
  /** The file is larger than the configured maximum size. */
  | 'too-large'
  /** The file has more columns than the configured maximum. */
  | 'too-many-columns'
  /** The file has more data rows than the configured maximum. */
  | 'too-many-rows'
  /** A quoted field never ends, so the rest of the file would be read as one value. */
  | 'unclosed-quote'
  /** A single line is longer than the parser carries between chunks, and it holds no quote. */
  | 'line-too-long'
  /** Two rows of the same series have the same timestamp. */
  | 'duplicate-timestamps'
  /** A value in the timestamp column is not a date in the column's format. */
  | 'invalid-timestamp'
  /** Timestamps do not fall on a regular grid at the inferred (or chosen) frequency. */
  | 'irregular-timestamps'
  /** The frequency cannot be inferred (fewer than two distinct timestamps). */
  | 'unknown-frequency'
  /** The chosen target/id/timestamp/covariate columns do not fit the table. */
  | 'invalid-selection'
  /** The file could not be read (I/O error from the browser or the runtime). */
  | 'read-failed'
  /** Parsing was cancelled through the caller's AbortSignal. */
  | 'aborted';

/** Where in the file an error was found, when it is about one place. */
export interface CsvErrorLocation {
  /** 1-based data row (the header is not counted). */
  row?: number;
  /** Column name. */
  column?: string;
  /** Series id (long tables). */
  seriesId?: string;
}

/**
 * A user's CSV file cannot be used as it is. `message` is meant to be shown as is: it names the problem, where it is
 * (row, column, series) when that is known, and what to change. Crosses a worker boundary as `{name, code, message}`.
 */
export class CsvParseError extends Error {
  override readonly name = 'CsvParseError';
  /** What went wrong, for programs. */
  readonly code: CsvErrorCode;
  /** Where it went wrong, when known. */
  readonly location: CsvErrorLocation;

  constructor(code: CsvErrorCode, message: string, location: CsvErrorLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.location = location;
  }
}

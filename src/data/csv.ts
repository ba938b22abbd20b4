// The boundary between a user's file and the app: reads a CSV string, Blob or File in chunks through papaparse,
// rejects what cannot be a table (binary files, empty files, oversized files) with a `CsvParseError`, sniffs the
// delimiter, decimal separator, encoding and header, and types every column (numeric, timestamp, categorical)
// while streaming, so a 100 MB file is never held as rows of strings all at once. The result, a `ParsedTable`, is
// plain data (typed arrays, strings) that can be posted out of a Web Worker. Runs in browsers, workers and Node.

import Papa from 'papaparse';
import {
  chooseDecimal,
  decimalEvidence,
  isInfiniteToken,
  isMissingToken,
  looksNumeric,
  parseNumber,
  trimCell,
  type DecimalSeparator,
} from './cells';
import { CsvParseError } from './errors';
import {
  detectTimestampFormat,
  diagnoseDateColumn,
  looksLikeTimestamp,
  parseTimestamp,
  TIMESTAMP_FORMAT_LABELS,
  zoneOffsetMinutes,
  type TimestampFormatId,
} from './timestamps';

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

/** Field delimiters the parser recognises. */
export type CsvDelimiter = ',' | ';' | '\t' | '|';

/** What a column holds. */
export type ColumnKind = 'numeric' | 'timestamp' | 'categorical';

/** A cell that did not fit its column's kind. */
export interface InvalidCell {
  /** 1-based data row (header not counted). */
  row: number;
  value: string;
}

interface ColumnBase {
  name: string;
  /** Missing cells (empty, NA, N/A, NaN, null, -, ?, ...). */
  missing: number;
}

/** A column of numbers; missing cells (and cells that are not numbers, see `invalid`) are NaN. */
export interface NumericColumn extends ColumnBase {
  kind: 'numeric';
  values: Float64Array;
  /** Cells that were not numbers and were read as missing. */
  invalid: number;
  firstInvalid?: InvalidCell;
}

/** A column of timestamps as UTC milliseconds; missing or unparseable cells are NaN. */
export interface TimestampColumn extends ColumnBase {
  kind: 'timestamp';
  values: Float64Array;
  format: TimestampFormatId;
  /** Cells that are not dates in `format`. */
  invalid: number;
  firstInvalid?: InvalidCell;
  /** The first value as written in the file (its style: separators, time of day, zone), for writing timestamps back. */
  example: string;
  /** Per row, the UTC offset in minutes the cell was written with (NaN without one); absent when no cell has one. */
  offsets?: Float64Array;
}

/** A column of text; missing cells are ''. */
export interface CategoricalColumn extends ColumnBase {
  kind: 'categorical';
  values: string[];
  /** Number of distinct non-missing values, counted up to 100 000. */
  distinct: number;
}

/** One typed column of a {@link ParsedTable}. */
export type ParsedColumn = NumericColumn | TimestampColumn | CategoricalColumn;

/** A user's CSV file as typed columns. Structured-cloneable (can be posted from a worker). */
export interface ParsedTable {
  columns: ParsedColumn[];
  /** Number of data rows (header not counted). */
  rowCount: number;
  delimiter: CsvDelimiter;
  decimal: DecimalSeparator;
  hasHeader: boolean;
  /** Text encoding the file was read in ('utf-8', 'windows-1252', 'utf-16le', ...; strings: 'utf-16'). */
  encoding: string;
  /** The first data rows as trimmed text cells, one entry per column, for previews. */
  previewRows: string[][];
  /** Columns that hold `NN/NN/YYYY` dates in which day and month cannot be told apart (read as text). */
  ambiguousDateColumns: string[];
  /** Things the user should know that did not stop parsing (encoding fallback, skipped lines, bad cells). */
  warnings: string[];
  /**
   * Columns that look like dates but were read as text because some values are in another format, are not real
   * dates, or have a year outside 1000–9999; each with the message that says which values.
   */
  unreadableDateColumns?: { column: string; message: string }[];
}

/** Options of {@link parseCsv}. Every field is optional; defaults are sniffed from the file. */
export interface ParseCsvOptions {
  /** Field delimiter; sniffed from the first 64 KiB when omitted. */
  delimiter?: CsvDelimiter;
  /** Decimal separator; sniffed from the first rows when omitted. */
  decimal?: DecimalSeparator;
  /** Whether the first row names the columns; sniffed when omitted. */
  hasHeader?: boolean;
  /** How to read `NN/NN/YYYY` dates in which no day is above 12; such columns stay text without it. */
  dateOrder?: 'dmy' | 'mdy';
  /** Text encoding of Blob inputs ('utf-8', 'windows-1252', ...); sniffed from the BOM and UTF-8 validity. */
  encoding?: string;
  /** Largest accepted input in bytes (Blob) or characters (string). Default 200 MiB. */
  maxBytes?: number;
  /** Largest accepted number of columns. Default 1000. */
  maxColumns?: number;
  /** Largest accepted number of data rows. Default 5 000 000. */
  maxRows?: number;
  /** Fewest data rows accepted. Default 3 (fewer cannot be forecast). */
  minRows?: number;
  /** Size of the text chunks handed to papaparse. Default 1 MiB. */
  chunkSize?: number;
  /** Cancels parsing; the promise then rejects with a `CsvParseError` with code 'aborted'. */
  signal?: AbortSignal;
}

/** Progress of {@link parseCsv}, reported after every chunk. */
export interface ParseProgress {
  /** Bytes (Blob) or characters (string) read so far. */
  loaded: number;
  /** Total bytes (Blob) or characters (string). */
  total: number;
  /** Data rows parsed so far. */
  rows: number;
}

/** Default limits of {@link parseCsv}. */
export const CSV_LIMITS = Object.freeze({
  maxBytes: 200 * 1024 * 1024,
  maxColumns: 1000,
  maxRows: 5_000_000,
  minRows: 3,
});

/** Human names of delimiters, for messages and previews. */
export const DELIMITER_NAMES: Readonly<Record<CsvDelimiter, string>> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'pipe',
};

// ---------------------------------------------------------------------------------------------------------------
// Reading the input
// ---------------------------------------------------------------------------------------------------------------

const HEAD_BYTES = 64 * 1024;
const BINARY_PROBE = 1024;
/** Rows read before the header and decimal separator are decided. */
const SAMPLE_ROWS = 200;
/** Non-missing values a column sees before it commits to a kind. */
const DECIDE_AFTER = 200;
/** Rows a column may hold as text while it is still undecided (mostly empty or ambiguous dates). */
const MAX_PENDING = 100_000;
/** Longest text papaparse may carry over between chunks; more means a quote that never closes. */
const MAX_CARRY_CHARS = 16 * 1024 * 1024;
const PREVIEW_ROWS = 50;
const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];

interface TextChunk {
  text: string;
  /** Input consumed so far, in the unit of `TextSource.total`. */
  loaded: number;
}

interface TextSource {
  total: number;
  encoding: string;
  /** Start of the text (up to 64 KiB), BOM removed, for sniffing. */
  head: string;
  /** Whether `head` is the whole input. */
  headIsAll: boolean;
  warnings: string[];
  chunks(): AsyncGenerator<TextChunk>;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function binaryError(): CsvParseError {
  return new CsvParseError(
    'binary',
    'This file is not text: it looks like a binary file (for example an Excel workbook, a zip archive or an image). ' +
      'Export the data as CSV (in Excel: File > Save As > "CSV UTF-8") and try again.',
  );
}

/** Whether the start of the text is binary: a NUL, or more than 10% control or replacement characters. */
function looksBinary(text: string): boolean {
  const n = Math.min(text.length, BINARY_PROBE);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0xfffd) odd++;
  }
  return n > 0 && odd > 0.1 * n;
}

/** Yields control to the event loop so a worker can receive a cancel message between chunks. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function stringSource(input: string, chunkSize: number): TextSource {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const headIsAll = text.length <= HEAD_BYTES;
  const head = headIsAll ? text : text.slice(0, HEAD_BYTES);
  return {
    total: text.length,
    encoding: 'utf-16',
    head,
    headIsAll,
    warnings: [],
    async *chunks() {
      for (let start = 0; start < text.length; start += chunkSize) {
        const end = Math.min(start + chunkSize, text.length);
        yield { text: text.slice(start, end), loaded: end };
        await nextTask();
      }
    },
  };
}

async function readBytes(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  } catch (cause) {
    throw new CsvParseError(
      'read-failed',
      'The file could not be read. It may have been moved or changed while loading; select it again.',
      {},
      { cause },
    );
  }
}

/**
 * UTF-16 text without a byte-order mark (some exporters write it): ASCII characters then have a zero in every
 * other byte, at odd offsets (little-endian) or even offsets (big-endian), and nowhere else.
 */
function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(head.length, BINARY_PROBE) & ~1;
  if (n < 8) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros >= 0.9 * pairs && evenZeros === 0) return 'utf-16le';
  if (evenZeros >= 0.9 * pairs && oddZeros === 0) return 'utf-16be';
  return null;
}

/** Picks the encoding of a Blob from its BOM, else UTF-8 when the head is valid UTF-8, else Windows-1252. */
function sniffEncoding(head: Uint8Array, warnings: string[]): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const utf16 = utf16WithoutBom(head);
  if (utf16) {
    warnings.push(`The file has no byte-order mark; it was read as ${utf16.toUpperCase()} (its bytes alternate with zeros).`);
    return utf16;
  }
  for (let i = 0; i < Math.min(head.length, BINARY_PROBE); i++) if (head[i] === 0) throw binaryError();
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf-8';
  } catch {
    warnings.push(
      'The file is not valid UTF-8; it was read as Windows-1252 (Western European). If letters look wrong, save ' +
        'the file as "CSV UTF-8" and load it again.',
    );
    return 'windows-1252';
  }
}

async function blobSource(blob: Blob, chunkSize: number, encodingOption: string | undefined): Promise<TextSource> {
  const headBytes = await readBytes(blob, 0, HEAD_BYTES);
  const warnings: string[] = [];
  const encoding = encodingOption ?? sniffEncoding(headBytes, warnings);
  let head: string;
  try {
    head = new TextDecoder(encoding).decode(headBytes, { stream: blob.size > HEAD_BYTES });
  } catch (cause) {
    throw new CsvParseError(
      'read-failed',
      `The text encoding "${encoding}" is not supported here. Save the file as "CSV UTF-8" and try again.`,
      {},
      { cause },
    );
  }
  return {
    total: blob.size,
    encoding,
    head,
    headIsAll: blob.size <= HEAD_BYTES,
    warnings,
    async *chunks() {
      const decoder = new TextDecoder(encoding);
      for (let start = 0; start < blob.size; start += chunkSize) {
        const end = Math.min(start + chunkSize, blob.size);
        const bytes = await readBytes(blob, start, end);
        yield { text: decoder.decode(bytes, { stream: end < blob.size }), loaded: end };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sniffing
// ---------------------------------------------------------------------------------------------------------------

/** Text up to the last complete line, so sniffing never sees a cut row. */
function completeLines(head: string, isAll: boolean): string {
  if (isAll) return head;
  const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf('\r'));
  return cut > 0 ? head.slice(0, cut) : head;
}

/**
 * Picks the delimiter that splits the first rows into the most consistent number of fields (at least two), then
 * the one whose fields most often read as numbers, dates or missing values, then the usual order , ; tab |.
 * A leading Excel `sep=;` line decides outright.
 */
function sniffDelimiter(sample: string): CsvDelimiter {
  const sep = /^sep=(.)\s*(?:\r?\n|$)/i.exec(sample);
  if (sep && (DELIMITERS as readonly string[]).includes(sep[1])) return sep[1] as CsvDelimiter;
  let best: CsvDelimiter = ',';
  let bestScore: readonly number[] = [-1];
  DELIMITERS.forEach((delimiter, order) => {
    const rows = Papa.parse<string[]>(sample, { delimiter, preview: 60, skipEmptyLines: 'greedy' }).data;
    if (rows.length === 0) return;
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
    let modeFields = 0;
    let modeCount = 0;
    for (const [fields, count] of counts) if (count > modeCount) [modeFields, modeCount] = [fields, count];
    let typed = 0;
    let cells = 0;
    for (const row of rows.slice(1)) {
      for (const raw of row) {
        const cell = trimCell(raw);
        cells++;
        if (isMissingToken(cell) || looksNumeric(cell) || looksLikeTimestamp(cell)) typed++;
      }
    }
    const consistency = Math.round((modeCount / rows.length) * 20) / 20;
    const score = [modeFields >= 2 ? 1 : 0, consistency, cells ? typed / cells : 0, -order];
    for (let i = 0; i < score.length; i++) {
      if (score[i] === bestScore[i]) continue;
      if (score[i] > bestScore[i]) [best, bestScore] = [delimiter, score];
      break;
    }
  });
  return best;
}

type KindGuess =
  | { kind: 'numeric' }
  | { kind: 'timestamp'; format: TimestampFormatId }
  | { kind: 'categorical' }
  | { kind: 'ambiguous-day-month'; example: string };

interface TypingContext {
  decimal: DecimalSeparator;
  dateOrder?: 'dmy' | 'mdy';
}

const NUMBER_LIKE_FORMATS = new Set<TimestampFormatId>([
  'year',
  'ymd-compact',
  'epoch-seconds',
  'epoch-milliseconds',
  'decimal-month',
  'decimal-quarter',
]);

/**
 * Decides what a column holds from its (trimmed, non-missing) values: a year, compact date or Unix time when the
 * name says "time" and every value fits; else numbers when every value is one; else timestamps when every value
 * parses in one format; else text. No values at all counts as numeric (an empty column of a numeric table).
 */
function guessKind(name: string, values: readonly string[], ctx: TypingContext): KindGuess {
  if (values.length === 0) return { kind: 'numeric' };
  const detected = detectTimestampFormat(name, values, { dateOrder: ctx.dateOrder });
  if (detected.kind === 'format' && NUMBER_LIKE_FORMATS.has(detected.format)) {
    return { kind: 'timestamp', format: detected.format };
  }
  // Infinite values (`Infinity`, `-inf`) keep a column numeric; they are read as missing, with a warning.
  if (values.every((v) => !Number.isNaN(parseNumber(v, ctx.decimal)) || isInfiniteToken(v))) return { kind: 'numeric' };
  if (detected.kind === 'format') return { kind: 'timestamp', format: detected.format };
  if (detected.kind === 'ambiguous-day-month') return detected;
  return { kind: 'categorical' };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------------------------

class Float64Builder {
  private buffer = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  finish(): Float64Array {
    return this.buffer.slice(0, this.length);
  }
}

const MAX_INTERNED = 100_000;

/**
 * Accumulates one column while the file streams. It holds its first cells as text until it has seen enough values
 * to choose a kind, then converts them and parses every later cell directly into numbers or timestamps, so only
 * text columns keep strings (interned, so repeated ids and categories share one string).
 */
class ColumnBuilder {
  private state: 'pending' | ColumnKind = 'pending';
  private pending: string[] = [];
  private pendingValues = 0;
  private decideAt = DECIDE_AFTER;
  private readonly numbers = new Float64Builder();
  private readonly strings: string[] = [];
  private readonly interned = new Map<string, string>();
  private format: TimestampFormatId = 'iso';
  private missing = 0;
  private invalid = 0;
  private firstInvalid: InvalidCell | undefined;
  /** Example value when the column ended up as text because day and month order is ambiguous. */
  ambiguousExample: string | undefined;
  /** Why a column that looks like dates ended up as text (mixed formats, impossible dates), when it did. */
  dateProblem: string | undefined;
  /** Numeric cells that were infinite (`Infinity`, `-inf`, `1e400`). */
  infinite = 0;
  private example: string | undefined;
  private offsets: Float64Builder | null = null;

  constructor(
    readonly name: string,
    private readonly ctx: TypingContext,
  ) {}

  /** Adds the (trimmed) cell of data row `row` (0-based; rows arrive in order starting at 0). */
  push(cell: string, row: number): void {
    const missing = isMissingToken(cell);
    if (missing) this.missing++;
    switch (this.state) {
      case 'pending':
        this.pending.push(missing ? '' : cell);
        if (!missing) this.pendingValues++;
        if (this.pendingValues >= this.decideAt || this.pending.length >= MAX_PENDING) this.decide(false);
        return;
      case 'numeric': {
        if (missing) {
          this.numbers.push(NaN);
          return;
        }
        const value = parseNumber(cell, this.ctx.decimal);
        // 1e400 and `Infinity` are numbers of the column, but no observation a model can use.
        if (!Number.isFinite(value) && (isInfiniteToken(cell) || !Number.isNaN(value))) this.infinite++;
        this.numbers.push(this.checked(Number.isFinite(value) ? value : NaN, cell, row));
        return;
      }
      case 'timestamp':
        if (missing) {
          this.numbers.push(NaN);
          this.offsets?.push(NaN);
          return;
        }
        this.example ??= cell;
        this.numbers.push(this.checked(parseTimestamp(cell, this.format), cell, row));
        this.pushOffset(cell, row);
        return;
      case 'categorical':
        this.strings.push(missing ? '' : this.intern(cell));
        return;
    }
  }

  /** Records the UTC offset of a timestamp cell; the offsets array exists from the first cell that has one. */
  private pushOffset(cell: string, row: number): void {
    const zoned = this.format === 'iso' || this.format === 'ymd-slash' || this.format === 'dmy-dot' ||
      this.format === 'dmy-slash' || this.format === 'mdy-slash';
    const offset = zoned ? zoneOffsetMinutes(cell) : null;
    if (offset === null) {
      this.offsets?.push(NaN);
      return;
    }
    if (!this.offsets) {
      this.offsets = new Float64Builder();
      for (let r = 0; r < row; r++) this.offsets.push(NaN);
    }
    this.offsets.push(offset);
  }

  private checked(value: number, cell: string, row: number): number {
    if (Number.isNaN(value)) {
      this.invalid++;
      this.firstInvalid ??= { row: row + 1, value: cell };
    }
    return value;
  }

  private intern(cell: string): string {
    const known = this.interned.get(cell);
    if (known !== undefined) return known;
    if (this.interned.size < MAX_INTERNED) this.interned.set(cell, cell);
    return cell;
  }

  /** Chooses the kind from the pending cells; keeps waiting while dates are ambiguous, unless `final`. */
  private decide(final: boolean): void {
    const values = this.pending.filter((v) => v !== '');
    const guess = guessKind(this.name, values, this.ctx);
    if (guess.kind === 'ambiguous-day-month' && !final && this.pending.length < MAX_PENDING) {
      this.decideAt = this.pendingValues * 2;
      return;
    }
    if (guess.kind === 'ambiguous-day-month') {
      this.ambiguousExample = guess.example;
      this.state = 'categorical';
    } else if (guess.kind === 'categorical') {
      this.state = 'categorical';
      const problem = diagnoseDateColumn(this.name, values);
      if (problem) {
        this.dateProblem =
          `Column '${this.name}' looks like dates (${problem.matching} of the first ${problem.sampled} values are ` +
          `${TIMESTAMP_FORMAT_LABELS[problem.format]}), but '${problem.example}' is not a date in that format (a ` +
          'mixed format, an impossible date or a year outside 1000–9999), so it was read as text and cannot be the ' +
          'time axis. Write every date in one format, or set the frequency and start.';
      }
    } else {
      this.state = guess.kind;
      if (guess.kind === 'timestamp') this.format = guess.format;
    }
    const pending = this.pending;
    this.pending = [];
    this.missing = 0;
    pending.forEach((cell, row) => this.push(cell, row));
  }

  finish(): ParsedColumn {
    if (this.state === 'pending') this.decide(true);
    const base = { name: this.name, missing: this.missing };
    switch (this.state) {
      case 'timestamp':
        return {
          ...base,
          kind: 'timestamp',
          values: this.numbers.finish(),
          format: this.format,
          invalid: this.invalid,
          ...(this.firstInvalid ? { firstInvalid: this.firstInvalid } : {}),
          example: this.example ?? '',
          ...(this.offsets ? { offsets: this.offsets.finish() } : {}),
        };
      case 'categorical':
        return { ...base, kind: 'categorical', values: this.strings, distinct: this.interned.size };
      default:
        return {
          ...base,
          kind: 'numeric',
          values: this.numbers.finish(),
          invalid: this.invalid,
          ...(this.firstInvalid ? { firstInvalid: this.firstInvalid } : {}),
        };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rows → columns
// ---------------------------------------------------------------------------------------------------------------

interface AccumulatorOptions {
  delimiter: CsvDelimiter;
  decimal?: DecimalSeparator;
  hasHeader?: boolean;
  dateOrder?: 'dmy' | 'mdy';
  maxColumns: number;
  maxRows: number;
}

function tooManyColumns(found: number, max: number): CsvParseError {
  return new CsvParseError(
    'too-many-columns',
    `The file has ${found} columns; at most ${max} are supported. Remove columns you do not need (or transpose ` +
      'the table so that each series is a column and time runs down the rows) and try again.',
  );
}

/** Unique, non-empty column names: blanks become `column_<n>`, repeats get `_2`, `_3`, ... */
function columnNames(header: readonly string[] | null, count: number): string[] {
  const names: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const raw = header ? trimCell(header[i] ?? '') : '';
    let name = raw === '' ? `column_${i + 1}` : raw;
    for (let n = 2; used.has(name); n++) name = `${raw === '' ? `column_${i + 1}` : raw}_${n}`;
    used.add(name);
    names.push(name);
  }
  return names;
}

/**
 * Turns the stream of parsed rows into columns. The first rows are buffered to decide the header and the decimal
 * separator; after that every row goes straight into the column builders.
 */
class TableAccumulator {
  private sample: string[][] | null = [];
  private builders: ColumnBuilder[] = [];
  private names: string[] = [];
  /** Columns whose header cell is blank (or all columns, without a header). */
  private unnamed: boolean[] = [];
  private columnCount = 0;
  private decimal: DecimalSeparator = '.';
  private hasHeader = false;
  private rows = 0;
  private sawAnyRow = false;
  private readonly preview: string[][] = [];
  private extraFieldRows = 0;
  private firstExtraFieldRow = 0;
  private skipped: string[] = [];
  private skippedCount = 0;

  constructor(private readonly options: AccumulatorOptions) {}

  get rowCount(): number {
    return this.rows;
  }

  push(rows: readonly string[][]): void {
    for (const row of rows) {
      if (row.length > this.options.maxColumns) throw tooManyColumns(row.length, this.options.maxColumns);
      this.sawAnyRow = true;
      if (this.sample) {
        this.sample.push(row);
        if (this.sample.length >= SAMPLE_ROWS) this.start();
      } else {
        this.addRow(row);
      }
    }
  }

  /** Decides header, decimal separator and column names from the buffered rows, then replays them. */
  private start(): void {
    const sample = this.sample ?? [];
    this.sample = null;
    // Title lines ("Monthly sales report") and Excel's "sep=;" line before the header are not part of the table.
    const first = sample[0];
    if (first && /^sep=.?$/i.test(trimCell(first[0] ?? '')) && first.every((c, i) => i === 0 || c === '')) {
      sample.shift();
    }
    const widest = sample.reduce((m, r) => Math.max(m, r.length), 0);
    while (widest >= 2 && sample.length > 1 && sample[0].length === 1 && !this.isDataLike(trimCell(sample[0][0]))) {
      this.skip(sample[0], -1);
      sample.shift();
    }

    const cells: string[] = [];
    for (const row of sample) for (const cell of row) cells.push(trimCell(cell));
    this.decimal = this.options.decimal ?? chooseDecimal(decimalEvidence(cells), this.options.delimiter);
    this.hasHeader = this.options.hasHeader ?? this.detectHeader(sample);

    const header = (this.hasHeader ? sample.shift() : undefined) ?? null;
    this.columnCount = header ? header.length : sample.reduce((m, r) => Math.max(m, r.length), 0);
    this.names = columnNames(header, this.columnCount);
    this.unnamed = this.names.map((_, c) => header === null || trimCell(header[c] ?? '') === '');
    const ctx: TypingContext = { decimal: this.decimal, dateOrder: this.options.dateOrder };
    this.builders = this.names.map((name) => new ColumnBuilder(name, ctx));
    for (const row of sample) this.addRow(row);
  }

  private isDataLike(cell: string): boolean {
    return isMissingToken(cell) || looksNumeric(cell) || looksLikeTimestamp(cell);
  }

  /**
   * The first row is a header when, in some column, the rows below are numbers or dates and the first cell is not.
   * When no column decides it, it is a header if every first cell is non-empty text that is neither a number nor a
   * date.
   */
  private detectHeader(sample: readonly string[][]): boolean {
    if (sample.length === 0) return false;
    const [first, ...rest] = sample;
    let headerVotes = 0;
    let dataVotes = 0;
    const ctx: TypingContext = { decimal: this.decimal, dateOrder: this.options.dateOrder };
    for (let c = 0; c < first.length; c++) {
      const cell = trimCell(first[c]);
      if (isMissingToken(cell)) continue;
      const values: string[] = [];
      for (const row of rest) {
        const v = trimCell(row[c] ?? '');
        if (!isMissingToken(v)) values.push(v);
      }
      if (values.length === 0) {
        if (this.isDataLike(cell)) dataVotes++;
        else headerVotes++;
        continue;
      }
      const guess = guessKind(cell, values, ctx);
      if (guess.kind === 'numeric') {
        if (Number.isNaN(parseNumber(cell, this.decimal))) headerVotes++;
        else dataVotes++;
      } else if (guess.kind === 'timestamp') {
        if (Number.isNaN(parseTimestamp(cell, guess.format))) headerVotes++;
        else dataVotes++;
      }
    }
    if (headerVotes > 0) return true;
    if (dataVotes > 0) return false;
    return first.every((raw) => {
      const cell = trimCell(raw);
      return cell !== '' && !this.isDataLike(cell);
    });
  }

  private skip(row: readonly string[], dataRow: number): void {
    this.skippedCount++;
    if (this.skipped.length < 3) {
      const where = dataRow >= 0 ? ` after data row ${dataRow}` : ' before the header';
      this.skipped.push(`'${trimCell(row[0]).slice(0, 60)}'${where}`);
    }
  }

  private addRow(row: readonly string[]): void {
    const n = this.columnCount;
    // A lone text field in a multi-column table is a note or footer ("Source: ..."), not data.
    if (row.length === 1 && n >= 2 && !this.isDataLike(trimCell(row[0]))) {
      this.skip(row, this.rows);
      return;
    }
    if (this.rows >= this.options.maxRows) {
      throw new CsvParseError(
        'too-many-rows',
        `The file has more than ${this.options.maxRows.toLocaleString('en-US')} data rows, the most that can be ` +
          'loaded. Aggregate the data to a coarser frequency or keep only the most recent rows, and try again.',
      );
    }
    if (row.length > n) {
      for (let c = n; c < row.length; c++) {
        if (trimCell(row[c]) !== '') {
          if (this.extraFieldRows++ === 0) this.firstExtraFieldRow = this.rows + 1;
          break;
        }
      }
    }
    const r = this.rows++;
    const keep = this.preview.length < PREVIEW_ROWS ? new Array<string>(n) : null;
    for (let c = 0; c < n; c++) {
      const cell = c < row.length ? trimCell(row[c]) : '';
      this.builders[c].push(cell, r);
      if (keep) keep[c] = cell;
    }
    if (keep) this.preview.push(keep);
  }

  finish(source: { encoding: string; warnings: readonly string[] }, minRows: number): ParsedTable {
    if (this.sample) this.start();
    if (!this.sawAnyRow) {
      throw new CsvParseError(
        'empty',
        'The file is empty. Choose a CSV file with a header row and at least a few rows of data.',
      );
    }
    if (this.rows === 0 && this.hasHeader) {
      throw new CsvParseError(
        'header-only',
        `The file has a header row (${this.names.slice(0, 5).join(', ')}${this.names.length > 5 ? ', ...' : ''}) ` +
          'but no data rows. Add the data below the header and try again.',
      );
    }
    if (this.rows < minRows) {
      throw new CsvParseError(
        'too-few-rows',
        `The file has only ${this.rows} data row${this.rows === 1 ? '' : 's'}; at least ${minRows} are needed ` +
          'to forecast. Add more history (one row per time step) and try again.',
      );
    }

    const warnings = [...source.warnings];
    const ambiguousDateColumns: string[] = [];
    const unreadableDateColumns: { column: string; message: string }[] = [];
    const columns: ParsedColumn[] = [];
    const keep: number[] = [];
    const built = this.builders.map((builder) => builder.finish());
    // Trailing delimiters (Excel's "a;b;;") make nameless, empty columns; drop them. Without a header, only the
    // empty columns at the end are dropped, so that column_<n> keeps naming the n-th field.
    let lastFilled = built.length - 1;
    while (lastFilled > 0 && built[lastFilled].missing === this.rows) lastFilled--;
    this.builders.forEach((builder, c) => {
      const column = built[c];
      const empty = column.missing === this.rows;
      if (empty && this.unnamed[c] && (this.hasHeader || c > lastFilled)) return;
      columns.push(column);
      keep.push(c);
      if (builder.ambiguousExample !== undefined) {
        ambiguousDateColumns.push(column.name);
        warnings.push(
          `Column '${column.name}' holds dates like '${builder.ambiguousExample}' in which day and month cannot be ` +
            'told apart (no day is above 12), so it was read as text. Choose the date order (day first or month ' +
            'first), or write the dates as YYYY-MM-DD.',
        );
      }
      if (builder.dateProblem !== undefined) {
        unreadableDateColumns.push({ column: column.name, message: builder.dateProblem });
        warnings.push(builder.dateProblem);
      }
      if (column.kind === 'numeric' && builder.infinite > 0) {
        warnings.push(
          `Column '${column.name}': ${builder.infinite} value${builder.infinite === 1 ? ' is' : 's are'} infinite ` +
            `(such as 'Infinity' or '1e400') and ${builder.infinite === 1 ? 'was' : 'were'} read as missing.`,
        );
      }
      if (column.kind === 'numeric' && builder.infinite > 0 && column.invalid === builder.infinite) {
        // Said above; the generic "not numbers" warning would repeat it.
      } else if ((column.kind === 'numeric' || column.kind === 'timestamp') && column.invalid > 0 && column.firstInvalid) {
        const what =
          column.kind === 'numeric' ? 'numbers' : `dates in the format ${TIMESTAMP_FORMAT_LABELS[column.format]}`;
        warnings.push(
          `Column '${column.name}': ${column.invalid} value${column.invalid === 1 ? ' is' : 's are'} not ${what} ` +
            `and ${column.invalid === 1 ? 'was' : 'were'} read as missing (first: '${column.firstInvalid.value}' in ` +
            `data row ${column.firstInvalid.row}).`,
        );
      }
    });

    if (!columns.some((c) => c.kind === 'numeric' && c.missing < this.rows)) {
      const kinds = columns
        .slice(0, 6)
        .map((c) => `${c.name} (${c.kind === 'timestamp' ? 'dates' : c.kind === 'numeric' ? 'empty' : 'text'})`);
      const decimalHint =
        this.decimal === ','
          ? "Numbers were expected with ',' as decimal separator"
          : "Numbers were expected with '.' as decimal separator";
      throw new CsvParseError(
        'no-numeric-column',
        `No column holds numbers, so there is nothing to forecast. Columns found: ${kinds.join(', ')}` +
          `${columns.length > 6 ? ', ...' : ''}. Check that the file uses one delimiter ` +
          `(${DELIMITER_NAMES[this.options.delimiter]} was detected) and that values are plain numbers. ` +
          `${decimalHint}.`,
      );
    }
    if (this.skippedCount > 0) {
      warnings.push(
        `Skipped ${this.skippedCount} line${this.skippedCount === 1 ? '' : 's'} holding a single text field, ` +
          `such as a title or a footnote (${this.skipped.join('; ')}).`,
      );
    }
    if (this.extraFieldRows > 0) {
      warnings.push(
        `${this.extraFieldRows} row${this.extraFieldRows === 1 ? ' has' : 's have'} more fields than the header; ` +
          `the extra fields were ignored (first: data row ${this.firstExtraFieldRow}). Check for unquoted ` +
          'delimiters inside values.',
      );
    }

    return {
      columns,
      rowCount: this.rows,
      delimiter: this.options.delimiter,
      decimal: this.decimal,
      hasHeader: this.hasHeader,
      encoding: source.encoding,
      previewRows: this.preview.map((row) => keep.map((c) => row[c])),
      ambiguousDateColumns,
      warnings,
      ...(unreadableDateColumns.length > 0 ? { unreadableDateColumns } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// papaparse streaming
// ---------------------------------------------------------------------------------------------------------------

type Listener = (arg?: string) => void;

/**
 * The part of a Node readable stream that `Papa.parse` drives for stream inputs (`on('data' | 'end' | 'error')`,
 * `removeListener`, `pause`, `resume`). Feeding text through it gives one chunked path, with papaparse joining
 * rows that straddle chunks, for strings and Blobs, in browsers, workers and Node alike; papaparse's own File
 * reader needs `FileReader`, which Node does not have.
 */
class TextChunkEmitter {
  readonly readable = true;
  private readonly listeners = new Map<string, Listener[]>();

  read(): null {
    return null;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  pause(): void {}

  resume(): void {}

  emit(event: 'data' | 'end', text?: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener(text);
  }
}

async function streamRows(
  source: TextSource,
  delimiter: CsvDelimiter,
  accumulator: TableAccumulator,
  signal: AbortSignal | undefined,
  onProgress: ((progress: ParseProgress) => void) | undefined,
): Promise<void> {
  const emitter = new TextChunkEmitter();
  let failure: unknown;
  let fed = 0;
  let rowsBefore = 0;
  /** The last chunks fed, enough to cover what papaparse carries over. */
  const recent: string[] = [];
  /** Whether the last `length` characters fed hold a quote (an open quoted field, rather than one long line). */
  const tailHasQuote = (length: number): boolean => {
    let left = length;
    for (let i = recent.length - 1; i >= 0 && left > 0; i--) {
      const t = recent[i];
      if ((left >= t.length ? t : t.slice(t.length - left)).includes('"')) return true;
      left -= t.length;
    }
    return false;
  };
  // NOTE: the cast is the duck-typed stream input papaparse documents for Node (`ReadableStreamStreamer`).
  Papa.parse<string[], Papa.LocalFile>(emitter as unknown as Papa.LocalFile, {
    delimiter,
    header: false,
    skipEmptyLines: 'greedy',
    chunk(results, parser) {
      if (failure !== undefined) return;
      try {
        const unclosed = results.errors.find((e) => e.code === 'MissingQuotes');
        if (unclosed) {
          throw new CsvParseError(
            'unclosed-quote',
            `A quoted value that starts near data row ${rowsBefore + (unclosed.row ?? 0)} never ends (a " without ` +
              'its closing "). Fix or remove the stray quote and try again.',
          );
        }
        accumulator.push(results.data);
        rowsBefore += results.data.length;
        if (fed - results.meta.cursor > MAX_CARRY_CHARS) {
          if (!tailHasQuote(fed - results.meta.cursor)) {
            throw new CsvParseError(
              'line-too-long',
              `A line after data row ${accumulator.rowCount} is longer than ${formatSize(MAX_CARRY_CHARS)} and ` +
                'holds no line break the parser recognises. Check that the file is a CSV with one row per line ' +
                '(not one huge line, or a format with another line ending), and try again.',
            );
          }
          throw new CsvParseError(
            'unclosed-quote',
            `A quoted value that starts after data row ${accumulator.rowCount} does not end within ` +
              `${formatSize(MAX_CARRY_CHARS)} (a " without its closing "). Fix or remove the stray quote and try ` +
              'again.',
          );
        }
      } catch (error) {
        failure = error;
        parser.abort();
      }
    },
    complete() {},
    error(error) {
      failure ??= error;
    },
  });

  for await (const { text, loaded } of source.chunks()) {
    if (signal?.aborted) failure ??= new CsvParseError('aborted', 'Loading the file was cancelled.');
    if (failure !== undefined) break;
    fed += text.length;
    recent.push(text);
    // Only the text papaparse still carries matters; older chunks are dropped once beyond the carry limit.
    let kept = 0;
    for (const t of recent) kept += t.length;
    while (recent.length > 1 && kept - recent[0].length > MAX_CARRY_CHARS + text.length) kept -= recent.shift()!.length;
    emitter.emit('data', text);
    onProgress?.({ loaded, total: source.total, rows: accumulator.rowCount });
  }
  if (failure === undefined) emitter.emit('end');
  if (failure !== undefined) throw failure;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------------

/**
 * Parses a user's CSV (a string, or a Blob/File read in chunks) into typed columns.
 *
 * Sniffs the encoding (Blob: BOM, else UTF-8, else Windows-1252), delimiter (comma, semicolon, tab, pipe), decimal
 * separator (`12,5` → ','), header row and column kinds; reads NA, N/A, NaN, null, -, ?, ... as missing. Rejects
 * with a {@link CsvParseError}: 'too-large', 'binary', 'empty', 'header-only', 'too-few-rows', 'too-many-columns',
 * 'too-many-rows', 'unclosed-quote', 'no-numeric-column', 'read-failed' or 'aborted'.
 *
 * @param input CSV text, or a Blob/File (read in `chunkSize` slices, never whole).
 * @param options Overrides for sniffed settings and limits.
 * @param onProgress Called after every chunk.
 */
export async function parseCsv(
  input: string | Blob,
  options: ParseCsvOptions = {},
  onProgress?: (progress: ParseProgress) => void,
): Promise<ParsedTable> {
  const maxBytes = options.maxBytes ?? CSV_LIMITS.maxBytes;
  const size = typeof input === 'string' ? input.length : input.size;
  if (size > maxBytes) {
    throw new CsvParseError(
      'too-large',
      `The file is ${formatSize(size)}; the largest file that can be loaded is ${formatSize(maxBytes)}. Keep ` +
        'fewer rows (for example only recent history) or aggregate to a coarser frequency, and try again.',
    );
  }
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const source =
    typeof input === 'string' ? stringSource(input, chunkSize) : await blobSource(input, chunkSize, options.encoding);
  if (looksBinary(source.head)) throw binaryError();

  const delimiter = options.delimiter ?? sniffDelimiter(completeLines(source.head, source.headIsAll));
  const accumulator = new TableAccumulator({
    delimiter,
    decimal: options.decimal,
    hasHeader: options.hasHeader,
    dateOrder: options.dateOrder,
    maxColumns: options.maxColumns ?? CSV_LIMITS.maxColumns,
    maxRows: options.maxRows ?? CSV_LIMITS.maxRows,
  });
  await streamRows(source, delimiter, accumulator, options.signal, onProgress);
  return accumulator.finish(source, options.minRows ?? CSV_LIMITS.minRows);
}

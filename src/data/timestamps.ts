// Everything about time in a user's file: recognising which date format a column uses, parsing it to UTC
// milliseconds, inferring the sampling frequency, and the calendar arithmetic that regularises a series and
// extends it into the future. Pure functions over numbers and strings, so they run in a worker and in Node alike.
//
// NOTE: dates are parsed with explicit patterns and `Date.UTC`, not date-fns. date-fns v4 reads and writes local
// time, and in a browser a wall-clock time that does not exist locally (a DST gap) would silently move; timestamps
// without an offset are taken as UTC wall-clock times instead, so a series never gains or loses an hour.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

// ---------------------------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------------------------

/** The timestamp formats a column can be recognised in. */
export type TimestampFormatId =
  /** `YYYY-MM-DD`, optionally with ` HH:mm[:ss[.fff]]` or `THH:mm...` and `Z` / `±HH:mm`. */
  | 'iso'
  /** `YYYY/MM/DD` or `YYYY.MM.DD`, optionally with a time. */
  | 'ymd-slash'
  /** `DD.MM.YYYY`, optionally with a time. */
  | 'dmy-dot'
  /** `DD/MM/YYYY` or `DD-MM-YYYY`, optionally with a time (chosen only when some day is above 12). */
  | 'dmy-slash'
  /** `MM/DD/YYYY` or `MM-DD-YYYY`, optionally with a time and AM/PM (chosen only when some day is above 12). */
  | 'mdy-slash'
  /** `YYYY-MM` (monthly data). */
  | 'year-month'
  /** `YYYY-Qn`, `YYYYQn` or `Qn YYYY` (quarterly data), stamped at the quarter's first day. */
  | 'year-quarter'
  /** `YYYY` in a column named like a year or date (yearly data). */
  | 'year'
  /** `YYYYMMDD` in a column named like a date. */
  | 'ymd-compact'
  /** Unix time in seconds (1971..2100) in a column named like time/timestamp/epoch. */
  | 'epoch-seconds'
  /** Unix time in milliseconds (1971..2100) in a column named like time/timestamp/epoch. */
  | 'epoch-milliseconds'
  /** R `ts` monthly time as a decimal year (`1959.0833…` is February 1959) in a column named like time/year. */
  | 'decimal-month'
  /** R `ts` quarterly time as a decimal year (`1956.25` is 1956 Q2) in a column named like time/year. */
  | 'decimal-quarter'
  /** ISO week `2020-W05` (or `2020W05`, `2020-W05-1`), stamped at the week's Monday. */
  | 'iso-week'
  /** English month name and year: `Jan 2020`, `January 2020`, `Jan-2020`, `2020 Jan`. */
  | 'month-name';

/** How each format is shown to users. */
export const TIMESTAMP_FORMAT_LABELS: Readonly<Record<TimestampFormatId, string>> = {
  iso: 'YYYY-MM-DD',
  'ymd-slash': 'YYYY/MM/DD',
  'dmy-dot': 'DD.MM.YYYY',
  'dmy-slash': 'DD/MM/YYYY',
  'mdy-slash': 'MM/DD/YYYY',
  'year-month': 'YYYY-MM',
  'year-quarter': 'YYYY-Qn',
  year: 'YYYY',
  'ymd-compact': 'YYYYMMDD',
  'epoch-seconds': 'Unix seconds',
  'epoch-milliseconds': 'Unix milliseconds',
  'decimal-month': 'decimal year (monthly, R ts)',
  'decimal-quarter': 'decimal year (quarterly, R ts)',
  'iso-week': 'YYYY-Www (ISO week)',
  'month-name': 'Mon YYYY',
};

/** Earliest and latest calendar year accepted in any date (Date.UTC maps 0..99 to 1900..1999). */
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

/** Column names that make a bare year, `YYYYMMDD` or a Unix time plausible as a timestamp. */
const TIME_NAME = /date|time|stamp|epoch|unix|year|jahr|period|datum|zeit|fecha|^ds$|^ts$|^yr$/i;
/** Earliest and latest instants accepted for Unix times and compact dates. */
const EPOCH_MIN_S = 31_536_000; // 1971-01-01
const EPOCH_MAX_S = 4_102_444_800; // 2100-01-01

// Optional time of day after a date: ` 14:00`, `T14:00:05.123`, ` 2:00 PM`, then an optional zone.
const TIME_PART =
  '(?:(?:[T ]|\\s+)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(?:\\s*([AaPp])\\.?[Mm]\\.?)?)?' +
  '\\s*(Z|[+-]\\d{2}(?::?\\d{2})?|UTC|GMT)?';
const ISO_RE = new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})${TIME_PART}$`);
const YMD_SLASH_RE = new RegExp(`^(\\d{4})[/.](\\d{1,2})[/.](\\d{1,2})${TIME_PART}$`);
const DMY_DOT_RE = new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})${TIME_PART}$`);
const SLASH_RE = new RegExp(`^(\\d{1,2})([/-])(\\d{1,2})\\2(\\d{4})${TIME_PART}$`);
const YEAR_MONTH_RE = /^(\d{4})[-/](\d{1,2})$/;
const YEAR_QUARTER_RE = /^(?:(\d{4})\s*-?\s*[Qq]([1-4])|[Qq]([1-4])\s*[-/ ]?\s*(\d{4}))$/;
const YEAR_RE = /^\d{4}$/;
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})$/;
const EPOCH_RE = /^\d{8,13}(?:\.\d+)?$/;
const DECIMAL_YEAR_RE = /^\d{4}(?:\.\d+)?$/;
const ISO_WEEK_RE = /^(\d{4})-?W(\d{2})(?:-?([1-7]))?$/i;
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_NAME_RE = /^(?:([A-Za-z]{3,9})\.?[\s,/-]+(\d{4})|(\d{4})[\s,/-]+([A-Za-z]{3,9})\.?)$/;

/** Month number (1-12) of an English month name or its 3-letter abbreviation (`Sept` too), else 0. */
function monthOfName(name: string): number {
  const lower = name.toLowerCase();
  if (lower === 'sept') return 9;
  const i = MONTH_NAMES.findIndex((m) => m === lower || (lower.length === 3 && m.startsWith(lower)));
  return i + 1;
}

/** UTC ms of the Monday of ISO week `week` of ISO year `year`, or NaN when the week does not exist. */
function isoWeekMonday(year: number, week: number): number {
  if (year < MIN_YEAR || year > MAX_YEAR || week < 1 || week > 53) return NaN;
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Day = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  const monday = jan4 - jan4Day * DAY + (week - 1) * WEEK;
  if (week === 53) {
    // A 53rd week exists only when the year's Dec 28 falls in it.
    const dec28 = Date.UTC(year, 11, 28);
    if (monday > dec28) return NaN;
  }
  return monday;
}

/** The ISO year and week of a UTC timestamp. */
export function isoWeekOf(ts: number): { year: number; week: number } {
  const d = new Date(ts);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - day * DAY + 3 * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK) + 1;
  return { year, week };
}

/** A decimal year as (year, fraction) when the fraction is a whole number of `1/perYear` (within 1e-4), else null. */
function decimalYear(text: string, perYear: number): { year: number; index: number } | null {
  if (!DECIMAL_YEAR_RE.test(text)) return null;
  const v = Number(text);
  const year = Math.floor(v + 1e-9);
  const scaled = (v - year) * perYear;
  const index = Math.round(scaled);
  if (Math.abs(scaled - index) > 1e-4 * perYear || index >= perYear) return null;
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  return { year, index };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Number of days in `month` (1-12) of `year`. */
function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : MONTH_DAYS[month - 1];
}

// Calendar dates by integer arithmetic (proleptic Gregorian, days counted from 1970-01-01; the civil-from-days
// algorithms of Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"). Frequency inference and row
// placement read the date of every row of a file; a `Date` per call made that most of a large file's analysis.

/** The UTC date of an instant, written into one shared array (year, month 1-12, day) that the next call reuses. */
const DATE_PARTS = new Int32Array(3);

/** Year, month (1-12) and day of the UTC instant `ts`, in {@link DATE_PARTS}: read them before the next call. */
function utcDateParts(ts: number): Int32Array {
  const z = Math.floor(ts / DAY) + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  DATE_PARTS[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  DATE_PARTS[1] = month;
  DATE_PARTS[2] = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  return DATE_PARTS;
}

/** Days since 1970-01-01 of a calendar date (month 1-12; any year, unlike `Date.UTC`, which maps 0..99 to 19xx). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** Milliseconds since the start of the UTC day of `ts`. */
function timeOfDay(ts: number): number {
  return ts - Math.floor(ts / DAY) * DAY;
}

/** UTC milliseconds of a calendar date and time, or NaN when a field is out of range. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year < MIN_YEAR || year > MAX_YEAR) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Applies the time-of-day groups that follow the date groups of a TIME_PART match (hour, minute, second, fraction,
 * am/pm, zone) to a date, returning UTC milliseconds or NaN.
 */
function withTime(year: number, month: number, day: number, m: RegExpExecArray, first: number): number {
  const hourText = m[first];
  let hour = hourText === undefined ? 0 : Number(hourText);
  const minute = m[first + 1] === undefined ? 0 : Number(m[first + 1]);
  const second = m[first + 2] === undefined ? 0 : Number(m[first + 2]);
  const fraction = m[first + 3];
  const ms = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  const ampm = m[first + 4];
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return NaN;
    const pm = ampm === 'p' || ampm === 'P';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const base = utc(year, month, day, hour, minute, second, ms);
  const zone = m[first + 5];
  if (zone === undefined || zone === 'Z' || zone === 'UTC' || zone === 'GMT') return base;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
  return base - sign * offsetMinutes * MINUTE;
}

/**
 * Parses one (trimmed, non-missing) cell in a known format to UTC milliseconds. Times without a zone are taken as
 * UTC. Returns NaN when the text is not a valid date in that format (e.g. `2023-02-30`).
 */
export function parseTimestamp(text: string, format: TimestampFormatId): number {
  let m: RegExpExecArray | null;
  switch (format) {
    case 'iso':
      m = ISO_RE.exec(text);
      return m ? withTime(+m[1], +m[2], +m[3], m, 4) : NaN;
    case 'ymd-slash':
      m = YMD_SLASH_RE.exec(text);
      return m ? withTime(+m[1], +m[2], +m[3], m, 4) : NaN;
    case 'dmy-dot':
      m = DMY_DOT_RE.exec(text);
      return m ? withTime(+m[3], +m[2], +m[1], m, 4) : NaN;
    case 'dmy-slash':
      m = SLASH_RE.exec(text);
      return m ? withTime(+m[4], +m[3], +m[1], m, 5) : NaN;
    case 'mdy-slash':
      m = SLASH_RE.exec(text);
      return m ? withTime(+m[4], +m[1], +m[3], m, 5) : NaN;
    case 'year-month':
      m = YEAR_MONTH_RE.exec(text);
      return m ? utc(+m[1], +m[2], 1) : NaN;
    case 'year-quarter': {
      m = YEAR_QUARTER_RE.exec(text);
      if (!m) return NaN;
      const year = m[1] !== undefined ? +m[1] : +m[4];
      const quarter = m[2] !== undefined ? +m[2] : +m[3];
      return utc(year, quarter * 3 - 2, 1);
    }
    case 'year': {
      if (!YEAR_RE.test(text)) return NaN;
      const year = +text;
      return year >= MIN_YEAR && year <= MAX_YEAR ? utc(year, 1, 1) : NaN;
    }
    case 'decimal-month': {
      const d = decimalYear(text, 12);
      return d ? utc(d.year, d.index + 1, 1) : NaN;
    }
    case 'decimal-quarter': {
      const d = decimalYear(text, 4);
      return d ? utc(d.year, d.index * 3 + 1, 1) : NaN;
    }
    case 'iso-week': {
      m = ISO_WEEK_RE.exec(text);
      if (!m) return NaN;
      const monday = isoWeekMonday(+m[1], +m[2]);
      return m[3] === undefined ? monday : monday + (+m[3] - 1) * DAY;
    }
    case 'month-name': {
      m = MONTH_NAME_RE.exec(text);
      if (!m) return NaN;
      const month = monthOfName(m[1] ?? m[4]);
      return month === 0 ? NaN : utc(+(m[2] ?? m[3]), month, 1);
    }
    case 'ymd-compact': {
      m = COMPACT_RE.exec(text);
      if (!m || +m[1] < 1800 || +m[1] > 2200) return NaN;
      return utc(+m[1], +m[2], +m[3]);
    }
    case 'epoch-seconds': {
      if (!EPOCH_RE.test(text)) return NaN;
      const s = Number(text);
      return s >= EPOCH_MIN_S && s <= EPOCH_MAX_S ? Math.round(s * 1000) : NaN;
    }
    case 'epoch-milliseconds': {
      if (!EPOCH_RE.test(text)) return NaN;
      const ms = Number(text);
      return ms >= EPOCH_MIN_S * 1000 && ms <= EPOCH_MAX_S * 1000 ? Math.round(ms) : NaN;
    }
  }
}

/** Result of looking at a column's values for a timestamp format. */
export type TimestampDetection =
  | { kind: 'format'; format: TimestampFormatId }
  /** Dates like `03/04/2024` where no value tells day and month apart; `example` is one of them. */
  | { kind: 'ambiguous-day-month'; example: string }
  | { kind: 'none' };

/** Options of {@link detectTimestampFormat}. */
export interface TimestampDetectionOptions {
  /** How to read `NN/NN/YYYY` dates when no day is above 12. Without it, such columns are not timestamps. */
  dateOrder?: 'dmy' | 'mdy';
}

function allParse(values: readonly string[], format: TimestampFormatId): boolean {
  for (const v of values) if (Number.isNaN(parseTimestamp(v, format))) return false;
  return true;
}

/** Formats tried in order on text columns; the first that parses every value wins. */
export const TEXT_FORMATS: readonly TimestampFormatId[] = [
  'iso',
  'ymd-slash',
  'dmy-dot',
  'year-month',
  'year-quarter',
  'iso-week',
  'month-name',
];
/** Formats that look like plain numbers and need a column name that says "time". */
const NUMBER_LIKE_FORMATS: readonly TimestampFormatId[] = [
  'year',
  'decimal-quarter',
  'decimal-month',
  'ymd-compact',
  'epoch-seconds',
  'epoch-milliseconds',
];

/**
 * Finds the one format in which every value of a column parses. `values` are the column's trimmed, non-missing
 * cells (a sample is enough; the whole column is better for day/month order). Number-like formats (`YYYY`,
 * `YYYYMMDD`, Unix times) are only considered when `columnName` looks like a time column. `NN/NN/YYYY` dates are
 * day-first or month-first only when some value proves it (a first or second field above 12), or when
 * `options.dateOrder` says so; otherwise the result is `ambiguous-day-month`.
 */
export function detectTimestampFormat(
  columnName: string,
  values: readonly string[],
  options: TimestampDetectionOptions = {},
): TimestampDetection {
  if (values.length === 0) return { kind: 'none' };
  const first = values[0];
  for (const format of TEXT_FORMATS) {
    if (!Number.isNaN(parseTimestamp(first, format)) && allParse(values, format)) return { kind: 'format', format };
  }
  if (SLASH_RE.test(first)) {
    const dmy = allParse(values, 'dmy-slash');
    const mdy = allParse(values, 'mdy-slash');
    if (dmy && mdy) {
      if (options.dateOrder) return { kind: 'format', format: options.dateOrder === 'dmy' ? 'dmy-slash' : 'mdy-slash' };
      return { kind: 'ambiguous-day-month', example: first };
    }
    if (dmy) return { kind: 'format', format: 'dmy-slash' };
    if (mdy) return { kind: 'format', format: 'mdy-slash' };
    return { kind: 'none' };
  }
  if (TIME_NAME.test(columnName)) {
    for (const format of NUMBER_LIKE_FORMATS) {
      if (!Number.isNaN(parseTimestamp(first, format)) && allParse(values, format)) return { kind: 'format', format };
    }
  }
  return { kind: 'none' };
}

/** Why a column that looks like dates could not be read as one timestamp format. */
export interface DateColumnProblem {
  /** The format most of its values are in. */
  format: TimestampFormatId;
  /** How many of the sampled values are in that format, and how many were sampled. */
  matching: number;
  sampled: number;
  /** A value that is not in that format (another format, an impossible date, a year outside 1000–9999). */
  example: string;
}

/**
 * For a column that did not get a timestamp format: whether most of its values (at least half, and at least two)
 * are dates in one format, so the user is told which values spoil it instead of the column silently becoming text.
 */
export function diagnoseDateColumn(columnName: string, values: readonly string[]): DateColumnProblem | null {
  if (values.length < 2) return null;
  const formats: TimestampFormatId[] = [...TEXT_FORMATS, 'dmy-slash', 'mdy-slash'];
  if (TIME_NAME.test(columnName)) formats.push(...NUMBER_LIKE_FORMATS);
  let best: { format: TimestampFormatId; matching: number } | null = null;
  for (const format of formats) {
    let matching = 0;
    for (const v of values) if (!Number.isNaN(parseTimestamp(v, format))) matching++;
    if (matching > (best?.matching ?? 0)) best = { format, matching };
  }
  // Out-of-range years match no format; count values that look like a date of the best format's shape.
  const yearLike = /^\d{1,5}-\d{1,2}-\d{1,2}(?:[T ].*)?$/;
  const shaped = values.filter((v) => yearLike.test(v)).length;
  if ((!best || best.matching < shaped) && shaped >= Math.max(2, values.length / 2)) {
    best = { format: 'iso', matching: values.filter((v) => !Number.isNaN(parseTimestamp(v, 'iso'))).length };
  }
  if (!best || best.matching === values.length) return null;
  if (best.matching < Math.max(2, values.length / 2) && shaped < Math.max(2, values.length / 2)) return null;
  const format = best.format;
  const example = values.find((v) => Number.isNaN(parseTimestamp(v, format))) ?? values[0];
  return { format, matching: best.matching, sampled: values.length, example };
}

/** Whether a single cell looks like a date or date-time in any text format (used to tell headers from data). */
export function looksLikeTimestamp(text: string): boolean {
  for (const format of TEXT_FORMATS) if (!Number.isNaN(parseTimestamp(text, format))) return true;
  return !Number.isNaN(parseTimestamp(text, 'dmy-slash')) || !Number.isNaN(parseTimestamp(text, 'mdy-slash'));
}

// ---------------------------------------------------------------------------------------------------------------
// Frequency
// ---------------------------------------------------------------------------------------------------------------

/** Unit of a sampling frequency. `step` means "no timestamps, consecutive integer steps". */
export type FrequencyUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year' | 'step';

/** A regular sampling frequency: `step` units apart, e.g. `{unit: 'minute', step: 15, label: '15-minute'}`. */
export interface Frequency {
  unit: FrequencyUnit;
  /** Number of units between consecutive observations (≥ 1, except for sub-second data in seconds). */
  step: number;
  /** Human label: 'hourly', '15-minute', 'monthly', 'quarterly', ... */
  label: string;
  /**
   * Month, quarter and year units only: whether observations are stamped on the last day of the month ('end'), or
   * on a fixed day of the month, usually the first ('start'). Decides where future periods land.
   */
  anchor?: 'start' | 'end';
}

const FIXED_UNIT_MS: Partial<Record<FrequencyUnit, number>> = {
  second: SECOND,
  minute: MINUTE,
  hour: HOUR,
  day: DAY,
  week: WEEK,
};
const MONTHS_PER_UNIT: Partial<Record<FrequencyUnit, number>> = { month: 1, quarter: 3, year: 12 };

const SINGLE_LABELS: Record<FrequencyUnit, string> = {
  second: 'secondly',
  minute: 'minutely',
  hour: 'hourly',
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  quarter: 'quarterly',
  year: 'yearly',
  step: 'steps',
};

/** Builds a {@link Frequency} with its label, e.g. `makeFrequency('minute', 15)` → label '15-minute'. */
export function makeFrequency(unit: FrequencyUnit, step = 1, anchor?: 'start' | 'end'): Frequency {
  const label = step === 1 || unit === 'step' ? SINGLE_LABELS[unit] : `${step}-${unit}`;
  const freq: Frequency = { unit, step, label };
  if (MONTHS_PER_UNIT[unit] !== undefined) freq.anchor = anchor ?? 'start';
  return freq;
}

/** The frequency of data without a timestamp column: consecutive integer steps. */
export const STEP_FREQUENCY: Frequency = Object.freeze(makeFrequency('step', 1));

/** Months since year 0 of the UTC month of `ts`. */
function monthIndex(ts: number): number {
  const parts = utcDateParts(ts);
  return parts[0] * 12 + parts[1] - 1;
}

/**
 * Most frequent value; ties go to the smaller value. Steps of regular data repeat in long runs, so the counts are
 * kept per run of equal values, not per value.
 */
function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; ) {
    const v = values[i];
    let end = i + 1;
    while (end < values.length && values[end] === v) end++;
    counts.set(v, (counts.get(v) ?? 0) + end - i);
    i = end;
  }
  let best = NaN;
  let bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && v < best)) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** The finite values in ascending order without repeats (as they are, when they already are). */
function sortedUnique(values: ArrayLike<number>): Float64Array {
  let ascending = true;
  for (let i = 0; i < values.length && ascending; i++) ascending = Number.isFinite(values[i]) && (i === 0 || values[i] > values[i - 1]);
  if (ascending) return values instanceof Float64Array ? values : Float64Array.from(values);
  const sorted = Float64Array.from(values).filter((v) => Number.isFinite(v));
  sorted.sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i];
  return sorted.subarray(0, n);
}

/**
 * Infers the frequency of one series from its timestamps (UTC ms, any order, duplicates and NaN ignored).
 * See {@link inferSharedFrequency}. Returns null with fewer than two distinct timestamps.
 */
export function inferFrequency(timestamps: ArrayLike<number>): Frequency | null {
  return inferSharedFrequency([timestamps]);
}

/**
 * Infers one frequency shared by several series (the ids of a long table) from the most common step between
 * consecutive timestamps, so gaps do not matter as long as most steps are regular. Steps of about a month or more
 * are measured in calendar months (monthly, quarterly, yearly; stamped at month start or month end); shorter steps
 * in fixed units (weeks, days, hours, minutes, seconds). Returns null with fewer than two distinct timestamps.
 */
export function inferSharedFrequency(groups: readonly ArrayLike<number>[]): Frequency | null {
  const series = groups.map(sortedUnique);
  const diffs: number[] = [];
  for (const ts of series) for (let i = 1; i < ts.length; i++) diffs.push(ts[i] - ts[i - 1]);
  if (diffs.length === 0) return null;
  const step = mode(diffs);

  if (step >= 27 * DAY) {
    // Calendar steps: every observation in its own month, all at one time of day.
    const monthDiffs: number[] = [];
    const timesOfDay = new Set<number>();
    let previous = 0;
    let total = 0;
    let starts = 0;
    let ends = 0;
    for (const ts of series) {
      for (let i = 0; i < ts.length; i++) {
        const parts = utcDateParts(ts[i]);
        const year = parts[0];
        const month = parts[1];
        const day = parts[2];
        total++;
        if (day === 1) starts++;
        if (day === daysInMonth(year, month)) ends++;
        timesOfDay.add(timeOfDay(ts[i]));
        const index = year * 12 + month - 1;
        if (i > 0) monthDiffs.push(index - previous);
        previous = index;
      }
    }
    if (timesOfDay.size === 1 && monthDiffs.every((m) => m >= 1)) {
      const months = mode(monthDiffs);
      const anchor = starts >= 0.9 * total ? 'start' : ends >= 0.9 * total ? 'end' : 'start';
      if (months % 12 === 0) return makeFrequency('year', months / 12, anchor);
      if (months % 3 === 0) return makeFrequency('quarter', months / 3, anchor);
      return makeFrequency('month', months, anchor);
    }
  }
  for (const unit of ['week', 'day', 'hour', 'minute', 'second'] as const) {
    const ms = FIXED_UNIT_MS[unit] as number;
    if (step % ms === 0) return makeFrequency(unit, step / ms);
  }
  return makeFrequency('second', step / SECOND);
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar arithmetic
// ---------------------------------------------------------------------------------------------------------------

/**
 * The instant in month `target` (months since year 0) on day `dayOfMonth` (clamped to the month's length, or its
 * last day with the 'end' anchor) at `time` ms after midnight UTC.
 */
function calendarPeriod(target: number, dayOfMonth: number, time: number, anchor: Frequency['anchor']): number {
  const year = Math.floor(target / 12);
  const month = target - year * 12 + 1;
  const last = daysInMonth(year, month);
  const day = anchor === 'end' ? last : Math.min(dayOfMonth, last);
  return daysFromCivil(year, month, day) * DAY + time;
}

/**
 * The timestamp `k` periods after `ts` (before, for negative `k`). Fixed units add milliseconds; months, quarters
 * and years move the calendar month and keep the day of month (clamped to the month's length), or land on the last
 * day of the month when `freq.anchor` is 'end'. The time of day is kept. For `step` frequencies, adds `k * step`.
 */
export function addPeriods(ts: number, freq: Frequency, k: number): number {
  if (freq.unit === 'step') return ts + k * freq.step;
  const fixed = FIXED_UNIT_MS[freq.unit];
  if (fixed !== undefined) return ts + k * freq.step * fixed;
  const months = k * freq.step * (MONTHS_PER_UNIT[freq.unit] as number);
  const parts = utcDateParts(ts);
  return calendarPeriod(parts[0] * 12 + parts[1] - 1 + months, parts[2], timeOfDay(ts), freq.anchor);
}

/**
 * The timestamps of periods `from` to `to` (inclusive) of the grid that starts at `origin`: `addPeriods(origin,
 * freq, k)` for each k, with the origin's date worked out once (a large file's series hold many of them).
 */
export function gridTimestamps(origin: number, freq: Frequency, from: number, to: number): number[] {
  const out = new Array<number>(Math.max(0, to - from + 1));
  const perStep = MONTHS_PER_UNIT[freq.unit];
  if (perStep === undefined) {
    for (let k = from; k <= to; k++) out[k - from] = addPeriods(origin, freq, k);
    return out;
  }
  const parts = utcDateParts(origin);
  const originMonth = parts[0] * 12 + parts[1] - 1;
  const originDay = parts[2];
  const time = timeOfDay(origin);
  const months = freq.step * perStep;
  for (let k = from; k <= to; k++) out[k - from] = calendarPeriod(originMonth + k * months, originDay, time, freq.anchor);
  return out;
}

/**
 * {@link periodIndex} on the grid that starts at `origin`, as a function of the timestamp, with the origin's date
 * worked out once (row placement asks it for every row of a file).
 */
export function periodIndexer(origin: number, freq: Frequency): (ts: number) => number {
  if (freq.unit === 'step') {
    return (ts) => {
      const k = (ts - origin) / freq.step;
      return Number.isInteger(k) ? k : NaN;
    };
  }
  const fixed = FIXED_UNIT_MS[freq.unit];
  if (fixed !== undefined) {
    const stepMs = fixed * freq.step;
    const tolerance = Math.min(stepMs / 10, 2 * HOUR);
    return (ts) => {
      const k = Math.round((ts - origin) / stepMs);
      return Math.abs(ts - (origin + k * stepMs)) <= tolerance ? k : NaN;
    };
  }
  const parts = utcDateParts(origin);
  const originMonth = parts[0] * 12 + parts[1] - 1;
  const originDay = parts[2];
  const time = timeOfDay(origin);
  const months = (MONTHS_PER_UNIT[freq.unit] as number) * freq.step;
  return (ts) => {
    const k = Math.round((monthIndex(ts) - originMonth) / months);
    return Math.abs(ts - calendarPeriod(originMonth + k * months, originDay, time, freq.anchor)) <= 3 * DAY ? k : NaN;
  };
}

/** The `h` timestamps that follow `lastTs` at frequency `freq` (for labelling a forecast horizon). */
export function futureTimestamps(lastTs: number, freq: Frequency, h: number): number[] {
  const out = new Array<number>(h);
  for (let k = 1; k <= h; k++) out[k - 1] = addPeriods(lastTs, freq, k);
  return out;
}

/**
 * Position of `ts` on the grid that starts at `origin` with frequency `freq`, or NaN when `ts` is off the grid.
 * Small deviations are tolerated and snapped: up to a tenth of the step (at most two hours, which covers daylight
 * saving shifts in data with UTC offsets) for fixed units, up to three days for calendar units (business
 * month-ends).
 */
export function periodIndex(origin: number, ts: number, freq: Frequency): number {
  return periodIndexer(origin, freq)(ts);
}

// ---------------------------------------------------------------------------------------------------------------
// Display and seasonality
// ---------------------------------------------------------------------------------------------------------------

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats a timestamp at the resolution of its frequency: '1960-01' (monthly), '1960-Q1' (quarterly), '1960'
 * (yearly), '2024-03-05' (daily, weekly), '2024-03-05 14:00' (hourly, minutes, or daily data with a time of day),
 * '2024-03-05 14:00:05' (seconds). For `step` frequencies, the step number.
 */
export function formatTimestamp(ts: number, freq: Frequency): string {
  if (freq.unit === 'step') return String(ts);
  if (!Number.isFinite(ts)) return '';
  const d = new Date(ts);
  const y = pad(d.getUTCFullYear(), 4);
  const date = `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  switch (freq.unit) {
    case 'year':
      return y;
    case 'quarter':
      return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    case 'month':
      return `${y}-${pad(d.getUTCMonth() + 1)}`;
    case 'week':
    case 'day':
      return ts % DAY === 0 ? date : `${date} ${hm}`;
    case 'hour':
    case 'minute':
      return `${date} ${hm}`;
    case 'second':
      return `${date} ${hm}:${pad(d.getUTCSeconds())}`;
  }
}

/**
 * Length of the dominant seasonal cycle in observations, for seasonal-naive baselines: 12 for monthly, 4 for
 * quarterly, 24 for hourly, 7 for daily, 52 for weekly, observations per day for minutes, per minute for seconds,
 * 1 for yearly and step data (no season). Multi-unit steps divide the cycle when they fit it, else 1.
 */
export function seasonLength(freq: Frequency): number {
  const cycle: Record<FrequencyUnit, number> = {
    second: 60,
    minute: 1440,
    hour: 24,
    day: 7,
    week: 52,
    month: 12,
    quarter: 4,
    year: 1,
    step: 1,
  };
  const perCycle = cycle[freq.unit] / freq.step;
  return Number.isInteger(perCycle) && perCycle >= 1 ? perCycle : 1;
}

const ZONE_RE = /(?:\d|\s)(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)$/;

/**
 * The UTC offset in minutes written at the end of a date-time cell (`Z`, `UTC` → 0, `+05:30` → 330), or null when
 * the cell has none. Only meaningful for the text formats with a time of day.
 */
export function zoneOffsetMinutes(text: string): number | null {
  if (text.length < 11) return null;
  const m = ZONE_RE.exec(text);
  if (!m) return null;
  const zone = m[1];
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') return 0;
  // `2024-03-05` ends in "-05" too: a zone needs a time of day before it.
  if (!/\d:\d{2}/.test(text)) return null;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0));
}

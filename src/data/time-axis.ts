// The time axis of a set of series as the user's file wrote it: which column and format the timestamps came in,
// the UTC offsets they carried, or the frequency and start the user gave for a file without dates. Forecast and
// backtest timestamps are written back in that same format (decimal years for an R `ts` export, `2016-06-01` for
// `2016-06-01`, `2024-03-31T00:00:00+02:00` with the offset kept), so a download joins back onto the input.
import {
  TEXT_FORMATS,
  formatTimestamp,
  isoWeekOf,
  parseTimestamp,
  type Frequency,
  type TimestampFormatId,
} from './timestamps';

/** Where the timestamps of a series set come from and how to write them. Structured-cloneable. */
export interface TimeAxis {
  /** Timestamp column of the input; absent for step data or a user-given start. */
  column?: string;
  /** Format of the input's timestamps (or of the user's start); absent for plain steps. */
  format?: TimestampFormatId;
  /** One value as written in the input (its style: separators, padding, time of day, zone). */
  example?: string;
  frequency: Frequency;
  /**
   * Whether series timestamps are local wall-clock times (the UTC offset already added): daily and coarser data
   * with offsets, so days stay at local midnight across daylight-saving changes. Sub-daily data stays in UTC.
   */
  wallClock: boolean;
  /** UTC offsets of the input in minutes, as change points `[timestamp, minutes]` sorted by time; [] without. */
  offsets: [number, number][];
  /** Start given by the user for a file without a time column (UTC ms), when any. */
  start?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FULL_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A time axis of plain steps (no time column, no start). */
export function stepAxis(frequency: Frequency): TimeAxis {
  return { frequency, wallClock: false, offsets: [] };
}

/** The UTC offset (minutes) that applies at `ts`: the last change point at or before it, else the first; none → undefined. */
export function offsetAt(axis: Pick<TimeAxis, 'offsets'>, ts: number): number | undefined {
  const list = axis.offsets;
  if (list.length === 0) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  if (ts < list[0][0]) return list[0][1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid][0] <= ts) lo = mid;
    else hi = mid - 1;
  }
  return list[lo][1];
}

/** Compresses per-row `(timestamp, offset)` pairs into sorted change points. */
export function offsetChanges(pairs: readonly [number, number][]): [number, number][] {
  const sorted = pairs.filter(([t, o]) => Number.isFinite(t) && Number.isFinite(o)).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [t, o] of sorted) if (out.length === 0 || out[out.length - 1][1] !== o) out.push([t, o]);
  return out;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * A UTC offset (minutes east of UTC) written in the style of an input's zone: `+02:00`, `+0200`, `+02`, `Z`,
 * `UTC`/`GMT` names (the colon form otherwise).
 */
export function zoneText(minutes: number, style: string): string {
  if (minutes === 0 && (style === 'Z' || style === '')) return 'Z';
  if (style === 'UTC' || style === 'GMT') return minutes === 0 ? style : zoneText(minutes, '+00:00');
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = pad(Math.floor(abs / 60));
  const mm = pad(abs % 60);
  if (/^[+-]\d{2}$/.test(style) && abs % 60 === 0) return `${sign}${hh}`;
  if (/^[+-]\d{4}$/.test(style)) return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

interface ClockStyle {
  /** Whether the example has a time of day, and what separates it from the date. */
  time: string | null;
  seconds: boolean;
  fraction: number;
  ampm: boolean;
  /** The zone as written ('Z', '+01:00', 'UTC') or '' without one. */
  zone: string;
  zoneSpace: boolean;
  padDate: boolean;
}

const CLOCK_RE =
  /(?:([T ]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(\s*[AaPp]\.?[Mm]\.?)?)?(\s*)(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$/;

function clockStyle(example: string): ClockStyle {
  const m = CLOCK_RE.exec(example);
  const style: ClockStyle = { time: null, seconds: false, fraction: 0, ampm: false, zone: '', zoneSpace: false, padDate: true };
  if (m) {
    if (m[2] !== undefined) {
      style.time = m[1] === 'T' ? 'T' : ' ';
      style.seconds = m[4] !== undefined;
      style.fraction = m[5]?.length ?? 0;
      style.ampm = m[6] !== undefined;
    }
    // A zone only follows a time of day (`2016-01-01` ends in "-01", which is no offset).
    if (m[2] !== undefined) {
      style.zone = m[8] ?? '';
      style.zoneSpace = m[8] !== undefined && m[7].length > 0;
    }
  }
  const date = m && m[2] !== undefined ? example.slice(0, m.index) : example;
  style.padDate = !/(^|\D)\d(\D|$)/.test(date);
  return style;
}

function clockText(d: Date, style: ClockStyle): string {
  if (style.time === null) return '';
  let hour = d.getUTCHours();
  let suffix = '';
  if (style.ampm) {
    suffix = hour >= 12 ? ' PM' : ' AM';
    hour = hour % 12 === 0 ? 12 : hour % 12;
  }
  let text = `${style.time}${pad(hour)}:${pad(d.getUTCMinutes())}`;
  if (style.seconds || d.getUTCSeconds() !== 0) text += `:${pad(d.getUTCSeconds())}`;
  if (style.fraction > 0) text += `.${pad(d.getUTCMilliseconds(), 3).padEnd(style.fraction, '0').slice(0, style.fraction)}`;
  return text + suffix;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Writes a timestamp of the axis in the input's own format: the same date format, separators, time of day and
 * zone as the input's `example`, with the UTC offset that applies at that time (the last known one for the
 * future). Falls back to {@link formatTimestamp} at the frequency's resolution when the axis has no format (steps).
 */
export function formatOnAxis(ts: number, axis: TimeAxis): string {
  if (!Number.isFinite(ts)) return '';
  if (axis.format === undefined || axis.frequency.unit === 'step') return formatTimestamp(ts, axis.frequency);
  const offset = offsetAt(axis, ts);
  const local = offset === undefined || axis.wallClock ? ts : ts + offset * MINUTE;
  const d = new Date(local);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const example = axis.example ?? '';
  const style = clockStyle(example);
  const p = (n: number) => (style.padDate ? pad(n) : String(n));
  const withClock = (date: string): string => {
    let text = date + clockText(d, style.time === null && local % DAY !== 0 ? { ...style, time: ' ' } : style);
    if (offset !== undefined && style.zone !== '') text += (style.zoneSpace ? ' ' : '') + zoneText(offset, style.zone);
    else if (style.zone !== '') text += (style.zoneSpace ? ' ' : '') + style.zone;
    return text;
  };
  switch (axis.format) {
    case 'iso':
      return withClock(`${pad(y, 4)}-${p(mo)}-${p(day)}`);
    case 'ymd-slash': {
      const sep = example.charAt(4) === '.' ? '.' : '/';
      return withClock(`${pad(y, 4)}${sep}${p(mo)}${sep}${p(day)}`);
    }
    case 'dmy-dot':
      return withClock(`${p(day)}.${p(mo)}.${pad(y, 4)}`);
    case 'dmy-slash':
    case 'mdy-slash': {
      const sep = /^\d{1,2}-/.test(example) ? '-' : '/';
      const [a, b] = axis.format === 'dmy-slash' ? [day, mo] : [mo, day];
      return withClock(`${p(a)}${sep}${p(b)}${sep}${pad(y, 4)}`);
    }
    case 'year-month': {
      const sep = example.charAt(4) === '/' ? '/' : '-';
      return `${pad(y, 4)}${sep}${pad(mo)}`;
    }
    case 'year-quarter': {
      const q = Math.floor((mo - 1) / 3) + 1;
      const yearFirst = /^(\d{4})(\s*-?\s*)([Qq])[1-4]$/.exec(example);
      if (yearFirst) return `${pad(y, 4)}${yearFirst[2]}${yearFirst[3]}${q}`;
      const quarterFirst = /^([Qq])[1-4](\s*[-/ ]?\s*)\d{4}$/.exec(example);
      if (quarterFirst) return `${quarterFirst[1]}${q}${quarterFirst[2]}${pad(y, 4)}`;
      return `${pad(y, 4)}-Q${q}`;
    }
    case 'year':
      return pad(y, 4);
    case 'ymd-compact':
      return `${pad(y, 4)}${pad(mo)}${pad(day)}`;
    case 'epoch-seconds':
      return trimZeros((ts / 1000).toFixed(3));
    case 'epoch-milliseconds':
      return String(Math.round(ts));
    case 'decimal-month':
      // As R's write.csv writes time(x): 15 significant digits (1961.08333333333).
      return String(Number((y + (mo - 1) / 12).toPrecision(15)));
    case 'decimal-quarter':
      return trimZeros((y + (Math.floor((mo - 1) / 3)) / 4).toFixed(2));
    case 'iso-week': {
      const { year, week } = isoWeekOf(local);
      const dash = /^\d{4}-/.test(example) ? '-' : '';
      const dayPart = /W\d{2}-?[1-7]$/i.test(example) ? `${dash}${((d.getUTCDay() + 6) % 7) + 1}` : '';
      const w = /w/.test(example) ? 'w' : 'W';
      return `${pad(year, 4)}${dash}${w}${pad(week)}${dayPart}`;
    }
    case 'month-name': {
      const m = /^([A-Za-z]{3,9})(\.?[\s,/-]+)\d{4}$|^\d{4}([\s,/-]+)([A-Za-z]{3,9})\.?$/.exec(example);
      const word = m?.[1] ?? m?.[4] ?? 'Jan';
      let name = word.length > 4 ? FULL_MONTHS[mo - 1] : MONTHS[mo - 1];
      if (word === word.toUpperCase()) name = name.toUpperCase();
      else if (word === word.toLowerCase()) name = name.toLowerCase();
      if (m?.[1] !== undefined) return `${name}${m[2]}${pad(y, 4)}`;
      if (m?.[4] !== undefined) return `${pad(y, 4)}${m[3]}${name}`;
      return `${name} ${pad(y, 4)}`;
    }
  }
}

/**
 * Parses a user-given start (CLI `--start`, the app's start field) in any recognised text format; returns its UTC
 * ms and format, or null when it is not a date.
 */
export function parseStart(text: string): { ts: number; format: TimestampFormatId } | null {
  const trimmed = text.trim();
  // the text formats, then the number-like ones a start can be written in (no epoch seconds or yyyymmdd)
  const formats: TimestampFormatId[] = [...TEXT_FORMATS, 'year', 'decimal-quarter', 'decimal-month'];
  for (const format of formats) {
    const ts = parseTimestamp(trimmed, format);
    if (!Number.isNaN(ts)) return { ts, format };
  }
  return null;
}

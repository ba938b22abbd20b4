// Timestamps of the endpoint API: parses a series' `start` (ISO date or date-time, read as UTC wall-clock time)
// and a pandas-style `freq` alias ("1h", "15min", "D", "2W", "W-MON", "B", "MS", "ME", "QS", "YE", ...), and
// computes where a forecast starts: the `start` moved forward by the number of observed steps. Anchored
// frequencies first roll `start` forward onto their anchor, as pandas' `date_range` does.

/** A `start` or `freq` the service cannot read. */
export class TimestampError extends Error {
  override readonly name = 'TimestampError';
}

/** A parsed frequency: `n` units of a fixed length, or of a calendar unit. */
export type Frequency =
  | { kind: 'fixed'; ms: number; alias: string }
  | { kind: 'business-day'; n: number; alias: string }
  | { kind: 'week'; n: number; weekday: number; alias: string }
  | { kind: 'month'; n: number; months: number; anchorMonth: number; at: 'start' | 'end'; alias: string };

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const FIXED_UNITS: Readonly<Record<string, number>> = {
  ms: 1, L: 1,
  s: SECOND, S: SECOND,
  min: 60 * SECOND, T: 60 * SECOND,
  h: 3600 * SECOND, H: 3600 * SECOND,
  D: DAY, d: DAY,
};
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Calendar aliases: months per step and whether timestamps sit on the period's first or last day. */
const CALENDAR_UNITS: Readonly<Record<string, { months: number; at: 'start' | 'end' }>> = {
  M: { months: 1, at: 'end' }, ME: { months: 1, at: 'end' }, MS: { months: 1, at: 'start' },
  Q: { months: 3, at: 'end' }, QE: { months: 3, at: 'end' }, QS: { months: 3, at: 'start' },
  Y: { months: 12, at: 'end' }, YE: { months: 12, at: 'end' }, A: { months: 12, at: 'end' },
  YS: { months: 12, at: 'start' }, AS: { months: 12, at: 'start' },
};
const SUPPORTED = 'ms, s, min, h, D, B, W[-SUN..SAT], MS, ME (M), QS, QE (Q), YS, YE (Y) with an optional multiple, e.g. "15min" or "2W"';

/**
 * Parses a pandas offset alias.
 * @throws TimestampError for aliases outside {@link SUPPORTED}.
 */
export function parseFrequency(alias: string): Frequency {
  const match = /^(\d+)?([A-Za-z]+)(?:-([A-Za-z]{3}))?$/.exec(alias.trim());
  if (!match) throw new TimestampError(`freq ${JSON.stringify(alias)} is not a frequency alias; supported: ${SUPPORTED}.`);
  const n = match[1] === undefined ? 1 : Number(match[1]);
  const unit = match[2];
  const anchor = match[3]?.toUpperCase();
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new TimestampError(`freq ${JSON.stringify(alias)}: the multiple must be between 1 and 100000.`);
  const fixed = FIXED_UNITS[unit];
  if (fixed !== undefined && anchor === undefined) return { kind: 'fixed', ms: n * fixed, alias };
  if (unit === 'B' && anchor === undefined) return { kind: 'business-day', n, alias };
  if (unit === 'W') {
    const weekday = anchor === undefined ? 0 : WEEKDAYS.indexOf(anchor);
    if (weekday < 0) throw new TimestampError(`freq ${JSON.stringify(alias)}: the weekly anchor must be one of ${WEEKDAYS.join(', ')}.`);
    return { kind: 'week', n, weekday, alias };
  }
  const calendar = CALENDAR_UNITS[unit.toUpperCase() === unit ? unit : ''];
  if (calendar) {
    // Quarters and years are anchored on a month: the last month of the year by default for *E, the first for *S.
    let anchorMonth = calendar.at === 'end' ? 11 : 0;
    if (anchor !== undefined) {
      if (calendar.months === 1) throw new TimestampError(`freq ${JSON.stringify(alias)}: monthly frequencies take no anchor.`);
      anchorMonth = MONTHS.indexOf(anchor);
      if (anchorMonth < 0) throw new TimestampError(`freq ${JSON.stringify(alias)}: the anchor must be one of ${MONTHS.join(', ')}.`);
    }
    return { kind: 'month', n, months: calendar.months * n, anchorMonth, at: calendar.at, alias };
  }
  throw new TimestampError(`freq ${JSON.stringify(alias)} is not supported; supported: ${SUPPORTED}.`);
}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]]` (or with a space) as UTC milliseconds.
 * @throws TimestampError for anything else or an impossible date.
 */
export function parseStart(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/.exec(text);
  if (!m) throw new TimestampError(`start ${JSON.stringify(text)} is not an ISO timestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss).`);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new TimestampError(`start ${JSON.stringify(text)} is not a valid date.`);
  }
  return t;
}

/** `YYYY-MM-DDThh:mm:ss` (with `.fff` when there are milliseconds), as pandas' `Timestamp.isoformat()`. */
export function formatTimestamp(t: number): string {
  const iso = new Date(t).toISOString(); // YYYY-MM-DDThh:mm:ss.fffZ
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** The timestamp `steps` periods after `start` (after rolling `start` onto the frequency's anchor). */
export function shiftTimestamp(start: number, freq: Frequency, steps: number): number {
  switch (freq.kind) {
    case 'fixed':
      return start + steps * freq.ms;
    case 'business-day': {
      let t = start;
      while (isWeekend(t)) t += DAY;
      for (let i = 0; i < steps * freq.n; i++) {
        t += DAY;
        while (isWeekend(t)) t += DAY;
      }
      return t;
    }
    case 'week': {
      const ahead = (freq.weekday - new Date(start).getUTCDay() + 7) % 7;
      return start + ahead * DAY + steps * freq.n * 7 * DAY;
    }
    case 'month': {
      const d = new Date(start);
      const timeOfDay = start - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      // Month index (years × 12 + month) of the first anchored period at or after `start`.
      let index = d.getUTCFullYear() * 12 + d.getUTCMonth();
      // A month end is never before `start` in its own month; a month start is, unless `start` is the 1st.
      const period = freq.months / freq.n; // 1, 3 or 12: the alias's own unit
      const inPhase = (i: number): boolean => period === 1 || (((i - freq.anchorMonth) % period) + period) % period === 0;
      if (freq.at === 'start' && d.getUTCDate() !== 1) index += 1;
      while (!inPhase(index)) index += 1;
      index += steps * freq.months;
      const year = Math.floor(index / 12);
      const month = index % 12;
      const day = freq.at === 'start' ? 1 : daysIn(index);
      return Date.UTC(year, month, day) + timeOfDay;
    }
  }
}

function isWeekend(t: number): boolean {
  const day = new Date(t).getUTCDay();
  return day === 0 || day === 6;
}

/** Days in the month with index years × 12 + month. */
function daysIn(index: number): number {
  return new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
}

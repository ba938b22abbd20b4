// Calendar-aligned ticks for the chart's time axis: whole years, quarters, months, Mondays, midnights, round hours
// and minutes, never finer than the data's own step, so a monthly axis reads 1955, 1956, … (no 1958-12 among
// Januaries) and a daily one 2024-03-01, 2024-03-15 (no 2024-03-21). Labels say only what the interval needs.
// Pure functions of the domain, the frequency and how many labels fit.
import type { Frequency, FrequencyUnit } from '../../data/timestamps';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One tick interval: a count of a calendar unit. */
interface Interval {
  unit: 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
  count: number;
  /** Typical length in ms, to estimate how many ticks a domain gets. */
  approxMs: number;
}

const CANDIDATES: Interval[] = [
  ...[1, 5, 15, 30].map((count) => ({ unit: 'second' as const, count, approxMs: count * 1000 })),
  ...[1, 5, 15, 30].map((count) => ({ unit: 'minute' as const, count, approxMs: count * MINUTE })),
  ...[1, 3, 6, 12].map((count) => ({ unit: 'hour' as const, count, approxMs: count * HOUR })),
  { unit: 'day', count: 1, approxMs: DAY },
  { unit: 'day', count: 2, approxMs: 2 * DAY },
  { unit: 'week', count: 1, approxMs: 7 * DAY },
  { unit: 'week', count: 2, approxMs: 14 * DAY },
  ...[1, 3, 6].map((count) => ({ unit: 'month' as const, count, approxMs: count * 30.44 * DAY })),
  ...[1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].map((count) => ({ unit: 'year' as const, count, approxMs: count * 365.25 * DAY })),
];

/** The data's step in ms (approximate for calendar units), the finest interval worth a tick. */
function dataStepMs(freq: Frequency): number {
  const unitMs: Record<Exclude<FrequencyUnit, 'step'>, number> = {
    second: 1000,
    minute: MINUTE,
    hour: HOUR,
    day: DAY,
    week: 7 * DAY,
    month: 30.44 * DAY,
    quarter: 3 * 30.44 * DAY,
    year: 365.25 * DAY,
  };
  return freq.unit === 'step' ? 1 : unitMs[freq.unit] * freq.step;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** First tick at or after `start` for `interval`, then every tick up to `end`. */
function calendarTicks(start: number, end: number, interval: Interval, weekday: number): number[] {
  const ticks: number[] = [];
  const d = new Date(start);
  switch (interval.unit) {
    case 'second':
    case 'minute':
    case 'hour':
    case 'day': {
      const size = interval.count * { second: 1000, minute: MINUTE, hour: HOUR, day: DAY }[interval.unit];
      if (interval.unit === 'day' && interval.count > 1) {
        // Days 1, 3, 5, … of each month (restarting at the 1st), as calendars count them.
        let t = Math.floor(start / DAY) * DAY;
        for (; t <= end; t += DAY) {
          const day = new Date(t).getUTCDate();
          if (t >= start && (day - 1) % interval.count === 0 && day <= 31 - (interval.count - 1)) ticks.push(t);
        }
        return ticks;
      }
      for (let t = Math.ceil(start / size) * size; t <= end; t += size) ticks.push(t);
      return ticks;
    }
    case 'week': {
      // Weeks start on the data's own weekday (a weekly series stamped on Sundays gets Sunday ticks).
      let t = Math.floor(start / DAY) * DAY;
      while (new Date(t).getUTCDay() !== weekday || t < start) t += DAY;
      for (; t <= end; t += 7 * DAY * interval.count) ticks.push(t);
      return ticks;
    }
    case 'month': {
      let y = d.getUTCFullYear();
      let m = d.getUTCMonth();
      m = Math.ceil(m / interval.count) * interval.count;
      for (;;) {
        while (m >= 12) {
          m -= 12;
          y += 1;
        }
        const t = Date.UTC(y, m, 1);
        if (t > end) return ticks;
        if (t >= start) ticks.push(t);
        m += interval.count;
      }
    }
    case 'year': {
      let y = Math.ceil(d.getUTCFullYear() / interval.count) * interval.count;
      for (;; y += interval.count) {
        const t = Date.UTC(y, 0, 1);
        if (t > end) return ticks;
        if (t >= start) ticks.push(t);
      }
    }
  }
}

/** Round step numbers (1, 2, 5 × 10^k) for series without dates. */
function numberTicks(start: number, end: number, maxTicks: number): number[] {
  const span = Math.max(1, end - start);
  const raw = span / Math.max(1, maxTicks - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const size = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let t = Math.ceil(start / size) * size; t <= end; t += size) ticks.push(t);
  return ticks;
}

/** Room one label of each interval needs on the axis, px at 12 px type (text plus a gap). */
const LABEL_PX: Record<Interval['unit'], number> = { year: 52, month: 70, week: 92, day: 92, hour: 96, minute: 96, second: 80 };

/** Ticks of a time axis and how to label them. */
export interface TimeTicks {
  ticks: number[];
  format: (t: number) => string;
}

/**
 * Calendar-aligned ticks for the domain `[start, end]` (UTC ms, or step numbers for step frequencies), at most
 * `fit` of them (or as many as fit in `fit.widthPx`), never closer than the data's step. `weekdayOf`: a timestamp of weekly data, whose weekday
 * the week ticks keep.
 */
export function timeTicks(start: number, end: number, freq: Frequency, fit: number | { widthPx: number }, weekdayOf = start): TimeTicks {
  if (!(end >= start) || !Number.isFinite(start) || !Number.isFinite(end)) return { ticks: [], format: String };
  // With a width, each interval gets as many labels as fit at its label's width ("1958" is narrower than a date).
  const budget = (c: Interval): number => (typeof fit === 'number' ? fit : Math.max(2, Math.floor(fit.widthPx / LABEL_PX[c.unit])));
  if (freq.unit === 'step') return { ticks: numberTicks(start, end, typeof fit === 'number' ? fit : Math.max(2, Math.floor(fit.widthPx / 56))), format: (t) => String(t) };
  const span = end - start;
  const finest = dataStepMs(freq) * 0.999;
  // Weekly data keeps its own weekday; other data gets Mondays.
  const weekday = freq.unit === 'week' ? new Date(weekdayOf).getUTCDay() : 1;
  // Quarterly data gets 3-month ticks at the finest, yearly data whole years.
  const usable = CANDIDATES.filter((c) => c.approxMs >= finest && !(freq.unit === 'week' && c.unit === 'day'));
  let interval = usable[usable.length - 1];
  for (const c of usable) {
    if (span / c.approxMs + 1 <= budget(c)) {
      interval = c;
      break;
    }
  }
  const ticks = calendarTicks(start, end, interval, weekday);
  return { ticks, format: labeller(interval, freq) };
}

function labeller(interval: Interval, freq: Frequency): (t: number) => string {
  return (t) => {
    const d = new Date(t);
    const y = pad(d.getUTCFullYear(), 4);
    const ymd = `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    switch (interval.unit) {
      case 'year':
        return y;
      case 'month':
        if (freq.unit === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
        return `${y}-${pad(d.getUTCMonth() + 1)}`;
      case 'week':
      case 'day':
        return ymd;
      case 'hour':
      case 'minute':
        return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 ? ymd : `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hm}`;
      case 'second':
        return `${hm}:${pad(d.getUTCSeconds())}`;
    }
  };
}

/**
 * {@link timeTicks} for instants shown in local time: data with UTC offsets below a day (hourly with `+02:00`) is
 * kept as UTC instants, so ticks are chosen on the local clock (the offset at the domain's end) and each label
 * tells its tick's own local time (`offsetAt`, minutes east of UTC; around a daylight-saving change a label may be
 * an hour off the round value, and then it is the true local time). Without `offsetAt`, plain UTC ticks.
 */
export function localTimeTicks(
  start: number,
  end: number,
  freq: Frequency,
  fit: number | { widthPx: number },
  offsetAt?: (ts: number) => number | undefined,
): TimeTicks {
  if (!offsetAt || freq.unit === 'step') return timeTicks(start, end, freq, fit, start);
  const shift = (offsetAt(end) ?? 0) * MINUTE;
  const local = timeTicks(start + shift, end + shift, freq, fit, start + shift);
  return {
    ticks: local.ticks.map((t) => t - shift),
    format: (t) => local.format(t + (offsetAt(t) ?? shift / MINUTE) * MINUTE),
  };
}


// Timestamp formats, frequency inference and calendar arithmetic of src/data/timestamps.ts.

import { describe, expect, it } from 'vitest';
import {
  addPeriods,
  detectTimestampFormat,
  formatTimestamp,
  futureTimestamps,
  gridTimestamps,
  inferFrequency,
  inferSharedFrequency,
  makeFrequency,
  parseTimestamp,
  periodIndex,
  periodIndexer,
  seasonLength,
  STEP_FREQUENCY,
} from '../../src/data/timestamps';

const utc = (y: number, m: number, d = 1, h = 0, mi = 0, s = 0) => Date.UTC(y, m - 1, d, h, mi, s);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseTimestamp', () => {
  it.each([
    ['2024-03-05', 'iso', utc(2024, 3, 5)],
    ['2024-03-05 14:00', 'iso', utc(2024, 3, 5, 14)],
    ['2024-03-05T14:00:05', 'iso', utc(2024, 3, 5, 14, 0, 5)],
    ['2024-03-05T14:00:05.250Z', 'iso', utc(2024, 3, 5, 14, 0, 5) + 250],
    ['2024-03-05T14:00:00+01:00', 'iso', utc(2024, 3, 5, 13)],
    ['2024-03-05 14:00:00-0530', 'iso', utc(2024, 3, 5, 19, 30)],
    ['2024/03/05', 'ymd-slash', utc(2024, 3, 5)],
    ['05.03.2024', 'dmy-dot', utc(2024, 3, 5)],
    ['5.3.2024 07:30', 'dmy-dot', utc(2024, 3, 5, 7, 30)],
    ['25/12/2023', 'dmy-slash', utc(2023, 12, 25)],
    ['12/25/2023', 'mdy-slash', utc(2023, 12, 25)],
    ['3/5/2024 2:15 PM', 'mdy-slash', utc(2024, 3, 5, 14, 15)],
    ['3/5/2024 12:00 AM', 'mdy-slash', utc(2024, 3, 5, 0)],
    ['1960-12', 'year-month', utc(1960, 12)],
    ['1990-Q3', 'year-quarter', utc(1990, 7)],
    ['1990Q4', 'year-quarter', utc(1990, 10)],
    ['Q2 1990', 'year-quarter', utc(1990, 4)],
    ['1949', 'year', utc(1949, 1)],
    ['20240305', 'ymd-compact', utc(2024, 3, 5)],
    ['1700000000', 'epoch-seconds', 1_700_000_000_000],
    ['1700000000123', 'epoch-milliseconds', 1_700_000_000_123],
  ] as const)('%s as %s', (text, format, expected) => {
    expect(parseTimestamp(text, format)).toBe(expected);
  });

  it.each([
    ['2023-02-29', 'iso'],
    ['2024-13-01', 'iso'],
    ['2024-01-01 24:00', 'iso'],
    ['31.04.2024', 'dmy-dot'],
    ['13/13/2024', 'mdy-slash'],
    ['2024-Q5', 'year-quarter'],
    ['123', 'epoch-seconds'],
    ['hello', 'iso'],
  ] as const)('rejects %s as %s', (text, format) => {
    expect(parseTimestamp(text, format)).toBeNaN();
  });
});

describe('detectTimestampFormat', () => {
  it('finds ISO dates and datetimes', () => {
    expect(detectTimestampFormat('date', ['2024-01-01', '2024-01-02'])).toEqual({ kind: 'format', format: 'iso' });
    expect(detectTimestampFormat('x', ['2024-01-01T00:00:00Z', '2024-01-01 01:00'])).toEqual({
      kind: 'format',
      format: 'iso',
    });
  });

  it('tells day-first from month-first only when a value proves it', () => {
    expect(detectTimestampFormat('d', ['01/02/2024', '13/02/2024'])).toEqual({ kind: 'format', format: 'dmy-slash' });
    expect(detectTimestampFormat('d', ['02/01/2024', '02/13/2024'])).toEqual({ kind: 'format', format: 'mdy-slash' });
    expect(detectTimestampFormat('d', ['01/02/2024', '02/02/2024'])).toEqual({
      kind: 'ambiguous-day-month',
      example: '01/02/2024',
    });
    expect(detectTimestampFormat('d', ['01/02/2024', '02/02/2024'], { dateOrder: 'mdy' })).toEqual({
      kind: 'format',
      format: 'mdy-slash',
    });
  });

  it('accepts years, compact dates and Unix times only in columns named like time', () => {
    expect(detectTimestampFormat('Year', ['1949', '1950'])).toEqual({ kind: 'format', format: 'year' });
    expect(detectTimestampFormat('count', ['1949', '1950'])).toEqual({ kind: 'none' });
    expect(detectTimestampFormat('date', ['20240101', '20240102'])).toEqual({ kind: 'format', format: 'ymd-compact' });
    expect(detectTimestampFormat('timestamp', ['1700000000', '1700003600'])).toEqual({
      kind: 'format',
      format: 'epoch-seconds',
    });
    expect(detectTimestampFormat('epoch_ms', ['1700000000000', '1700003600000'])).toEqual({
      kind: 'format',
      format: 'epoch-milliseconds',
    });
    expect(detectTimestampFormat('sales', ['1700000000', '1700003600'])).toEqual({ kind: 'none' });
    // 1..3 are not plausible Unix times even in a column named "time".
    expect(detectTimestampFormat('time', ['1', '2', '3'])).toEqual({ kind: 'none' });
  });

  it('needs every value to parse', () => {
    expect(detectTimestampFormat('date', ['2024-01-01', 'tomorrow'])).toEqual({ kind: 'none' });
  });
});

describe('inferFrequency', () => {
  const series = (start: number, stepMs: number, n: number) => Array.from({ length: n }, (_, i) => start + i * stepMs);
  const monthly = (y: number, m: number, n: number, day: (y: number, m: number) => number = () => 1) =>
    Array.from({ length: n }, (_, i) => {
      const yy = y + Math.floor((m - 1 + i) / 12);
      const mm = ((m - 1 + i) % 12) + 1;
      return utc(yy, mm, day(yy, mm));
    });
  const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

  it.each([
    [1, '1-minute'],
    [5, '5-minute'],
    [15, '15-minute'],
    [30, '30-minute'],
  ])('%i-minute data', (minutes, label) => {
    const f = inferFrequency(series(utc(2024, 1, 1), minutes * 60_000, 50));
    expect(f).toMatchObject({ unit: 'minute', step: minutes });
    expect(f?.label).toBe(minutes === 1 ? 'minutely' : label);
  });

  it('hourly, daily and weekly data', () => {
    expect(inferFrequency(series(utc(2024, 1, 1), HOUR, 48))).toEqual({ unit: 'hour', step: 1, label: 'hourly' });
    expect(inferFrequency(series(utc(2024, 1, 1), DAY, 30))).toEqual({ unit: 'day', step: 1, label: 'daily' });
    expect(inferFrequency(series(utc(2024, 1, 1), 7 * DAY, 30))).toEqual({ unit: 'week', step: 1, label: 'weekly' });
  });

  it('monthly data stamped at month start or month end, in calendar months', () => {
    expect(inferFrequency(monthly(1949, 1, 144))).toEqual({ unit: 'month', step: 1, label: 'monthly', anchor: 'start' });
    expect(inferFrequency(monthly(2020, 1, 24, lastDay))).toEqual({
      unit: 'month',
      step: 1,
      label: 'monthly',
      anchor: 'end',
    });
  });

  it('quarterly and yearly data', () => {
    const quarters = monthly(2000, 1, 40).filter((_, i) => i % 3 === 0);
    expect(inferFrequency(quarters)).toMatchObject({ unit: 'quarter', step: 1, label: 'quarterly' });
    const years = Array.from({ length: 20 }, (_, i) => utc(2000 + i, 1, 1));
    expect(inferFrequency(years)).toMatchObject({ unit: 'year', step: 1, label: 'yearly' });
    const yearEnds = Array.from({ length: 20 }, (_, i) => utc(2000 + i, 12, 31));
    expect(inferFrequency(yearEnds)).toMatchObject({ unit: 'year', anchor: 'end' });
  });

  it('tolerates gaps, unsorted input, duplicates and NaN', () => {
    const hours = series(utc(2024, 1, 1), HOUR, 100).filter((_, i) => i % 10 !== 3 && i % 17 !== 5);
    hours.reverse();
    hours.push(hours[0], NaN);
    expect(inferFrequency(hours)).toMatchObject({ unit: 'hour', step: 1 });
  });

  it('infers one frequency across the series of a long table', () => {
    expect(inferSharedFrequency([series(utc(2024, 1, 1), DAY, 5), series(utc(2023, 6, 1), DAY, 3)])).toMatchObject({
      unit: 'day',
      step: 1,
    });
  });

  it('returns null with fewer than two distinct timestamps', () => {
    expect(inferFrequency([utc(2024, 1, 1), utc(2024, 1, 1)])).toBeNull();
    expect(inferFrequency([])).toBeNull();
  });
});

describe('calendar arithmetic', () => {
  const monthly = makeFrequency('month');
  const monthEnd = makeFrequency('month', 1, 'end');

  it('adds months keeping the day, or landing on month ends', () => {
    expect(addPeriods(utc(1960, 12), monthly, 1)).toBe(utc(1961, 1));
    expect(addPeriods(utc(2024, 1, 31), monthEnd, 1)).toBe(utc(2024, 2, 29));
    expect(addPeriods(utc(2024, 1, 31), monthEnd, 2)).toBe(utc(2024, 3, 31));
    expect(addPeriods(utc(2024, 2, 29), monthEnd, 1)).toBe(utc(2024, 3, 31));
    expect(addPeriods(utc(2024, 1, 31), monthly, 1)).toBe(utc(2024, 2, 29)); // clamped
    expect(addPeriods(utc(2024, 3, 1), monthly, -3)).toBe(utc(2023, 12, 1));
    expect(addPeriods(utc(2024, 1, 1, 6), makeFrequency('quarter'), 3)).toBe(utc(2024, 10, 1, 6));
    expect(addPeriods(utc(2024, 2, 29), makeFrequency('year'), 1)).toBe(utc(2025, 2, 28));
  });

  // The calendar is integer arithmetic (no Date per row): checked against Date's own calendar on dates from the
  // year 1000 to 2999, every day of the month and times of day, with both anchors and several steps.
  it('agrees with Date on month arithmetic, grids and period indices, 1000-2999', () => {
    const dateAdd = (ts: number, months: number, anchor: 'start' | 'end'): number => {
      const d = new Date(ts);
      const time = ts - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0));
      const day = anchor === 'end' ? last.getUTCDate() : Math.min(d.getUTCDate(), last.getUTCDate());
      return Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), day) + time;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 3000; i++) {
      const origin = Date.UTC(1000 + Math.floor(random() * 2000), Math.floor(random() * 12), 1 + Math.floor(random() * 31), Math.floor(random() * 24));
      const anchor = random() < 0.5 ? 'start' : 'end';
      const freq = makeFrequency((['month', 'quarter', 'year'] as const)[i % 3], 1 + (i % 2), anchor);
      const perPeriod = { month: 1, quarter: 3, year: 12 }[freq.unit as 'month'] * freq.step;
      const k = Math.floor(random() * 400) - 200;
      const expected = dateAdd(origin, k * perPeriod, anchor);
      expect(addPeriods(origin, freq, k)).toBe(expected);
      expect(gridTimestamps(origin, freq, k - 1, k + 1)).toEqual([-1, 0, 1].map((j) => dateAdd(origin, (k + j) * perPeriod, anchor)));
      expect(periodIndexer(origin, freq)(expected)).toBe(k);
    }
    // Fixed units: the same as adding milliseconds; off-grid times have no index.
    const hourly = makeFrequency('hour');
    expect(gridTimestamps(utc(2024, 3, 5), hourly, 0, 2)).toEqual([0, 1, 2].map((h) => utc(2024, 3, 5, h)));
    expect(periodIndexer(utc(2024, 3, 5), hourly)(utc(2024, 3, 5, 7))).toBe(7);
    expect(periodIndexer(utc(2024, 1, 1), monthly)(utc(2024, 3, 15))).toBeNaN();
    expect(gridTimestamps(utc(2024, 1, 1), monthly, 3, 2)).toEqual([]);
  });

  it('adds fixed units and steps', () => {
    expect(addPeriods(utc(2024, 3, 5, 14), makeFrequency('minute', 15), 2)).toBe(utc(2024, 3, 5, 14, 30));
    expect(addPeriods(utc(2024, 3, 9), makeFrequency('week'), 1)).toBe(utc(2024, 3, 16));
    expect(addPeriods(10, STEP_FREQUENCY, 3)).toBe(13);
  });

  it('lists future timestamps after the last one (airline: 1961-01 ... 1961-12)', () => {
    const future = futureTimestamps(utc(1960, 12), monthly, 12);
    expect(future.map((t) => formatTimestamp(t, monthly))).toEqual(
      Array.from({ length: 12 }, (_, i) => `1961-${String(i + 1).padStart(2, '0')}`),
    );
  });

  it('places timestamps on the grid, snapping small shifts and rejecting off-grid ones', () => {
    const hourly = makeFrequency('hour');
    const daily = makeFrequency('day');
    const origin = utc(2024, 3, 1);
    expect(periodIndex(origin, utc(2024, 3, 1, 5), hourly)).toBe(5);
    expect(periodIndex(origin, utc(2024, 3, 1, 5, 30), hourly)).toBeNaN();
    // A daily series written with local offsets moves by an hour at daylight saving time.
    expect(periodIndex(origin, utc(2024, 4, 1) - HOUR, daily)).toBe(31);
    expect(periodIndex(utc(2024, 1, 31), utc(2024, 3, 29), monthEnd)).toBe(2); // business month-end
    expect(periodIndex(utc(2024, 1, 1), utc(2024, 2, 15), monthly)).toBeNaN();
    expect(periodIndex(0, 7, STEP_FREQUENCY)).toBe(7);
  });
});

describe('formatTimestamp and seasonLength', () => {
  it('formats at the resolution of the frequency', () => {
    const t = utc(2024, 3, 5, 14, 0, 5);
    expect(formatTimestamp(utc(1960, 1), makeFrequency('month'))).toBe('1960-01');
    expect(formatTimestamp(utc(1960, 4), makeFrequency('quarter'))).toBe('1960-Q2');
    expect(formatTimestamp(utc(1960, 1), makeFrequency('year'))).toBe('1960');
    expect(formatTimestamp(utc(2024, 3, 5), makeFrequency('day'))).toBe('2024-03-05');
    expect(formatTimestamp(utc(2024, 3, 5, 9), makeFrequency('day'))).toBe('2024-03-05 09:00');
    expect(formatTimestamp(utc(2024, 3, 5, 14), makeFrequency('hour'))).toBe('2024-03-05 14:00');
    expect(formatTimestamp(t, makeFrequency('minute', 15))).toBe('2024-03-05 14:00');
    expect(formatTimestamp(t, makeFrequency('second'))).toBe('2024-03-05 14:00:05');
    expect(formatTimestamp(42, STEP_FREQUENCY)).toBe('42');
  });

  it('gives the seasonal cycle in observations', () => {
    expect(seasonLength(makeFrequency('month'))).toBe(12);
    expect(seasonLength(makeFrequency('quarter'))).toBe(4);
    expect(seasonLength(makeFrequency('hour'))).toBe(24);
    expect(seasonLength(makeFrequency('day'))).toBe(7);
    expect(seasonLength(makeFrequency('week'))).toBe(52);
    expect(seasonLength(makeFrequency('minute', 15))).toBe(96);
    expect(seasonLength(makeFrequency('minute', 5))).toBe(288);
    expect(seasonLength(makeFrequency('year'))).toBe(1);
    expect(seasonLength(makeFrequency('month', 5))).toBe(1);
    expect(seasonLength(STEP_FREQUENCY)).toBe(1);
  });
});

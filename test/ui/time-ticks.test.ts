// The chart's time axis: ticks on calendar boundaries at the data's frequency, labels that say only what the
// interval needs, and never more ticks than fit.
import { describe, expect, it } from 'vitest';
import { makeFrequency, STEP_FREQUENCY } from '../../src/data/timestamps';
import { timeTicks } from '../../src/ui/chart/time-ticks';

const utc = (y: number, m: number, d = 1, h = 0) => Date.UTC(y, m - 1, d, h);

describe('timeTicks', () => {
  it('puts monthly data on whole years (no December among Januaries)', () => {
    const { ticks, format } = timeTicks(utc(1955, 1), utc(1961, 12), makeFrequency('month'), 8);
    expect(ticks.map(format)).toEqual(['1955', '1956', '1957', '1958', '1959', '1960', '1961']);
    expect(ticks.every((t) => new Date(t).getUTCMonth() === 0 && new Date(t).getUTCDate() === 1)).toBe(true);
  });

  it('thins years to round multiples when few labels fit', () => {
    const { ticks, format } = timeTicks(utc(1949, 1), utc(1961, 12), makeFrequency('month'), 4);
    expect(ticks.map(format)).toEqual(['1950', '1955', '1960']);
  });

  it('puts a monthly year on quarters, then months', () => {
    expect(timeTicks(utc(1960, 1), utc(1960, 12), makeFrequency('month'), 5).ticks.map((t) => new Date(t).getUTCMonth() + 1)).toEqual([1, 4, 7, 10]);
    const { ticks, format } = timeTicks(utc(1960, 1), utc(1960, 6), makeFrequency('month'), 12);
    expect(ticks.map(format)).toEqual(['1960-01', '1960-02', '1960-03', '1960-04', '1960-05', '1960-06']);
  });

  it('puts daily data on first days of months, Mondays or days, never on a stray date', () => {
    const daily = makeFrequency('day');
    expect(timeTicks(utc(2024, 1, 7), utc(2024, 5, 13), daily, 7).ticks.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      '2024-02-01',
      '2024-03-01',
      '2024-04-01',
      '2024-05-01',
    ]);
    const weeks = timeTicks(utc(2024, 3, 20), utc(2024, 5, 13), daily, 10).ticks;
    expect(weeks.length).toBeGreaterThan(3);
    expect(weeks.every((t) => new Date(t).getUTCDay() === 1)).toBe(true);
    const { ticks, format } = timeTicks(utc(2024, 4, 30), utc(2024, 5, 4), daily, 10);
    expect(ticks.map(format)).toEqual(['2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
  });

  it('keeps the weekday of weekly data', () => {
    const sunday = utc(2024, 7, 7);
    const ticks = timeTicks(utc(2024, 5, 1), utc(2024, 9, 29), makeFrequency('week'), 12, sunday).ticks;
    expect(ticks.length).toBeGreaterThan(4);
    expect(ticks.every((t) => new Date(t).getUTCDay() === 0)).toBe(true);
  });

  it('puts hourly data on round hours and labels midnights with the date', () => {
    const { ticks, format } = timeTicks(utc(2024, 3, 7, 5), utc(2024, 3, 8, 23), makeFrequency('hour'), 8);
    expect(ticks.every((t) => new Date(t).getUTCHours() % 6 === 0)).toBe(true);
    expect(ticks.map(format)).toContain('2024-03-08');
    expect(ticks.map(format)).toContain('03-08 12:00');
  });

  it('never goes finer than the data step, nor above the label budget', () => {
    const quarterly = timeTicks(utc(2020, 1), utc(2021, 1), makeFrequency('quarter'), 20);
    expect(quarterly.ticks.map(quarterly.format)).toEqual(['2020-Q1', '2020-Q2', '2020-Q3', '2020-Q4', '2021-Q1']);
    for (const max of [3, 5, 8, 12]) {
      expect(timeTicks(utc(1900, 1), utc(2024, 1), makeFrequency('month'), max).ticks.length).toBeLessThanOrEqual(max);
    }
  });

  it('gives round step numbers without dates', () => {
    expect(timeTicks(0, 130, STEP_FREQUENCY, 8).ticks).toEqual([0, 20, 40, 60, 80, 100, 120]);
  });
});

describe('timeTicks by width', () => {
  it('fits more year labels than date labels in the same width', () => {
    const years = timeTicks(utc(1955, 1), utc(1960, 12), makeFrequency('month'), { widthPx: 380 });
    expect(years.ticks.map(years.format)).toEqual(['1955', '1956', '1957', '1958', '1959', '1960']);
    const days = timeTicks(utc(2024, 4, 1), utc(2024, 4, 10), makeFrequency('day'), { widthPx: 300 });
    expect(days.ticks.length).toBeLessThanOrEqual(3);
  });
});

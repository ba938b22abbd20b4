// Hourly data with UTC offsets on the chart (src/ui/chart/local-time.ts, localTimeTicks): ticks at round local
// hours and labels in local time, across a daylight-saving change too; daily data and data without offsets
// keep their plain labels.
import { describe, expect, it } from 'vitest';
import { makeFrequency } from '../../src/data/timestamps';
import type { TimeAxis } from '../../src/data/time-axis';
import { localTimeOf } from '../../src/ui/chart/local-time';
import { localTimeTicks, timeTicks } from '../../src/ui/chart/time-ticks';

const HOUR = 3_600_000;
const hourly = makeFrequency('hour');
/** 2024-05-01 00:00 in Berlin summer time (+02:00) is 2024-04-30 22:00 UTC. */
const berlinMidnight = Date.UTC(2024, 3, 30, 22);
const summer: TimeAxis = { frequency: hourly, wallClock: false, offsets: [[berlinMidnight, 120]] };

describe('local time on the chart', () => {
  it('puts hourly ticks at round local hours and labels them in local time', () => {
    const { ticks, format } = localTimeTicks(berlinMidnight, berlinMidnight + 47 * HOUR, hourly, 5, localTimeOf(summer)!.offsetAt);
    expect(ticks.length).toBeGreaterThan(1);
    // Local midnights are ticks (22:00 UTC), labelled with their local date.
    expect(ticks).toContain(berlinMidnight);
    expect(format(berlinMidnight)).toBe('2024-05-01');
    expect(format(berlinMidnight + 24 * HOUR)).toBe('2024-05-02');
    for (const t of ticks) expect(((t / HOUR + 2) % 24) % 6, new Date(t).toISOString()).toBe(0);
    // In UTC the same span gets midnights two hours later.
    expect(timeTicks(berlinMidnight, berlinMidnight + 47 * HOUR, hourly, 5).ticks).not.toContain(berlinMidnight);
  });

  it('labels each instant with its own offset across a daylight-saving change', () => {
    // 2024-10-27 03:00 CEST → 02:00 CET at 01:00 UTC.
    const change = Date.UTC(2024, 9, 27, 1);
    const axis: TimeAxis = { frequency: hourly, wallClock: false, offsets: [[change - 10 * HOUR, 120], [change, 60]] };
    const local = localTimeOf(axis)!;
    expect(local.format(change - HOUR)).toBe('2024-10-27 02:00 UTC+02:00');
    expect(local.format(change)).toBe('2024-10-27 02:00 UTC+01:00');
    expect(local.format(change + 5 * HOUR)).toBe('2024-10-27 07:00 UTC+01:00');
    const utc = localTimeOf({ frequency: hourly, wallClock: false, offsets: [[0, 0], [change, -330]] })!;
    expect(utc.format(change - HOUR)).toBe('2024-10-27 00:00 UTC');
    expect(utc.format(change)).toBe('2024-10-26 19:30 UTC-05:30');
  });

  it('leaves daily data, data without offsets and steps as they are', () => {
    expect(localTimeOf({ frequency: makeFrequency('day'), wallClock: true, offsets: [[0, 120]] })).toBeUndefined();
    expect(localTimeOf({ frequency: hourly, wallClock: false, offsets: [] })).toBeUndefined();
    expect(localTimeOf(undefined)).toBeUndefined();
    const plain = localTimeTicks(0, 10 * HOUR, hourly, 5);
    expect(plain.ticks).toEqual(timeTicks(0, 10 * HOUR, hourly, 5).ticks);
  });
});

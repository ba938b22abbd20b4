// Forecast start timestamps of the endpoint API: pandas-style frequency aliases, anchors and ISO parsing.
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseFrequency, parseStart, shiftTimestamp } from '../../src/server/frequency';

const next = (start: string, freq: string, steps: number): string => formatTimestamp(shiftTimestamp(parseStart(start), parseFrequency(freq), steps));

describe('forecast start = start + observations × freq', () => {
  it.each([
    ['2024-01-01T01:00:00', '1h', 9, '2024-01-01T10:00:00'],
    ['2024-01-01T01:00:00', 'H', 9, '2024-01-01T10:00:00'],
    ['2024-01-01 00:00', '15min', 5, '2024-01-01T01:15:00'],
    ['2024-01-01', '30s', 3, '2024-01-01T00:01:30'],
    ['2024-02-27', 'D', 3, '2024-03-01T00:00:00'],
    ['2023-02-27', '2D', 1, '2023-03-01T00:00:00'],
    ['2024-01-05', 'B', 1, '2024-01-08T00:00:00'], // Friday + 1 business day = Monday
    ['2024-01-06', 'B', 0, '2024-01-08T00:00:00'], // a Saturday rolls onto Monday
    ['2024-01-07', 'W', 2, '2024-01-21T00:00:00'], // W = W-SUN, 2024-01-07 is a Sunday
    ['2024-01-03', 'W-MON', 1, '2024-01-15T00:00:00'], // rolls to Monday the 8th first
    ['2024-01-31', 'ME', 1, '2024-02-29T00:00:00'],
    ['2024-01-15', 'M', 2, '2024-03-31T00:00:00'], // rolls to the 31st first
    ['2024-01-01', 'MS', 14, '2025-03-01T00:00:00'],
    ['2024-01-15', 'MS', 0, '2024-02-01T00:00:00'],
    ['2024-03-31', 'QE', 1, '2024-06-30T00:00:00'],
    ['2024-02-10', 'Q', 1, '2024-06-30T00:00:00'], // rolls to 03-31 first
    ['2024-01-01', 'QS', 3, '2024-10-01T00:00:00'],
    ['2024-01-01', 'QS-FEB', 1, '2024-05-01T00:00:00'], // rolls to 02-01 first
    ['2020-12-31', 'YE', 3, '2023-12-31T00:00:00'],
    ['2020-01-01', 'YS', 2, '2022-01-01T00:00:00'],
    ['2024-01-31T12:30:00', 'ME', 1, '2024-02-29T12:30:00'],
    ['2024-01-01T00:00:00.250', '250ms', 2, '2024-01-01T00:00:00.750'],
  ])('%s + %s × %i = %s', (start, freq, steps, expected) => {
    expect(next(start, freq, steps)).toBe(expected);
  });
});

describe('errors', () => {
  it.each(['fortnight', '', '0D', 'D-MON', 'W-XYZ', 'MS-JAN', '1.5h'])('freq %j is refused with the supported list', (freq) => {
    expect(() => parseFrequency(freq)).toThrow(/freq/);
  });
  it.each(['01/02/2024', '2024-13-01', '2024-02-30', '2024-01-01T25:00:00', '2024-1-1', '2024-01-01Z'])('start %j is refused', (start) => {
    expect(() => parseStart(start)).toThrow(/start/);
  });
});

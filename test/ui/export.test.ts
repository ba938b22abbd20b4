// The download formats: CSV columns and rows, quantile column names, timestamp formatting by frequency, and
// the slicing of a model forecast to the horizon on screen.
import { describe, expect, it } from 'vitest';
import { makeFrequency } from '../../src/data/timestamps';
import { stepAxis } from '../../src/data/time-axis';
import { forecastCsv, formatValue, reportJson } from '../../src/state/export';
import { bucketLength, levelRow, patchBucket, quantileColumnName, sliceVariate } from '../../src/state/forecast-view';
import type { QuantileForecast } from '../../src/forecast/pipeline';

const MONTHLY = makeFrequency('month');

/** Two variates, levels in model order [0.5, 0.1, 0.9], H = 4; value = 100·v + 10·level-index + t. */
function forecast(): QuantileForecast {
  const levels = [0.5, 0.1, 0.9];
  const H = 4;
  const values = new Float32Array(2 * levels.length * H);
  for (let v = 0; v < 2; v++) for (let q = 0; q < 3; q++) for (let t = 0; t < H; t++) values[(v * 3 + q) * H + t] = 100 * v + 10 * q + t;
  return { quantileLevels: levels, numVariates: 2, horizon: H, values };
}

const TS = [Date.UTC(1961, 0, 1), Date.UTC(1961, 1, 1), Date.UTC(1961, 2, 1), Date.UTC(1961, 3, 1)];

describe('forecast slicing', () => {
  it('patch buckets', () => {
    expect([1, 16, 17, 32, 33].map((h) => patchBucket(h, 16))).toEqual([1, 1, 2, 2, 3]);
    expect(bucketLength(12, 16)).toBe(16);
    expect(bucketLength(40, 16)).toBe(48);
  });

  it('sorts levels ascending and cuts to h', () => {
    const f = sliceVariate(forecast(), 1, 3, 'b', TS);
    expect(f.levels).toEqual([0.1, 0.5, 0.9]);
    expect(f.quantiles.map((r) => Array.from(r))).toEqual([
      [110, 111, 112],
      [100, 101, 102],
      [120, 121, 122],
    ]);
    expect(Array.from(f.mean)).toEqual([100, 101, 102]);
    expect(f.timestamps).toEqual(TS.slice(0, 3));
  });

  it('interpolates levels that are not on the grid', () => {
    const f = sliceVariate(forecast(), 0, 2, 'a', TS);
    // 0.25 lies 3/8 of the way from 0.1 (10) to 0.5 (0): 10 - 3.75 = 6.25
    expect(Array.from(levelRow(f, 0.25))).toEqual([6.25, 7.25]);
  });
});

describe('CSV and JSON', () => {
  it('quantile columns have no trailing zeros', () => {
    expect([0.01, 0.05, 0.1, 0.5, 0.99].map(quantileColumnName)).toEqual(['q0.01', 'q0.05', 'q0.1', 'q0.5', 'q0.99']);
    expect(formatValue(431.23456789)).toBe('431.2346');
    expect(formatValue(NaN)).toBe('');
  });

  it('one row per series per step, naming the target column, timestamps in the input format', () => {
    const f = forecast();
    const axis = { ...stepAxis(MONTHLY), format: 'year-month' as const, example: '1949-01' };
    const csv = forecastCsv(
      [
        { ...sliceVariate(f, 0, 2, 'a', TS), targetColumn: 'a' },
        { ...sliceVariate(f, 1, 2, 'b, "quoted"', TS), targetColumn: 'sales' },
      ],
      axis,
    );
    expect(csv.split('\n')).toEqual([
      'series,target,timestamp,mean,q0.1,q0.5,q0.9',
      'a,a,1961-01,0,10,0,20',
      'a,a,1961-02,1,11,1,21',
      '"b, ""quoted""",sales,1961-01,100,110,100,120',
      '"b, ""quoted""",sales,1961-02,101,111,101,121',
      '',
    ]);
  });

  it('JSON holds levels, timestamps, values and provenance', () => {
    const axis = { ...stepAxis(MONTHLY), format: 'year-month' as const, example: '1949-01' };
    const report = { kind: 'forecast' as const, model: 'm', backend: 'wasm', data: { file: 'f.csv', facts: { rows: 3 }, notes: [] }, settings: { horizon: 2 } };
    const doc = JSON.parse(reportJson(report, axis, [{ ...sliceVariate(forecast(), 0, 2, 'a', TS), targetColumn: 'y' }]));
    expect(doc).toEqual({
      ...report,
      frequency: 'monthly',
      quantileLevels: [0.1, 0.5, 0.9],
      series: [{ series: 'a', target: 'y', timestamps: ['1961-01', '1961-02'], mean: [0, 1], quantiles: [[10, 11], [0, 1], [20, 21]] }],
    });
  });
});

// Shape detection, default roles, regularisation and known-future covariates of src/data/table.ts, on real files.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv, type ParsedTable } from '../../src/data/csv';
import { CsvParseError, type CsvErrorCode } from '../../src/data/errors';
import { buildSeries, describeTable, detectSchema, inferSelectionFrequency, type SeriesSet } from '../../src/data/table';
import {
  formatTimestamp,
  futureTimestamps,
  makeFrequency,
  seasonLength,
  STEP_FREQUENCY,
} from '../../src/data/timestamps';

const FIXTURES = new URL('../fixtures/csv/', import.meta.url);
const AIRLINE = new URL('../../public/airline-passengers.csv', import.meta.url);

async function load(name: string): Promise<ParsedTable> {
  return parseCsv(new Blob([new Uint8Array(readFileSync(new URL(name, FIXTURES)))]));
}

async function series(text: string): Promise<SeriesSet> {
  const table = await parseCsv(text);
  return buildSeries(table, detectSchema(table));
}

function expectError(run: () => unknown, code: CsvErrorCode, phrase: string | RegExp): CsvParseError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CsvParseError);
  const error = caught as CsvParseError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(phrase);
  return error;
}

const day = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h, mi);

describe('the airline dataset', () => {
  it('is one monthly series of 144 values that continues in 1961', async () => {
    const table = await parseCsv(readFileSync(AIRLINE, 'utf8'));
    const schema = detectSchema(table);
    expect(schema).toMatchObject({
      shape: 'wide',
      timestampColumn: 'month',
      targetColumns: ['passengers'],
      covariateColumns: [],
      frequency: { unit: 'month', step: 1, label: 'monthly', anchor: 'start' },
    });
    const set = buildSeries(table, schema);
    expect(set.series).toHaveLength(1);
    const [s] = set.series;
    expect(s.id).toBe('passengers');
    expect(s.target).toHaveLength(144);
    expect(Array.from(s.target.slice(0, 3))).toEqual([112, 118, 132]);
    expect(formatTimestamp(s.timestamps[0], set.frequency)).toBe('1949-01');
    expect(formatTimestamp(s.timestamps[143], set.frequency)).toBe('1960-12');
    expect(s.futureTimestamps).toEqual([]);
    const future = futureTimestamps(s.timestamps[143], set.frequency, 3).map((t) => formatTimestamp(t, set.frequency));
    expect(future).toEqual(['1961-01', '1961-02', '1961-03']);
    expect(seasonLength(set.frequency)).toBe(12);
    expect(set.warnings).toEqual([]);
  });

  it('is described for a preview', async () => {
    const table = await parseCsv(readFileSync(AIRLINE, 'utf8'));
    const description = describeTable(table);
    expect(description).toMatchObject({
      delimiter: ',',
      delimiterName: 'comma',
      decimal: '.',
      hasHeader: true,
      shape: 'wide',
      rowCount: 144,
      seriesCount: 1,
      frequencyLabel: 'monthly',
      firstTimestamp: '1949-01',
      lastTimestamp: '1960-12',
      header: ['month', 'passengers'],
    });
    expect(description.columns).toEqual([
      { name: 'month', kind: 'timestamp', format: 'YYYY-MM', missing: 0, role: 'timestamp' },
      { name: 'passengers', kind: 'numeric', missing: 0, role: 'target' },
    ]);
    expect(description.rows).toHaveLength(10);
    expect(description.rows[0]).toEqual(['1949-01', '112']);
  });
});

describe('table shapes', () => {
  it('wide: every numeric column is a series', async () => {
    const table = await load('wide-3-series.csv');
    const schema = detectSchema(table);
    expect(schema).toMatchObject({ shape: 'wide', targetColumns: ['Store A', 'Store B', 'Store C'] });
    const set = buildSeries(table, schema);
    expect(set.series.map((s) => [s.id, s.target.length])).toEqual([
      ['Store A', 60],
      ['Store B', 60],
      ['Store C', 60],
    ]);
    expect(set.frequency.label).toBe('daily');
    expect(set.series[1].timestamps[59]).toBe(day(2024, 2, 29));
  });

  it('long: one series per id, of different lengths', async () => {
    const table = await load('long-3-ids.csv');
    const schema = detectSchema(table);
    expect(schema).toMatchObject({
      shape: 'long',
      idColumn: 'item_id',
      timestampColumn: 'timestamp',
      targetColumns: ['target'],
    });
    const set = buildSeries(table, schema);
    expect(set.series.map((s) => [s.id, s.groupId, s.target.length, s.target[0]])).toEqual([
      ['A', 'A', 30, 10],
      ['B', 'B', 24, 20],
      ['C', 'C', 18, 30],
    ]);
    expect(set.series[2].timestamps[0]).toBe(day(2024, 1, 13));
    expect(describeTable(table, schema).seriesCount).toBe(3);
    expect(inferSelectionFrequency(table, { timestampColumn: 'timestamp', idColumn: 'item_id' })?.label).toBe('daily');
    expect(inferSelectionFrequency(table, {})).toEqual(STEP_FREQUENCY);
    expect(inferSelectionFrequency(table, { timestampColumn: 'target' })).toBeNull();
  });

  it('long with a numeric id named like one, and several value columns', async () => {
    const rows = ['store_id,date,sales,visitors'];
    for (const store of [1, 2]) for (let d = 1; d <= 5; d++) rows.push(`${store},2024-01-0${d},${store * 10 + d},${d}`);
    const table = await parseCsv(rows.join('\n'));
    const schema = detectSchema(table);
    // Every value column of a long table is forecast per id unless the user picks.
    expect(schema).toMatchObject({ shape: 'long', idColumn: 'store_id', targetColumns: ['sales', 'visitors'], covariateColumns: [] });
    const set = buildSeries(table, schema);
    expect(set.series.map((s) => s.id)).toEqual(['1 · sales', '1 · visitors', '2 · sales', '2 · visitors']);
    const picked = buildSeries(table, { ...schema, targetColumns: ['sales'], covariateColumns: ['visitors'] });
    expect(picked.series.map((s) => s.id)).toEqual(['1', '2']);
  });

  it('long without timestamps: series stacked in blocks under an id column', async () => {
    const rows = ['series_id,value'];
    for (const id of ['a', 'b']) for (let i = 0; i < 4; i++) rows.push(`${id},${i}`);
    const set = await series(rows.join('\n'));
    expect(set.frequency).toEqual(STEP_FREQUENCY);
    expect(set.series.map((s) => [s.id, s.timestamps])).toEqual([
      ['a', [0, 1, 2, 3]],
      ['b', [0, 1, 2, 3]],
    ]);
  });

  it('without a timestamp column, rows are integer steps', async () => {
    const table = await parseCsv('index,value\n0,5\n1,6\n2,7\n3,8\n');
    const schema = detectSchema(table);
    expect(schema.targetColumns).toEqual(['value']);
    expect(schema.frequency).toEqual(STEP_FREQUENCY);
    expect(schema.notes.join(' ')).toMatch(/'index' counts rows/);
    const set = buildSeries(table, schema);
    expect(set.series[0].timestamps).toEqual([0, 1, 2, 3]);
    expect(Array.from(set.series[0].target)).toEqual([5, 6, 7, 8]);
  });

  it('the first 10 of 200 numeric columns are targets by default', async () => {
    const header = ['date', ...Array.from({ length: 200 }, (_, i) => `s${i}`)].join(',');
    const lines = [header];
    for (let r = 0; r < 50; r++) {
      const stamp = new Date(Date.UTC(2024, 0, 1) + r * 1_800_000).toISOString().slice(0, 16);
      lines.push([stamp, ...Array.from({ length: 200 }, (_, i) => r + i)].join(','));
    }
    const table = await parseCsv(lines.join('\n'));
    const schema = detectSchema(table);
    expect(schema.targetColumns).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    expect(schema.notes.join(' ')).toMatch(/200 numeric columns; the first 10/);
    const set = buildSeries(table, { ...schema, targetColumns: ['s199'] });
    expect(set.frequency.label).toBe('30-minute');
    expect(set.series[0].target[0]).toBe(199);
  });
});

describe('frequencies of real files', () => {
  it('semicolon, decimal comma, dd.mm.yyyy: daily', async () => {
    const set = buildSeries(await load('semicolon-decimal-comma.csv'), detectSchema(await load('semicolon-decimal-comma.csv')));
    expect(set.frequency.label).toBe('daily');
    const umsatz = set.series.find((s) => s.id === 'Umsatz');
    expect(umsatz?.target[1]).toBe(1037.25);
    expect(umsatz?.target[5]).toBeNaN();
    expect(umsatz?.timestamps[12]).toBe(day(2024, 1, 1));
  });

  it('hourly with gaps and NA: gaps become NaN on the hourly grid', async () => {
    const table = await load('hourly-gaps-na.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency).toEqual({ unit: 'hour', step: 1, label: 'hourly' });
    const [s] = set.series;
    expect(s.target).toHaveLength(48);
    expect(s.timestamps[47]).toBe(day(2024, 3, 2, 23));
    const missing = Array.from(s.target.keys()).filter((i) => Number.isNaN(s.target[i]));
    expect(missing).toEqual([5, 6, 10, 20, 30, 40]);
    expect(s.target[0]).toBeCloseTo(500, 9);
    expect(set.warnings.join(' ')).toMatch(/3 missing time steps at the hourly frequency.*2024-03-01 05:00/);
  });

  it('epoch seconds: 30-minute', async () => {
    const table = await load('epoch-seconds.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency.label).toBe('30-minute');
    const first = table.columns[0].values[0] as number;
    expect(set.series[0].timestamps[0]).toBe(first);
    expect(seasonLength(set.frequency)).toBe(48);
  });

  it('quarterly (YYYY-Qn)', async () => {
    const table = await load('quarterly.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency).toMatchObject({ unit: 'quarter', label: 'quarterly' });
    const last = set.series[0].timestamps[23];
    expect(formatTimestamp(last, set.frequency)).toBe('2020-Q4');
    expect(futureTimestamps(last, set.frequency, 2).map((t) => formatTimestamp(t, set.frequency))).toEqual([
      '2021-Q1',
      '2021-Q2',
    ]);
  });

  it('weekly (tab-separated), with a text covariate', async () => {
    const table = await load('weekly.tsv');
    const schema = detectSchema(table);
    expect(schema.covariateColumns).toEqual(['channel']);
    const set = buildSeries(table, schema);
    expect(set.frequency.label).toBe('weekly');
    expect(set.series[0].pastCovariates.channel.slice(0, 2)).toEqual(['store', 'web']);
  });

  it('15-minute (pipe-separated)', async () => {
    const table = await load('15-minute.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency).toEqual({ unit: 'minute', step: 15, label: '15-minute' });
    expect(formatTimestamp(set.series[0].timestamps[1], set.frequency)).toBe('2024-03-05 14:15');
    expect(seasonLength(set.frequency)).toBe(96);
  });

  it('month-end dates without a header continue on month ends', async () => {
    const table = await load('month-end-no-header.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency).toMatchObject({ unit: 'month', anchor: 'end' });
    const last = set.series[0].timestamps[23];
    expect(last).toBe(day(2021, 12, 31));
    expect(futureTimestamps(last, set.frequency, 2)).toEqual([day(2022, 1, 31), day(2022, 2, 28)]);
  });

  it('US business days: daily, weekends filled with NaN', async () => {
    const table = await load('us-dates.csv');
    const set = buildSeries(table, { ...detectSchema(table), targetColumns: ['Close'] });
    expect(set.frequency.label).toBe('daily');
    const [s] = set.series;
    expect(s.timestamps[0]).toBe(day(2024, 1, 2));
    expect(s.target[4]).toBeNaN(); // Saturday 2024-01-06
    expect(set.warnings.join(' ')).toMatch(/missing time steps at the daily frequency/);
  });

  it('yearly, from bare years in a column named Year', async () => {
    const set = await series('Year;Population\n2015;8,1\n2016;8,2\n2017;8,3\n2019;8,5\n');
    expect(set.frequency).toMatchObject({ unit: 'year', label: 'yearly' });
    expect(Array.from(set.series[0].target)).toEqual([8.1, 8.2, 8.3, NaN, 8.5]);
    expect(futureTimestamps(set.series[0].timestamps[4], set.frequency, 1)).toEqual([day(2020, 1, 1)]);
  });

  it('a chosen frequency overrides the inferred one', async () => {
    const table = await load('15-minute.csv');
    const set = buildSeries(table, { ...detectSchema(table), frequency: makeFrequency('minute', 5) });
    expect(set.series[0].target).toHaveLength(95 * 3 + 1);
  });
});

describe('known future covariates', () => {
  it('rows after the last target value give future covariate values', async () => {
    const table = await load('covariate-future.csv');
    const schema = detectSchema(table);
    expect(schema).toMatchObject({ targetColumns: ['sales'], covariateColumns: ['price', 'promo'] });
    expect(schema.notes.join(' ')).toMatch(/'price' has values after 'sales' ends/);
    const set = buildSeries(table, schema);
    const [s] = set.series;
    expect(s.target).toHaveLength(28);
    expect(s.pastCovariates.promo).toHaveLength(28);
    expect(s.pastCovariates.price).toHaveLength(28);
    expect(s.futureTimestamps).toHaveLength(7);
    expect(s.futureTimestamps[0]).toBe(day(2024, 5, 29));
    expect(s.futureCovariates.promo).toEqual(['no', 'no', 'no', 'no', 'no', 'yes', 'yes']);
    expect(s.futureCovariates.price).toEqual([9.99, 9.99, 9.99, 9.99, 9.99, 7.49, 7.49]);
    expect(set.futureCovariateNames).toEqual(['price', 'promo']);
    expect(set.knownFutureLength).toBe(7);
    expect(set.warnings.join(' ')).toMatch(/known for 7 steps after the last target value/);
  });

  it('past-only covariates stay out of futureCovariates; keys are shared by all series', async () => {
    const rows = ['id,date,y,temp,holiday'];
    for (const id of ['a', 'b']) {
      for (let d = 1; d <= 6; d++) rows.push(`${id},2024-01-0${d},${d},${d * 2},${d === 3 ? 'x' : 'o'}`);
      rows.push(`${id},2024-01-07,,,${id === 'a' ? 'x' : ''}`);
    }
    const table = await parseCsv(rows.join('\n'));
    const set = buildSeries(table, { timestampColumn: 'date', idColumn: 'id', targetColumns: ['y'], covariateColumns: ['temp', 'holiday'] });
    expect(set.pastCovariateNames).toEqual(['temp', 'holiday']);
    expect(set.futureCovariateNames).toEqual(['holiday']);
    expect(set.series[0].futureCovariates).toEqual({ holiday: ['x'] });
    expect(set.series[1].futureCovariates).toEqual({ holiday: [] });
    expect(set.knownFutureLength).toBe(0);
  });

  it('leading missing values are trimmed per series', async () => {
    const set = await series('date,a,b\n2024-01-01,1,\n2024-01-02,2,\n2024-01-03,3,7\n2024-01-04,4,8\n2024-01-05,5,9\n');
    expect(set.series.map((s) => [s.id, s.target.length, s.timestamps[0]])).toEqual([
      ['a', 5, day(2024, 1, 1)],
      ['b', 3, day(2024, 1, 3)],
    ]);
  });
});

describe('ordering and errors', () => {
  it('sorts unsorted rows and says so', async () => {
    const table = await load('unsorted.csv');
    const set = buildSeries(table, detectSchema(table));
    expect(Array.from(set.series[0].target)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(set.warnings).toContain("The rows were not in time order; they were sorted by 'date'.");
  });

  it('finds the series of a long table whose ids take turns and whose times run backwards', async () => {
    // Row blocks of one id and rising times are the fast paths of grouping and duplicate counting; this is neither.
    const rows = ['store,week,units'];
    for (let w = 11; w >= 0; w--) for (const store of ['x', 'y', 'z']) rows.push(`${store},2024-${String(w + 1).padStart(2, '0')}-01,${store === 'y' ? 100 + w : w}`);
    const table = await parseCsv(`${rows.join('\n')}\n`);
    const schema = detectSchema(table);
    expect(schema).toMatchObject({ shape: 'long', idColumn: 'store', timestampColumn: 'week', frequency: { label: 'monthly' } });
    const set = buildSeries(table, schema);
    expect(set.series.map((s) => [s.id, Array.from(s.target)])).toEqual([
      ['x', Array.from({ length: 12 }, (_, i) => i)],
      ['y', Array.from({ length: 12 }, (_, i) => 100 + i)],
      ['z', Array.from({ length: 12 }, (_, i) => i)],
    ]);
    // The frequency worked out for detection is not reused when the selection names another one.
    const quarterly = makeFrequency('quarter');
    expect(() => buildSeries(table, { ...schema, frequency: quarterly })).toThrow(CsvParseError);
  });

  it('duplicate timestamps in a long table name the series and rows', async () => {
    const table = await load('long-duplicate.csv');
    const error = expectError(
      () => buildSeries(table, detectSchema(table)),
      'duplicate-timestamps',
      /2024-01-04 appears twice in series 'south' \(data row 14 and data row 16\)/,
    );
    expect(error.location).toEqual({ row: 16, column: 'date', seriesId: 'south' });
  });

  it('duplicate timestamps in a wide table suggest choosing an id column', async () => {
    const table = await parseCsv('date,v\n2024-01-01,1\n2024-01-02,2\n2024-01-02,3\n2024-01-03,4\n');
    expectError(() => buildSeries(table, detectSchema(table)), 'duplicate-timestamps', /appears twice.*choose the column that names them/);
  });

  it('timestamps off the grid', async () => {
    const table = await parseCsv('time,v\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 02:00,3\n2024-01-01 02:30,4\n2024-01-01 04:00,5\n');
    expectError(() => buildSeries(table, detectSchema(table)), 'irregular-timestamps', /2024-01-01 02:30 in data row 4 is not on the hourly grid/);
  });

  it('a mistyped date far away from the others', async () => {
    const table = await parseCsv('time,v\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 02:00,3\n2204-01-01 03:00,4\n');
    expectError(() => buildSeries(table, detectSchema(table)), 'irregular-timestamps', /far from regular/);
  });

  it('a value in the timestamp column that is not a date', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)},${i}`);
    rows[240] = '2024-13-45,240';
    const table = await parseCsv(['date,v', ...rows].join('\n'));
    expectError(() => buildSeries(table, detectSchema(table)), 'invalid-timestamp', /'2024-13-45' in data row 241 of column 'date' is not a date/);
  });

  it('a selection that does not fit the table', async () => {
    const table = await load('weekly.tsv');
    expectError(() => buildSeries(table, { targetColumns: ['nope'], covariateColumns: [] }), 'invalid-selection', /no column 'nope'.*'week', 'visits', 'channel'/);
    expectError(() => buildSeries(table, { targetColumns: ['channel'], covariateColumns: [] }), 'invalid-selection', /holds text, not numbers/);
    expectError(() => buildSeries(table, { targetColumns: [], covariateColumns: [] }), 'invalid-selection', /at least one column/);
    expectError(
      () => buildSeries(table, { targetColumns: ['visits'], covariateColumns: ['week'] }),
      'invalid-selection',
      /cannot be a covariate: it is a date column/,
    );
  });

  it('series with too few values are left out; none left is an error', async () => {
    const table = await parseCsv('id,date,v\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-03,3\nb,2024-01-01,1\nb,2024-01-02,\nb,2024-01-03,\n');
    const set = buildSeries(table, detectSchema(table));
    expect(set.series.map((s) => s.id)).toEqual(['a']);
    expect(set.warnings.join(' ')).toMatch(/1 series with fewer than 3 values was left out: 'b'/);
    const empty = await parseCsv('date,v\n2024-01-01,1\n2024-01-02,\n2024-01-03,\n');
    expectError(() => buildSeries(empty, detectSchema(empty)), 'too-few-rows', /No series has at least 3 values/);
  });

  it('a single distinct timestamp has no frequency', async () => {
    const table = await parseCsv('date,v\n2024-01-01,1\n2024-01-01,2\n2024-01-01,3\n');
    expectError(
      () => buildSeries(table, { timestampColumn: 'date', targetColumns: ['v'], covariateColumns: [] }),
      'unknown-frequency',
      /needs at least two different times/,
    );
  });
});

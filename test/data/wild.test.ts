// Role detection and time axes on files shaped like the wild ones (test/fixtures/csv, see its README), and every
// time format, including bad ones, which must give a clear note and never a silently wrong axis.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv';
import { parseFrequency } from '../../src/data/frequency-names';
import { buildSeries, detectSchema } from '../../src/data/table';
import { formatOnAxis, parseStart } from '../../src/data/time-axis';
import { detectTimestampFormat, futureTimestamps, parseTimestamp, zoneOffsetMinutes } from '../../src/data/timestamps';

const FIXTURES = path.join(__dirname, '../fixtures/csv');

async function load(name: string) {
  const table = await parseCsv(new Blob([readFileSync(path.join(FIXTURES, name))]));
  const schema = detectSchema(table);
  return { table, schema, set: buildSeries(table, schema) };
}

/** The first forecast timestamps after a series, written on its axis. */
function next(set: Awaited<ReturnType<typeof load>>['set'], n: number): string[] {
  const s = set.series[0];
  return futureTimestamps(s.timestamps[s.timestamps.length - 1], set.frequency, n).map((t) => formatOnAxis(t, set.timeAxis));
}

describe('column roles', () => {
  it('R ts monthly export: the "" row counter is ignored, time is a decimal year, value is the target', async () => {
    const { table, schema, set } = await load('r-ts-monthly.csv');
    expect(schema).toMatchObject({ timestampColumn: 'time', targetColumns: ['value'], covariateColumns: [], rowCounters: ['column_1'] });
    expect(table.columns.find((c) => c.name === 'time')).toMatchObject({ kind: 'timestamp', format: 'decimal-month' });
    expect(schema.notes.join(' ')).toMatch(/'column_1' \(blank header, as R writes row names\) counts rows \(1, 2, 3, …\) and is ignored/);
    expect(set.frequency.label).toBe('monthly');
    expect(set.series[0].target[0]).toBe(112);
    expect(formatOnAxis(set.series[0].timestamps[1], set.timeAxis)).toBe('1949.08333333333');
    expect(next(set, 3)).toEqual(['1961', '1961.08333333333', '1961.16666666667']);
  });

  it('R ts quarterly export: quarters from decimal years, written back as 1987.25', async () => {
    const { schema, set } = await load('r-ts-quarterly.csv');
    expect(schema.timestampColumn).toBe('time');
    expect(set.frequency.label).toBe('quarterly');
    expect(next(set, 4)).toEqual(['1987', '1987.25', '1987.5', '1987.75']);
  });

  it('long panel with a row counter and six value columns forecasts each per id', async () => {
    const { schema, set } = await load('panel-long-6.csv');
    expect(schema.shape).toBe('long');
    expect(schema.idColumn).toBe('state');
    expect(schema.rowCounters).toEqual(['column_1']);
    expect(schema.targetColumns).toEqual(['births', 'deaths', 'marriages', 'divorces', 'arrivals', 'departures']);
    expect(set.series).toHaveLength(18);
    expect(set.series.slice(0, 2).map((s) => [s.id, s.targetColumn])).toEqual([
      ['NSW · births', 'births'],
      ['NSW · deaths', 'deaths'],
    ]);
    expect(next(set, 1)).toEqual(['2020-01-01']);
  });

  it('row counters: 0..N-1 and Unnamed: 0 too, but not a column that starts elsewhere or has a real name', async () => {
    const rows = (header: string, f: (i: number) => string) => [header, ...Array.from({ length: 6 }, (_, i) => f(i))].join('\n');
    const pandas = detectSchema(await parseCsv(rows('Unnamed: 0,date,y', (i) => `${i},2024-01-0${i + 1},${5 + i * i}`)));
    expect(pandas).toMatchObject({ rowCounters: ['Unnamed: 0'], targetColumns: ['y'] });
    const late = detectSchema(await parseCsv(rows('index,date,sales', (i) => `${i + 5},2024-01-0${i + 1},${5 + i * i}`)));
    expect(late.rowCounters).toEqual([]);
    const named = detectSchema(await parseCsv(rows('date,visits,sales', (i) => `2024-01-0${i + 1},${i + 1},${5 + i * i}`)));
    expect(named.targetColumns).toEqual(['visits', 'sales']);
  });

  it('future rows with known covariates: target sales, price and promo known for 14 steps', async () => {
    const { schema, set } = await load('known-future.csv');
    expect(schema).toMatchObject({ targetColumns: ['sales'], covariateColumns: ['price', 'promo'] });
    expect(set.futureCovariateNames).toEqual(['price', 'promo']);
    expect(set.knownFutureLength).toBe(14);
  });

  it('daily data with gaps: the gaps are filled and said', async () => {
    const { set } = await load('daily-gaps.csv');
    expect(set.frequency.label).toBe('daily');
    expect(set.warnings.join(' ')).toMatch(/7 missing time steps at the daily frequency .* \(first: 2016-01-10\)/);
    expect(Number.isNaN(set.series[0].target[9])).toBe(true);
  });
});

describe('time axes', () => {
  it('datetimes with UTC offsets keep them, across a DST change, in the input style', async () => {
    const { table, set } = await load('offsets-daily.csv');
    const ts = table.columns.find((c) => c.name === 'timestamp');
    expect(ts?.kind === 'timestamp' && Array.from(ts.offsets ?? []).slice(29, 31)).toEqual([60, 120]);
    expect(set.timeAxis.wallClock).toBe(true);
    expect(set.series[0].timestamps).toHaveLength(61); // no gap and no duplicate at the change
    expect(formatOnAxis(set.series[0].timestamps[0], set.timeAxis)).toBe('2024-03-01T00:00:00+01:00');
    expect(formatOnAxis(set.series[0].timestamps[30], set.timeAxis)).toBe('2024-03-31T00:00:00+02:00');
    expect(next(set, 1)).toEqual(['2024-05-01T00:00:00+02:00']);
  });

  it('hourly data with offsets stays in UTC and writes each hour with its own offset', async () => {
    const lines = ['time,v'];
    // 2024-10-27: CEST (+02:00) ends at 03:00 local, hourly UTC instants stay regular.
    for (let h = 0; h < 6; h++) {
      const utc = Date.UTC(2024, 9, 26, 22 + h);
      const offset = utc < Date.UTC(2024, 9, 27, 1) ? 2 : 1;
      const local = new Date(utc + offset * 3_600_000).toISOString().slice(0, 19);
      lines.push(`${local}+0${offset}:00,${h}`);
    }
    const table = await parseCsv(lines.join('\n'));
    const set = buildSeries(table, detectSchema(table));
    expect(set.frequency.label).toBe('hourly');
    expect(set.timeAxis.wallClock).toBe(false);
    expect(set.series[0].timestamps.map((t) => formatOnAxis(t, set.timeAxis))).toEqual(lines.slice(1).map((l) => l.split(',')[0]));
    expect(next(set, 1)).toEqual(['2024-10-27T05:00:00+01:00']);
  });

  it('a file without dates gets a frequency and a start', async () => {
    const table = await parseCsv(readFileSync(path.join(FIXTURES, 'r-ts-no-time.csv'), 'utf8'));
    const schema = detectSchema(table);
    expect(schema.timestampColumn).toBeUndefined();
    expect(schema.targetColumns).toEqual(['x']);
    expect(buildSeries(table, schema).frequency.unit).toBe('step');
    const monthly = buildSeries(table, { ...schema, frequency: parseFrequency('monthly')!, start: '1949-01' });
    expect(formatOnAxis(monthly.series[0].timestamps[0], monthly.timeAxis)).toBe('1949-01');
    expect(next(monthly, 2)).toEqual(['1961-01', '1961-02']);
    const decimal = buildSeries(table, { ...schema, frequency: parseFrequency('MS')!, start: '1949' });
    expect(next(decimal, 2)).toEqual(['1961', '1961.08333333333']);
    const quarterly = buildSeries(table, { ...schema, frequency: parseFrequency('quarterly')!, start: '1956 Q1' });
    expect(next(quarterly, 1)).toEqual(['1992 Q1']);
    expect(() => buildSeries(table, { ...schema, start: '1949-01' })).toThrow(/A start needs a frequency/);
    expect(() => buildSeries(table, { ...schema, frequency: parseFrequency('monthly')! })).toThrow(/needs a start date/);
    expect(() => buildSeries(table, { ...schema, frequency: parseFrequency('monthly')!, start: 'soon' })).toThrow(/'soon' is not a date/);
  });

  it('parses every format and writes it back the same way', () => {
    const cases: [string, string, string][] = [
      // [column name, first value, the value one period later as written]
      ['date', '2016-06-01', '2016-06-02'],
      ['Quarter', '1956 Q1', '1956 Q2'],
      ['Quarter', '1956-Q1', '1956-Q2'],
      ['Quarter', '1956Q1', '1956Q2'],
      ['week', '2020-W05', '2020-W06'],
      ['week', '2020W52', '2020W53'],
      ['month', 'Jan 2020', 'Feb 2020'],
      ['month', 'January 2020', 'February 2020'],
      ['year', '1999', '2000'],
      ['time', '1959.25', '1959.5'],
      ['Date', '1/5/2024', '1/6/2024'],
    ];
    for (const [name, first, second] of cases) {
      const detected = detectTimestampFormat(name, [first, second, first.includes('/') ? '1/31/2024' : second]);
      expect(detected.kind, `${first}`).toBe('format');
      if (detected.kind !== 'format') continue;
      const a = parseTimestamp(first, detected.format);
      const b = parseTimestamp(second, detected.format);
      expect(Number.isNaN(a) || Number.isNaN(b), `${first} / ${second}`).toBe(false);
    }
    expect(parseTimestamp('2020-W05', 'iso-week')).toBe(Date.UTC(2020, 0, 27));
    expect(parseTimestamp('2020-W53', 'iso-week')).toBe(Date.UTC(2020, 11, 28));
    expect(parseTimestamp('2021-W53', 'iso-week')).toBeNaN(); // 2021 has 52 ISO weeks
    expect(parseTimestamp('Sept 2020', 'month-name')).toBe(Date.UTC(2020, 8, 1));
    expect(parseTimestamp('1959.0833333', 'decimal-month')).toBe(Date.UTC(1959, 1, 1));
    expect(parseTimestamp('1959.1', 'decimal-month')).toBeNaN(); // not a whole month
    expect(zoneOffsetMinutes('2024-03-05T10:00:00+05:30')).toBe(330);
    expect(zoneOffsetMinutes('2024-03-05')).toBeNull();
    expect(parseStart('2020-W05')).toEqual({ ts: Date.UTC(2020, 0, 27), format: 'iso-week' });
  });

  it('years outside 1000–9999 are no dates (Date.UTC would turn 0050 into 1950)', () => {
    expect(parseTimestamp('0050-01-01', 'iso')).toBeNaN();
    expect(parseTimestamp('0999-12-31', 'iso')).toBeNaN();
    expect(parseTimestamp('1000-01-01', 'iso')).toBe(Date.UTC(1000, 0, 1));
    expect(parseTimestamp('9999-12-31', 'iso')).toBe(Date.UTC(9999, 11, 31));
    expect(parseTimestamp('0950', 'year')).toBeNaN();
  });
});

describe('bad time columns give a clear note, never a silently wrong axis', () => {
  const file = (dates: string[]) => ['date,value', ...dates.map((d, i) => `${d},${10 + i}`)].join('\n');

  it('mixed formats', async () => {
    const table = await parseCsv(file(['2024-01-01', '2024-01-02', '03/01/2024', '2024-01-04', '2024-01-05']));
    expect(table.columns[0].kind).toBe('categorical');
    expect(table.unreadableDateColumns?.[0]).toMatchObject({ column: 'date' });
    expect(table.warnings.join(' ')).toMatch(/Column 'date' looks like dates \(4 of the first 5 values are YYYY-MM-DD\), but '03\/01\/2024' is not/);
  });

  it('unparseable and out-of-range values', async () => {
    const impossible = await parseCsv(file(['2024-02-27', '2024-02-28', '2024-02-30', '2024-03-01']));
    expect(impossible.warnings.join(' ')).toMatch(/'2024-02-30' is not a date in that format/);
    const ancient = await parseCsv(file(['0998-01-01', '0998-01-02', '0998-01-03', '1998-01-04']));
    expect(ancient.unreadableDateColumns?.[0].message).toMatch(/'0998-01-01' is not a date .* a year outside 1000–9999/);
  });

  it('dd/mm vs mm/dd without evidence', async () => {
    const table = await parseCsv(file(['01/02/2024', '02/02/2024', '03/02/2024', '04/02/2024']));
    expect(table.ambiguousDateColumns).toEqual(['date']);
    expect(table.warnings.join(' ')).toMatch(/day and month cannot be told apart/);
    const dmy = await parseCsv(file(['01/02/2024', '02/02/2024', '03/02/2024', '04/02/2024']), { dateOrder: 'dmy' });
    expect(buildSeries(dmy, detectSchema(dmy)).frequency.label).toBe('daily');
  });

  it('a decimal-year column that is not on a month or quarter grid is not a time axis', async () => {
    const table = await parseCsv(['time,value', '1959.1,1', '1959.2,2', '1959.3,3', '1959.4,4'].join('\n'));
    expect(table.columns[0].kind).toBe('numeric');
  });
});

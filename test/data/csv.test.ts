// parseCsv on real files as users produce them (test/fixtures/csv, public/airline-passengers.csv), on strings and
// on Blobs, and every way a file is refused.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decimalEvidence, chooseDecimal, isMissingToken, parseNumber } from '../../src/data/cells';
import { parseCsv, type ParsedColumn, type ParsedTable, type ParseCsvOptions } from '../../src/data/csv';
import { CsvParseError, type CsvErrorCode } from '../../src/data/errors';

const FIXTURES = new URL('../fixtures/csv/', import.meta.url);
const AIRLINE = new URL('../../public/airline-passengers.csv', import.meta.url);

function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

function column(table: ParsedTable, name: string): ParsedColumn {
  const found = table.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name} in ${table.columns.map((c) => c.name).join(', ')}`);
  return found;
}

function values(table: ParsedTable, name: string): number[] {
  const c = column(table, name);
  if (c.kind === 'categorical') throw new Error(`${name} is categorical`);
  return Array.from(c.values);
}

/** Parses a fixture both as a string and as a Blob and checks that both give the same table. */
async function parseFixture(name: string, options: ParseCsvOptions = {}): Promise<ParsedTable> {
  const bytes = fixture(name);
  const fromBlob = await parseCsv(new Blob([bytes]), options);
  const text = new TextDecoder(fromBlob.encoding === 'utf-16' ? 'utf-8' : fromBlob.encoding).decode(bytes);
  const fromString = await parseCsv(text, options);
  expect({ ...fromString, encoding: fromBlob.encoding }).toEqual(fromBlob);
  return fromBlob;
}

async function expectError(
  promise: Promise<unknown>,
  code: CsvErrorCode,
  phrase: string | RegExp,
): Promise<CsvParseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsvParseError);
  const csvError = error as CsvParseError;
  expect(csvError.name).toBe('CsvParseError');
  expect(csvError.code).toBe(code);
  expect(csvError.message).toMatch(phrase);
  return csvError;
}

describe('cells', () => {
  it('reads missing-value tokens', () => {
    for (const token of ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '-', '?', 'None', '#N/A']) {
      expect(isMissingToken(token), token).toBe(true);
    }
    for (const token of ['0', 'n', 'nano', 'Nancy', '--']) expect(isMissingToken(token), token).toBe(false);
  });

  it('parses numbers with either decimal separator and unambiguous thousands separators', () => {
    expect(parseNumber('12.5', '.')).toBe(12.5);
    expect(parseNumber('-1.5e3', '.')).toBe(-1500);
    expect(parseNumber('1,234,567.8', '.')).toBe(1234567.8);
    expect(parseNumber('1 234.5', '.')).toBe(1234.5);
    expect(parseNumber('12,5', '.')).toBeNaN();
    expect(parseNumber('12,5', ',')).toBe(12.5);
    expect(parseNumber('1.234,5', ',')).toBe(1234.5);
    expect(parseNumber('1.234', ',')).toBe(1234);
    expect(parseNumber('1\u00a0234,5', ',')).toBe(1234.5);
    expect(parseNumber('0x10', '.')).toBeNaN();
    expect(parseNumber('12 apples', '.')).toBeNaN();
  });

  it('chooses the decimal separator from unambiguous cells, else from the delimiter', () => {
    expect(chooseDecimal(decimalEvidence(['12,5', '1.234,5', '3']), ';')).toBe(',');
    expect(chooseDecimal(decimalEvidence(['12.5', '1,234.5']), ';')).toBe('.');
    expect(chooseDecimal(decimalEvidence(['1.234', '17']), ';')).toBe(',');
    expect(chooseDecimal(decimalEvidence(['1,234', '17']), ',')).toBe('.');
  });
});

describe('parseCsv on real files', () => {
  it('reads the airline dataset: 144 monthly rows', async () => {
    const text = readFileSync(AIRLINE, 'utf8');
    const table = await parseCsv(text);
    expect(table).toMatchObject({ rowCount: 144, delimiter: ',', decimal: '.', hasHeader: true, warnings: [] });
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['month', 'timestamp'],
      ['passengers', 'numeric'],
    ]);
    const month = column(table, 'month');
    expect(month.kind === 'timestamp' && month.format).toBe('year-month');
    expect(month.values[0]).toBe(Date.UTC(1949, 0, 1));
    expect(month.values[143]).toBe(Date.UTC(1960, 11, 1));
    expect(values(table, 'passengers').slice(0, 3)).toEqual([112, 118, 132]);
    expect(values(table, 'passengers')[143]).toBe(432);
    const fromBlob = await parseCsv(new Blob([text]));
    expect({ ...fromBlob, encoding: 'utf-16' }).toEqual(table);
  });

  it('reads a wide Excel export (BOM, CRLF, quoted header names)', async () => {
    const table = await parseFixture('wide-3-series.csv');
    expect(table.columns.map((c) => c.name)).toEqual(['date', 'Store A', 'Store B', 'Store C']);
    expect(table.rowCount).toBe(60);
    expect(values(table, 'Store B').slice(0, 2)).toEqual([200, 201]);
  });

  it('reads semicolons, decimal commas, thousands dots and dd.mm.yyyy (German Excel)', async () => {
    const table = await parseFixture('semicolon-decimal-comma.csv');
    expect(table).toMatchObject({ delimiter: ';', decimal: ',', hasHeader: true, rowCount: 40 });
    const datum = column(table, 'Datum');
    expect(datum.kind === 'timestamp' && datum.format).toBe('dmy-dot');
    expect(datum.values[0]).toBe(Date.UTC(2023, 11, 20));
    const umsatz = values(table, 'Umsatz');
    expect(umsatz[0]).toBe(1000);
    expect(umsatz[1]).toBe(1037.25);
    expect(umsatz[5]).toBeNaN();
    const temperatur = values(table, 'Temperatur');
    expect(temperatur[0]).toBeCloseTo(-3.2, 12);
    expect(temperatur[9]).toBeNaN();
    expect(column(table, 'Umsatz').missing).toBe(1);
  });

  it('reads NA, empty and NaN cells as missing', async () => {
    const table = await parseFixture('hourly-gaps-na.csv');
    expect(table.rowCount).toBe(45);
    const load = values(table, 'load_mw');
    expect(load.filter(Number.isNaN)).toHaveLength(3);
    expect(column(table, 'load_mw').missing).toBe(3);
  });

  it('reads every missing-value token in a numeric column', async () => {
    const tokens = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '-', '?'];
    const text = ['x,y', ...tokens.map((t, i) => `${i},${t}`), '9,1.5', '10,2.5', '11,3.5'].join('\n');
    const table = await parseCsv(text);
    const y = column(table, 'y');
    expect(y.kind).toBe('numeric');
    expect(y.missing).toBe(tokens.length);
    expect(values(table, 'y').slice(-3)).toEqual([1.5, 2.5, 3.5]);
  });

  it('sniffs tab and pipe delimiters', async () => {
    expect((await parseFixture('weekly.tsv')).delimiter).toBe('\t');
    const quarter = await parseFixture('15-minute.csv');
    expect(quarter.delimiter).toBe('|');
    expect(values(quarter, 'kw').slice(0, 2)).toEqual([3, 3.25]);
  });

  it('tells a semicolon file with decimal commas from a comma file without a header', async () => {
    const text = ['01.01.2024;12,5;3,25', '02.01.2024;13,5;3,75', '03.01.2024;14,5;4,25'].join('\n');
    const table = await parseCsv(text);
    expect(table).toMatchObject({ delimiter: ';', decimal: ',', hasHeader: false });
    expect(table.columns.map((c) => c.kind)).toEqual(['timestamp', 'numeric', 'numeric']);
    expect(values(table, 'column_3')).toEqual([3.25, 3.75, 4.25]);
  });

  it('strips a UTF-8 byte order mark from strings', async () => {
    const table = await parseCsv('\ufeffdate,value\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n');
    expect(table.columns.map((c) => c.name)).toEqual(['date', 'value']);
  });

  it("honours Excel's sep= line", async () => {
    const table = await parseCsv('sep=;\nday;value\n2024-01-01;1\n2024-01-02;2\n2024-01-03;3\n');
    expect(table.delimiter).toBe(';');
    expect(table.columns.map((c) => c.name)).toEqual(['day', 'value']);
    expect(table.rowCount).toBe(3);
  });

  it('handles quoted delimiters and newlines, skips a title line and a footer', async () => {
    const table = await parseFixture('quoted-title-footer.csv');
    expect(table.rowCount).toBe(12);
    const note = column(table, 'note');
    expect(note.kind).toBe('categorical');
    expect(note.values[0]).toBe('promo, weekend');
    expect(note.values[4]).toBe('line one\nline two');
    expect(table.warnings.join(' ')).toMatch(/Skipped 2 lines.*Sales report.*Source: internal system/);
  });

  it('detects a missing header and names columns column_1, column_2, ...', async () => {
    const table = await parseFixture('month-end-no-header.csv');
    expect(table.hasHeader).toBe(false);
    expect(table.rowCount).toBe(24);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['column_1', 'timestamp'],
      ['column_2', 'numeric'],
    ]);
  });

  it('takes a header whose names are numbers when another column proves it', async () => {
    const table = await parseCsv('time,1,2\n2024-01-01,5,6\n2024-01-02,7,8\n2024-01-03,9,10\n');
    expect(table.hasHeader).toBe(true);
    expect(table.columns.map((c) => c.name)).toEqual(['time', '1', '2']);
  });

  it('names blank and repeated header cells uniquely and drops empty trailing columns', async () => {
    const table = await parseCsv(',value,value,\n0,1,2,\n1,3,4,\n2,5,6,\n');
    expect(table.columns.map((c) => c.name)).toEqual(['column_1', 'value', 'value_2']);
  });

  it('reads US dates month-first and quoted numbers with thousands separators', async () => {
    const table = await parseFixture('us-dates.csv');
    const date = column(table, 'Date');
    expect(date.kind === 'timestamp' && date.format).toBe('mdy-slash');
    expect(date.values[0]).toBe(Date.UTC(2024, 0, 2));
    expect(values(table, 'Volume')[1]).toBe(1_201_000);
  });

  it('keeps ambiguous day/month dates as text unless the order is given', async () => {
    const text = 'date,value\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n';
    const table = await parseCsv(text);
    expect(column(table, 'date').kind).toBe('categorical');
    expect(table.ambiguousDateColumns).toEqual(['date']);
    expect(table.warnings.join(' ')).toMatch(/day and month cannot be told apart/);
    const dayFirst = await parseCsv(text, { dateOrder: 'dmy' });
    const date = column(dayFirst, 'date');
    expect(date.kind === 'timestamp' && date.values[1]).toBe(Date.UTC(2024, 1, 2));
  });

  it('reads Unix seconds in a column named time', async () => {
    const table = await parseFixture('epoch-seconds.csv');
    const time = column(table, 'time');
    expect(time.kind === 'timestamp' && time.format).toBe('epoch-seconds');
    const [first, second] = values(table, 'time');
    expect(second - first).toBe(1_800_000);
  });

  it('falls back to Windows-1252 for files that are not UTF-8, with a warning', async () => {
    const table = await parseCsv(new Blob([fixture('windows-1252-long.csv')]));
    expect(table.encoding).toBe('windows-1252');
    expect(table.warnings[0]).toMatch(/not valid UTF-8/);
    const filiale = column(table, 'Filiale');
    expect(filiale.kind === 'categorical' && filiale.values.slice(0, 2)).toEqual(['Düsseldorf', 'Köln']);
  });

  it("reads Excel's UTF-16 'Unicode text' export", async () => {
    const table = await parseCsv(new Blob([fixture('excel-unicode-text.txt')]));
    expect(table).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', rowCount: 12 });
    expect(values(table, 'Sales')[11]).toBe(1011);
  });

  it('reads a non-number in a numeric column as missing, with a warning naming it', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${i === 250 ? 'oops' : i * 2}`);
    const table = await parseCsv(['t,v', ...rows].join('\n'));
    const v = column(table, 'v');
    expect(v.kind === 'numeric' && v.invalid).toBe(1);
    expect(values(table, 'v')[250]).toBeNaN();
    expect(table.warnings.join(' ')).toContain("'oops' in data row 251");
  });

  it('gives the same table for every fixture as a string and as a Blob, in small chunks', async () => {
    const names = ['covariate-future.csv', 'long-3-ids.csv', 'wide-3-series.csv', 'semicolon-decimal-comma.csv'];
    const texts = names.map((name) => new TextDecoder().decode(fixture(name)));
    // Multi-byte characters and CRLF line ends split across chunks.
    texts.push('Stadt;Datum;Wert\r\nKöln €;01.01.2024;1,5\r\nZürich–Ost 🚲;02.01.2024;2,5\r\nKöln €;03.01.2024;3\r\n');
    for (const text of texts) {
      const whole = await parseCsv(text);
      for (const chunkSize of [1, 7, 64]) {
        const chunked = await parseCsv(new Blob([text]), { chunkSize });
        expect({ ...chunked, encoding: whole.encoding }).toEqual(whole);
      }
    }
  });

  it('parses 200 columns quickly', async () => {
    const columns = 200;
    const header = ['date', ...Array.from({ length: columns }, (_, i) => `sensor_${i}`)].join(',');
    const lines = [header];
    for (let r = 0; r < 2000; r++) {
      const day = new Date(Date.UTC(2020, 0, 1 + r)).toISOString().slice(0, 10);
      lines.push([day, ...Array.from({ length: columns }, (_, i) => ((r * (i + 1)) % 97) / 4)].join(','));
    }
    const started = performance.now();
    const table = await parseCsv(lines.join('\n'));
    const elapsed = performance.now() - started;
    expect(table.columns).toHaveLength(columns + 1);
    expect(table.rowCount).toBe(2000);
    expect(table.columns.slice(1).every((c) => c.kind === 'numeric')).toBe(true);
    expect(values(table, 'sensor_199')[3]).toBe(((3 * 200) % 97) / 4);
    expect(elapsed).toBeLessThan(10_000); // about 0.1 s on a laptop; generous for slow CI machines
  });

  it('streams a ~50 MB file from a Blob in chunks', { timeout: 120_000 }, async () => {
    const parts = ['timestamp,load,region'];
    const start = Date.UTC(2020, 0, 1);
    let size = 0;
    let rows = 0;
    while (size < 50 * 1024 * 1024) {
      const stamp = new Date(start + rows * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      const line = `${stamp},${(rows % 1000) / 10},${rows % 3 === 0 ? 'north' : 'south'}`;
      parts.push(line);
      size += line.length + 1;
      rows++;
    }
    const blob = new Blob([parts.join('\n') + '\n']);
    parts.length = 0;
    const progress: number[] = [];
    const table = await parseCsv(blob, {}, (p) => progress.push(p.loaded));
    expect(table.rowCount).toBe(rows);
    expect(table.columns.map((c) => c.kind)).toEqual(['timestamp', 'numeric', 'categorical']);
    const ts = column(table, 'timestamp');
    expect(ts.values[rows - 1]).toBe(start + (rows - 1) * 60_000);
    expect(values(table, 'load')[rows - 1]).toBe(((rows - 1) % 1000) / 10);
    expect(progress.length).toBeGreaterThan(40);
    expect(progress[progress.length - 1]).toBe(blob.size);
  });
});

describe('parseCsv refuses bad files', () => {
  it('an empty file', async () => {
    await expectError(parseCsv(new Blob([fixture('empty.csv')])), 'empty', /file is empty/);
    await expectError(parseCsv('  \n\r\n  \n'), 'empty', /file is empty/);
  });

  it('a header without data', async () => {
    await expectError(parseCsv(new Blob([fixture('header-only.csv')])), 'header-only', /header row \(date, value\) but no data rows/);
  });

  it('binary garbage (an Excel workbook renamed to .csv)', async () => {
    await expectError(parseCsv(new Blob([fixture('excel-renamed.csv')])), 'binary', /not text.*Export the data as CSV/);
    await expectError(parseCsv('a,b\n1,\u0000\u0001\n'), 'binary', /binary file/);
  });

  it('a file without numbers', async () => {
    const error = await expectError(
      parseCsv(new Blob([fixture('no-numeric.csv')])),
      'no-numeric-column',
      /No column holds numbers/,
    );
    expect(error.message).toContain('name (text), city (text), joined (dates)');
  });

  it('a single data row', async () => {
    await expectError(parseCsv(new Blob([fixture('single-row.csv')])), 'too-few-rows', /only 1 data row; at least 3/);
    await expectError(parseCsv('2024-01-01,5\n'), 'too-few-rows', /only 1 data row/);
  });

  it('a file above the size limit', async () => {
    await expectError(parseCsv('a,b\n1,2\n', { maxBytes: 4 }), 'too-large', /largest file that can be loaded/);
    await expectError(parseCsv(new Blob(['x'.repeat(3000)]), { maxBytes: 2048 }), 'too-large', /3 KB/);
  });

  it('too many columns', async () => {
    const header = Array.from({ length: 1001 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 1001 }, (_, i) => i).join(',');
    await expectError(parseCsv(`${header}\n${row}\n${row}\n${row}\n`), 'too-many-columns', /1001 columns; at most 1000/);
  });

  it('too many rows', async () => {
    const text = ['v', ...Array.from({ length: 20 }, (_, i) => String(i))].join('\n');
    await expectError(parseCsv(text, { maxRows: 10 }), 'too-many-rows', /more than 10 data rows/);
  });

  it('a quote that never closes', async () => {
    const text = 'date,value,note\n2024-01-01,1,ok\n2024-01-02,2,"broken\n2024-01-03,3,ok\n2024-01-04,4,ok\n';
    await expectError(parseCsv(text), 'unclosed-quote', /never ends/);
  });

  it('a file that cannot be read', async () => {
    class UnreadableBlob extends Blob {
      override async arrayBuffer(): Promise<ArrayBuffer> {
        throw new Error('NotReadableError');
      }
      override slice(): Blob {
        return new UnreadableBlob(['date,value']);
      }
    }
    const error = await expectError(parseCsv(new UnreadableBlob(['date,value\n'])), 'read-failed', /could not be read.*select it again/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('cancellation', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectError(parseCsv('v\n1\n2\n3\n', { signal: controller.signal }), 'aborted', /cancelled/);
  });
});

// Regression tests for two CSV defects of the reliability review (#11, item 14): a numeric column with a few
// `Infinity` cells used to become categorical and vanish from the forecastable columns, and a huge line without any
// quote was reported as an unterminated quote.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv';
import { CsvParseError } from '../../src/data/errors';

describe('CSV review regressions', () => {
  it('keeps a numeric column with a few Infinity cells numeric, reads them as missing and says so', async () => {
    const rows = ['date,sales,price'];
    for (let i = 0; i < 31; i++) {
      const sales = i === 5 ? 'Infinity' : i === 17 ? '-inf' : String(100 + i);
      rows.push(`2024-01-${String(i + 1).padStart(2, '0')},${sales},${(2 + i / 10).toFixed(1)}`);
    }
    const text = rows.join('\n') + '\n';
    const table = await parseCsv(text);
    const sales = table.columns.find((c) => c.name === 'sales')!;
    expect(sales.kind).toBe('numeric');
    if (sales.kind !== 'numeric') return;
    expect(Number.isNaN(sales.values[5])).toBe(true);
    expect(Number.isNaN(sales.values[17])).toBe(true);
    expect(sales.values[6]).toBe(106);
    expect(table.warnings.join('\n')).toMatch(/'sales': 2 values are infinite/);
  });

  it('reports a 17 MB line without quotes as a line without breaks, not an unclosed quote', async () => {
    const line = 'x,'.repeat(9 * 1024 * 1024);
    const error = await parseCsv(new Blob([`a,b\n1,2\n${line}\n`])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CsvParseError);
    expect((error as CsvParseError).code).toBe('line-too-long');
    expect((error as CsvParseError).message).toMatch(/holds no line break/);
  }, 60_000);
});

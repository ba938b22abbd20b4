// The packed form a parsed table and its series take from the worker to the UI thread (src/worker/table-wire.ts):
// after a real structured clone with the buffers transferred, unpacking gives back what was packed.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv';
import { readTable } from '../../src/data/table-reading';
import { packedBuffers, packSeriesSet, packTable, unpackSeriesSet, unpackTable } from '../../src/worker/table-wire';

/** A long table with text ids, a text covariate with missing cells, UTC offsets and a known-future covariate. */
function csv(): string {
  const rows = ['store,time,sales,promo,weather'];
  for (const store of ['north', 'south', '']) {
    for (let d = 0; d < 40; d++) {
      const day = `2024-03-${String((d % 28) + 1).padStart(2, '0')}`;
      const month = d < 28 ? '03' : '04';
      const time = `2024-${month}-${day.slice(-2)}T00:00:00+01:00`;
      const sales = d < 36 ? String(store.length * 10 + d) : '';
      rows.push(`${store},${time},${sales},${d % 3},${d % 5 === 0 ? '' : d % 2 ? 'rain' : 'sun'}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

describe('table wire', () => {
  it('unpacks what it packed, after a transferring structured clone', async () => {
    const table = await parseCsv(csv());
    const reading = readTable(table);
    expect(reading.seriesSet?.series.length).toBe(2);
    expect(reading.seriesSet?.series[0].futureTimestamps.length).toBeGreaterThan(0);
    const expected = { table: structuredClone(table), seriesSet: structuredClone(reading.seriesSet) };

    const packedTable = packTable(table);
    const packedSet = packSeriesSet(reading.seriesSet!);
    const text = packedTable.columns.find((c) => c.name === 'store');
    expect(text && 'words' in text && text.words).toEqual(['north', 'south', '']);
    const buffers = packedBuffers(packedTable, packedSet);
    const sent = structuredClone({ table: packedTable, seriesSet: packedSet }, { transfer: buffers });
    // Transferred: the sender's buffers are gone, so they cannot be changed under the receiver.
    expect(buffers.every((b) => b.byteLength === 0)).toBe(true);

    expect(unpackTable(sent.table)).toEqual(expected.table);
    const set = unpackSeriesSet(sent.seriesSet);
    expect(set).toEqual(expected.seriesSet);
    // Each target has a buffer of its own again, as buildSeries makes them.
    expect(set.series[0].target.buffer).not.toBe(set.series[1].target.buffer);
    expect(Array.isArray(set.series[0].timestamps)).toBe(true);
  });
});

// What the parser and schema detection found in the file: delimiter, decimal separator, shape, frequency, time
// span, rows and series. Shown before any forecast so people can check the file was read as they meant.
import type { ReactElement } from 'react';
import { formatOnAxis } from '../../data/time-axis';
import { TIMESTAMP_FORMAT_LABELS } from '../../data/timestamps';
import { useAppStore } from '../../state/store';
import { formatBytes, formatInteger } from '../format';

function timeRange(timestamps: number[][], format: (ts: number) => string): string | null {
  let min = Infinity;
  let max = -Infinity;
  for (const ts of timestamps) {
    if (ts.length === 0) continue;
    min = Math.min(min, ts[0]);
    max = Math.max(max, ts[ts.length - 1]);
  }
  return min <= max ? `${format(min)} → ${format(max)}` : null;
}

/** A table of detected facts about the loaded file. */
export function DetectedFacts(): ReactElement | null {
  const source = useAppStore((s) => s.source);
  const description = useAppStore((s) => s.description);
  const seriesSet = useAppStore((s) => s.seriesSet);
  const selection = useAppStore((s) => s.selection);
  if (!source || !description) return null;
  const shape = selection ? (selection.idColumn !== undefined ? 'long' : 'wide') : description.shape;
  const frequency = seriesSet?.frequency;
  const range = seriesSet && frequency
    ? timeRange(seriesSet.series.map((s) => s.timestamps), (ts) => formatOnAxis(ts, seriesSet.timeAxis))
    : description.firstTimestamp && description.lastTimestamp
      ? `${description.firstTimestamp} → ${description.lastTimestamp}`
      : null;
  const rows: [string, string][] = [
    ['File', `${source.name} (${formatBytes(source.size)})`],
    ['Rows', formatInteger(description.rowCount)],
    ['Delimiter', description.delimiterName],
    ['Decimal', description.decimal === ',' ? 'comma (,)' : 'point (.)'],
    ['Shape', shape === 'long' ? `long (series id: ${selection?.idColumn ?? 'id'})` : 'wide (one column per series)'],
    ['Frequency', frequency?.label ?? description.frequencyLabel ?? 'unknown'],
  ];
  const axis = seriesSet?.timeAxis;
  const time = selection?.timestampColumn
    ? `'${selection.timestampColumn}' (${axis?.format ? TIMESTAMP_FORMAT_LABELS[axis.format] : 'dates'}${axis && axis.offsets.length > 0 ? `, UTC offset${new Set(axis.offsets.map((o) => o[1])).size > 1 ? 's' : ''} kept` : ''})`
    : selection?.start !== undefined
      ? `none; rows start at ${selection.start}`
      : 'none; rows are time steps';
  rows.push(['Time column', time]);
  if (selection) rows.push(['Forecast', selection.targetColumns.map((c) => `'${c}'`).join(', ') || 'nothing chosen']);
  if (range) rows.push(['Time range', range]);
  rows.push(['Series', formatInteger(seriesSet?.series.length ?? description.seriesCount)]);
  return (
    <table className="facts-table" aria-label="Detected format">
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Where data comes in: the CSV file input (drag and drop works anywhere on the page), the example dataset,
// reading progress, and what was detected in the file.
import { useEffect, useId, type ReactElement } from 'react';
import { loadExample, loadFile, setDateOrder } from '../../state/actions';
import { useAppStore } from '../../state/store';
import { collapseDataOnPhone } from '../../state/ui-actions';
import { CollapsiblePanel } from './CollapsiblePanel';
import { formatBytes, formatInteger } from '../format';
import { DetectedFacts } from './DetectedFacts';

/** The data card of the side panel. */
export function DataPanel(): ReactElement {
  const inputId = useId();
  const source = useAppStore((s) => s.source);
  const parseProgress = useAppStore((s) => s.parseProgress);
  const ambiguousDates = useAppStore((s) => (s.table?.ambiguousDateColumns.length ?? 0) > 0);
  const dateOrder = useAppStore((s) => s.dateOrder);
  const frequency = useAppStore((s) => s.seriesSet?.frequency.label ?? null);
  const rows = useAppStore((s) => s.table?.rowCount ?? null);
  const series = useAppStore((s) => s.seriesSet?.series.length ?? null);
  // A phone folds the data away once a file is read: the chart is what people came for.
  useEffect(() => {
    if (source) collapseDataOnPhone();
  }, [source]);
  const summary = source
    ? [source.name, frequency, rows !== null ? `${formatInteger(rows)} rows` : null, series !== null ? `${series} ${series === 1 ? 'series' : 'series'}` : null]
        .filter(Boolean)
        .join(' · ')
    : 'No file loaded';
  return (
    <CollapsiblePanel panel="data" title="Data" headingId="data-heading" summary={summary}>
      <div className="dropzone">
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          accept=".csv,.tsv,.txt,text/csv,text/plain"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void loadFile(file, file.name);
          }}
        />
        <label htmlFor={inputId} className="btn btn--primary">
          Upload CSV
        </label>
        <p>or drop a CSV file anywhere on this page</p>
      </div>
      <p className="or">or try an example</p>
      <div className="btn-row">
        <button type="button" className="btn" onClick={() => void loadExample()} disabled={parseProgress !== null}>
          Airline passengers
        </button>
      </div>
      {parseProgress && (
        <div className="field field--spaced">
          <span className="busy">
            <span className="spinner" aria-hidden="true" /> Reading file… {formatBytes(parseProgress.loaded)} of{' '}
            {formatBytes(parseProgress.total)}
          </span>
          <progress aria-label="Reading file" value={parseProgress.loaded} max={Math.max(1, parseProgress.total)} />
        </div>
      )}
      {(ambiguousDates || dateOrder !== null) && (
        <div className="field field--spaced">
          <label htmlFor={`${inputId}-order`}>Date order</label>
          <select
            id={`${inputId}-order`}
            value={dateOrder ?? ''}
            onChange={(e) => {
              if (e.target.value === 'dmy' || e.target.value === 'mdy') setDateOrder(e.target.value);
            }}
          >
            <option value="" disabled>
              Choose (day and month are ambiguous)
            </option>
            <option value="dmy">Day first (DD/MM/YYYY)</option>
            <option value="mdy">Month first (MM/DD/YYYY)</option>
          </select>
        </div>
      )}
      {source && <DetectedFacts />}
    </CollapsiblePanel>
  );
}

// Where data comes in: the CSV file input (drag and drop works anywhere on the page), the example dataset,
// reading progress, what was detected in the file, the frequency and start of a file without dates, and help
// on how files are read.
import { useEffect, useId, useState, type ReactElement } from 'react';
import { parseFrequency } from '../../data/frequency-names';
import { parseStart } from '../../data/time-axis';
import { loadExample, loadFile, setDateOrder, setFrequencyAndStart } from '../../state/actions';
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
      {source && <TimeAxisChooser />}
      <CsvHelp />
    </CollapsiblePanel>
  );
}

const FREQUENCY_CHOICES = ['yearly', 'quarterly', 'monthly', 'weekly', 'daily', 'hourly', '30min', '15min'];

/** For a file without a usable time column: the frequency of its rows and the time of the first one. */
function TimeAxisChooser(): ReactElement | null {
  const id = useId();
  const selection = useAppStore((s) => s.selection);
  const [frequency, setFrequency] = useState(selection?.frequency?.label ?? 'monthly');
  const [start, setStart] = useState(selection?.start ?? '');
  if (!selection || selection.timestampColumn !== undefined) return null;
  const parsedStart = start.trim() === '' ? null : parseStart(start);
  const invalid = start.trim() !== '' && !parsedStart;
  return (
    <form
      className="field"
      style={{ marginTop: 12 }}
      aria-label="Time axis of a file without dates"
      onSubmit={(e) => {
        e.preventDefault();
        const f = parseFrequency(frequency);
        if (f && parsedStart) setFrequencyAndStart(f, start.trim());
      }}
    >
      <span className="field__hint">
        No time column: the rows are time steps. Give their frequency and the time of the first row to put them on a
        calendar (seasonal baselines then use the frequency’s season).
      </span>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr auto', gap: 8, alignItems: 'end' }}>
        <div className="field">
          <label htmlFor={`${id}-frequency`}>Frequency</label>
          <select id={`${id}-frequency`} value={frequency} onChange={(e) => setFrequency(e.target.value)}>
            {FREQUENCY_CHOICES.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-start`}>First row</label>
          <input
            id={`${id}-start`}
            type="text"
            placeholder="1949-01"
            value={start}
            aria-invalid={invalid}
            onChange={(e) => setStart(e.target.value)}
          />
        </div>
        <button type="submit" className="btn" disabled={!parsedStart}>
          Apply
        </button>
      </div>
      {invalid && <span className="field__hint">Write the start like 1949-01, 1949-01-01, 1956-Q1, 2020-W05 or 1949.</span>}
      {selection.start !== undefined && (
        <button type="button" className="btn" style={{ marginTop: 8 }} onClick={() => setFrequencyAndStart(null, null)}>
          Back to plain steps
        </button>
      )}
    </form>
  );
}

/** In-app help: how the columns and the time axis of a file are chosen, and how to override them. */
function CsvHelp(): ReactElement {
  return (
    <details className="help" style={{ marginTop: 12 }}>
      <summary>How your CSV is read</summary>
      <ul>
        <li>
          <strong>Target.</strong> A column named <code>target</code>, <code>y</code>, <code>value</code> or{' '}
          <code>values</code> is forecast and the other numeric columns become covariates; otherwise every numeric
          column is its own series. In a long table (an id column such as <code>item_id</code>, <code>store</code>,{' '}
          <code>state</code>) each value column is forecast per id as <code>id · column</code>. Pick other roles in
          Columns.
        </li>
        <li>
          <strong>Row counters</strong> (a blank header as R writes it, <code>Unnamed: 0</code>, <code>index</code>,{' '}
          <code>rownames</code>, … holding 1…N or 0…N−1) are ignored, never a target or covariate.
        </li>
        <li>
          <strong>Time.</strong> ISO dates and date-times (UTC offsets such as <code>+02:00</code> are kept in the
          downloads), <code>DD.MM.YYYY</code>, <code>DD/MM/YYYY</code> or <code>MM/DD/YYYY</code> (you choose when no
          day is above 12), <code>YYYY-MM</code>, quarters (<code>1956 Q1</code>, <code>1956-Q1</code>), ISO weeks (
          <code>2020-W05</code>), month names (<code>Jan 2020</code>), years, Unix times, and R <code>ts</code> decimal
          years (<code>1959.0833</code>) in a column named like time. A date column that mixes formats is reported,
          never silently replaced. Without dates, set the frequency and first row above.
        </li>
        <li>
          <strong>Known future.</strong> Rows after the last target value whose covariates are filled give the
          model those covariates’ future values.
        </li>
        <li>
          <strong>Downloads</strong> name the target column and write timestamps in your file’s format; text from your
          file that a spreadsheet would run as a formula (<code>=</code>, <code>+</code>, <code>-</code>, <code>@</code>)
          is prefixed with <code>'</code>.
        </li>
        <li>
          <strong>Backtest</strong> with several windows is a rolling-origin evaluation: each window is forecast from
          the history before its cutoff only, and scored next to seasonal naive and AutoETS.
        </li>
      </ul>
    </details>
  );
}

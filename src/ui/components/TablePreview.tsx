// The first rows of the loaded file as the parser read them, with each column's detected kind and role, so
// people can check the file before (and while) forecasting.
import { useDeferredValue, type ReactElement } from 'react';
import type { SeriesSelection } from '../../data/table';
import { useAppStore } from '../../state/store';
import { formatInteger } from '../format';
import { CollapsiblePanel } from './CollapsiblePanel';

const KIND_LABELS = { numeric: 'number', timestamp: 'date', categorical: 'text' } as const;

function roleLabel(name: string, selection: SeriesSelection | null): string | null {
  if (!selection) return null;
  if (selection.timestampColumn === name) return 'timestamp';
  if (selection.idColumn === name) return 'series id';
  if (selection.targetColumns.includes(name)) return 'target';
  if (selection.covariateColumns.includes(name)) return 'covariate';
  return null;
}

/** The data preview card. */
export function TablePreview(): ReactElement | null {
  // Deferred: a new file's preview renders after the urgent updates, in an interruptible render.
  const table = useDeferredValue(useAppStore((s) => s.table));
  const description = useDeferredValue(useAppStore((s) => s.description));
  const selection = useAppStore((s) => s.selection);
  if (!table || !description) return null;
  const columns = table.columns.slice(0, 50);
  const extent = `First ${description.rows.length} of ${formatInteger(table.rowCount)} rows${
    table.columns.length > columns.length ? `, first ${columns.length} of ${table.columns.length} columns` : ''
  }`;
  return (
    <CollapsiblePanel panel="preview" title="Data preview" headingId="preview-heading" summary={extent} className="preview-panel">
      <p className="field__hint preview-hint">{extent}</p>
      {columns.length > 4 && (
        <p className="field__hint preview-hint" id="preview-scroll-hint">
          {columns.length} columns: scroll the table sideways to see them all.
        </p>
      )}
      {/* Focusable, so keyboard users can scroll it too. */}
      <div className="preview-scroll" tabIndex={0} role="region" aria-label="Data preview (scrollable)" aria-describedby={columns.length > 4 ? 'preview-scroll-hint' : undefined}>
        <table className="preview" aria-label="Data preview">
          <thead>
            <tr>
              {columns.map((c) => {
                const role = roleLabel(c.name, selection);
                return (
                  <th key={c.name} scope="col">
                    {c.name}
                    <span className={`kind kind--${c.kind}`}>{KIND_LABELS[c.kind]}</span>
                    {role && <span className="role-tag">{role}</span>}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {description.rows.map((row, r) => (
              <tr key={r}>
                {columns.map((c, i) => (
                  <td key={c.name}>{row[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </CollapsiblePanel>
  );
}

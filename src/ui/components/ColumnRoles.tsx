// The column chooser: one role per column (timestamp, series id, target, covariate, ignored), with the
// detected defaults preselected, row counters and the date format marked. Changing a role rebuilds the series
// and forecasts again.
import { useDeferredValue, useState, type ReactElement } from 'react';
import type { ColumnKind } from '../../data/csv';
import type { SeriesSelection } from '../../data/table';
import { TIMESTAMP_FORMAT_LABELS } from '../../data/timestamps';
import { setColumnRole, type ColumnRoleChoice } from '../../state/actions';
import { useAppStore } from '../../state/store';

const ROLE_LABELS: Record<ColumnRoleChoice, string> = {
  target: 'Target',
  covariate: 'Covariate',
  timestamp: 'Timestamp',
  id: 'Series id',
  ignore: 'Ignore',
};

const KIND_LABELS: Record<ColumnKind, string> = {
  numeric: 'number',
  timestamp: 'date',
  categorical: 'text',
};

function rolesFor(kind: ColumnKind): ColumnRoleChoice[] {
  switch (kind) {
    case 'numeric':
      return ['target', 'covariate', 'id', 'ignore'];
    case 'categorical':
      return ['covariate', 'id', 'ignore'];
    case 'timestamp':
      return ['timestamp', 'ignore'];
  }
}

function roleOf(name: string, selection: SeriesSelection): ColumnRoleChoice {
  if (selection.timestampColumn === name) return 'timestamp';
  if (selection.idColumn === name) return 'id';
  if (selection.targetColumns.includes(name)) return 'target';
  if (selection.covariateColumns.includes(name)) return 'covariate';
  return 'ignore';
}

/** Columns listed before "Show all" (the card grows with the page; no inner scroll hides rows). */
const FIRST_COLUMNS = 12;

/** The columns card: a role select per column. */
export function ColumnRoles(): ReactElement | null {
  // The table is deferred, like the preview: a new file's rows render in an interruptible render. The selection
  // is not: a role the user picks shows at once.
  const table = useDeferredValue(useAppStore((s) => s.table));
  const selection = useAppStore((s) => s.selection);
  const schema = useAppStore((s) => s.schema);
  const [showAll, setShowAll] = useState(false);
  if (!table || !selection) return null;
  const counters = new Set(schema?.rowCounters ?? []);
  const listed = showAll ? table.columns : table.columns.slice(0, FIRST_COLUMNS);
  return (
    <section className="card" aria-labelledby="columns-heading">
      <h2 id="columns-heading">Columns</h2>
      <div className="roles">
        {listed.map((column) => {
          const role = roleOf(column.name, selection);
          return (
            <div className="role-row" key={column.name}>
              <span className="role-row__name">
                <span title={column.name}>{column.name}</span>
                <span className={`kind kind--${column.kind}`}>{KIND_LABELS[column.kind]}</span>
                {counters.has(column.name) && role === 'ignore' && (
                  <span className="kind" title="Holds 1, 2, 3, … (a row number): ignored, neither forecast nor a covariate">
                    row counter
                  </span>
                )}
                {column.kind === 'timestamp' && <span className="kind">{TIMESTAMP_FORMAT_LABELS[column.format]}</span>}
              </span>
              <select
                aria-label={`Role of ${column.name}`}
                value={role}
                onChange={(e) => setColumnRole(column.name, e.target.value as ColumnRoleChoice)}
              >
                {rolesFor(column.kind).map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </div>
          );
        })}
      </div>
      {table.columns.length > FIRST_COLUMNS && (
        <button type="button" className="btn btn--link" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the first ${FIRST_COLUMNS} columns` : `Show all ${table.columns.length} columns`}
        </button>
      )}
    </section>
  );
}

// The column chooser: one role per column (timestamp, series id, target, covariate, ignored), with the
// detected defaults preselected, row counters and the date format marked. Changing a role rebuilds the series
// and forecasts again.
import type { ReactElement } from 'react';
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

/** The columns card: a role select per column. */
export function ColumnRoles(): ReactElement | null {
  const table = useAppStore((s) => s.table);
  const selection = useAppStore((s) => s.selection);
  const schema = useAppStore((s) => s.schema);
  if (!table || !selection) return null;
  const counters = new Set(schema?.rowCounters ?? []);
  return (
    <section className="card" aria-labelledby="columns-heading">
      <h2 id="columns-heading">Columns</h2>
      <div className="roles">
        {table.columns.map((column) => {
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
    </section>
  );
}

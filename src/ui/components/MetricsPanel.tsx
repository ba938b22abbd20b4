// Backtest scores of the model next to the baselines (seasonal naive with the data's season, AutoETS from
// augurs), all scored on the same rolling-origin windows with the same metrics: the series on screen averaged
// over its windows, each window on its own, and, over every series and window, only scale-free aggregates
// (MASE, WQL, geometric-mean relative MAE, fev-bench skill scores). The best value of each row is marked.
import { useDeferredValue, useMemo, type ReactElement } from 'react';
import { formatOnAxis } from '../../data/time-axis';
import type { MethodSummary } from '../../eval/aggregate';
import { averageScores, type ForecastScores } from '../../eval/metrics';
import { backtestView, selectDisplayedRun } from '../../state/selectors';
import { modelIdentity } from '../../state/model-identity';
import { useAppStore } from '../../state/store';
import { formatNumber } from '../format';

const METRICS: { key: keyof ForecastScores; label: string; title: string; percent?: boolean; target?: number }[] = [
  { key: 'mae', label: 'MAE', title: 'Mean absolute error of the median' },
  { key: 'rmse', label: 'RMSE', title: 'Root mean squared error of the median' },
  { key: 'mape', label: 'MAPE', title: 'Mean absolute percentage error (non-zero actuals)', percent: true },
  { key: 'smape', label: 'sMAPE', title: 'Symmetric mean absolute percentage error', percent: true },
  { key: 'mase', label: 'MASE', title: 'MAE scaled by the in-sample seasonal-naive MAE of the window’s history' },
  { key: 'wql', label: 'WQL', title: 'Weighted quantile loss, averaged over the quantile levels' },
  { key: 'coverage80', label: 'Coverage 80%', title: 'Share of actuals inside the 80% interval (ideal: 80%)', percent: true, target: 80 },
];

function fmt(v: number, percent = false): string {
  return Number.isFinite(v) ? `${formatNumber(v, 4)}${percent ? '%' : ''}` : '–';
}

/** Index of the best value of a row (lowest, or closest to `target`), or -1 when not all are finite. */
function best(values: readonly number[], target?: number): number {
  if (values.length < 2 || !values.every(Number.isFinite)) return -1;
  const cost = values.map((v) => (target === undefined ? v : Math.abs(v - target)));
  const min = Math.min(...cost);
  return cost.filter((c) => c === min).length === 1 ? cost.indexOf(min) : -1;
}

/** One row of a score table: a metric's values per method and the index of the best one (-1: none). */
interface ScoreRow {
  key: string;
  label: string;
  title: string;
  values: number[];
  winner: number;
  percent?: boolean;
}

/** A table of methods (columns) by metrics (rows), the best value of each row marked. */
function ScoreTable(props: { name: string; caption: string; corner: string; labels: string[]; rows: ScoreRow[] }): ReactElement {
  return (
    <table className="metrics" aria-label={props.name}>
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.corner}</th>
          {props.labels.map((l) => (
            <th scope="col" key={l}>
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key}>
            <th scope="row" title={r.title}>
              {r.label}
            </th>
            {r.values.map((v, i) => (
              <td key={i} className={i === r.winner ? 'better' : undefined}>
                {fmt(v, r.percent)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SeriesTable(props: { caption: string; labels: string[]; scores: ForecastScores[] }): ReactElement {
  const rows = METRICS.map((m) => {
    const values = props.scores.map((s) => s[m.key]);
    return { key: m.key, label: m.label, title: m.title, values, winner: best(values, m.target), percent: m.percent };
  });
  return <ScoreTable name={props.caption} caption={props.caption} corner="Metric" labels={props.labels} rows={rows} />;
}

const SUMMARY_ROWS: { key: keyof MethodSummary; label: string; title: string; higher?: boolean }[] = [
  { key: 'mase', label: 'MASE (mean)', title: 'Mean MASE over every series and window' },
  { key: 'wql', label: 'WQL (mean)', title: 'Mean weighted quantile loss over every series and window' },
  { key: 'relativeMae', label: 'MAE rel. to seasonal naive', title: 'Geometric mean of MAE / seasonal-naive MAE' },
  { key: 'skillMase', label: 'Skill (MASE)', title: 'fev-bench skill score: 1 − gmean(MASE / seasonal-naive MASE), ratios clipped to [0.01, 100]', higher: true },
  { key: 'skillWql', label: 'Skill (WQL)', title: 'fev-bench skill score: 1 − gmean(WQL / seasonal-naive WQL), ratios clipped to [0.01, 100]', higher: true },
];

function SummaryTable(props: { summary: MethodSummary[]; labels: string[]; count: number }): ReactElement {
  const rows = SUMMARY_ROWS.map((r) => {
    const values = props.summary.map((s) => s[r.key] as number);
    return { key: r.key, label: r.label, title: r.title, values, winner: best(r.higher ? values.map((v) => -v) : values) };
  });
  return (
    <ScoreTable
      name="Backtest summary over all series and windows"
      caption={`Scale-free summary over ${props.count} series × windows`}
      corner="Aggregate"
      labels={props.labels}
      rows={rows}
    />
  );
}

/** The backtest metrics card (only in backtest mode with a forecast on screen). */
export function MetricsPanel(): ReactElement | null {
  // Deferred: a new run paints the chart first; the tables follow in a separate, interruptible render.
  const run = useDeferredValue(useAppStore(selectDisplayedRun));
  const baselines = useAppStore((s) => s.baselines);
  const seriesSet = useAppStore((s) => s.seriesSet);
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const modelName = useAppStore((s) => s.model?.name ?? 'model');
  const choice = useAppStore((s) => s.modelChoice);
  const view = useMemo(() => {
    if (!run || !seriesSet) return null;
    const targetOf = new Map(seriesSet.series.map((s) => [s.id, s.targetColumn]));
    return backtestView(run, baselines, (name) => targetOf.get(name) ?? name);
  }, [run, baselines, seriesSet]);
  if (!run?.backtest || !seriesSet) return null;
  const spec = run.backtest.spec;
  const header = (
    <h2 id="metrics-heading">
      Backtest metrics: {spec.windows} window{spec.windows === 1 ? '' : 's'} of {spec.h} steps
    </h2>
  );
  if (!view) {
    const failed = baselines?.runKey === run.key ? baselines.error : null;
    return (
      <section className="card" aria-labelledby="metrics-heading">
        {header}
        <p className="metrics-note" role="status">
          {failed
            ? `The baselines could not be computed: ${failed}`
            : 'Computing the baselines (seasonal naive, AutoETS) on the same windows…'}
        </p>
      </section>
    );
  }
  const names = [...new Set(view.windows.map((w) => w.series))];
  const current = names[Math.min(seriesIndex, names.length - 1)];
  const mine = view.windows.filter((w) => w.series === current);
  // The model column names the model that ran: our demo weights say so, published or other checkpoints are "Chronos-2 (name)".
  const identity = modelIdentity(modelName, choice);
  const modelLabel = identity.kind === 'demo' || identity.kind === 'test' ? `${identity.name} (${identity.summary})` : `Chronos-2 (${identity.name})`;
  const labels = mine[0].forecasts.map((f) => (f.method === 'model' ? modelLabel : f.label));
  const perMethod = labels.map((_, i) => averageScores(mine.map((w) => w.scores[i])));
  const failures = [...new Set(view.windows.flatMap((w) => w.forecasts.filter((f) => f.failure).map((f) => `${f.label}: ${f.failure}`)))];
  const axis = seriesSet.timeAxis;
  return (
    <section className="card" aria-labelledby="metrics-heading">
      {header}
      <div style={{ display: 'grid', gap: 16, gridTemplateColumns: 'minmax(0, 1fr)', overflowX: 'auto' }}>
        <div>
          <p className="chart-caption">
            <strong>{current}</strong> (target column ‘{mine[0].targetColumn}’), averaged over its {mine.length} window
            {mine.length === 1 ? '' : 's'}
          </p>
          <SeriesTable caption={`Backtest metrics for ${current}`} labels={labels} scores={perMethod} />
        </div>
        <div>
          <p className="chart-caption">Per window (MASE · WQL)</p>
          <table className="metrics" aria-label={`Backtest windows of ${current}`} data-testid="backtest-windows">
            <thead>
              <tr>
                <th scope="col">Window</th>
                <th scope="col">Cutoff</th>
                {labels.map((l) => (
                  <th scope="col" key={l}>
                    {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {mine.map((w) => {
                const winner = best(w.scores.map((s) => s.mase));
                return (
                  <tr key={w.window}>
                    <th scope="row">{w.window + 1}</th>
                    <td>{formatOnAxis(w.cutoffTimestamp, axis)}</td>
                    {w.scores.map((s, i) => (
                      <td key={i} className={i === winner ? 'better' : undefined}>
                        {fmt(s.mase)} · {fmt(s.wql)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {view.windows.length > 1 && (
          <div>
            <p className="chart-caption">
              <strong>All {names.length} series</strong> × {spec.windows} window{spec.windows === 1 ? '' : 's'} (scale-free)
            </p>
            <SummaryTable summary={view.summary} labels={labels} count={view.windows.length} />
          </div>
        )}
      </div>
      <p className="metrics-note">
        Rolling-origin backtest (as Nixtla’s cross_validation): the last window ends with the data, each earlier one{' '}
        {spec.step} steps before; every window is forecast from the history up to its cutoff only. Point metrics score
        the median; MASE scales by the seasonal-naive error of the window’s own history; WQL averages the pinball loss
        over {view.windows[0].forecasts[0].levels.length} quantile levels. Baselines use the season {view.season.description}:
        seasonal naive with Gaussian quantiles from its seasonal errors, and AutoETS from augurs (MSTL decomposition +
        AutoETS when seasonal) with quantiles from its prediction intervals. Across series only scale-free aggregates
        are shown; skill scores follow fev-bench (1 − geometric mean of errors relative to seasonal naive).
      </p>
      {failures.length > 0 && <p className="metrics-note">Not available for some windows: {failures.join('; ')}.</p>}
    </section>
  );
}

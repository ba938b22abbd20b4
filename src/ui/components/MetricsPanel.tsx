// Backtest scores of the model next to a seasonal-naive baseline, for the series on screen and (with several
// series) their average; the better value of each metric is marked.
import { useDeferredValue, useMemo, type ReactElement } from 'react';
import type { ForecastScores } from '../../state/metrics';
import { backtestScores, selectDisplayedRun } from '../../state/selectors';
import { modelIdentity, type ModelIdentity } from '../../state/model-identity';
import { useAppStore } from '../../state/store';
import { formatNumber } from '../format';

const METRICS: { key: keyof ForecastScores; label: string; title: string; percent?: boolean }[] = [
  { key: 'mae', label: 'MAE', title: 'Mean absolute error of the median' },
  { key: 'rmse', label: 'RMSE', title: 'Root mean squared error of the median' },
  { key: 'mape', label: 'MAPE', title: 'Mean absolute percentage error (non-zero actuals)', percent: true },
  { key: 'smape', label: 'sMAPE', title: 'Symmetric mean absolute percentage error', percent: true },
  { key: 'mase', label: 'MASE', title: 'MAE scaled by the in-sample seasonal-naive MAE' },
  { key: 'wql', label: 'WQL', title: 'Weighted quantile loss, averaged over the model quantiles' },
];

function ScoresTable(props: { caption: string; model: ForecastScores; naive: ForecastScores; identity: ModelIdentity }): ReactElement {
  return (
    <table className="metrics" aria-label={props.caption}>
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">
            {props.identity.kind === 'demo' || props.identity.kind === 'test' ? props.identity.name : `Chronos-2 (${props.identity.name})`}
            <small className="metrics__model">{props.identity.summary}</small>
          </th>
          <th scope="col">Seasonal naive</th>
        </tr>
      </thead>
      <tbody>
        {METRICS.map((m) => {
          const a = props.model[m.key];
          const b = props.naive[m.key];
          const fmt = (v: number) => (Number.isFinite(v) ? `${formatNumber(v, 4)}${m.percent ? '%' : ''}` : '–');
          return (
            <tr key={m.key}>
              <th scope="row" title={m.title}>
                {m.label}
              </th>
              <td className={a < b ? 'better' : undefined}>{fmt(a)}</td>
              <td className={b < a ? 'better' : undefined}>{fmt(b)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The backtest metrics card (only in backtest mode with a forecast on screen). */
export function MetricsPanel(): ReactElement | null {
  // Deferred: a new run paints the chart first; the tables follow in a separate, interruptible render.
  const run = useDeferredValue(useAppStore(selectDisplayedRun));
  const frequency = useAppStore((s) => s.seriesSet?.frequency ?? null);
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const modelName = useAppStore((s) => s.model?.name ?? 'model');
  const choice = useAppStore((s) => s.modelChoice);
  const scores = useMemo(() => (run && frequency ? backtestScores(run, frequency) : null), [run, frequency]);
  if (!scores || !run) return null;
  const current = scores.perSeries[Math.min(seriesIndex, scores.perSeries.length - 1)];
  const identity = modelIdentity(modelName, choice);
  return (
    <section className="card" aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Backtest metrics</h2>
      <div className="metrics-grid">
        <div>
          <p className="chart-caption">
            <strong>{current.name}</strong>: last {run.holdout} points held out
          </p>
          <ScoresTable caption={`Backtest metrics for ${current.name}`} model={current.model} naive={current.naive} identity={identity} />
        </div>
        {scores.perSeries.length > 1 && (
          <div>
            <p className="chart-caption">
              <strong>Average</strong> over {scores.perSeries.length} series
            </p>
            <ScoresTable caption="Backtest metrics averaged over all series" model={scores.average.model} naive={scores.average.naive} identity={identity} />
          </div>
        )}
      </div>
      <p className="metrics-note">
        Point metrics score the median. MASE scales by the in-sample seasonal-naive error; WQL averages the weighted
        pinball loss over the model's {run.result.forecasts[0]?.quantileLevels.length ?? 0} quantiles. The seasonal-naive
        baseline repeats the last season ({scores.season} {scores.season === 1 ? 'step' : 'steps'}) and counts as every
        quantile for WQL.
      </p>
    </section>
  );
}

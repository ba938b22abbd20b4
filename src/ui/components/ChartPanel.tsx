// The main view: which series, how much history, the fan chart with its caption and legend, and what is
// happening (model loading, forecasting) while the previous forecast stays on screen.
import { useMemo, type ReactElement } from 'react';
import { sliceVariate } from '../../export/forecast-view';
import { STEP_FREQUENCY, formatTimestamp, seasonLength } from '../../data/timestamps';
import { setHistoryWindow, setSeriesIndex } from '../../state/actions';
import { useAppStore } from '../../state/store';
import { useForecastView, useHistoryView, useSeriesRefs } from '../hooks/use-forecast-view';
import { FAN_COLORS, FanChart, type BacktestWindowMark } from './FanChart';
import { localTimeOf } from '../chart/local-time';
import type { ForecastView } from '../hooks/use-forecast-view';

/** The backtest windows of the series on screen: spans, and the medians of all but the last (the fan). */
function windowMarks(view: ForecastView | null): BacktestWindowMark[] | undefined {
  const backtest = view?.run.backtest;
  if (!view || !backtest || backtest.spec.windows < 2) return undefined;
  const marks: BacktestWindowMark[] = [];
  const entries = backtest.prepared.entries.map((e, i) => ({ ...e, i })).filter((e) => e.task === view.ref.task);
  entries.forEach((e, k) => {
    const ts = backtest.prepared.forecastTimestamps[e.i];
    const mark: BacktestWindowMark = { label: `W${e.window + 1}`, start: ts[0], end: ts[ts.length - 1] };
    if (k < entries.length - 1) {
      const f = sliceVariate(backtest.forecasts[e.i], view.ref.variate, backtest.spec.h, view.ref.name, ts);
      mark.median = { timestamps: f.timestamps, values: f.mean };
    }
    marks.push(mark);
  });
  return marks;
}

/** The idle chart's (empty) history. */
const NO_HISTORY = { timestamps: [], values: [] } as const;

/** Points of recent history shown: several horizons and seasons, at least 60 (36 on a phone, two seasons). */
function recentWindow(steps: number, season: number): number {
  if (typeof window !== 'undefined' && window.innerWidth <= 720) return Math.max(36, 3 * steps, 2 * season);
  return Math.max(60, 4 * steps, 3 * season);
}

function Legend({ backtest }: { backtest: boolean }): ReactElement {
  const items: { label: string; color: string; line?: boolean; opacity?: number }[] = [
    { label: 'History', color: FAN_COLORS.history, line: true },
    { label: 'Median forecast', color: FAN_COLORS.median, line: true },
    { label: '50% interval (q0.25–q0.75)', color: FAN_COLORS.band50, opacity: 0.7 },
    { label: '80% interval (q0.1–q0.9)', color: FAN_COLORS.band80, opacity: 0.6 },
  ];
  if (backtest) items.push({ label: 'Actual (held out)', color: FAN_COLORS.actual, line: true });
  return (
    <ul className="legend" aria-label="Legend">
      {items.map((item) => (
        <li className="legend__item" key={item.label}>
          <span
            className={`legend__swatch${item.line ? ' legend__swatch--line' : ''}`}
            style={{ background: item.color, opacity: item.opacity ?? 1 }}
            aria-hidden="true"
          />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/** One line saying why there is no forecast yet, above a history-only chart. */
function EmptyStatus(): ReactElement {
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  return (
    <p className="chart-status" role="status">
      <span className="spinner" aria-hidden="true" />
      {loading ? 'Loading the model; the forecast starts as soon as it is ready.' : 'Computing the forecast on this computer…'}
    </p>
  );
}

function EmptyState(): ReactElement {
  const hasTable = useAppStore((s) => s.table !== null);
  const hasTasks = useAppStore((s) => s.tasks.length > 0);
  const modelPhase = useAppStore((s) => s.modelPhase);
  const forecasting = useAppStore((s) => s.forecasting);
  let title = 'Forecast a time series';
  let text = 'Upload a CSV file (or drop it on this page), or try the airline passengers example.';
  if (hasTable && !hasTasks) {
    title = 'Nothing to forecast yet';
    text = 'Choose at least one target column with numbers in Columns.';
  } else if (hasTasks && modelPhase.phase === 'loading') {
    title = 'Loading the model…';
    text = 'The forecast starts as soon as the model is ready.';
  } else if (hasTasks && forecasting) {
    title = 'Computing the forecast…';
    text = 'This runs on your own computer.';
  } else if (hasTasks && modelPhase.phase === 'error') {
    title = 'The model is not available';
    text = `${modelPhase.message} Choose another backend in Backend, or reload the page.`;
  }
  return (
    <div className="chart-empty">
      <div>
        <h3>{title}</h3>
        <p>{text}</p>
      </div>
    </div>
  );
}

/** What is going on while the chart shows an older or partial forecast. */
function ChartStatus(props: { partialOf: number | null; steps: number }): ReactElement | null {
  const forecasting = useAppStore((s) => s.forecasting);
  const progress = useAppStore((s) => s.inferenceProgress);
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  const modelName = useAppStore((s) => s.model?.name);
  if (loading) {
    return (
      <p className="chart-status chart-status--stale" role="status" data-testid="chart-stale">
        <span className="spinner" aria-hidden="true" /> A model is loading: this chart is the earlier forecast{modelName ? ` by ${modelName}` : ''} and
        updates when the model is ready.
      </p>
    );
  }
  if (!forecasting) return null;
  const calls = progress && progress.total > 1 ? ` (model call ${progress.done}/${progress.total})` : '';
  return (
    <p className="chart-status" role="status">
      <span className="spinner" aria-hidden="true" />
      {props.partialOf !== null
        ? `Showing the ${props.steps} steps computed so far; steps ${props.steps + 1}–${props.partialOf} are being computed${calls}…`
        : `Updating the forecast${calls}…`}
    </p>
  );
}

/** The chart card. */
export function ChartPanel(): ReactElement {
  const view = useForecastView();
  const historyOnly = useHistoryView();
  const modelFailed = useAppStore((s) => s.modelPhase.phase === 'error');
  const refs = useSeriesRefs();
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const historyWindow = useAppStore((s) => s.historyWindow);
  const horizon = useAppStore((s) => s.horizon);
  const stale = useAppStore((s) => s.modelPhase.phase === 'loading');
  const seriesSet = useAppStore((s) => s.seriesSet);
  const local = useMemo(() => localTimeOf(seriesSet?.timeAxis), [seriesSet]);
  const marks = useMemo(() => windowMarks(view), [view]);
  const showing = view !== null || (historyOnly !== null && !modelFailed);
  const target = view ? seriesSet?.series.find((s) => s.id === view.ref.name)?.targetColumn : undefined;

  const caption = view
    ? (() => {
        const ts = view.forecast.timestamps;
        const kind = view.run.holdout !== null ? 'backtest' : 'forecast';
        const fmt = local?.format ?? ((t: number) => formatTimestamp(t, view.frequency));
        const span = ts.length > 0 ? `${fmt(ts[0])} → ${fmt(ts[ts.length - 1])}` : '';
        const windows = view.run.backtest && view.run.backtest.spec.windows > 1 ? ` (last of ${view.run.backtest.spec.windows} windows)` : '';
        return { kind: `${kind}${windows}`, span, name: view.ref.name, steps: view.steps };
      })()
    : null;
  const label = caption
    ? `Fan chart of ${caption.name}: ${caption.steps}-step ${caption.kind}, ${caption.span}`
    : 'Fan chart';
  // Across a patch boundary the cached steps show at once; the rest arrives with the new run.
  const partialOf = view && view.run.holdout === null && view.steps < horizon ? horizon : null;

  return (
    <section className="card chart-card" aria-labelledby="chart-heading">
      <div className="card__header chart-card__header">
        <h2 id="chart-heading">Forecast</h2>
        <span className="spacer" />
        {refs.length > 1 && (
          <div className="inline-field">
            <label htmlFor="series-select">Series</label>
            <select id="series-select" value={Math.min(seriesIndex, refs.length - 1)} onChange={(e) => setSeriesIndex(Number(e.target.value))}>
              {refs.map((ref, i) => (
                <option key={`${ref.task}:${ref.variate}`} value={i}>
                  {ref.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {view && (
          <div className="segmented" role="group" aria-label="History shown">
            <button type="button" aria-pressed={historyWindow === 'recent'} onClick={() => setHistoryWindow('recent')}>
              Recent
            </button>
            <button type="button" aria-pressed={historyWindow === 'all'} onClick={() => setHistoryWindow('all')}>
              All history
            </button>
          </div>
        )}
      </div>
      {view && caption ? (
        <>
          <p className="chart-caption" data-testid="chart-caption">
            <strong>{caption.name}</strong>
            {target !== undefined && <> · target column ‘{target}’</>}: {caption.steps}-step{' '}
            {caption.kind}, {caption.span}
          </p>
          <ChartStatus partialOf={partialOf} steps={view.steps} />
        </>
      ) : historyOnly && !modelFailed ? (
        <>
          <p className="chart-caption" data-testid="chart-caption">
            <strong>{historyOnly.ref.name}</strong>: history; the forecast is being computed
          </p>
          <EmptyStatus />
        </>
      ) : null}
      {/* One FanChart element for every state, mounted from the start (hidden behind the empty state until there is
          a series), so neither the history nor the first forecast pays for mounting the chart. */}
      <div className={`chart-body${showing ? '' : ' chart-body--idle'}${showing && stale ? ' chart-body--stale' : ''}`}>
        {view ? (
          <FanChart
            history={view.history}
            forecast={view.forecast}
            drawn={view.drawn}
            actual={view.actual}
            frequency={view.frequency}
            historyWindow={historyWindow === 'all' ? 'all' : recentWindow(view.run.predictionLength, seasonLength(view.frequency))}
            label={label}
            windows={marks}
            local={local}
          />
        ) : historyOnly && !modelFailed ? (
          <FanChart
            history={historyOnly.history}
            forecast={null}
            drawn={null}
            actual={null}
            frequency={historyOnly.frequency}
            historyWindow={historyWindow === 'all' ? 'all' : recentWindow(16, seasonLength(historyOnly.frequency))}
            label={`Fan chart of ${historyOnly.ref.name}: history only, forecast in progress`}
            local={local}
          />
        ) : (
          <FanChart history={NO_HISTORY} forecast={null} drawn={null} actual={null} frequency={STEP_FREQUENCY} historyWindow="all" label="Fan chart" />
        )}
        {!showing && <EmptyState />}
      </div>
      {view && <Legend backtest={view.actual !== null} />}
    </section>
  );
}

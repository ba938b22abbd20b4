// The forecast fan: history, the median forecast, 80% and 50% central intervals read from the model's
// quantiles, and (in backtest mode) the held-out actuals, on a real time axis formatted at the data's
// frequency. Presentational only: it gets plain arrays and draws them.
import { useMemo, type ReactElement } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceArea,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import { formatTimestamp, type Frequency } from '../../data/timestamps';
import { levelRow, type SeriesForecast } from '../../state/forecast-view';
import { formatNumber, formatQuantileLevel } from '../format';

/** Most points drawn for history; longer histories are thinned evenly (the last point is always kept). */
const MAX_HISTORY_POINTS = 2000;

/** Colours of the chart, shared with the legend. */
export const FAN_COLORS = {
  history: '#334155',
  median: '#2563eb',
  band80: '#93b4f5',
  band50: '#5b8def',
  actual: '#ea580c',
} as const;

/** Props of {@link FanChart}. */
export interface FanChartProps {
  /** Observed history up to the forecast start (timestamps ascending). */
  history: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
  /** The forecast on screen, or null before the first one. */
  forecast: SeriesForecast | null;
  /** Held-out actual values aligned with `forecast.timestamps` (backtest mode). */
  actual: ArrayLike<number> | null;
  frequency: Frequency;
  /** Number of most recent history points to show, or 'all'. */
  historyWindow: number | 'all';
  /** Accessible description of the chart. */
  label: string;
  /**
   * Backtest windows to draw (shaded spans, earlier windows' medians as a dashed line); the fan is the last
   * window.
   */
  windows?: BacktestWindowMark[];
}

/** One backtest window on the chart: its span and, for earlier windows, the median forecast over it. */
export interface BacktestWindowMark {
  label: string;
  start: number;
  end: number;
  median?: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
}

interface Row {
  t: number;
  history?: number;
  median?: number;
  band80?: [number, number];
  band50?: [number, number];
  actual?: number;
  /** Median of an earlier backtest window at this time. */
  windowMedian?: number;
  /** Index into the forecast steps, for the tooltip's quantile list. */
  step?: number;
}

function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

/** Builds the chart rows: (thinned) history, then one row per forecast step. */
function buildRows(props: Pick<FanChartProps, 'history' | 'forecast' | 'actual' | 'historyWindow'>): Row[] {
  const { history, forecast, actual, historyWindow } = props;
  const n = history.values.length;
  const start = historyWindow === 'all' ? 0 : Math.max(0, n - historyWindow);
  const stride = Math.max(1, Math.ceil((n - start) / MAX_HISTORY_POINTS));
  const rows: Row[] = [];
  for (let i = start; i < n; i += stride) {
    if (n - 1 - i < stride && i !== n - 1) continue;
    rows.push({ t: history.timestamps[i], history: finite(history.values[i]) });
  }
  if (n > 0 && (rows.length === 0 || rows[rows.length - 1].t !== history.timestamps[n - 1])) {
    rows.push({ t: history.timestamps[n - 1], history: finite(history.values[n - 1]) });
  }
  if (!forecast || forecast.timestamps.length === 0) return rows;

  // Anchor the fan at the last observed value so it visibly grows out of the history.
  const last = rows[rows.length - 1];
  if (last?.history !== undefined) {
    last.median = last.history;
    last.band80 = [last.history, last.history];
    last.band50 = [last.history, last.history];
  }
  const q10 = levelRow(forecast, 0.1);
  const q25 = levelRow(forecast, 0.25);
  const q75 = levelRow(forecast, 0.75);
  const q90 = levelRow(forecast, 0.9);
  forecast.timestamps.forEach((t, k) => {
    rows.push({
      t,
      median: finite(forecast.mean[k]),
      band80: [q10[k], q90[k]],
      band50: [q25[k], q75[k]],
      actual: actual ? finite(actual[k]) : undefined,
      step: k,
    });
  });
  return rows;
}

interface FanTooltipProps {
  active: boolean;
  payload: TooltipContentProps['payload'];
  forecast: SeriesForecast | null;
  frequency: Frequency;
}

function FanTooltip(props: FanTooltipProps): ReactElement | null {
  const { active, payload, forecast, frequency } = props;
  if (!active || !payload || payload.length === 0) return null;
  const row = payload[0].payload as Row;
  return (
    <div className="fan-tooltip">
      <div className="fan-tooltip__time">{formatTimestamp(row.t, frequency)}</div>
      {row.history !== undefined && row.step === undefined && <div>History: {formatNumber(row.history)}</div>}
      {row.actual !== undefined && <div>Actual: {formatNumber(row.actual)}</div>}
      {row.step !== undefined && forecast && (
        <>
          <div>Median: {formatNumber(forecast.mean[row.step])}</div>
          <dl className="fan-tooltip__quantiles">
            {forecast.levels.map((level, k) => (
              <div key={level}>
                <dt>{formatQuantileLevel(level)}</dt>
                <dd>{formatNumber(forecast.quantiles[k][row.step as number])}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </div>
  );
}

/**
 * Up to `count` tick positions taken from the rows themselves, evenly spaced, so every label is a real
 * timestamp of the data's grid (no "2023-02-26 11:33" between weekly points).
 */
function gridTicks(rows: readonly Row[], count: number): number[] {
  if (rows.length <= count) return rows.map((r) => r.t);
  const ticks: number[] = [];
  for (let i = 0; i < count; i++) ticks.push(rows[Math.round((i * (rows.length - 1)) / (count - 1))].t);
  return [...new Set(ticks)];
}

/** Adds the medians of earlier backtest windows to the rows (at their own times, inserted where thinned out). */
function withWindowMedians(rows: Row[], windows: readonly BacktestWindowMark[] | undefined): Row[] {
  if (!windows?.some((w) => w.median)) return rows;
  const byTime = new Map(rows.map((r) => [r.t, r]));
  const out = [...rows];
  const first = rows[0]?.t ?? -Infinity;
  for (const w of windows) {
    if (!w.median) continue;
    for (let i = 0; i < w.median.timestamps.length; i++) {
      const t = w.median.timestamps[i];
      if (t < first) continue;
      let row = byTime.get(t);
      if (!row) {
        row = { t };
        byTime.set(t, row);
        out.push(row);
      }
      row.windowMedian = finite(w.median.values[i]);
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** The fan chart of one series. */
export function FanChart(props: FanChartProps): ReactElement {
  const { forecast, frequency, actual, history, historyWindow, windows } = props;
  const rows = useMemo(
    () => withWindowMedians(buildRows({ history, forecast, actual, historyWindow }), windows),
    [history, forecast, actual, historyWindow, windows],
  );
  const ticks = useMemo(() => gridTicks(rows, 7), [rows]);
  const tickFormatter = (t: number): string => formatTimestamp(t, frequency);
  return (
    <div className="fan-chart" role="img" aria-label={props.label}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={rows} margin={{ top: 12, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
          {windows?.map((w, i) => (
            <ReferenceArea
              key={w.label}
              x1={w.start}
              x2={w.end}
              fill={i % 2 === 0 ? '#f59e0b' : '#a855f7'}
              fillOpacity={0.08}
              stroke="none"
              label={{ value: w.label, position: 'insideTop', fontSize: 11, fill: '#64748b' }}
              ifOverflow="hidden"
            />
          ))}
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            scale="linear"
            ticks={ticks}
            interval="preserveStartEnd"
            tickFormatter={tickFormatter}
            tick={{ fontSize: 12, fill: '#475569' }}
            minTickGap={24}
          />
          <YAxis
            tickFormatter={(v: number) => formatNumber(v, 3)}
            tick={{ fontSize: 12, fill: '#475569' }}
            width={64}
            domain={['auto', 'auto']}
          />
          <Tooltip
            content={(p) => <FanTooltip active={p.active} payload={p.payload} forecast={forecast} frequency={frequency} />}
            isAnimationActive={false}
          />
          <Area
            dataKey="band80"
            name="80% interval"
            stroke="none"
            fill={FAN_COLORS.band80}
            fillOpacity={0.45}
            isAnimationActive={false}
            connectNulls={false}
            activeDot={false}
          />
          <Area
            dataKey="band50"
            name="50% interval"
            stroke="none"
            fill={FAN_COLORS.band50}
            fillOpacity={0.5}
            isAnimationActive={false}
            activeDot={false}
          />
          <Line
            dataKey="history"
            name="History"
            stroke={FAN_COLORS.history}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            dataKey="median"
            name="Median forecast"
            stroke={FAN_COLORS.median}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
          {windows?.some((w) => w.median) && (
            <Line
              dataKey="windowMedian"
              name="Earlier windows (median)"
              stroke={FAN_COLORS.median}
              strokeWidth={1.5}
              strokeDasharray="5 3"
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          )}
          {actual && (
            <Line
              dataKey="actual"
              name="Actual (held out)"
              stroke={FAN_COLORS.actual}
              strokeWidth={1.5}
              strokeDasharray="4 3"
              dot={{ r: 2.5, fill: FAN_COLORS.actual }}
              isAnimationActive={false}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

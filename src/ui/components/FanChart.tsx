// The forecast fan: history, the median forecast, 80% and 50% central intervals read from the model's
// quantiles, and (in backtest mode) the held-out actuals, on a real time axis with calendar-aligned ticks. A
// compact readout above the plot (not a floating tooltip, so it never covers the fan) tells the hovered step's
// median and intervals, all quantiles on demand; a text description gives screen readers the same story.
// Presentational only: it gets plain arrays and draws them. The recharts part is memoised on its data, so
// hovering re-renders the readout only.
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactElement, type RefObject } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, Tooltip, XAxis, YAxis } from 'recharts';
import type { MouseHandlerDataParam } from 'recharts';
import { formatTimestamp, type Frequency } from '../../data/timestamps';
import { levelRow, type SeriesForecast } from '../../state/forecast-view';
import { localTimeTicks } from '../chart/time-ticks';
import { valueAxis } from '../chart/value-ticks';
import { formatNumber, formatQuantileLevel } from '../format';

/** Most points drawn for history; longer histories are thinned evenly (the last point is always kept). */
const MAX_HISTORY_POINTS = 2000;

/** Colours of the chart, shared with the legend (each ≥ 3:1 against white where it is a line). */
export const FAN_COLORS = {
  history: '#334155',
  median: '#1d4ed8',
  band80: '#93b4f5',
  band50: '#5b8def',
  actual: '#c2410c',
} as const;

/** Props of {@link FanChart}. */
export interface FanChartProps {
  /** Observed history up to the forecast start (timestamps ascending). */
  history: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
  /** The forecast on screen (the horizon's steps), or null before the first one. */
  forecast: SeriesForecast | null;
  /**
   * What is drawn: the whole cached run of this series (the end of its patch bucket). Steps past the horizon
   * are veiled rather than left out, so moving the horizon inside a bucket redraws nothing but the veil.
   */
  drawn: SeriesForecast | null;
  /** Held-out actual values aligned with `forecast.timestamps` (backtest mode). */
  actual: ArrayLike<number> | null;
  frequency: Frequency;
  /** Number of most recent history points to show, or 'all'. */
  historyWindow: number | 'all';
  /** Accessible name of the chart. */
  label: string;
  /**
   * Backtest windows to draw (shaded spans, earlier windows' medians as a dashed line); the fan is the last
   * window.
   */
  windows?: BacktestWindowMark[];
  /**
   * Local time of data below a day that carried UTC offsets (ui/chart/local-time.ts): the offset (minutes east of
   * UTC) at an instant, for the axis ticks, and an instant's local time with its offset, for the readout and the
   * description. Without it, times are shown in UTC.
   */
  local?: { offsetAt: (ts: number) => number | undefined; format: (ts: number) => string };
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
  /** Index into the forecast steps, for the readout. */
  step?: number;
}

function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

/** Smallest and largest value drawn (history, intervals, medians, actuals). */
function valueRange(rows: readonly Row[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  const see = (v: number | undefined): void => {
    if (v === undefined || !Number.isFinite(v)) return;
    if (v < min) min = v;
    if (v > max) max = v;
  };
  for (const r of rows) {
    see(r.history);
    see(r.median);
    see(r.actual);
    see(r.windowMedian);
    if (r.band80) {
      see(r.band80[0]);
      see(r.band80[1]);
    }
    if (r.band50) {
      see(r.band50[0]);
      see(r.band50[1]);
    }
  }
  return [min, max];
}

/** Builds the chart rows: (thinned) history, then one row per forecast step. */
function buildRows(props: { history: FanChartProps['history']; forecast: SeriesForecast | null; actual: ArrayLike<number> | null; historyWindow: number | 'all' }): Row[] {
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

/** A screen-reader summary of what the chart shows. */
function describe(rows: readonly Row[], forecast: SeriesForecast | null, actual: ArrayLike<number> | null, fmt: (t: number) => string): string {
  const historyRows = rows.filter((r) => r.history !== undefined && r.step === undefined);
  const parts: string[] = [];
  if (historyRows.length > 0) {
    const first = historyRows[0];
    const last = historyRows[historyRows.length - 1];
    parts.push(`History shown from ${fmt(first.t)} to ${fmt(last.t)}, ${historyRows.length} points, last value ${formatNumber(last.history as number)}.`);
  }
  if (forecast && forecast.timestamps.length > 0) {
    const h = forecast.timestamps.length;
    const mean = Array.from(forecast.mean);
    const lo = levelRow(forecast, 0.1);
    const hi = levelRow(forecast, 0.9);
    const max = mean.indexOf(Math.max(...mean));
    const min = mean.indexOf(Math.min(...mean));
    parts.push(
      `Forecast from ${fmt(forecast.timestamps[0])} to ${fmt(forecast.timestamps[h - 1])}: median ${formatNumber(mean[0])} at the start and ${formatNumber(mean[h - 1])} at the end, ` +
        `highest ${formatNumber(mean[max])} in ${fmt(forecast.timestamps[max])}, lowest ${formatNumber(mean[min])} in ${fmt(forecast.timestamps[min])}; ` +
        `80% interval at the end ${formatNumber(lo[h - 1])} to ${formatNumber(hi[h - 1])}.`,
    );
  }
  if (actual && actual.length > 0) parts.push('The held-out actual values are drawn for comparison.');
  return parts.join(' ');
}

/** Size of an element, from a ResizeObserver (never read synchronously: that would force a layout of the page). */
function useSize(): [RefObject<HTMLDivElement | null>, { width: number; height: number }] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[0].contentRect;
      const width = Math.round(box.width);
      const height = Math.round(box.height);
      setSize((old) => (old.width === width && old.height === height ? old : { width, height }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, size];
}

const MARGIN = { top: 8, right: 16, bottom: 4, left: 4 } as const;
const Y_AXIS_WIDTH = 56;
/** recharts' default x-axis height. */
const X_AXIS_HEIGHT = 30;
const ACTUAL_DOT = { r: 2.5, fill: FAN_COLORS.actual } as const;
const CURSOR = { stroke: '#64748b', strokeDasharray: '3 3' } as const;
const formatY = (v: number): string => formatNumber(v, 3);
const NO_TOOLTIP = (): null => null;

/** An axis tick as plain SVG text: recharts' own <Text> measures every label in the DOM, which costs a layout. */
function makeTick(format: (v: number) => string, axis: 'x' | 'y') {
  return function Tick(props: { x?: number | string; y?: number | string; payload?: { value: number } }): ReactElement {
    const x = Number(props.x ?? 0);
    const y = Number(props.y ?? 0);
    const value = props.payload?.value ?? 0;
    return axis === 'x' ? (
      <text x={x} y={y + 14} textAnchor="middle" fontSize={12} fill="#475569">
        {format(value)}
      </text>
    ) : (
      <text x={x - 4} y={y + 4} textAnchor="end" fontSize={12} fill="#475569">
        {format(value)}
      </text>
    );
  };
}
const Y_TICK = makeTick(formatY, 'y');

/** Left and right edges of the plot area in px (margins plus the y axis), for the horizon veil. */
function plotBox(width: number, height: number): { left: number; right: number; top: number; bottom: number } {
  return { left: MARGIN.left + Y_AXIS_WIDTH, right: width - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom - X_AXIS_HEIGHT };
}

interface PlotProps {
  rows: Row[];
  width: number;
  height: number;
  frequency: Frequency;
  offsetAt: ((ts: number) => number | undefined) | undefined;
  windows: readonly BacktestWindowMark[] | undefined;
  onHover: (index: number | null) => void;
}

/** The recharts drawing; re-renders only when its rows, size or frequency change. */
const Plot = memo(function Plot({ rows, width, height, frequency, offsetAt, windows, onHover }: PlotProps): ReactElement {
  const { ticks, format } = useMemo(() => {
    const start = rows[0]?.t ?? 0;
    const end = rows[rows.length - 1]?.t ?? 0;
    return localTimeTicks(start, end, frequency, { widthPx: Math.max(0, width - Y_AXIS_WIDTH - MARGIN.left - MARGIN.right) }, offsetAt);
  }, [rows, frequency, width, offsetAt]);
  const xTick = useMemo(() => makeTick(format, 'x'), [format]);
  const yAxis = useMemo(() => valueAxis(...valueRange(rows)), [rows]);
  const verticalPoints = useMemo(() => {
    const box = plotBox(width, 0);
    const t0 = rows[0]?.t ?? 0;
    const span = Math.max(1e-9, (rows[rows.length - 1]?.t ?? 0) - t0);
    return ticks.map((t) => box.left + ((t - t0) / span) * (box.right - box.left));
  }, [ticks, rows, width]);
  const move = useCallback(
    (state: MouseHandlerDataParam) => {
      const index = Number(state.activeTooltipIndex);
      onHover(state.isTooltipActive && Number.isInteger(index) ? index : null);
    },
    [onHover],
  );
  const leave = useCallback(() => onHover(null), [onHover]);
  return (
    <ComposedChart width={width} height={height} data={rows} margin={MARGIN} onMouseMove={move} onMouseLeave={leave}>
      <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" verticalPoints={verticalPoints} />
      {windows?.map((w, i) => (
        <ReferenceArea
          key={w.label}
          x1={w.start}
          x2={w.end}
          fill={i % 2 === 0 ? '#f59e0b' : '#a855f7'}
          fillOpacity={0.08}
          stroke="none"
          label={{ value: w.label, position: 'insideTop', fontSize: 11, fill: '#55627a' }}
          ifOverflow="hidden"
        />
      ))}
      <XAxis height={X_AXIS_HEIGHT} dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" ticks={ticks} interval={0} tick={xTick} />
      {yAxis ? (
        <YAxis tick={Y_TICK} width={Y_AXIS_WIDTH} type="number" domain={yAxis.domain} ticks={yAxis.ticks} interval={0} allowDataOverflow />
      ) : (
        <YAxis tick={Y_TICK} width={Y_AXIS_WIDTH} domain={['auto', 'auto']} interval={0} />
      )}
      <Tooltip content={NO_TOOLTIP} cursor={CURSOR} isAnimationActive={false} />
      <Area dataKey="band80" name="80% interval" stroke="none" fill={FAN_COLORS.band80} fillOpacity={0.45} isAnimationActive={false} activeDot={false} />
      <Area dataKey="band50" name="50% interval" stroke="none" fill={FAN_COLORS.band50} fillOpacity={0.5} isAnimationActive={false} activeDot={false} />
      <Line dataKey="history" name="History" stroke={FAN_COLORS.history} strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} />
      <Line dataKey="median" name="Median forecast" stroke={FAN_COLORS.median} strokeWidth={2} dot={false} activeDot={false} isAnimationActive={false} />
      {/* The earlier windows' medians and the held-out actuals are always there (drawing nothing without data): a
          chart whose set of items never changes updates its data only, while an item that comes or goes makes
          recharts register or unregister it, a cascade of store updates and re-renders (a long task). */}
      <Line
        dataKey="windowMedian"
        name="Earlier windows (median)"
        stroke={FAN_COLORS.median}
        strokeWidth={1.5}
        strokeDasharray="5 3"
        dot={false}
        activeDot={false}
        connectNulls={false}
        isAnimationActive={false}
      />
      <Line
        dataKey="actual"
        name="Actual (held out)"
        stroke={FAN_COLORS.actual}
        strokeWidth={1.5}
        strokeDasharray="4 3"
        dot={ACTUAL_DOT}
        activeDot={false}
        isAnimationActive={false}
      />
    </ComposedChart>
  );
});

/** The compact readout of one row: time, median and the drawn intervals; every quantile on demand. */
function Readout(props: { row: Row | undefined; forecast: SeriesForecast | null; fmt: (t: number) => string; hovering: boolean }): ReactElement {
  const { row, forecast, fmt, hovering } = props;
  const [all, setAll] = useState(false);
  const step = row?.step;
  const range = (pair: [number, number] | undefined) => (pair ? `${formatNumber(pair[0])}–${formatNumber(pair[1])}` : '–');
  return (
    <div className="fan-readout" data-testid="chart-readout">
      {row ? (
        <>
          <span className="fan-readout__time">
            {fmt(row.t)}
            {!hovering && step !== undefined ? ' (last step)' : ''}
          </span>
          {step === undefined && row.history !== undefined && <span>History {formatNumber(row.history)}</span>}
          {step !== undefined && (
            <>
              <span>
                <i className="fan-readout__key fan-readout__key--median" aria-hidden="true" />
                Median {formatNumber(row.median ?? NaN)}
              </span>
              <span>
                <i className="fan-readout__key fan-readout__key--band50" aria-hidden="true" />
                50% {range(row.band50)}
              </span>
              <span>
                <i className="fan-readout__key fan-readout__key--band80" aria-hidden="true" />
                80% {range(row.band80)}
              </span>
            </>
          )}
          {row.actual !== undefined && <span>Actual {formatNumber(row.actual)}</span>}
        </>
      ) : (
        <span>Point at the chart to read its values.</span>
      )}
      {forecast && (
        <button type="button" className="btn btn--link" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Fewer values' : 'All quantiles'}
        </button>
      )}
      {all && forecast && step !== undefined && (
        <dl className="fan-readout__quantiles">
          {forecast.levels.map((level, k) => (
            <div key={level}>
              <dt>{formatQuantileLevel(level)}</dt>
              <dd>{formatNumber(forecast.quantiles[k][step])}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

/** The fan chart of one series. */
export function FanChart(props: FanChartProps): ReactElement {
  const { forecast, drawn, frequency, actual, history, historyWindow, windows, local } = props;
  const descriptionId = useId();
  const fmt = useMemo(() => local?.format ?? ((t: number) => formatTimestamp(t, frequency)), [local, frequency]);
  const painted = drawn ?? forecast;
  const rows = useMemo(() => withWindowMedians(buildRows({ history, forecast: painted, actual, historyWindow }), windows), [history, painted, actual, historyWindow, windows]);
  const shownSteps = forecast?.timestamps.length ?? 0;
  const drawnSteps = (drawn ?? forecast)?.timestamps.length ?? 0;
  /** Index of the last row on screen (the horizon's last step). */
  const lastShown = rows.length - 1 - (drawnSteps - shownSteps);
  const description = useMemo(() => describe(rows.slice(0, lastShown + 1), forecast, actual, fmt), [rows, lastShown, forecast, actual, fmt]);
  const [ref, { width, height }] = useSize();
  const [hover, setHover] = useState<number | null>(null);
  const onHover = useCallback((index: number | null) => setHover((old) => (old === index ? old : index)), []);
  const hovered = hover !== null && hover <= lastShown ? hover : null;
  const shown = rows[hovered ?? lastShown];
  let veil: ReactElement | null = null;
  if (width > 0 && height > 0 && lastShown < rows.length - 1 && rows.length > 1) {
    const box = plotBox(width, height);
    const t0 = rows[0].t;
    const t1 = rows[rows.length - 1].t;
    const x = box.left + ((rows[lastShown].t - t0) / Math.max(1e-9, t1 - t0)) * (box.right - box.left);
    veil = (
      <div className="fan-veil" data-testid="horizon-veil" aria-hidden="true" style={{ left: x, width: Math.max(0, box.right - x), top: box.top, height: Math.max(0, box.bottom - box.top) }}>
        <span>beyond the horizon</span>
      </div>
    );
  }
  return (
    <div className="fan">
      <Readout row={shown} forecast={forecast} fmt={fmt} hovering={hovered !== null} />
      <div className="fan-chart" role="img" aria-label={props.label} aria-describedby={descriptionId} ref={ref}>
        {width > 0 && height > 0 && <Plot rows={rows} width={width} height={height} frequency={frequency} offsetAt={local?.offsetAt} windows={windows} onHover={onHover} />}
        {veil}
      </div>
      <p id={descriptionId} className="visually-hidden">
        {description}
      </p>
    </div>
  );
}

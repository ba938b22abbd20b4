// The forecast fan: history, the median forecast, 80% and 50% central intervals read from the model's
// quantiles, and (in backtest mode) the held-out actuals, on a real time axis with calendar-aligned ticks. A
// compact readout above the plot (not a floating tooltip, so it never covers the fan) tells the hovered step's
// median and intervals, all quantiles on demand; a text description gives screen readers the same story.
// Presentational only: it gets plain arrays and draws them. The recharts part (ui/chart/fan-plot.tsx) is
// three stacked charts, double-buffered, that take a new drawing a layer per frame (ui/chart/use-layer-stages.ts);
// pointing and the arrow keys move a cursor of its own and re-render the readout only.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactElement, type RefObject } from 'react';
import { formatTimestamp, type Frequency } from '../../data/timestamps';
import { levelRow, type SeriesForecast } from '../../state/forecast-view';
import { buildRows, lastAtOrBefore, nearestRow, withWindowMedians, type BacktestWindowMark, type Row } from '../chart/fan-rows';
import { FAN_COLORS, FAN_LAYER_COUNT, FanStack, makeDrawing, plotBox, type FanDrawing } from '../chart/fan-plot';
import { useLayerStages } from '../chart/use-layer-stages';
import { formatNumber, formatQuantileLevel } from '../format';

export { FAN_COLORS, type BacktestWindowMark };

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

/** The compact readout of one row: time, median and the drawn intervals; every quantile on demand. */
function Readout(props: { row: Row | undefined; forecast: SeriesForecast | null; fmt: (t: number) => string; hovering: boolean; live: boolean }): ReactElement {
  const { row, forecast, fmt, hovering, live } = props;
  const [all, setAll] = useState(false);
  const step = row?.step;
  const range = (pair: [number, number] | undefined) => (pair ? `${formatNumber(pair[0])}–${formatNumber(pair[1])}` : '–');
  return (
    // A live region while the chart has the keyboard focus, so that stepping with the arrows is heard.
    <div className="fan-readout" data-testid="chart-readout" aria-live={live ? 'polite' : 'off'}>
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

/** Narrowest veil (px) that shows its words ("beyond the horizon" at 11.5 px is about 110 px wide). */
const VEIL_LABEL_MIN_WIDTH = 120;

/** Horizontal position in px of time `t` on a drawing's plot. */
function xOf(drawing: FanDrawing, t: number): number {
  const box = plotBox(drawing.width, drawing.height);
  const [t0, t1] = drawing.layers.x;
  return box.left + ((t - t0) / (t1 - t0)) * (box.right - box.left);
}

/** The fan chart of one series. */
export function FanChart(props: FanChartProps): ReactElement {
  const { forecast, drawn, frequency, actual, history, historyWindow, windows, local } = props;
  const descriptionId = useId();
  const fmt = useMemo(() => local?.format ?? ((t: number) => formatTimestamp(t, frequency)), [local, frequency]);
  const painted = drawn ?? forecast;
  const rows = useMemo(() => withWindowMedians(buildRows({ history, forecast: painted, actual, historyWindow }), windows), [history, painted, actual, historyWindow, windows]);
  const shownSteps = forecast?.timestamps.length ?? 0;
  const drawnSteps = painted?.timestamps.length ?? 0;
  const description = useMemo(() => describe(rows.slice(0, rows.length - (drawnSteps - shownSteps)), forecast, actual, fmt), [rows, drawnSteps, shownSteps, forecast, actual, fmt]);
  const [ref, { width, height }] = useSize();
  const offsetAt = local?.offsetAt;
  const target = useMemo((): FanDrawing | null => {
    if (width <= 0 || height <= 0) return null;
    return makeDrawing(rows, { windows, width, height, frequency, format: fmt, offsetAt });
  }, [rows, windows, width, height, frequency, offsetAt, fmt]);
  const stages = useLayerStages(target, FAN_LAYER_COUNT);
  // What is on screen: the front stack's drawing (a new one shows once all its layers are drawn).
  const onScreen = stages.stacks[stages.front][0];
  /** A new drawing is still climbing the hidden stack (a frame per layer): the chart says it is busy meanwhile. */
  const busy = target !== null && !stages.stacks[stages.front].every((d) => d === target);
  const screenRows = onScreen?.rows ?? rows;
  const horizonEnd = forecast && forecast.timestamps.length > 0 ? forecast.timestamps[forecast.timestamps.length - 1] : null;
  /** Index of the last row on screen inside the horizon. */
  const lastShown = lastAtOrBefore(screenRows, horizonEnd);
  const [hover, setHover] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const hovered = hover !== null && hover <= lastShown ? hover : null;
  const shown = screenRows[hovered ?? lastShown];

  const pointAt = useCallback(
    (event: PointerEvent<HTMLDivElement>) => {
      if (!onScreen) return;
      const box = plotBox(onScreen.width, onScreen.height);
      const px = event.clientX - event.currentTarget.getBoundingClientRect().left;
      if (px < box.left || px > box.right) return setHover(null);
      const [t0, t1] = onScreen.layers.x;
      const index = nearestRow(onScreen.rows, t0 + ((px - box.left) / (box.right - box.left)) * (t1 - t0), lastShown);
      setHover(index >= 0 ? index : null);
    },
    [onScreen, lastShown],
  );
  const leave = useCallback(() => setHover(null), []);
  const step = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      const current = hovered ?? lastShown;
      const next = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: lastShown }[event.key];
      if (event.key === 'Escape') setHover(null);
      if (next === undefined) return;
      event.preventDefault();
      setHover(Math.max(0, Math.min(lastShown, next)));
    },
    [hovered, lastShown],
  );

  let veil: ReactElement | null = null;
  let cursor: ReactElement | null = null;
  if (onScreen && screenRows.length > 1) {
    const box = plotBox(onScreen.width, onScreen.height);
    const vertical = { top: box.top, height: Math.max(0, box.bottom - box.top) };
    if (lastShown < screenRows.length - 1) {
      const x = xOf(onScreen, screenRows[lastShown].t);
      const width = Math.max(0, box.right - x);
      // The words only where they fit: a veil of a few steps would show them cut ("…d the h").
      veil = (
        <div className="fan-veil" data-testid="horizon-veil" aria-hidden="true" style={{ left: x, width, ...vertical }}>
          {width >= VEIL_LABEL_MIN_WIDTH && <span>beyond the horizon</span>}
        </div>
      );
    }
    if (hovered !== null) cursor = <div className="fan-cursor" aria-hidden="true" style={{ left: xOf(onScreen, screenRows[hovered].t), ...vertical }} />;
  }
  return (
    <div className="fan">
      <Readout row={shown} forecast={forecast} fmt={fmt} hovering={hovered !== null} live={focused} />
      <div
        className="fan-chart"
        role="img"
        aria-label={props.label}
        aria-describedby={descriptionId}
        aria-busy={busy || undefined}
        ref={ref}
        tabIndex={onScreen ? 0 : undefined}
        onPointerDown={pointAt}
        onPointerMove={pointAt}
        onPointerLeave={leave}
        onKeyDown={step}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        aria-keyshortcuts={onScreen ? 'ArrowLeft ArrowRight Home End Escape' : undefined}
      >
        <FanStack layers={stages.stacks[0]} front={stages.front === 0} />
        <FanStack layers={stages.stacks[1]} front={stages.front === 1} />
        {cursor}
        {veil}
      </div>
      <p id={descriptionId} className="visually-hidden">
        {description}
      </p>
    </div>
  );
}

// The recharts drawing of the fan chart: three stacked charts of one size and the same domains (history with
// the axes and backtest spans; the fan; the overlays), each memoised on its own drawing so that a new drawing
// reaches them one per frame (ui/chart/use-layer-stages.ts). Pointer and keyboard reading is the FanChart's
// own (no recharts Tooltip): the layers take no events.
import { memo, type ReactElement, type ReactNode } from 'react';
import { Area, CartesianGrid, ComposedChart, Curve, Line, ReferenceArea, XAxis, YAxis, type LineDrawShapeProps } from 'recharts';
import type { Frequency } from '../../data/timestamps';
import { formatNumber } from '../format';
import { splitLayers, type BacktestWindowMark, type FanLayers, type Row } from './fan-rows';
import { localTimeTicks } from './time-ticks';

/** Colours of the chart, shared with the legend (each ≥ 3:1 against white where it is a line). */
export const FAN_COLORS = {
  history: '#334155',
  median: '#1d4ed8',
  band80: '#93b4f5',
  band50: '#5b8def',
  actual: '#c2410c',
} as const;

/** Everything one drawing of the chart needs; layers redraw when they get a new one. */
export interface FanDrawing {
  /** All rows, in time order (for the readout and the pointer). */
  rows: Row[];
  layers: FanLayers;
  windows: readonly BacktestWindowMark[] | undefined;
  width: number;
  height: number;
  /** Time-axis ticks and their labels. */
  ticks: number[];
  format: (t: number) => string;
}

export const MARGIN = { top: 8, right: 16, bottom: 4, left: 4 } as const;
export const Y_AXIS_WIDTH = 56;
/** recharts' default x-axis height. */
export const X_AXIS_HEIGHT = 30;
/** The upper layers draw no axes: their margins take the axes' room, so their plot areas match the base's. */
const INNER_MARGIN = { top: MARGIN.top, right: MARGIN.right, bottom: MARGIN.bottom + X_AXIS_HEIGHT, left: MARGIN.left + Y_AXIS_WIDTH } as const;
// Not clipped to the plot: a dot on its last step would show only its left half.
const ACTUAL_DOT = { r: 2.5, fill: FAN_COLORS.actual, clipDot: false } as const;

/**
 * A line's curve, drawn without animation and without a ref to its path. Why: recharts' Line measures the path
 * it drew last (`getTotalLength`, for its animations) on every render, and that forces a style and layout pass
 * of the page in the middle of the update (11 ms of a 23 ms task in one profile); with no ref there is nothing
 * to measure.
 */
function StaticCurve(props: LineDrawShapeProps): ReactElement {
  const { pathRef, animationElapsedTime, isAnimating, isEntrance, visibleLength, ...curve } = props;
  return <Curve {...curve} />;
}

/** Plot area of a chart of this size, in px. */
export function plotBox(width: number, height: number): { left: number; right: number; top: number; bottom: number } {
  return { left: INNER_MARGIN.left, right: width - INNER_MARGIN.right, top: INNER_MARGIN.top, bottom: height - INNER_MARGIN.bottom };
}

/**
 * The drawing of `rows` on a chart of this size: its layers' rows and shared domains, and calendar-aligned time
 * ticks (in local time when `offsetAt` gives the UTC offsets). Without rows it is an empty drawing, so that the
 * layers can mount before there is anything to show.
 */
export function makeDrawing(
  rows: Row[],
  options: { windows?: readonly BacktestWindowMark[]; width: number; height: number; frequency: Frequency; format: (t: number) => string; offsetAt?: (ts: number) => number | undefined },
): FanDrawing {
  const { windows, width, height, frequency, format, offsetAt } = options;
  const layers = splitLayers(rows);
  const ticks = rows.length === 0 ? { ticks: [], format } : localTimeTicks(layers.x[0], layers.x[1], frequency, { widthPx: Math.max(0, width - Y_AXIS_WIDTH - MARGIN.left - MARGIN.right) }, offsetAt);
  return { rows, layers, windows, width, height, ticks: ticks.ticks, format: ticks.format };
}

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

const formatTickCache = new WeakMap<(t: number) => string, ReturnType<typeof makeTick>>();
function xTickOf(format: (t: number) => string): ReturnType<typeof makeTick> {
  let tick = formatTickCache.get(format);
  if (!tick) {
    tick = makeTick(format, 'x');
    formatTickCache.set(format, tick);
  }
  return tick;
}

const formatY = (v: number): string => formatNumber(v, 3);
const Y_TICK = makeTick(formatY, 'y');

/** The base layer: grid, backtest spans, axes and the observed history. */
const HistoryLayer = memo(function HistoryLayer({ drawing }: LayerProps): ReactElement {
  const { layers, width, height, ticks, windows } = drawing;
  const box = plotBox(width, height);
  const span = layers.x[1] - layers.x[0];
  const verticalPoints = ticks.map((t) => box.left + ((t - layers.x[0]) / span) * (box.right - box.left));
  return (
    <ComposedChart width={width} height={height} data={layers.history} margin={MARGIN} accessibilityLayer={false}>
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
      <XAxis height={X_AXIS_HEIGHT} niceTicks="none" dataKey="t" type="number" domain={layers.x} scale="time" ticks={ticks} interval={0} tick={xTickOf(drawing.format)} allowDataOverflow />
      <YAxis tick={Y_TICK} niceTicks="none" width={Y_AXIS_WIDTH} type="number" domain={layers.y.domain} ticks={layers.y.ticks} interval={0} allowDataOverflow />
      <Line dataKey="history" name="History" stroke={FAN_COLORS.history} strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} shape={StaticCurve} />
    </ComposedChart>
  );
});

/** An upper layer: a chart of the same size, plot area and scales as the base, its axes hidden. */
function UpperChart({ drawing, data, children }: { drawing: FanDrawing; data: Row[]; children: ReactNode }): ReactElement {
  const { layers } = drawing;
  return (
    <ComposedChart width={drawing.width} height={drawing.height} data={data} margin={INNER_MARGIN} accessibilityLayer={false}>
      <XAxis hide niceTicks="none" dataKey="t" type="number" domain={layers.x} scale="time" allowDataOverflow />
      <YAxis hide niceTicks="none" type="number" domain={layers.y.domain} allowDataOverflow />
      {children}
    </ComposedChart>
  );
}

/** Props of a layer: the drawing it shows. */
type LayerProps = { drawing: FanDrawing };

/**
 * Props equality of an upper layer (a `memo` comparison): the same drawing, or neither drawing has rows for this
 * layer and both are of one size. Why: an upper layer without rows draws nothing whatever its domains, and
 * redrawing an empty recharts chart costs main-thread time all the same (a history-only drawing would redraw both
 * upper layers).
 */
export function sameUpperLayer(rowsOf: (layers: FanLayers) => readonly Row[]): (a: LayerProps, b: LayerProps) => boolean {
  return ({ drawing: a }, { drawing: b }) =>
    a === b || (rowsOf(a.layers).length === 0 && rowsOf(b.layers).length === 0 && a.width === b.width && a.height === b.height);
}

/** The fan: 80% and 50% intervals and the median. */
const FanLayer = memo(function FanLayer({ drawing }: LayerProps): ReactElement {
  return (
    <UpperChart drawing={drawing} data={drawing.layers.fan}>
      <Area dataKey="band80" name="80% interval" stroke="none" fill={FAN_COLORS.band80} fillOpacity={0.45} isAnimationActive={false} activeDot={false} />
      <Area dataKey="band50" name="50% interval" stroke="none" fill={FAN_COLORS.band50} fillOpacity={0.5} isAnimationActive={false} activeDot={false} />
      <Line dataKey="median" name="Median forecast" stroke={FAN_COLORS.median} strokeWidth={2} dot={false} activeDot={false} isAnimationActive={false} shape={StaticCurve} />
    </UpperChart>
  );
}, sameUpperLayer((layers) => layers.fan));

/** The overlays: earlier backtest windows' medians and the held-out actuals. */
const OverlayLayer = memo(function OverlayLayer({ drawing }: LayerProps): ReactElement {
  return (
    <UpperChart drawing={drawing} data={drawing.layers.overlay}>
      <Line
        dataKey="windowMedian"
        name="Earlier windows (median)"
        stroke={FAN_COLORS.median}
        strokeWidth={1.5}
        strokeDasharray="5 3"
        dot={false}
        activeDot={false}
        isAnimationActive={false}
        shape={StaticCurve}
      />
      <Line dataKey="actual" name="Actual (held out)" stroke={FAN_COLORS.actual} strokeWidth={1.5} strokeDasharray="4 3" dot={ACTUAL_DOT} activeDot={false} isAnimationActive={false} shape={StaticCurve} />
    </UpperChart>
  );
}, sameUpperLayer((layers) => layers.overlay));

/** The number of layers of a stack. */
export const FAN_LAYER_COUNT = 3;

/** One stack of the three layers; the hidden one of the two stacks is not painted and takes no events. */
export function FanStack({ layers, front }: { layers: readonly (FanDrawing | null)[]; front: boolean }): ReactElement {
  const [history, fan, overlay] = layers;
  return (
    <div className={`fan-stack${front ? ' fan-stack--front' : ''}`} aria-hidden={front ? undefined : true}>
      <div className="fan-layer">{history && <HistoryLayer drawing={history} />}</div>
      <div className="fan-layer">{fan && <FanLayer drawing={fan} />}</div>
      <div className="fan-layer">{overlay && <OverlayLayer drawing={overlay} />}</div>
    </div>
  );
}

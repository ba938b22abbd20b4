// The fan chart's layers: how its rows split into the three stacked charts (history, fan, overlays) with shared
// domains, how the pointer finds a row, and the double-buffered order in which a new drawing reaches the layers.
import { describe, expect, it } from 'vitest';
import { buildRows, lastAtOrBefore, nearestRow, splitLayers, withWindowMedians } from '../../src/ui/chart/fan-rows';
import { makeDrawing, sameUpperLayer } from '../../src/ui/chart/fan-plot';
import { makeFrequency } from '../../src/data/timestamps';
import { advanceLayers, initialLayerState, retargetLayers, type LayerState } from '../../src/ui/chart/use-layer-stages';
import type { SeriesForecast } from '../../src/state/forecast-view';

const DAY = 86_400_000;

function forecastOf(start: number, values: number[]): SeriesForecast {
  const timestamps = values.map((_, k) => start + k * DAY);
  const levels = [0.1, 0.25, 0.5, 0.75, 0.9];
  const quantiles = levels.map((q) => Float32Array.from(values, (v) => v + (q - 0.5) * 10));
  return { series: 'y', timestamps, levels, quantiles, mean: quantiles[2] };
}

describe('splitLayers', () => {
  const history = { timestamps: [0, DAY, 2 * DAY, 3 * DAY], values: [10, Number.NaN, 12, 13] };
  const forecast = forecastOf(4 * DAY, [14, 15, 16]);

  it('puts the history, the fan (anchored on the last observed value) and the actuals in their own layers', () => {
    const rows = buildRows({ history, forecast, actual: [14.5, Number.NaN, 16.5], historyWindow: 'all' });
    const layers = splitLayers(rows);
    // The gap stays a row without a value, so the history line breaks there.
    expect(layers.history.map((r) => [r.t / DAY, r.history])).toEqual([[0, 10], [1, undefined], [2, 12], [3, 13]]);
    expect(layers.fan.map((r) => [r.t / DAY, r.median])).toEqual([[3, 13], [4, 14], [5, 15], [6, 16]]);
    expect(layers.fan[0].band80).toEqual([13, 13]);
    expect(layers.fan[1].band80).toEqual([10, 18]);
    // The overlay keeps the row after an actual, so the dashed line breaks at the missing one.
    expect(layers.overlay.map((r) => [r.t / DAY, r.actual])).toEqual([[4, 14.5], [5, undefined], [6, 16.5]]);
  });

  it('gives every layer the same domains: all rows in time, every drawn value in the value axis', () => {
    const rows = buildRows({ history, forecast, actual: null, historyWindow: 'all' });
    const { x, y } = splitLayers(rows);
    expect(x).toEqual([0, 6 * DAY]);
    // Values run from 10 (history) to 20.0 (the last step's 0.9 quantile): the axis covers both with round ticks.
    expect(y.domain[0]).toBeLessThanOrEqual(10);
    expect(y.domain[1]).toBeGreaterThanOrEqual(20);
    expect(y.ticks[0]).toBe(y.domain[0]);
    expect(y.ticks[y.ticks.length - 1]).toBe(y.domain[1]);
  });

  it('draws earlier windows’ medians in the overlay, and falls back to a unit axis without values', () => {
    const rows = withWindowMedians(buildRows({ history, forecast: null, actual: null, historyWindow: 'all' }), [
      { label: 'Window 1', start: DAY, end: 2 * DAY, median: { timestamps: [DAY, 2 * DAY], values: [11, 12.5] } },
    ]);
    expect(splitLayers(rows).overlay.map((r) => [r.t / DAY, r.windowMedian])).toEqual([[1, 11], [2, 12.5], [3, undefined]]);
    expect(splitLayers(rows).fan).toEqual([]);
    const empty = splitLayers([]);
    expect(empty.y).toEqual({ domain: [0, 1], ticks: [0, 1] });
    expect(empty.x[1]).toBeGreaterThan(empty.x[0]);
  });
});

describe('nearestRow', () => {
  const rows = [0, 10, 20, 30].map((t) => ({ t }));

  it('finds the row nearest in time, ties going to the earlier row', () => {
    expect(nearestRow(rows, -5)).toBe(0);
    expect(nearestRow(rows, 14)).toBe(1);
    expect(nearestRow(rows, 15)).toBe(1);
    expect(nearestRow(rows, 16)).toBe(2);
    expect(nearestRow(rows, 99)).toBe(3);
  });

  it('never goes past the last row inside the horizon, and says -1 without rows', () => {
    expect(nearestRow(rows, 29, 1)).toBe(1);
    expect(nearestRow([], 5)).toBe(-1);
  });
});

describe('lastAtOrBefore', () => {
  const rows = [0, 10, 20, 30].map((t) => ({ t }));

  it('finds the horizon’s last row on screen: at or before the time, the last row without one', () => {
    expect(lastAtOrBefore(rows, 20)).toBe(2);
    expect(lastAtOrBefore(rows, 25)).toBe(2);
    expect(lastAtOrBefore(rows, 99)).toBe(3);
    expect(lastAtOrBefore(rows, null)).toBe(3);
    // Before the first row, the first (the chart never points before its start).
    expect(lastAtOrBefore(rows, -5)).toBe(0);
  });
});

describe('the layer stages', () => {
  /** Every state from `state` until nothing is left to do. */
  function run<D>(state: LayerState<D>): LayerState<D>[] {
    const states = [state];
    for (let next = advanceLayers(state); next; next = advanceLayers(next)) states.push(next);
    return states;
  }
  const view = (s: LayerState<string | null>) => `${s.front}: ${s.stacks[0].map((d) => d ?? '-').join('')} | ${s.stacks[1].map((d) => d ?? '-').join('')}`;

  it('does nothing without a drawing', () => {
    expect(advanceLayers(initialLayerState<string | null>(null, 3))).toBeNull();
  });

  it('draws a new drawing out of sight one layer at a time, shows it whole, then mounts the other stack', () => {
    const first = retargetLayers(initialLayerState<string | null>(null, 3), 'a');
    expect(run(first).map(view)).toEqual([
      '0: --- | ---',
      '0: --- | a--',
      '0: --- | aa-',
      '0: --- | aaa',
      '1: --- | aaa',
      '1: a-- | aaa',
      '1: aa- | aaa',
      '1: aaa | aaa',
    ]);
    // The next drawing climbs the stack not on screen; the one on screen keeps its drawing whole meanwhile.
    const second = retargetLayers(run(first).at(-1)!, 'b');
    expect(run(second).map(view)).toEqual(['1: aaa | aaa', '1: baa | aaa', '1: bba | aaa', '1: bbb | aaa', '0: bbb | aaa']);
  });

  it('draws nothing when the target changes: drawings that come before the next step are drawn once', () => {
    const shown = run(retargetLayers(initialLayerState<string | null>(null, 3), 'a')).at(-1)!;
    const twice = retargetLayers(retargetLayers(shown, 'b'), 'c');
    expect(view(twice)).toBe('1: aaa | aaa');
    expect(run(twice).map(view)).toEqual(['1: aaa | aaa', '1: caa | aaa', '1: cca | aaa', '1: ccc | aaa', '0: ccc | aaa']);
  });

  it('restarts the climb when a newer drawing comes before the last is shown', () => {
    const shown = run(retargetLayers(initialLayerState<string | null>(null, 3), 'a')).at(-1)!;
    const half = advanceLayers(advanceLayers(retargetLayers(shown, 'b'))!)!;
    expect(view(half)).toBe('1: bba | aaa');
    expect(run(retargetLayers(half, 'c')).map(view)).toEqual(['1: bba | aaa', '1: cba | aaa', '1: cca | aaa', '1: ccc | aaa', '0: ccc | aaa']);
  });
});

describe('an upper layer’s redraws', () => {
  const history = { timestamps: [0, DAY, 2 * DAY, 3 * DAY], values: [1, 2, 3, 4] };
  const options = (width: number) => ({ width, height: 300, frequency: makeFrequency('day'), format: String });
  const historyOnly = (width = 800) => makeDrawing(buildRows({ history, forecast: null, actual: null, historyWindow: 'all' }), options(width));
  const withFan = makeDrawing(buildRows({ history, forecast: forecastOf(4 * DAY, [5, 6]), actual: null, historyWindow: 'all' }), options(800));
  const fanLayer = sameUpperLayer((layers) => layers.fan);

  it('skips a drawing with nothing for the layer after another such drawing of the same size', () => {
    const [a, b] = [historyOnly(), historyOnly()];
    expect(a.layers.x).not.toEqual(makeDrawing([], options(800)).layers.x);
    expect(fanLayer({ drawing: a }, { drawing: b })).toBe(true);
    expect(fanLayer({ drawing: makeDrawing([], options(800)) }, { drawing: a })).toBe(true);
  });

  it('redraws when the layer gets rows, loses them, or the size changes', () => {
    expect(fanLayer({ drawing: historyOnly() }, { drawing: withFan })).toBe(false);
    expect(fanLayer({ drawing: withFan }, { drawing: historyOnly() })).toBe(false);
    expect(fanLayer({ drawing: historyOnly(800) }, { drawing: historyOnly(600) })).toBe(false);
    expect(fanLayer({ drawing: withFan }, { drawing: withFan })).toBe(true);
  });
});

// Renders the fan chart's layers once, off screen, while the page waits for its model, so that the user's first
// chart does not pay for recharts' cold code. Why: the first mount of a chart in a page cost 100-250 ms of
// main-thread time on a 2-core laptop (most of it recharts' store and selectors running for the first time:
// parsing, lazy compilation, inline caches), then a second long task when the store's first notification
// re-rendered it. Layers drawn and updated once beforehand turn that into the work of a warm update. One stack
// (ui/chart/fan-plot.tsx), one layer per idle period, in a hidden, inert container outside the app's tree, which
// it removes; failures are ignored (it is only a warm-up).
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { formatTimestamp, makeFrequency } from '../../data/timestamps';
import type { SeriesForecast } from '../../state/forecast-view';
import { whenIdle } from '../../state/when-idle';
import { FAN_LAYER_COUNT, FanStack, makeDrawing, type FanDrawing } from './fan-plot';
import { buildRows, withWindowMedians } from './fan-rows';

const HISTORY = 144;
const STEPS = 16;
const MONTH = 30.44 * 86_400_000;

/** After the next frame and the tasks it queued (recharts' store notifies its subscribers in a frame). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** A made-up seasonal history and a fan over the next {@link STEPS} steps (values only shape the drawing). */
function sample(): { history: { timestamps: number[]; values: number[] }; forecast: SeriesForecast } {
  const t0 = Date.UTC(2000, 0, 1);
  const value = (i: number) => 100 + i + 20 * Math.sin((2 * Math.PI * i) / 12);
  const history = { timestamps: Array.from({ length: HISTORY }, (_, i) => t0 + i * MONTH), values: Array.from({ length: HISTORY }, (_, i) => value(i)) };
  const levels = [0.1, 0.25, 0.5, 0.75, 0.9];
  const timestamps = Array.from({ length: STEPS }, (_, k) => t0 + (HISTORY + k) * MONTH);
  const quantiles = levels.map((q) => Float32Array.from(timestamps, (_, k) => value(HISTORY + k) * (0.8 + 0.4 * q)));
  return { history, forecast: { series: 'warm-up', timestamps, levels, quantiles, mean: quantiles[2] } };
}

/**
 * Draws the fan chart's layers off screen as the app's first forecast does (history only, then a backtest: fan,
 * held-out actuals, the window's span), one layer per idle period, and unmounts them. Resolves when done.
 */
export async function warmUpChart(timeoutMs = 1500): Promise<void> {
  const host = document.createElement('div');
  host.setAttribute('aria-hidden', 'true');
  host.inert = true;
  host.style.cssText = 'position:fixed;left:-10000px;top:0;width:800px;height:320px;visibility:hidden;pointer-events:none;contain:strict';
  document.body.append(host);
  const { history, forecast } = sample();
  const actual = Float32Array.from(forecast.mean, (v, k) => v * (1 + 0.02 * Math.sin(k)));
  const windows = [{ label: 'Backtest', start: forecast.timestamps[0], end: forecast.timestamps[STEPS - 1] }];
  const frequency = makeFrequency('month');
  const options = { width: 800, height: 320, frequency, format: (t: number) => formatTimestamp(t, frequency) };
  const drawings = [
    makeDrawing(buildRows({ history, forecast: null, actual: null, historyWindow: 'all' }), options),
    makeDrawing(withWindowMedians(buildRows({ history, forecast, actual, historyWindow: 'all' }), windows), { ...options, windows }),
  ];
  const root = createRoot(host);
  const layers: (FanDrawing | null)[] = Array.from({ length: FAN_LAYER_COUNT }, () => null);
  try {
    for (const drawing of drawings) {
      for (let i = 0; i < FAN_LAYER_COUNT; i++) {
        await whenIdle(timeoutMs);
        layers[i] = drawing;
        root.render(createElement(FanStack, { layers: layers.slice(), front: true }));
        await nextFrame();
      }
    }
  } finally {
    root.unmount();
    host.remove();
  }
}

// The app's own figures for `npm run bench`, measured in Chromium on the built app as a user meets it:
// cold start to the first airline forecast, the horizon slider dragged inside a patch bucket (slider-to-paint
// per move and every main-thread task over 50 ms while it moves), a move across a bucket boundary (how soon the
// sliced part shows, how soon the new run fills it in), and the longest main-thread task while a forecast runs.
// A chart counts as drawn when its name says the new forecast and it is not `aria-busy` (the fan chart's layers
// take a new drawing a frame each, out of sight, and it is busy until they are shown).
// `--app --baseline DIR` measures a second build in the same run, alternating, so before/after are side by side.
import type { Browser, Page } from '@playwright/test';

/** Figures of one measurement. */
export interface AppFigures {
  backend: string;
  /** Navigation start → the status bar names the loaded model, fresh browser context (no caches). */
  modelReadyMs: number;
  /**
   * Navigation start → the first frame painted with the airline backtest's fan chart, the "Airline passengers"
   * button being clicked (in the page) in the frame the model is ready.
   */
  coldStartToFirstForecastMs: number;
  /** Same start → the backtest metrics table (model and baselines scored) is on screen. */
  coldStartToMetricsMs: number;
  /** Slider input → chart painted with the new horizon, within one patch bucket, per move. */
  sliderToPaintMs: number[];
  /** Main-thread tasks ≥ 50 ms while the slider moved inside the bucket (their durations). */
  sliderLongTasksMs: number[];
  /** Slider moved across a bucket boundary (12 → 20): input → the chart shows the cached steps. */
  boundarySlicedMs: number;
  /** Same move: input → the chart shows all 20 steps (the new model run arrived). */
  boundaryFullMs: number;
  /** Longest main-thread task while the airline forecast ran (ms; 0 if none over 50 ms was reported). */
  longestTaskMs: number;
  longTasks: number;
}

type LongTaskWindow = { __longTasks: number[]; __coldStart: Promise<{ ready: number; chart: number; table: number }> };

/**
 * Page-side script of the cold start: on every frame, checks the status bar; in the frame the model is ready it
 * clicks "Airline passengers", then notes the frame after the backtest chart and the metrics table appear. Times
 * are `performance.now()`, i.e. since navigation start. Measured in the page, so no polling of a test driver
 * adds to them. Long tasks before the click are dropped (they are the page's start-up, not the forecast's).
 */
const COLD_START_SCRIPT = `(() => {
  const w = window;
  w.__longTasks = [];
  let clicked = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (clicked && entry.startTime + entry.duration > clicked) w.__longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  w.__coldStart = new Promise((resolve) => {
    let chart = 0;
    const frame = () => {
      if (!clicked) {
        const status = document.querySelector('[aria-label="Status"]');
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Airline passengers' && !b.disabled);
        if (status && /Model:/.test(status.textContent) && button) {
          clicked = performance.now();
          button.click();
        }
      } else if (!chart) {
        if (document.querySelector('[role="img"][aria-label*="12-step backtest"]:not([aria-busy="true"])')) chart = performance.now();
      } else if (document.querySelector('table[aria-label="Backtest metrics for passengers"]')) {
        return resolve({ ready: clicked, chart, table: performance.now() });
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
})()`;

/** Horizons of the in-bucket drag: all inside the first 16-step bucket, back and forth. */
const DRAG = [11, 10, 9, 8, 9, 10, 11, 12, 13, 14, 15, 16, 15, 14, 13, 12, 11, 10, 11, 12];

/**
 * Sets the slider to `value` as a drag does (input + change events) and resolves with the ms until a frame is
 * painted after the chart's accessible name satisfies `done` (a JS source of a predicate on the name).
 */
function moveSlider(page: Page, value: number, done: string): Promise<number> {
  // NOTE: a string, not a function: the TypeScript loader would wrap named inner functions in a helper that does
  // not exist in the page.
  return page.evaluate<number>(`new Promise((resolve, reject) => {
    const slider = document.querySelector('input[type="range"][aria-label="Horizon"]');
    if (!slider) return reject(new Error('no Horizon slider'));
    const chart = () => document.querySelector('[role="img"][aria-label^="Fan chart"]');
    const drawn = () => chart()?.getAttribute('aria-busy') !== 'true';
    const before = chart()?.getAttribute('aria-label') ?? '';
    const test = ${done};
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const start = performance.now();
    const poll = () => {
      const name = chart()?.getAttribute('aria-label') ?? '';
      if (test(name, before) && drawn()) requestAnimationFrame(() => resolve(performance.now() - start));
      else if (performance.now() - start > 60000) reject(new Error('the chart did not change: ' + name));
      else requestAnimationFrame(poll);
    };
    setValue.call(slider, '${value}');
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    slider.dispatchEvent(new Event('change', { bubbles: true }));
    poll();
  })`);
}

/** Measures the app served at `baseUrl` on `backend`. */
export async function measureApp(browser: Browser, baseUrl: string, backend: 'wasm' | 'webgpu'): Promise<AppFigures> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const takeLongTasks = () => page.evaluate(() => (window as unknown as LongTaskWindow).__longTasks.splice(0));
  try {
    await page.addInitScript(COLD_START_SCRIPT);
    await page.goto(`${baseUrl}/?backend=${backend}`);
    const cold = await Promise.race([
      page.evaluate(() => (window as unknown as LongTaskWindow).__coldStart),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no airline backtest within 120 s of the page opening')), 120_000)),
    ]);
    const longTasks = await takeLongTasks();

    // Forecast mode: the drag stays in the first 16-step bucket, so no model call.
    await page.getByRole('checkbox', { name: 'Backtest' }).uncheck();
    await page.getByRole('img', { name: /12-step forecast/ }).waitFor({ timeout: 120_000 });
    // The drag starts on a settled chart (the forecast's drawing shown in all layers).
    await page.locator('[role="img"][aria-label^="Fan chart"]:not([aria-busy="true"])').waitFor({ timeout: 120_000 });
    await page.mouse.move(0, 0);
    await takeLongTasks();
    const sliderToPaintMs: number[] = [];
    for (const h of DRAG) sliderToPaintMs.push(await moveSlider(page, h, `(name) => name.includes(' ${h}-step forecast')`));
    const sliderLongTasksMs = await takeLongTasks();

    // Across the boundary: first any change of the chart (the cached 16 steps), then the full 20.
    const boundary = page.evaluate<[number, number]>(`(async () => {
      const start = performance.now();
      const full = () => document.querySelector('[role="img"][aria-label*=" 20-step forecast"]:not([aria-busy="true"])');
      const chart = () => document.querySelector('[role="img"][aria-label^="Fan chart"]');
      const drawn = () => chart()?.getAttribute('aria-busy') !== 'true';
      const before = chart()?.getAttribute('aria-label');
      let sliced = null;
      return await new Promise((resolve, reject) => {
        const poll = () => {
          if (sliced === null && ((chart()?.getAttribute('aria-label') !== before && drawn()) || full())) sliced = performance.now() - start;
          if (full()) requestAnimationFrame(() => resolve([sliced, performance.now() - start]));
          else if (performance.now() - start > 60000) reject(new Error('no 20-step forecast'));
          else requestAnimationFrame(poll);
        };
        const slider = document.querySelector('input[type="range"][aria-label="Horizon"]');
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setValue.call(slider, '20');
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        slider.dispatchEvent(new Event('change', { bubbles: true }));
        poll();
      });
    })()`);
    const [boundarySlicedMs, boundaryFullMs] = await boundary;
    return {
      backend,
      modelReadyMs: cold.ready,
      coldStartToFirstForecastMs: cold.chart,
      coldStartToMetricsMs: cold.table,
      sliderToPaintMs,
      sliderLongTasksMs,
      boundarySlicedMs,
      boundaryFullMs,
      longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
      longTasks: longTasks.length,
    };
  } finally {
    await context.close();
  }
}

/** The middle value. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One line of the app table: a label and the figures of each round. */
export function appFiguresRow(label: string, rounds: readonly AppFigures[]): string {
  const cold = rounds.map((r) => r.coldStartToFirstForecastMs);
  const ready = rounds.map((r) => r.modelReadyMs);
  const metrics = rounds.map((r) => r.coldStartToMetricsMs);
  const slider = rounds.flatMap((r) => r.sliderToPaintMs);
  const sliderLong = rounds.flatMap((r) => r.sliderLongTasksMs);
  const sliced = rounds.map((r) => r.boundarySlicedMs);
  const full = rounds.map((r) => r.boundaryFullMs);
  const forecastLong = rounds.map((r) => r.longestTaskMs);
  const ms = (v: number) => `${Math.round(v)}`;
  return [
    label,
    `${ms(median(ready))} / **${ms(median(cold))}** (${cold.map(ms).join(', ')}) / ${ms(median(metrics))}`,
    `${ms(median(slider))} / ${ms(Math.max(...slider))}`,
    `${sliderLong.length} (worst ${sliderLong.length ? ms(Math.max(...sliderLong)) : '–'})`,
    `${ms(median(sliced))} / ${ms(median(full))}`,
    `${ms(Math.max(...forecastLong))} (${rounds.reduce((n, r) => n + r.longTasks, 0)} tasks)`,
  ].join(' | ');
}

/** The markdown table of app figures for one or more builds (rows), each measured over several rounds. */
export function appFiguresTable(rows: ReadonlyArray<{ label: string; rounds: readonly AppFigures[] }>): string {
  return [
    '| build (Chromium, WASM) | cold start → model ready / **first airline forecast** (rounds) / metrics, ms: medians | slider → paint in a bucket, ms: median / worst | tasks ≥ 50 ms while the slider moves | across a boundary: sliced / full, ms | longest task during the forecast, ms |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${appFiguresRow(r.label, r.rounds)} |`),
  ].join('\n');
}

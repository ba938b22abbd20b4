// The app's own figures for `npm run bench`, measured in Chromium on the built app as a user meets it:
// cold start to the first airline forecast, the horizon slider dragged inside a patch bucket (slider-to-paint
// per move and every main-thread task over 50 ms while it moves), a move across a bucket boundary (how soon the
// sliced part shows, how soon the new run fills it in), the longest main-thread task while a forecast runs, and
// a large long-format file (300 monthly series, 108,000 rows, generated here) from upload to its drawn forecast.
// A chart counts as drawn when its name says the new forecast and it is not `aria-busy` (the fan chart's layers
// take a new drawing a frame each, out of sight, and it is busy until they are shown).
// `--app --baseline DIR` measures a second build in the same run, alternating, so before/after are side by side.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
  /** Main-thread tasks ≥ 50 ms from the boundary move until the full 20 steps were drawn. */
  boundaryLongTasksMs: number[];
  /** The large file (see {@link largeCsv}): upload → its first series' forecast drawn. */
  largeFileMs: number;
  /** Main-thread tasks ≥ 50 ms over the same span (the file is parsed, read and forecast meanwhile). */
  largeFileLongTasksMs: number[];
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

/** Series and months of the large file. */
const LARGE_SERIES = 300;
const LARGE_MONTHS = 360;

/**
 * A long-format CSV like the public panels people bring (tourism, hospital: one row per series and month):
 * 300 series of 30 years of monthly values, 108,000 rows, about 2.6 MB. Deterministic, so every build reads the
 * same bytes.
 */
export function largeCsv(): Buffer {
  const lines = ['item_id,timestamp,target'];
  for (let s = 0; s < LARGE_SERIES; s++) {
    const id = `s${String(s + 1).padStart(3, '0')}`;
    for (let m = 0; m < LARGE_MONTHS; m++) {
      const month = `${1990 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
      const value = 100 + s + 0.1 * m + 10 * Math.sin((2 * Math.PI * (m + s)) / 12) + ((m * 7919 + s * 104729) % 13) / 4;
      lines.push(`${id},${month},${value.toFixed(2)}`);
    }
  }
  return Buffer.from(`${lines.join('\n')}\n`);
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
    const boundaryLongTasksMs = await takeLongTasks();

    // The large file: uploaded as a person would, until its first series' forecast is drawn. From a path: with a
    // buffer, Playwright builds the File in the page from base64, a main-thread task of its own of 230-300 ms.
    const folder = mkdtempSync(path.join(tmpdir(), 'chronos-bench-'));
    let largeFileMs: number;
    try {
      const file = path.join(folder, 'panel-300x360.csv');
      writeFileSync(file, largeCsv());
      const uploaded = performance.now();
      await page.getByLabel('Upload CSV').setInputFiles(file);
      await page.locator('[role="img"][aria-label^="Fan chart of s001:"][aria-label*="-step forecast"]:not([aria-busy="true"])').waitFor({ timeout: 180_000 });
      largeFileMs = performance.now() - uploaded;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const largeFileLongTasksMs = await takeLongTasks();
    return {
      backend,
      modelReadyMs: cold.ready,
      coldStartToFirstForecastMs: cold.chart,
      coldStartToMetricsMs: cold.table,
      sliderToPaintMs,
      sliderLongTasksMs,
      boundarySlicedMs,
      boundaryFullMs,
      boundaryLongTasksMs,
      largeFileMs,
      largeFileLongTasksMs,
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
  const boundaryLong = rounds.flatMap((r) => r.boundaryLongTasksMs);
  const large = rounds.map((r) => r.largeFileMs);
  const largeLong = rounds.flatMap((r) => r.largeFileLongTasksMs);
  const worst = (tasks: number[]) => `${tasks.length} (worst ${tasks.length ? ms(Math.max(...tasks)) : '–'})`;
  const ms = (v: number) => `${Math.round(v)}`;
  return [
    label,
    `${ms(median(ready))} / **${ms(median(cold))}** (${cold.map(ms).join(', ')}) / ${ms(median(metrics))}`,
    `${ms(median(slider))} / ${ms(Math.max(...slider))}`,
    worst(sliderLong),
    `${ms(median(sliced))} / ${ms(median(full))}; ${worst(boundaryLong)}`,
    `${ms(Math.max(...forecastLong))} (${rounds.reduce((n, r) => n + r.longTasks, 0)} tasks)`,
    `${ms(median(large))}; ${worst(largeLong)}`,
  ].join(' | ');
}

/** The markdown table of app figures for one or more builds (rows), each measured over several rounds. */
export function appFiguresTable(rows: ReadonlyArray<{ label: string; rounds: readonly AppFigures[] }>): string {
  return [
    '| build (Chromium, WASM) | cold start → model ready / **first airline forecast** (rounds) / metrics, ms: medians | slider → paint in a bucket, ms: median / worst | tasks ≥ 50 ms while the slider moves | across a boundary: sliced / full, ms; tasks ≥ 50 ms | longest task during the first forecast, ms | 108,000-row file: upload → forecast drawn, ms (median); tasks ≥ 50 ms |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${appFiguresRow(r.label, r.rounds)} |`),
  ].join('\n');
}

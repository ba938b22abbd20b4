// The app's own figures for `npm run bench`, measured in Chromium on the built app as a user meets it:
// cold start to the first airline forecast, slider-to-paint within a patch bucket (no model call), and
// the longest main-thread task while a forecast runs (long-task observer; the goal is < 50 ms).
import type { Browser } from '@playwright/test';

/** Figures of one measurement. */
export interface AppFigures {
  backend: string;
  /** Navigation start → airline fan chart and metrics on screen, fresh browser context (no caches). */
  coldStartToFirstForecastMs: number;
  /** Slider input → chart painted with the new horizon, within one patch bucket (median of runs). */
  sliderToPaintMs: number[];
  /** Longest main-thread task while the airline forecast ran (ms; 0 if none over 50 ms was reported). */
  longestTaskMs: number;
  longTasks: number;
}

/** Measures the app served at `baseUrl` on `backend`. */
export async function measureApp(browser: Browser, baseUrl: string, backend: 'wasm' | 'webgpu'): Promise<AppFigures> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const t0 = Date.now();
    await page.goto(`${baseUrl}/?backend=${backend}`);
    await page.getByLabel('Status').getByText(/Model:/).waitFor({ timeout: 120_000 });
    // Long tasks of page start-up are not the forecast's: count from the click on.
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    await page.getByRole('button', { name: 'Airline passengers' }).click();
    await page.getByRole('table', { name: 'Backtest metrics for passengers' }).waitFor({ timeout: 120_000 });
    await page.getByRole('img', { name: /12-step backtest/ }).waitFor();
    const coldStartToFirstForecastMs = Date.now() - t0;
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);

    // Forecast mode: horizons 12 → 10 → 11 → 9 stay in the first 16-step bucket, so no model call.
    await page.getByRole('checkbox', { name: 'Backtest' }).uncheck();
    await page.getByRole('img', { name: /12-step forecast/ }).waitFor({ timeout: 120_000 });
    const sliderToPaintMs: number[] = [];
    for (const h of [10, 11, 9, 12, 8]) {
      // NOTE: a string, not a function: the TypeScript loader would wrap named inner functions in a helper
      // that does not exist in the page.
      const ms = await page.evaluate<number>(`new Promise((resolve, reject) => {
        const slider = document.querySelector('input[type="range"][aria-label="Horizon"]');
        if (!slider) return reject(new Error('no Horizon slider'));
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const start = performance.now();
        const poll = () => {
          if (document.querySelector('[role="img"][aria-label*="${h}-step forecast"]')) requestAnimationFrame(() => resolve(performance.now() - start));
          else requestAnimationFrame(poll);
        };
        setValue.call(slider, '${h}');
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        slider.dispatchEvent(new Event('change', { bubbles: true }));
        poll();
      })`);
      sliderToPaintMs.push(ms);
    }
    return {
      backend,
      coldStartToFirstForecastMs,
      sliderToPaintMs,
      longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
      longTasks: longTasks.length,
    };
  } finally {
    await context.close();
  }
}

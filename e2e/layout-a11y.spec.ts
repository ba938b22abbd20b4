// The app on every screen and for every user, in Chromium: axe-core finds no violation on the landing page, the
// airline forecast, a wide table, an error state and the phone layout; no sideways scrolling from 390 px to
// 1920 px and the chart on the first phone screen after a forecast; a skip link, and the chart's controls before
// the model panel in tab order; the chart's accessible name, description, calendar-aligned ticks and readout;
// the model named for what it is, with the offer of the real Chronos-2; the small fixes (stale chart, horizon
// limit, one title per section; the WebGPU alert is in no-webgpu.spec.ts). With UPDATE_SCREENSHOTS=1 it writes docs/screenshots/ at 390, 1440 and 1920 px.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { settledTicks } from './app-flows';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const DEMO = 'chronos2-mini';
const DEMO_SUMMARY = 'Chronos-2 architecture, our demo weights';
const AIRLINE = 'Fan chart of passengers: 12-step backtest, 1960-01 → 1960-12';

const PHONE = { width: 390, height: 844 };

// axe-core and several layouts per test take a while on a busy 2-core machine.
test.describe.configure({ timeout: 300_000 });
const TABLET = { width: 820, height: 1180 };

async function openApp(page: Page, query = '?backend=wasm'): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByLabel('Status')).toContainText(`Model: ${DEMO}`, { timeout: 90_000 });
}

async function airline(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Airline passengers' }).click();
  await expect(page.getByRole('img', { name: AIRLINE })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Backtest metrics for passengers' })).toBeVisible();
}

/** axe-core's violations (WCAG 2.x A/AA and best practices), as "rule: targets" lines for a readable failure. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** How far the page scrolls sideways (0 when it fits). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test.describe('axe-core finds no violations', () => {
  test('on the landing page and the airline forecast', async ({ page }) => {
    await openApp(page);
    expect(await violations(page)).toEqual([]);
    await airline(page);
    expect(await violations(page)).toEqual([]);
    // The readout's full quantile list, opened.
    await page.getByRole('button', { name: 'All quantiles' }).click();
    await expect(page.getByTestId('chart-readout')).toContainText('q0.5');
    expect(await violations(page)).toEqual([]);
  });

  test('on a wide table with three series', async ({ page }) => {
    await openApp(page);
    await page.getByLabel('Upload CSV').setInputFiles(path.join(FIXTURES, 'wide-3-series.csv'));
    await expect(page.getByRole('img', { name: /^Fan chart of north: 14-step forecast/ })).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });

  test('on an error state', async ({ page }) => {
    await openApp(page);
    await page.getByLabel('Upload CSV').setInputFiles(path.join(FIXTURES, 'no-numeric-column.csv'));
    await expect(page.getByRole('alert')).toContainText('No numbers to forecast');
    expect(await violations(page)).toEqual([]);
    if (UPDATE_SCREENSHOTS) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await expect(page.locator('.fan-chart[aria-busy="true"]')).toHaveCount(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'error.png') });
    }
  });

  test('on the phone layout, landing and after a forecast', async ({ page }) => {
    await page.setViewportSize(PHONE);
    await openApp(page);
    expect(await violations(page)).toEqual([]);
    await airline(page);
    expect(await violations(page)).toEqual([]);
  });
});

test.describe('layout', () => {
  test('a phone: no sideways scroll, the chart on the first screen, panels folded, touch-sized controls', async ({ page }) => {
    await page.setViewportSize(PHONE);
    await openApp(page);
    expect(await sidewaysOverflow(page)).toBe(0);
    // The model panel starts folded, with the model named in its summary.
    const modelToggle = page.getByRole('button', { name: 'Model', exact: true });
    await expect(modelToggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('region', { name: 'Model', exact: true })).toContainText(`${DEMO} — ${DEMO_SUMMARY}`);

    await airline(page);
    expect(await sidewaysOverflow(page)).toBe(0);
    // The data panel folds once the file is read, and says what was read.
    await expect(page.getByRole('button', { name: 'Data', exact: true })).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('region', { name: 'Data', exact: true })).toContainText('airline-passengers.csv · monthly · 144 rows');
    const chart = await page.getByRole('img', { name: AIRLINE }).boundingBox();
    expect(chart).not.toBeNull();
    expect(chart!.y).toBeGreaterThanOrEqual(0);
    expect(chart!.y + chart!.height).toBeLessThanOrEqual(PHONE.height);
    expect(chart!.width).toBeGreaterThan(300);

    // Every visible button, select and slider is at least 40 px tall (44 px for the main ones).
    const small = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('button, select, input[type="range"], label.btn'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({ name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName, height: el.getBoundingClientRect().height }))
        .filter((c) => c.height < 40),
    );
    expect(small).toEqual([]);
    const slider = await page.getByRole('slider', { name: 'Horizon' }).boundingBox();
    expect(slider!.height).toBeGreaterThanOrEqual(44);

    // Opening the model panel shows it in full, still without sideways scrolling.
    await modelToggle.click();
    await expect(page.getByRole('form', { name: 'Load from Hugging Face' })).toBeVisible();
    expect(await sidewaysOverflow(page)).toBe(0);
    if (UPDATE_SCREENSHOTS) {
      await modelToggle.click();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.mouse.move(0, 0);
      await expect(page.locator('.fan-chart[aria-busy="true"]')).toHaveCount(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-390.png') });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-390-full.png'), fullPage: true });
    }
  });

  test('a tablet, 1440 and 1920 px: no sideways scroll; from 1000 px the panels sit beside the chart', async ({ page }) => {
    for (const size of [TABLET, { width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(size);
      await openApp(page);
      await airline(page);
      expect(await sidewaysOverflow(page), `${size.width} px`).toBe(0);
      const chart = (await page.getByRole('img', { name: AIRLINE }).boundingBox())!;
      const data = (await page.getByRole('region', { name: 'Data', exact: true }).boundingBox())!;
      if (size.width >= 1000) {
        expect(data.x + data.width, `${size.width} px: data beside the chart`).toBeLessThan(chart.x);
        expect(chart.y + chart.height).toBeLessThanOrEqual(size.height);
      } else {
        expect(chart.y, `${size.width} px: chart below the data`).toBeGreaterThan(data.y);
      }
      // The hub buttons stay inside the model card (folded on a tablet until opened).
      const modelToggle = page.getByRole('button', { name: 'Model', exact: true });
      if ((await modelToggle.getAttribute('aria-expanded')) === 'false') await modelToggle.click();
      const card = (await page.getByRole('region', { name: 'Model', exact: true }).boundingBox())!;
      for (const name of [/^Use amazon\/chronos-2\b/, /^Use autogluon\/chronos-2-small\b/]) {
        const button = (await page.getByRole('button', { name }).boundingBox())!;
        expect(button.x + button.width, `${size.width} px`).toBeLessThanOrEqual(card.x + card.width);
      }
      if (UPDATE_SCREENSHOTS && size.width >= 1440) {
        await page.mouse.move(0, 0);
        await expect(page.locator('.fan-chart[aria-busy="true"]')).toHaveCount(0);
        await page.screenshot({ path: path.join(SCREENSHOTS, `airline-${size.width}.png`) });
      }
    }
  });

  test('many columns: every role row is listed on the page, the preview says it scrolls sideways', async ({ page }) => {
    await openApp(page);
    const header = ['date', ...Array.from({ length: 19 }, (_, i) => `sensor_${i + 1}`)].join(',');
    const rows = Array.from({ length: 40 }, (_, r) => [new Date(Date.UTC(2024, 0, 1 + r)).toISOString().slice(0, 10), ...Array.from({ length: 19 }, (_, c) => 100 + c + (r % 7))].join(','));
    await page.getByLabel('Upload CSV').setInputFiles({ name: 'wide-20.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n')) });
    await expect(page.getByRole('img', { name: /^Fan chart of sensor_1: 14-step forecast/ })).toBeVisible();
    const columns = page.getByRole('region', { name: 'Columns' });
    await expect(columns.getByRole('combobox')).toHaveCount(12);
    await columns.getByRole('button', { name: 'Show all 20 columns' }).click();
    await expect(columns.getByRole('combobox')).toHaveCount(20);
    // No inner scroll hides rows: the card is as tall as its rows.
    expect(await columns.evaluate((el) => Array.from(el.querySelectorAll('*')).filter((c) => c.scrollHeight > c.clientHeight + 1 && getComputedStyle(c).overflowY !== 'visible').length)).toBe(0);
    await expect(page.getByText('20 columns: scroll the table sideways to see them all.')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
});

test.describe('keyboard', () => {
  test('a skip link leads to the chart, and the chart controls come before the model panel', async ({ page }) => {
    await openApp(page);
    // The skip link is the first stop of the page.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to the forecast' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await airline(page);
    await skip.focus();
    await skip.press('Enter');
    await expect(page.locator('#chart-area')).toBeFocused();
    await page.keyboard.press('Tab');
    // From the chart area, the first stop is the chart's own control, not anything of the model panel.
    await expect(page.getByRole('button', { name: 'Recent' })).toBeFocused();

    const order = await page.evaluate(() => {
      const focusable = Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, [tabindex="0"]')).filter(
        (el) => !el.hasAttribute('disabled') && el.offsetParent !== null,
      );
      const index = (el: Element | null) => (el ? focusable.indexOf(el as HTMLElement) : -1);
      return {
        history: index(document.querySelector('[aria-label="History shown"] button:last-child')),
        horizon: index(document.querySelector('input[aria-label="Horizon"]')),
        model: index(document.querySelector('#model-heading button')),
      };
    });
    expect(order.history).toBeGreaterThan(0);
    expect(order.history).toBeLessThan(order.model);
    expect(order.horizon).toBeLessThan(order.model);
  });
});

test.describe('the chart', () => {
  test('has a name and a description, calendar-aligned ticks, and a readout that does not cover the fan', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page);
    await airline(page);
    const chart = page.getByRole('img', { name: AIRLINE });
    await expect(chart).toHaveAccessibleDescription(/^History shown from 1955-01 to 1959-12, 60 points, last value 405\. Forecast from 1960-01 to 1960-12: median/);
    await expect(chart).toHaveAccessibleDescription(/The held-out actual values are drawn for comparison\.$/);
    // Monthly data: ticks on whole years only (no "1958-12" among Januaries).
    const ticks = await settledTicks(chart);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const tick of ticks) expect(tick).toMatch(/^\d{4}$/);
    expect(ticks).toEqual([...ticks].sort());

    // The readout sits above the plot and shows the last step, then the hovered one.
    const readout = page.getByTestId('chart-readout');
    await expect(readout).toContainText('1960-12 (last step)');
    await expect(readout).toContainText(/Median \d+/);
    await expect(readout).toContainText(/50% [\d.]+–[\d.]+/);
    await expect(readout).toContainText(/80% [\d.]+–[\d.]+/);
    const box = (await chart.boundingBox())!;
    const readoutBox = (await readout.boundingBox())!;
    expect(readoutBox.y + readoutBox.height).toBeLessThanOrEqual(box.y + 1);
    await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
    await expect(readout).not.toContainText('(last step)');
    await expect(readout).toContainText(/^1960-\d\d/);
    // The keyboard reads it too: the arrows step through the rows, Home goes to the first, Escape back to the end.
    await page.mouse.move(0, 0);
    await expect(readout).toContainText('1960-12 (last step)');
    await expect(chart).toHaveAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight Home End Escape');
    await expect(readout).toHaveAttribute('aria-live', 'off');
    await chart.focus();
    // While the chart has the focus, the readout is a live region: each step is spoken.
    await expect(readout).toHaveAttribute('aria-live', 'polite');
    await page.keyboard.press('ArrowLeft');
    await expect(readout).toContainText(/^1960-11Median/);
    await page.keyboard.press('Home');
    await expect(readout).toContainText(/^1955-01History 242/);
    await page.keyboard.press('Escape');
    await expect(readout).toContainText('1960-12 (last step)');
    await chart.blur();
    await expect(readout).toHaveAttribute('aria-live', 'off');

    // Forecast mode: inside the 16-step bucket the steps past the horizon are veiled, not dropped.
    await page.getByRole('checkbox', { name: 'Backtest' }).uncheck();
    await page.getByRole('slider', { name: 'Horizon' }).fill('5');
    await expect(page.getByRole('img', { name: 'Fan chart of passengers: 5-step forecast, 1961-01 → 1961-05' })).toBeVisible();
    await expect(page.getByTestId('horizon-veil')).toBeVisible();
    await expect(page.getByTestId('horizon-veil')).toHaveText('beyond the horizon');
    await expect(readout).toContainText('1961-05 (last step)');
    // One step short of the bucket the veil is a sliver: no words, rather than words cut off.
    await page.getByRole('slider', { name: 'Horizon' }).fill('15');
    await expect(page.getByRole('img', { name: /15-step forecast/ })).toBeVisible();
    await expect(page.getByTestId('horizon-veil')).toHaveText('');
    await page.getByRole('slider', { name: 'Horizon' }).fill('16');
    await expect(page.getByRole('img', { name: /16-step forecast/ })).toBeVisible();
    await expect(page.getByTestId('horizon-veil')).toHaveCount(0);
  });

  test('daily data gets first-of-month or Monday ticks, never a stray date', async ({ page }) => {
    await openApp(page);
    await page.getByLabel('Upload CSV').setInputFiles(path.join(FIXTURES, 'wide-3-series.csv'));
    const chart = page.getByRole('img', { name: /^Fan chart of north: 14-step forecast/ });
    await expect(chart).toBeVisible();
    await page.getByRole('button', { name: 'All history' }).click();
    const ticks = await settledTicks(chart);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const tick of ticks) {
      const date = new Date(`${tick.length === 7 ? `${tick}-01` : tick}T00:00:00Z`);
      expect(Number.isNaN(date.getTime()), tick).toBe(false);
      expect(date.getUTCDate() === 1 || date.getUTCDay() === 1, tick).toBe(true);
    }
  });
});

test.describe('an honest model', () => {
  test('header, status bar and metrics name the demo model; the real Chronos-2 is offered with its sizes', async ({ page }) => {
    await openApp(page);
    await expect(page.getByTestId('header-model')).toHaveText(`Model: ${DEMO} — ${DEMO_SUMMARY}`);
    await expect(page.getByTestId('model-status')).toContainText(`Model: ${DEMO} — ${DEMO_SUMMARY}`);
    await airline(page);
    const metrics = page.getByRole('table', { name: 'Backtest metrics for passengers' });
    await expect(metrics.getByRole('columnheader').nth(1)).toHaveText(`${DEMO} (${DEMO_SUMMARY})`);

    const offer = page.getByRole('region', { name: 'Get the real Chronos-2' });
    await expect(offer).toContainText('amazon/chronos-2120M parameters · download 478 MB once · kept for offline use as fp32 478 MB, fp16 ≈240 MB, int8 ≈140 MB, int4 ≈76 MB');
    await expect(offer).toContainText('autogluon/chronos-2-small28M parameters · download 113 MB once · kept for offline use as fp32 113 MB, fp16 57 MB, int8 33 MB, int4 18 MB');
    await expect(offer.getByRole('button', { name: 'Get amazon/chronos-2' })).toBeEnabled();
    // Not a dialog: the page stays usable, and "Not now" folds it to one line that still offers it.
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await offer.getByRole('button', { name: 'Not now' }).click();
    await expect(page.getByRole('region', { name: 'Get the real Chronos-2' })).toContainText(`Forecasts by ${DEMO}, ${DEMO_SUMMARY}.`);
    await page.getByRole('button', { name: 'Get the real Chronos-2…' }).click();
    await expect(page.getByRole('button', { name: 'Get autogluon/chronos-2-small' })).toBeVisible();

    // The random-weight test model is not offered; tests load it by URL, and then it says what it is.
    await expect(page.getByRole('list', { name: 'Installed with the app' })).not.toContainText('random-small');
    await page.goto('/?backend=wasm&model=random-small');
    await expect(page.getByTestId('model-status')).toContainText('Model: random-small — test model with random weights');
  });
});

test.describe('small ones', () => {
  test('the horizon maximum says why it stops there', async ({ page }) => {
    await openApp(page);
    await expect(page.getByTestId('horizon-limit')).toHaveText(
      'Up to 256: the model forecasts 64 steps per call; longer horizons feed its own forecast back in, and past 4 calls the errors compound too much.',
    );
    await airline(page);
    await expect(page.getByTestId('horizon-limit')).toHaveText(
      'Up to 72: a backtest holds out at most half of the shortest series (144 points), so enough history is left to forecast from.',
    );
    await expect(page.getByRole('slider', { name: 'Horizon' })).toHaveAttribute('max', '72');
    // One section per title.
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(new Set(headings).size).toBe(headings.length);
  });
});

test.describe('while a model loads', () => {
  test.use({ serviceWorkers: 'block' });

  test('the old chart stays, marked as stale', async ({ page }) => {
    await openApp(page);
    await airline(page);
    // Choosing another backend loads the model again; its file is held back, so the load lasts as long as needed.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/models\/chronos2-mini\/model\.onnx$/, async (route) => {
      await held;
      await route.continue();
    });
    const stale = page.getByTestId('chart-stale');
    await page.getByLabel('Backend', { exact: true }).selectOption('auto');
    await expect(stale).toBeVisible();
    await expect(stale).toContainText(`this chart is the earlier forecast by ${DEMO}`);
    await expect(page.getByRole('img', { name: AIRLINE })).toBeVisible();
    // Back to WASM (quicker than Auto's software WebGPU here): once loaded, the chart is current again.
    release();
    await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
    await expect(page.getByLabel('Status')).toContainText('Backend: WASM', { timeout: 240_000 });
    await expect(stale).toHaveCount(0);
    await expect(page.getByRole('img', { name: AIRLINE })).toBeVisible();
  });
});

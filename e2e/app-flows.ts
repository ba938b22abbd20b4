// Steps of the user flows that several browser specs share: open the app on WASM with the bundled model
// loaded, load a repository from a (local test) hub through the Model card, forecast the airline example and
// check the metrics column names the model that ran; read the fan chart's axis once its drawing is on screen.
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the app on WASM and waits until the status bar names `model`. */
export async function openApp(page: Page, model: string): Promise<void> {
  await page.goto('/?backend=wasm');
  await expect(page.getByLabel('Status')).toContainText(`Model: ${model}`, { timeout: 60_000 });
}

/** Loads `repo` from the hub at `hubUrl` with the "Load from Hugging Face" form (its settings opened if folded). */
export async function loadFromHub(page: Page, hubUrl: string, repo: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Load from Hugging Face' });
  if (!(await form.getByLabel('Hub URL').isVisible())) await form.getByText('Hub settings').click();
  await form.getByLabel('Hub URL').fill(hubUrl);
  await form.getByLabel('Repository').fill(repo);
  await form.getByRole('button', { name: 'Load from Hugging Face' }).click();
}

/** Backtests the airline example; the metrics table names `modelText` and has a MAE. */
export async function forecastAirline(page: Page, modelText: string, timeout = 60_000): Promise<void> {
  await page.getByRole('button', { name: 'Airline passengers' }).click();
  const metrics = page.getByRole('table', { name: 'Backtest metrics for passengers' });
  await expect(metrics).toContainText(modelText, { timeout });
  await expect(metrics.getByRole('row', { name: /^MAE\b/ })).toContainText(/\d/);
}

/**
 * The x-axis tick labels the fan chart `chart` shows once its newest drawing is on screen. A new drawing climbs a
 * hidden stack a layer per frame and the stacks swap after its last (`aria-busy` meanwhile), so the labels read
 * right after the data changed can be the previous drawing's: they are read again until the chart is not busy.
 */
export async function settledTicks(chart: Locator): Promise<string[]> {
  let ticks: string[] = [];
  await expect(async () => {
    await expect(chart).not.toHaveAttribute('aria-busy', 'true', { timeout: 1000 });
    ticks = await chart.locator('.fan-stack--front .recharts-xAxis-tick-labels text').allTextContents();
    await expect(chart).not.toHaveAttribute('aria-busy', 'true', { timeout: 1 });
    expect(ticks.length).toBeGreaterThan(0);
  }).toPass({ timeout: 15_000 });
  return ticks;
}

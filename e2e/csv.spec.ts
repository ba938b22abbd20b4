// Files shaped like the wild ones, in Chromium on the built app: R `ts` exports (decimal years, the "" row
// counter), a long panel with six value columns, a file without dates given frequency + start, datetimes with
// UTC offsets, daily data with gaps, future rows with known covariates. Each must forecast the right column on
// the right time axis, write timestamps in the input's format, and judge the model against baselines with the
// right season; a 3-window rolling backtest must equal separate runs on the truncated data.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect as baseExpect, test, type Page } from '@playwright/test';
import { settledTicks } from './app-flows';

// The machine running these is shared and slow; the model and the baselines get time.
const expect = baseExpect.configure({ timeout: 90_000 });
// One page for the whole file: the model loads once, each test uploads its own file (which resets the forecast
// settings except the backtest windows, which the tests that change them put back).
test.describe.configure({ mode: 'serial', timeout: 300_000 });
let shared: Page;
test.beforeAll(async ({ browser }) => {
  shared = await browser.newPage();
  await shared.goto('/?backend=wasm');
  await expect(shared.getByLabel('Status')).toContainText('Model: ', { timeout: 240_000 });
});
test.afterAll(async () => {
  await shared?.close();
});

const WILD = fileURLToPath(new URL('../test/fixtures/csv/', import.meta.url));
const AIRLINE = fileURLToPath(new URL('../public/airline-passengers.csv', import.meta.url));
const SCREENSHOTS = process.env.CSV_SCREENSHOTS;
const REGISTRY = JSON.parse(readFileSync(fileURLToPath(new URL('../public/models/index.json', import.meta.url)), 'utf8')) as {
  models: Array<{ folder: string; default?: boolean }>;
};
const DEFAULT_FOLDER = (REGISTRY.models.find((m) => m.default) ?? REGISTRY.models[0]).folder;
const MANIFEST = JSON.parse(readFileSync(fileURLToPath(new URL(`../public/models/${DEFAULT_FOLDER}/manifest.json`, import.meta.url)), 'utf8')) as {
  name: string;
};

/** The shared page, with the default model loaded. */
async function openApp(): Promise<Page> {
  await expect(shared.getByLabel('Status')).toContainText(`Model: ${MANIFEST.name}`);
  return shared;
}

async function upload(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.getByLabel('Upload CSV').setInputFiles(typeof file === 'string' ? path.join(WILD, file) : file);
}

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** A CSV download as objects keyed by header (the fixtures' names need no quoting). */
async function downloadRows(page: Page, button: string): Promise<{ name: string; rows: Record<string, string>[] }> {
  const { name, text } = await download(page, button);
  const [header, ...lines] = text.trim().split('\n').map((l) => l.split(','));
  return { name, rows: lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]]))) };
}

function fact(page: Page, name: string) {
  return page.getByRole('table', { name: 'Detected format' }).getByRole('row', { name: new RegExp(`^${name}\\b`) });
}

function chart(page: Page, description: string | RegExp) {
  return page.getByRole('img', { name: description });
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await page.setViewportSize({ width: 1440, height: 1100 });
  await page.mouse.move(0, 0);
  await expect(page.locator('.fan-chart[aria-busy="true"]')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

test('R ts export, monthly: decimal-year time, the "" row counter ignored, decimal years written back', async () => {
  const page = await openApp();
  await upload(page, 'r-ts-monthly.csv');
  await expect(fact(page, 'Frequency')).toContainText('monthly');
  await expect(fact(page, 'Time column')).toContainText("'time' (decimal year (monthly, R ts))");
  await expect(fact(page, 'Forecast')).toContainText("'value'");
  await expect(page.getByLabel('Role of column_1')).toHaveValue('ignore');
  await expect(page.getByLabel('Notes about the data')).toContainText("'column_1' (blank header, as R writes row names) counts rows");
  await expect(chart(page, 'Fan chart of value: 12-step forecast, 1961-01 → 1961-12')).toBeVisible();
  await expect(page.getByTestId('chart-caption')).toContainText('target column ‘value’');
  await expect(page.getByTestId('target-status')).toContainText('‘value’');
  const csv = await downloadRows(page, 'Download forecast CSV');
  expect(csv.name).toBe('r-ts-monthly-value-forecast-h12.csv');
  expect(csv.rows.map((r) => r.timestamp).slice(0, 3)).toEqual(['1961', '1961.08333333333', '1961.16666666667']);
  expect(csv.rows[11].timestamp).toBe('1961.91666666667');
  expect(new Set(csv.rows.map((r) => r.target))).toEqual(new Set(['value']));
  // The series is the airline data: a forecast of the row counter would be about 145..156.
  expect(Number(csv.rows[6].mean)).toBeGreaterThan(400);
  await shot(page, 'csv-r-ts-monthly');
});

test('R ts export, quarterly: baselines with season 4 and AutoETS next to seasonal naive', async () => {
  const page = await openApp();
  await upload(page, 'r-ts-quarterly.csv');
  await expect(fact(page, 'Frequency')).toContainText('quarterly');
  await page.getByRole('checkbox', { name: 'Backtest' }).check();
  await page.getByRole('slider', { name: 'Horizon' }).fill('8');
  const metrics = page.getByRole('table', { name: 'Backtest metrics for value' });
  await expect(metrics).toBeVisible();
  await expect(metrics.getByRole('columnheader')).toHaveText([
    'Metric',
    `${MANIFEST.name} (Chronos-2 architecture, our demo weights)`,
    'Seasonal naive (m = 4)',
    'AutoETS (augurs, MSTL+ETS, m = 4)',
  ]);
  await expect(page.getByText('season m = 4 (quarterly)')).toBeVisible();
  const csv = await downloadRows(page, 'Download backtest CSV');
  expect(csv.name).toBe('r-ts-quarterly-value-backtest-1x8.csv');
  expect(csv.rows.map((r) => r.timestamp)).toEqual(['1985', '1985.25', '1985.5', '1985.75', '1986', '1986.25', '1986.5', '1986.75']);
  expect(csv.rows[0].cutoff).toBe('1984.75');
  // Seasonal naive with m = 4 repeats the last observed year (1984): the value four quarters before.
  const source = readFileSync(path.join(WILD, 'r-ts-quarterly.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const at = (time: string) => Number(source.find((r) => r[1] === time)?.[2]);
  expect(Number(csv.rows[0].seasonal_naive_median)).toBeCloseTo(at('1984'), 6);
  expect(Number(csv.rows[5].seasonal_naive_median)).toBeCloseTo(at('1984.25'), 6);
  expect(csv.rows.every((r) => Number.isFinite(Number(r.auto_ets_median)))).toBe(true);
  await shot(page, 'csv-r-ts-quarterly-backtest');
});

test('long panel with a row counter and six value columns: each forecast per id', async () => {
  const page = await openApp();
  await upload(page, 'panel-long-6.csv');
  await expect(fact(page, 'Shape')).toContainText("long (series id: state)");
  await expect(fact(page, 'Series')).toContainText('18');
  await expect(page.getByLabel('Role of column_1')).toHaveValue('ignore');
  for (const c of ['births', 'deaths', 'marriages', 'divorces', 'arrivals', 'departures']) {
    await expect(page.getByLabel(`Role of ${c}`)).toHaveValue('target');
  }
  await expect(chart(page, 'Fan chart of NSW · births: 12-step forecast, 2020-01 → 2020-12')).toBeVisible();
  await page.getByLabel('Series', { exact: true }).selectOption({ label: 'QLD · departures' });
  await expect(chart(page, /^Fan chart of QLD · departures: 12-step forecast/)).toBeVisible();
  await expect(page.getByTestId('chart-caption')).toContainText('target column ‘departures’');
  const csv = await downloadRows(page, 'Download forecast CSV');
  expect(csv.name).toBe('panel-long-6-6-targets-forecast-h12.csv');
  expect(csv.rows).toHaveLength(18 * 12);
  expect(csv.rows.filter((r) => r.series === 'VIC · marriages').map((r) => r.target)).toEqual(new Array(12).fill('marriages'));
  expect(csv.rows[0].timestamp).toBe('2020-01-01');
  // The user picks one column: then one series per id.
  for (const c of ['deaths', 'marriages', 'divorces', 'arrivals', 'departures']) await page.getByLabel(`Role of ${c}`).selectOption('ignore');
  await expect(fact(page, 'Series')).toContainText('3');
  await expect(chart(page, /^Fan chart of NSW: 12-step forecast/)).toBeVisible();
});

test('a file without dates, given frequency and start', async () => {
  const page = await openApp();
  await upload(page, 'r-ts-no-time.csv');
  await expect(fact(page, 'Frequency')).toContainText('steps');
  await expect(fact(page, 'Time column')).toContainText('rows are time steps');
  await page.getByLabel('Frequency', { exact: true }).selectOption('monthly');
  await page.getByLabel('First row').fill('1949-01');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(fact(page, 'Frequency')).toContainText('monthly');
  await expect(fact(page, 'Time range')).toContainText('1949-01 → 1960-12');
  await expect(chart(page, 'Fan chart of x: 12-step forecast, 1961-01 → 1961-12')).toBeVisible();
  const csv = await downloadRows(page, 'Download forecast CSV');
  expect(csv.rows.map((r) => r.timestamp).slice(0, 2)).toEqual(['1961-01', '1961-02']);
  await page.getByRole('checkbox', { name: 'Backtest' }).check();
  await expect(page.getByRole('table', { name: 'Backtest metrics for x' }).getByRole('columnheader', { name: 'Seasonal naive (m = 12)' })).toBeVisible();
});

test('datetimes with UTC offsets across a DST change keep their offsets', async () => {
  const page = await openApp();
  await upload(page, 'offsets-daily.csv');
  await expect(fact(page, 'Frequency')).toContainText('daily');
  await expect(fact(page, 'Time column')).toContainText('UTC offsets kept');
  await expect(fact(page, 'Time range')).toContainText('2024-03-01T00:00:00+01:00 → 2024-04-30T00:00:00+02:00');
  const csv = await downloadRows(page, 'Download forecast CSV');
  expect(csv.rows[0].timestamp).toBe('2024-05-01T00:00:00+02:00');
  expect(csv.rows[13].timestamp).toBe('2024-05-14T00:00:00+02:00');
  // A backtest over the change: the cutoff and the window in the file's own offsets.
  await page.getByRole('checkbox', { name: 'Backtest' }).check();
  await page.getByRole('slider', { name: 'Horizon' }).fill('30');
  await page.getByLabel('Windows', { exact: true }).fill('2');
  await page.getByLabel('Step', { exact: true }).fill('1');
  await expect(page.getByTestId('backtest-windows').getByRole('row')).toHaveCount(3);
  const bt = await downloadRows(page, 'Download backtest CSV');
  const first = bt.rows.filter((r) => r.window === '1');
  expect(first[0].cutoff).toBe('2024-03-30T00:00:00+01:00');
  expect(first.map((r) => r.timestamp).slice(0, 2)).toEqual(['2024-03-31T00:00:00+02:00', '2024-04-01T00:00:00+02:00']);
  await page.getByLabel('Windows', { exact: true }).fill('1');
  await page.getByLabel('Step', { exact: true }).fill('');
});

test('hourly data with UTC offsets is charted on its local clock, the offset named', async () => {
  const page = await openApp();
  // Five days of hourly load in Berlin summer time: a daily profile that peaks at 18:00 local time.
  const lines = ['time,load'];
  for (let h = 0; h < 120; h++) {
    const local = new Date(Date.UTC(2024, 5, 1, h));
    const stamp = `${local.toISOString().slice(0, 13)}:00:00+02:00`;
    lines.push(`${stamp},${(100 + 30 * Math.cos(((local.getUTCHours() - 18) / 24) * 2 * Math.PI)).toFixed(2)}`);
  }
  await upload(page, { name: 'berlin-hourly.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(fact(page, 'Frequency')).toContainText('hourly');
  // The caption and the readout say the local time and its offset (the last step: 2024-06-06 00:00 + 24 h - 1).
  await expect(page.getByTestId('chart-caption')).toContainText('2024-06-06 00:00 UTC+02:00 →');
  await expect(page.getByTestId('chart-readout')).toContainText('UTC+02:00');
  // Local midnights are ticks: the axis names the days, not 22:00 of the day before.
  await expect.poll(() => settledTicks(page.locator('.fan-chart')), { timeout: 15_000 }).toContain('2024-06-05');
  // …placed at local midnight: pointing at the label reads that hour. (recharts moves its ticks a frame after the
  // caption changes, so the label is looked up again until the chart has settled. The shared page may be scrolled
  // by the tests before this one, so the chart is brought on screen first: a pointer off screen hovers nothing.)
  await expect(async () => {
    await page.locator('.fan-chart').scrollIntoViewIfNeeded();
    const tick = await page.locator('.fan-chart .fan-stack--front .recharts-xAxis-tick-labels text', { hasText: '2024-06-05' }).boundingBox();
    const plot = await page.locator('.fan-chart').boundingBox();
    await page.mouse.move(0, 0);
    await page.mouse.move(tick!.x + tick!.width / 2, plot!.y + plot!.height / 2);
    await expect(page.getByTestId('chart-readout')).toContainText('2024-06-05 00:00 UTC+02:00', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.mouse.move(0, 0);
});

test('daily data with gaps: the gaps are said, the baselines use season 7', async () => {
  const page = await openApp();
  await upload(page, 'daily-gaps.csv');
  await expect(page.getByLabel('Notes about the data')).toContainText('7 missing time steps at the daily frequency');
  await expect(chart(page, 'Fan chart of y: 14-step forecast, 2016-04-30 → 2016-05-13')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Backtest' }).check();
  await expect(page.getByRole('table', { name: 'Backtest metrics for y' }).getByRole('columnheader', { name: 'Seasonal naive (m = 7)' })).toBeVisible();
});

test('future rows carry known covariates', async () => {
  const page = await openApp();
  await upload(page, 'known-future.csv');
  await expect(page.getByLabel('Role of sales')).toHaveValue('target');
  await expect(page.getByLabel('Role of price')).toHaveValue('covariate');
  await expect(page.getByLabel('Role of promo')).toHaveValue('covariate');
  await expect(page.getByLabel('Notes about the data')).toContainText("'price', 'promo' are known for 14 steps after the last target value");
  await expect(chart(page, 'Fan chart of sales: 14-step forecast, 2023-04-10 → 2023-04-23')).toBeVisible();
  const csv = await downloadRows(page, 'Download forecast CSV');
  expect(csv.rows.map((r) => r.target)).toEqual(new Array(14).fill('sales'));
  // The forecast covers exactly the file's future rows (their promo and price went to the model as known).
  const file = readFileSync(path.join(WILD, 'known-future.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const future = file.filter((r) => r[1] === '');
  expect(future.map((r) => r[0])).toEqual(csv.rows.map((r) => r.timestamp));
  expect(csv.rows.every((r) => Number(r.mean) > 100 && Number(r.mean) < 400)).toBe(true);
});

test('a 3-window rolling backtest equals separate runs on the truncated data', async () => {
  const page = await openApp();
  await page.getByRole('button', { name: 'Airline passengers' }).click();
  await expect(page.getByRole('checkbox', { name: 'Backtest' })).toBeChecked();
  await page.getByLabel('Windows', { exact: true }).fill('3');
  const windows = page.getByTestId('backtest-windows');
  await expect(windows.getByRole('row')).toHaveCount(4);
  await expect(windows).toContainText('1957-12');
  await expect(windows).toContainText('1958-12');
  await expect(windows).toContainText('1959-12');
  await expect(chart(page, /12-step backtest \(last of 3 windows\)/)).toBeVisible();
  await expect(chart(page, /12-step backtest/).locator('.fan-stack--front .recharts-reference-area')).toHaveCount(3);
  await expect(page.getByRole('table', { name: 'Backtest summary over all series and windows' })).toBeVisible();
  await shot(page, 'csv-airline-3-windows');
  const bt = await downloadRows(page, 'Download backtest CSV');
  expect(bt.name).toBe('airline-passengers-passengers-backtest-3x12.csv');
  expect(bt.rows).toHaveLength(36);
  const lines = readFileSync(AIRLINE, 'utf8').trim().split('\n');
  for (const [w, cutoff] of [
    [1, 108],
    [2, 120],
    [3, 132],
  ] as const) {
    const truncated = `${lines.slice(0, 1 + cutoff).join('\n')}\n`;
    await upload(page, { name: `airline-${cutoff}.csv`, mimeType: 'text/csv', buffer: Buffer.from(truncated) });
    await expect(chart(page, new RegExp(`^Fan chart of passengers: 12-step forecast, ${1949 + cutoff / 12}-01`))).toBeVisible();
    const alone = await downloadRows(page, 'Download forecast CSV');
    const window = bt.rows.filter((r) => r.window === String(w));
    expect(window.map((r) => r.timestamp)).toEqual(alone.rows.map((r) => r.timestamp));
    for (let k = 0; k < 12; k++) {
      expect(Number(window[k].model_median)).toBeCloseTo(Number(alone.rows[k].mean), 3);
      expect(Number(window[k]['model_q0.1'])).toBeCloseTo(Number(alone.rows[k]['q0.1']), 3);
    }
  }
});

test('CSV downloads neutralise formulas in names and ids', async () => {
  const page = await openApp();
  const rows = ['store,date,sales'];
  for (const id of ['=HYPERLINK("http://x")', '+SUM(1+1)', '@cmd']) for (let d = 1; d <= 20; d++) rows.push(`"${id.replace(/"/g, '""')}",2024-01-${String(d).padStart(2, '0')},${10 + d}`);
  await upload(page, { name: 'formulas.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(fact(page, 'Series')).toContainText('3');
  const { text } = await download(page, 'Download forecast CSV');
  const first = text.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  expect(new Set(first)).toEqual(new Set(['"\'=HYPERLINK(""http://x"")"', '"\'+SUM(1+1)"', '"\'@cmd"']));
});

// Offline and installable: after one visit the service worker has precached the app shell, the onnxruntime
// WebAssembly files and the bundled model; with the context offline a reload is served by the service worker
// (with the COOP/COEP headers, so the page stays cross-origin isolated and WASM keeps its threads) and the airline
// example forecasts. A model loaded from the hub works offline from the browser's cache. The web app manifest
// passes Chromium's installability check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium } from '../scripts/find-chromium.mjs';
import { fileURLToPath } from 'node:url';
import { addFixtureRepos, bundledModel, REPOS } from '../test/support/hub-fixtures';
import { startHubServer } from '../test/support/hub-server';

/** The registry's default model: what the app opens, and what the service worker precaches. */
const BUNDLED = bundledModel(fileURLToPath(new URL('../', import.meta.url)));

/** Waits until the service worker controls the page (it precached everything before activating). */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 120_000 });
}

/** Paths in the service worker's precache. */
function precached(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('workbox-precache')) continue;
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    }
    return paths;
  });
}

async function expectAirlineBacktest(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Airline passengers' }).click();
  await expect(page.getByRole('img', { name: 'Fan chart of passengers: 12-step backtest, 1960-01 → 1960-12' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Backtest metrics for passengers' })).toBeVisible();
}

test('after one visit the app loads and forecasts with the network off, cross-origin isolated', async ({ page, context }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByLabel('Status')).toContainText(`Model: ${BUNDLED.name}`, { timeout: 60_000 });
  await waitForServiceWorker(page);
  const paths = await precached(page);
  for (const file of ['/index.html', '/ort/ort-wasm-simd-threaded.wasm', '/ort/ort-wasm-simd-threaded.mjs', '/models/index.json', `/models/${BUNDLED.folder}/model.onnx`, `/models/${BUNDLED.folder}/manifest.json`, '/airline-passengers.csv', '/manifest.webmanifest']) {
    expect(paths, file).toContain(file);
  }

  const responses: { url: string; fromServiceWorker: boolean }[] = [];
  context.on('response', (response) => responses.push({ url: response.url(), fromServiceWorker: response.fromServiceWorker() }));
  await context.setOffline(true);
  const navigation = await page.reload();
  expect(navigation?.fromServiceWorker()).toBe(true);
  await expect(page.getByLabel('Status')).toContainText(`Model: ${BUNDLED.name}`, { timeout: 60_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByLabel('Status')).toContainText(/Backend: WASM \((\d+) threads?\)/);
  await expectAirlineBacktest(page);

  // Everything came from the service worker, the runtime files included (loaded by the worker).
  const ort = responses.filter((r) => r.url.includes('/ort/'));
  expect(ort.map((r) => r.url.split('/').pop())).toEqual(expect.arrayContaining(['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']));
  expect(responses.filter((r) => !r.fromServiceWorker && !r.url.startsWith('data:') && !r.url.startsWith('blob:'))).toEqual([]);
  await context.setOffline(false);
});

test('a model loaded from the hub works offline from the browser cache', async ({ page, context }) => {
  const hub = await startHubServer();
  try {
    await addFixtureRepos(hub);
    await page.goto('/?backend=wasm');
    await expect(page.getByLabel('Status')).toContainText(`Model: ${BUNDLED.name}`, { timeout: 60_000 });
    await waitForServiceWorker(page);
    const form = page.getByRole('form', { name: 'Load from Hugging Face' });
    await form.getByText('Hub settings').click();
    await form.getByLabel('Hub URL').fill(hub.url);
    await form.getByLabel('Repository').fill(REPOS.small);
    await form.getByRole('button', { name: 'Load from Hugging Face' }).click();
    await expect(page.getByLabel('Status')).toContainText(`Model: ${REPOS.small}`);

    await context.setOffline(true);
    hub.requests.length = 0;
    await page.reload();
    await expect(page.getByLabel('Status')).toContainText(`Model: ${REPOS.small}`, { timeout: 60_000 });
    await expectAirlineBacktest(page);
    expect(hub.requests).toEqual([]);
    await context.setOffline(false);
  } finally {
    await hub.close();
  }
});

test('the app is installable (web app manifest, icons, service worker)', async ({ baseURL }) => {
  // Chromium never offers installation in incognito-like contexts, so this uses a persistent profile.
  const profile = mkdtempSync(path.join(tmpdir(), 'chronos-pwa-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium() as string,
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${baseURL}/?backend=wasm`);
    await expect(page.getByLabel('Status')).toContainText(`Model: ${BUNDLED.name}`, { timeout: 60_000 });
    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; data?: string };
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({ name: 'Chronos Forecast', display: 'standalone' });
    await expect.poll(async () => ((await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] }).installabilityErrors, { timeout: 30_000 }).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

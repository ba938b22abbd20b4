// Fine-tuned models (LoRA adapters) through the real UI in Chromium: adapter repositories on the stand-in hub on
// 127.0.0.1 (the base downloaded and cached once, a second adapter of the same base reuses it), an adapter from local
// files (with its base picked too, and alone with its base from the cache), and an amazon/chronos-2-size checkpoint
// (seeded random weights) with a LoRA adapter, merged and converted in the worker, forecasting.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import * as flows from './app-flows';
import { parseChronos2ConfigText } from '../src/model/config';
import { randomLoraAdapter } from '../src/model/random-adapter';
import { addFixtureRepos, addLoraRepos, bundledModel, ensureBigCheckpoint, LORA_REPOS, loraRepoFiles, REPOS, SMALL_CHECKPOINT } from '../test/support/hub-fixtures';
import { startHubServer, type TestHub } from '../test/support/hub-server';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLED = bundledModel(ROOT).name;
let hub: TestHub;

test.beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
  await addLoraRepos(hub);
});
test.afterAll(async () => {
  await hub?.close();
});
test.beforeEach(() => {
  hub.requests.length = 0;
});

const openApp = (page: Page): Promise<void> => flows.openApp(page, BUNDLED);
const loadFromHub = (page: Page, repo: string): Promise<void> => flows.loadFromHub(page, hub.url, repo);
/** A hub or local model's metrics column reads "Chronos-2 (<name>)". */
const forecastAirline = (page: Page, modelName: string, timeout?: number): Promise<void> =>
  flows.forecastAirline(page, `Chronos-2 (${modelName})`, timeout);

const cachedList = (page: Page) => page.getByRole('list', { name: 'Cached in this browser' });
const baseWeightGets = () => hub.requests.filter((r) => r.method === 'GET' && r.path === `/${REPOS.small}/resolve/main/model.safetensors`);

test('adapter repositories from the hub: the base is downloaded once, a second adapter reuses it', async ({ page }) => {
  await openApp(page);
  await loadFromHub(page, LORA_REPOS.first);
  await expect(page.getByLabel('Status')).toContainText(`Model: ${LORA_REPOS.first}`, { timeout: 60_000 });
  await forecastAirline(page, LORA_REPOS.first);
  expect(baseWeightGets()).toHaveLength(1);
  await expect(cachedList(page).getByRole('listitem')).toHaveCount(2); // the base and the merged adapter

  hub.requests.length = 0;
  await loadFromHub(page, LORA_REPOS.second);
  await expect(page.getByLabel('Status')).toContainText(`Model: ${LORA_REPOS.second}`, { timeout: 60_000 });
  await forecastAirline(page, LORA_REPOS.second);
  expect(baseWeightGets()).toEqual([]);
  await expect(cachedList(page).getByRole('listitem')).toHaveCount(3);

  // A bad adapter: a clear message, nothing cached, the current model stays.
  await loadFromHub(page, LORA_REPOS.shapeMismatch);
  await expect(page.getByRole('alert')).toContainText(/trained for a base model of another size/);
  await expect(cachedList(page).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByLabel('Status')).toContainText(`Model: ${LORA_REPOS.second}`);
});

test('a LoRA adapter from local files: with its base picked too, then alone with its base from the cache', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chronos-e2e-lora-'));
  try {
    const files = loraRepoFiles({ seed: 1 });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
    const adapter = Object.keys(files).map((f) => path.join(dir, f));
    await openApp(page);
    await page.getByLabel('Open local files').setInputFiles([...adapter, path.join(SMALL_CHECKPOINT, 'config.json'), path.join(SMALL_CHECKPOINT, 'model.safetensors')]);
    await expect(page.getByLabel('Status')).toContainText('Model: local adapter', { timeout: 60_000 });
    await forecastAirline(page, 'local adapter');
    await expect(cachedList(page).getByRole('listitem')).toHaveCount(1);

    // The base from the hub (cached), then the adapter alone: merged with the cached base, no request.
    await loadFromHub(page, REPOS.small);
    await expect(page.getByLabel('Status')).toContainText(`Model: ${REPOS.small}`);
    hub.requests.length = 0;
    await page.getByLabel('Open local files').setInputFiles(adapter);
    await expect(page.getByLabel('Status')).toContainText('Model: local adapter', { timeout: 60_000 });
    await forecastAirline(page, 'local adapter');
    expect(hub.requests).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an amazon/chronos-2-size checkpoint with a LoRA adapter: merged and converted in the worker, forecasts', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const big = await ensureBigCheckpoint();
  const dir = mkdtempSync(path.join(tmpdir(), 'chronos-e2e-big-lora-'));
  try {
    const config = parseChronos2ConfigText(readFileSync(path.join(big, 'config.json'), 'utf8'));
    const { adapterConfig, safetensors } = randomLoraAdapter(config, { r: 8, seed: 11 });
    writeFileSync(path.join(dir, 'adapter_config.json'), JSON.stringify(adapterConfig));
    writeFileSync(path.join(dir, 'adapter_model.safetensors'), safetensors);
    await openApp(page);
    await page
      .getByLabel('Open local files')
      .setInputFiles([path.join(dir, 'adapter_config.json'), path.join(dir, 'adapter_model.safetensors'), path.join(big, 'config.json'), path.join(big, 'model.safetensors')]);
    await expect(page.getByLabel('Status')).toContainText('Model: local adapter', { timeout: 10 * 60_000 });
    await expect(page.getByTestId('current-model')).toContainText(/1\d\d(\.\d)?M parameters/);
    await forecastAirline(page, 'local adapter', 5 * 60_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

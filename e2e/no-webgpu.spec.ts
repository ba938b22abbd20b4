// A browser without WebGPU: asking for it gives a clear alert (no axe-core violation in that error state), and the
// alert goes once WASM is chosen. Its own file: the browser starts without WebGPU for every test here.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium } from '../scripts/find-chromium.mjs';

test.use({
  launchOptions: {
    executablePath: findChromium() as string,
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-gpu', '--disable-features=WebGPU,Vulkan'],
  },
});

test('the "WebGPU is not available" alert goes when WASM is chosen', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=webgpu');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/WebGPU/);
  const result = await new AxeBuilder({ page }).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await expect(page.getByLabel('Status')).toContainText('Model: chronos2-mini', { timeout: 240_000 });
  await expect(page.getByLabel('Status')).toContainText('Backend: WASM');
  await expect(alert).toHaveCount(0);
});

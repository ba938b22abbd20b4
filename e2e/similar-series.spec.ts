// "Series most like this one" in the app: with three series loaded, the panel ranks the other two by the model's
// embeddings (computed in the worker), and a result shows that series in the chart.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { bundledModel } from '../test/support/hub-fixtures';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('ranks the other series by similarity and shows the one picked', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByLabel('Status')).toContainText(`Model: ${bundledModel(ROOT).name}`, { timeout: 60_000 });
  await page.getByLabel('Upload CSV').setInputFiles(path.join(ROOT, 'e2e/fixtures/wide-3-series.csv'));
  await expect(page.getByRole('img', { name: /^Fan chart of north: 14-step forecast/ })).toBeVisible({ timeout: 60_000 });
  const panel = page.getByRole('region', { name: 'Similar series' });
  await panel.getByRole('button', { name: 'Find series like north' }).click();
  const list = panel.getByRole('list', { name: 'Series most like north' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  const items = await list.getByRole('listitem').allTextContents();
  const similarities = items.map((t) => Number(/(-?\d+\.\d)% similar/.exec(t)?.[1]));
  expect(similarities.every((s) => s > -100 && s <= 100)).toBe(true);
  expect(similarities[0]).toBeGreaterThanOrEqual(similarities[1]);
  expect(items.map((t) => t.split(' ')[0]).sort()).toEqual(['east', 'south']);
  const first = items[0].split(' ')[0];
  await list.getByRole('button', { name: first }).click();
  await expect(page.getByRole('img', { name: new RegExp(`^Fan chart of ${first}: 14-step forecast`) })).toBeVisible();
});

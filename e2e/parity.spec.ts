// Browser parity: the converted random-small model in Chromium reproduces the reference pipeline's
// golden outputs on the WASM backend (≤ 1e-4 relative per task) and on WebGPU (Chromium's software
// adapter via --enable-unsafe-webgpu, ORT's native WebGPU EP; ≤ 1e-3) — NaNs, multivariate, covariates,
// long horizon.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import type { CaseResult, GoldenCase } from '../src/parity/golden-case';
import type { SelfCheckApi } from '../src/selfcheck/main';

const CASES = [
  'a_forward_random_small_nan_batch3', // NaNs, raw forward
  'a_forward_random_small_groups_future_covariates', // group attention + future covariates
  'c_predict_edge_series', // constant, all-NaN, short series
  'g_predict_multivariate_3var', // multivariate
  'h_predict_covariates_dict', // numeric + categorical covariates
  'f_predict_long_pl200', // long horizon unrolling
  'i_predict_quantiles_offgrid_levels', // predict_quantiles interpolation
];

function loadCase(name: string): GoldenCase {
  const file = fileURLToPath(new URL(`../test/fixtures/chronos2/cases/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as GoldenCase;
}

async function runCases(page: Page, backend: 'wasm' | 'webgpu', tolerance: number): Promise<void> {
  await page.goto('/selfcheck.html');
  await page.waitForFunction(() => 'chronosSelfCheck' in window);
  const choice = await page.evaluate(
    (b) => (window as unknown as { chronosSelfCheck: SelfCheckApi }).chronosSelfCheck.load('/models/random-small/', b),
    backend,
  );
  expect(choice.backend).toBe(backend);
  for (const name of CASES) {
    const result: CaseResult = await page.evaluate(
      ([n, c, t]) => (window as unknown as { chronosSelfCheck: SelfCheckApi }).chronosSelfCheck.run(n, c, t),
      [name, loadCase(name), tolerance] as [string, GoldenCase, number],
    );
    for (const task of result.tasks) expect(task.relError, `${backend} ${name} ${task.label}`).toBeLessThanOrEqual(tolerance);
    expect(result.passed, `${backend} ${name}`).toBe(true);
    console.log(`${backend} ${name}: max rel error ${result.worst.toExponential(2)}`);
  }
}

test('WASM backend matches the reference pipeline within 1e-4', async ({ page }) => {
  await runCases(page, 'wasm', 1e-4);
});

test('WebGPU backend (software adapter) matches the reference pipeline within 1e-3', async ({ page }) => {
  const runtimes = new Set<string>();
  page.on('request', (r) => {
    const name = /\/ort\/(ort-wasm-simd-threaded\.\w+)\.wasm$/.exec(new URL(r.url()).pathname)?.[1];
    if (name) runtimes.add(name);
  });
  await runCases(page, 'webgpu', 1e-3);
  // WebGPU sessions run on ORT's native WebGPU EP (the asyncify build), as in the app.
  expect(runtimes).toContain('ort-wasm-simd-threaded.asyncify');
});

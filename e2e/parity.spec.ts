// Browser parity: the converted random-small model in Chromium reproduces the reference pipeline's
// golden outputs on the WASM backend (≤ 1e-4 relative per task) and on WebGPU (Chromium's software
// adapter via --enable-unsafe-webgpu, ORT's native WebGPU EP; ≤ 1e-3) — NaNs, multivariate, covariates,
// long horizon.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import type { CaseResult, GoldenCase } from '../src/parity/golden-case';
import type { SelfCheckApi } from '../src/selfcheck/main';
import { BROWSER_PARITY_CASES, BROWSER_PARITY_TOLERANCE } from '../src/parity/browser-cases';


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
  for (const name of BROWSER_PARITY_CASES) {
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
  await runCases(page, 'wasm', BROWSER_PARITY_TOLERANCE.wasm);
});

test('WebGPU backend (software adapter) matches the reference pipeline within 1e-3', async ({ page }) => {
  const runtimes = new Set<string>();
  page.on('request', (r) => {
    const name = /\/ort\/(ort-wasm-simd-threaded\.\w+)\.wasm$/.exec(new URL(r.url()).pathname)?.[1];
    if (name) runtimes.add(name);
  });
  await runCases(page, 'webgpu', BROWSER_PARITY_TOLERANCE.webgpu);
  // WebGPU sessions run on ORT's native WebGPU EP (the asyncify build), as in the app.
  expect(runtimes).toContain('ort-wasm-simd-threaded.asyncify');
});

// Playwright drives the built app (vite build + vite preview) in the system Chromium with the
// launch flags this environment needs; WebGPU tests use Chromium's software adapter.
import { defineConfig } from '@playwright/test';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium, INSTALL_HINT } from './scripts/find-chromium.mjs';

const executablePath: string | undefined = findChromium();
if (!executablePath) throw new Error(INSTALL_HINT);

const PORT = Number(process.env.E2E_PORT ?? 4173);
/** Point the tests at an already running server (e.g. `npm run dev`) instead of building one. */
const externalBaseUrl = process.env.E2E_BASE_URL;

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: externalBaseUrl ?? `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--enable-unsafe-webgpu',
      ],
    },
  },
  webServer: externalBaseUrl
    ? undefined
    : {
        command: `npx vite build --logLevel warn && npx vite preview --port ${PORT} --strictPort`,
        url: `http://127.0.0.1:${PORT}/`,
        reuseExistingServer: !process.env.CI,
        timeout: 180_000,
      },
});

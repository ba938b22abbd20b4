// Registers the service worker of the production build (vite-plugin-pwa / Workbox): it precaches the app shell,
// the onnxruntime WebAssembly files and the default model, so that after one visit the app loads and forecasts
// with the network off. Not registered by the dev server, which serves files fresh.
/// <reference types="vite-plugin-pwa/vanillajs" />

/** Longest wait for the first model before the service worker is registered anyway, ms. */
const MAX_DELAY_MS = 15_000;

/**
 * Registers the service worker (production builds only) once `after` settles or {@link MAX_DELAY_MS} have passed.
 * NOTE: installing it downloads every precached file (~28 MB: the ORT runtime and the model again, past the HTTP
 * cache), which on a first visit competed with the app's own start for the network and both cores; the app passes
 * "the first model is ready" here, so the first forecast comes first and the offline copy right after it.
 */
export function registerServiceWorker(after: Promise<unknown> = Promise.resolve()): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const delay = new Promise<void>((resolve) => setTimeout(resolve, MAX_DELAY_MS));
  void Promise.race([after.catch(() => undefined), delay]).then(() => import('virtual:pwa-register')).then(({ registerSW }) => {
    // autoUpdate: a new deployment's worker takes over and the page reloads once it has precached everything.
    registerSW({ immediate: true });
  });
}

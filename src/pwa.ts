// Registers the service worker of the production build (vite-plugin-pwa / Workbox): it precaches the app shell,
// the onnxruntime WebAssembly files and the default model, so that after one visit the app loads and forecasts
// with the network off. Not registered by the dev server, which serves files fresh.
/// <reference types="vite-plugin-pwa/vanillajs" />

/** Registers the service worker once the page has loaded (production builds only). */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  void import('virtual:pwa-register').then(({ registerSW }) => {
    // autoUpdate: a new deployment's worker takes over and the page reloads once it has precached everything.
    registerSW({ immediate: true });
  });
}

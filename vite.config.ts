// Vite config: React SPA plus the ORT WebAssembly runtime served from /ort/ (same origin, so it works
// offline and needs no CDN), the COOP/COEP headers that make the page cross-origin isolated so
// onnxruntime-web can use WASM threads (SharedArrayBuffer), and the service worker + web app manifest
// (vite-plugin-pwa / Workbox) that make the built app installable and usable offline after one visit. The
// Content-Security-Policy (src/csp.ts) is sent as a header in dev and preview and written into every built page;
// the build also drops any temporary folder a killed `npm run model` left in public/.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { contentSecurityPolicy } from './src/csp';
import { removeTempPaths } from './src/node/atomic-files';

const ORT_DIST = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
/**
 * The ORT runtime files loaded at run time: the CPU-only build the app's WASM backend uses (onnxruntime-web/wasm,
 * precached for offline use), the build with ORT's native WebGPU execution provider (onnxruntime-web/webgpu: the
 * app's WebGPU backend, cached on first use), and the JSEP build (WebGPU through JS kernels) that the benchmark page and
 * the library's default import load.
 */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs'];

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
/** Headers of every response in dev and preview: isolation plus the Content-Security-Policy. */
const devHeaders = { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy({ dev: true }) };
const previewHeaders = { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy() };

/** Writes the Content-Security-Policy into every built page (for hosts that send no headers). */
function cspMetaTag(): Plugin {
  return {
    name: 'csp-meta-tag',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy({ meta: true }) }, injectTo: 'head-prepend' }],
  };
}

/** Keeps temporary folders (`.<name>.tmp-<pid>`, left by an interrupted install) out of dist/. */
function noTemporaryFiles(): Plugin {
  let outDir = '';
  return {
    name: 'no-temporary-files',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const removed = await removeTempPaths(outDir);
      if (removed.length > 0) this.warn(`left out ${removed.length} temporary file(s) of an interrupted install: ${removed.map((p) => path.relative(outDir, p)).join(', ')}`);
    },
  };
}

/** Serves the ORT runtime files under /ort/ in dev and preview, and emits them into the build. */
function ortRuntimeFiles(): Plugin {
  const serve = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const url = req.url?.split('?')[0] ?? '';
    const name = url.startsWith('/ort/') ? url.slice('/ort/'.length) : '';
    if (!ORT_FILES.includes(name)) return next();
    // NOTE: the page is cross-origin isolated, so ORT's thread workers load only with these headers.
    for (const [key, value] of Object.entries(devHeaders)) res.setHeader(key, value);
    res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
    createReadStream(path.join(ORT_DIST, name)).pipe(res);
  };
  return {
    name: 'ort-runtime-files',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    generateBundle(_options, bundle) {
      // The ORT bundles also reference their .wasm through `new URL(…, import.meta.url)`, so Vite copies them into
      // assets/; every session loads them from /ort/ (configureOrtEnv sets wasmPaths), so those copies are dead.
      for (const name of Object.keys(bundle)) if (/^assets\/ort-wasm-simd-threaded[\w.-]*\.wasm$/.test(name)) delete bundle[name];
      for (const name of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(path.join(ORT_DIST, name)) });
      }
    },
  };
}

/**
 * Files of the bundled model the service worker precaches: the registry (public/models/index.json) and the
 * folder of its default entry (else its first). Other installed models are cached when first used.
 */
function precachedModelFiles(): string[] {
  const registryFile = fileURLToPath(new URL('./public/models/index.json', import.meta.url));
  if (!existsSync(registryFile)) return ['models/random-small/*'];
  const registry = JSON.parse(readFileSync(registryFile, 'utf8')) as { models?: { folder?: unknown; default?: unknown }[] };
  const models = registry.models ?? [];
  const folder = (models.find((m) => m.default === true) ?? models[0])?.folder;
  return ['models/index.json', ...(typeof folder === 'string' && /^[\w.-]+$/.test(folder) ? [`models/${folder}/*`] : [])];
}

/** The service worker and the web app manifest. */
function offlineApp(): Plugin[] {
  return VitePWA({
    registerType: 'autoUpdate',
    injectRegister: false,
    manifest: {
      name: 'Chronos Forecast',
      short_name: 'Chronos',
      description: 'Chronos-2 probabilistic time-series forecasts in your browser. Your data never leaves your computer.',
      theme_color: '#2563eb',
      background_color: '#f6f7fb',
      display: 'standalone',
      start_url: '.',
      scope: '.',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['index.html', 'assets/*.{js,css}', 'assets/*_bg-*.wasm', 'ort/ort-wasm-simd-threaded.{mjs,wasm}', 'airline-passengers.csv', 'favicon.svg', ...precachedModelFiles()],
      // The ORT wasm is ~14 MB (and a bundled model may be large); Workbox's default limit is 2 MiB.
      maximumFileSizeToCacheInBytes: 600 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/(selfcheck|bench)\.html/],
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
      runtimeCaching: [
        {
          // ORT's native WebGPU build: fetched only where WebGPU is used, then kept for offline use.
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/ort/ort-wasm-simd-threaded.asyncify.'),
          handler: 'CacheFirst',
          options: { cacheName: 'chronos-ort-webgpu' },
        },
        {
          // Installed models other than the default: from the server when it answers, else the last copy.
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/models/'),
          handler: 'NetworkFirst',
          options: { cacheName: 'chronos-installed-models' },
        },
      ],
    },
    devOptions: { enabled: false },
  });
}

export default defineConfig({
  plugins: [react(), ortRuntimeFiles(), offlineApp(), cspMetaTag(), noTemporaryFiles()],
  server: { headers: devHeaders, host: '127.0.0.1', port: 5173 },
  preview: { headers: previewHeaders, host: '127.0.0.1', port: 4173 },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        selfcheck: fileURLToPath(new URL('./selfcheck.html', import.meta.url)),
        bench: fileURLToPath(new URL('./bench.html', import.meta.url)),
      },
    },
  },
});

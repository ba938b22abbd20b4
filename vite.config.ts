// Vite config: React SPA plus the ORT WebAssembly runtime served from /ort/ (same origin, so it works
// offline and needs no CDN), and the COOP/COEP headers that make the page cross-origin isolated so
// onnxruntime-web can use WASM threads (SharedArrayBuffer).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const ORT_DIST = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
/** The ORT runtime files the app loads at run time (JSEP build: WASM + WebGPU). */
const ORT_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Serves the ORT runtime files under /ort/ in dev and preview, and emits them into the build. */
function ortRuntimeFiles(): Plugin {
  const serve = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const url = req.url?.split('?')[0] ?? '';
    const name = url.startsWith('/ort/') ? url.slice('/ort/'.length) : '';
    if (!ORT_FILES.includes(name)) return next();
    // NOTE: the page is cross-origin isolated, so ORT's thread workers load only with these headers.
    for (const [key, value] of Object.entries(isolationHeaders)) res.setHeader(key, value);
    res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
    createReadStream(path.join(ORT_DIST, name)).pipe(res);
  };
  return {
    name: 'ort-runtime-files',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(path.join(ORT_DIST, name)) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), ortRuntimeFiles()],
  server: { headers: isolationHeaders, host: '127.0.0.1', port: 5173 },
  preview: { headers: isolationHeaders, host: '127.0.0.1', port: 4173 },
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
